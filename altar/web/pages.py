"""What every view uses: the store, the signed-in user, one transaction as
that user, and form problems for the GOV.UK-style error summary."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app, g, request
from sqlalchemy.orm import Session

from altar.access import User
from altar.db import Database
from altar.errors import FieldProblem


def database() -> Database:
    return current_app.extensions["altar_database"]


def user() -> User:
    """The signed-in user (every page but sign-in requires one)."""
    return g.user


@contextmanager
def reading() -> Iterator[Session]:
    with database().reader() as session:
        yield session


@contextmanager
def writing() -> Iterator[Session]:
    """One transaction: the page's change is saved whole or not at all."""
    with database().transaction() as session:
        yield session


def command() -> str:
    """How the change log names a change made on the web, e.g.
    'altar serve screening.save' (the page that made it)."""
    return f"altar serve {request.endpoint}"


def form_text(name: str, default: str = "") -> str:
    """A posted text field, with Windows/old-Mac line endings made \\n."""
    return request.form.get(name, default).replace("\r\n", "\n").replace("\r", "\n")


def by_field(problems: list[FieldProblem]) -> dict[str, str]:
    """field id -> its message, for writing each error above its field
    (a template filter). A field with several problems shows the first and
    says how many more the summary lists.

    >>> by_field([FieldProblem("title", "Enter a title"), FieldProblem("body", "A"), FieldProblem("body", "B"), FieldProblem(None, "C")])
    {'title': 'Enter a title', 'body': 'A (and 1 more problem, listed at the top of the page)'}
    """
    messages: dict[str, list[str]] = {}
    for p in problems:
        if p.field:
            messages.setdefault(p.field, []).append(p.message)
    return {field: texts[0] + _more(len(texts) - 1) for field, texts in messages.items()}


def _more(n: int) -> str:
    return (
        f" (and {n} more problem{'s' if n > 1 else ''}, listed at the top of the page)" if n else ""
    )


# The library's messages are written for the command line and often end with
# the command to run next; on a web page that hint means nothing.
_COMMAND_HINT = re.compile(
    r"\s*\([^()]*`altar [^`]*`[^()]*\)|[:;,]\s*[^:;,()]*`altar [^`]*`[^:;,()]*$"
)


def web_message(message: str) -> str:
    """A library message as a web page says it: without a hint to run an
    `altar` command, starting with a capital and ending with a full stop.

    >>> web_message("no case 'WAL-9' in this database (see `altar case list`)")
    "No case 'WAL-9' in this database."
    >>> web_message("DUD-1 has no case story yet: write one with `altar story edit DUD-1`")
    'DUD-1 has no case story yet.'
    """
    text = _COMMAND_HINT.sub("", message).strip()
    if not text:
        return message
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."
