"""The case story as Markdown, for the practitioner's editor and for import.

Two forms are read back:

- the **editor form** (``render_story``): each section opens with a marker
  line ``<!-- section: CODE -->`` and its ``## Title`` heading, followed by the
  template's prompts in an HTML comment. The markers make parsing
  unambiguous whatever the practitioner writes, ``##`` sub-headings included.
- **plain Markdown** (``render_plain``, and what a word processor exports):
  ``## Title`` headings that match the template's section titles.

Everything inside ``<!-- ... -->`` is guidance and is stripped on reading, so
the prompts are never stored. All functions here are pure.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Collection, Mapping, Sequence
from enum import Enum
from typing import Final

from altar.errors import ValidationError
from altar.stories.template import Section, StoryTemplate

_MARKER = re.compile(r"^\s*<!--\s*section:\s*(.*?)\s*-->\s*$")
_HEADING = re.compile(r"^##(?!#)\s*(.*?)\s*#*\s*$")
_TITLE = re.compile(r"^#(?!#)\s")
OPEN, CLOSE = "<!--", "-->"


def marker(code: str) -> str:
    return f"<!-- section: {code} -->"


def normalise_text(text: str) -> str:
    """A section's text as stored: trailing spaces and surrounding blank lines removed."""
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


# --- writing -----------------------------------------------------------------------


def render_story(
    template: StoryTemplate,
    sections: Mapping[str, str],
    *,
    heading: str,
    only: Sequence[str] | None = None,
) -> str:
    """The editor form: a guidance comment, then each section (or the ``only``
    ones) with its marker, heading, prompts and current text."""
    codes = list(only) if only else list(template.codes)
    lines = [OPEN, *_wrap(heading), "", *_wrap(_GUIDANCE), CLOSE]
    for code in codes:
        section = template.section(code)
        lines += ["", marker(code), f"## {section.title}", *_prompts(section), ""]
        text = normalise_text(sections.get(code, ""))
        if text:
            lines += [text, ""]
    return "\n".join(lines) + "\n"


_GUIDANCE = (
    "Write in Markdown under each heading. Everything between comment marks, like this "
    "guidance and the prompts under each heading, is ignored and never saved. Keep each "
    "'section:' marker line as it is: it tells altar which section the text below it "
    "belongs to. Never write names, dates of birth, addresses, postcodes, phone numbers, "
    "email addresses or school names: saving checks for them. Save and close the editor "
    "to store a new version of the story; quit without saving to change nothing."
)


def _prompts(section: Section) -> list[str]:
    lines = [OPEN]
    for prompt in section.prompts:
        lines += textwrap.wrap(prompt, width=78, initial_indent="- ", subsequent_indent="  ")
    return lines + [CLOSE]


def _wrap(text: str) -> list[str]:
    return textwrap.wrap(text, width=78)


def render_plain(
    template: StoryTemplate,
    sections: Mapping[str, str],
    *,
    title: str,
    only: Sequence[str] | None = None,
) -> str:
    """The story as plain Markdown (``# title``, then ``## Section`` headings),
    to read, and importable as it is with ``altar story import``."""
    parts = [f"# {title}"]
    for code in only or template.codes:
        text = normalise_text(sections.get(code, ""))
        parts.append(f"## {template.section(code).title}" + (f"\n\n{text}" if text else ""))
    return "\n\n".join(parts) + "\n"


# --- reading -----------------------------------------------------------------------


def parse_story(
    text: str,
    template: StoryTemplate,
    *,
    expected: Collection[str] | None = None,
    source: str = "the story",
) -> dict[str, str]:
    """Read a story back as {section code: text}, in template order.

    With section markers, those are the sections; otherwise ``## Title``
    headings matching the template's titles are. Only the ``expected``
    sections (those an editor form was opened with; default all) may
    appear, each once; in the editor form each must. A section absent from
    plain Markdown is absent from the result (the caller keeps it as it was).
    Raises ValidationError listing every problem with its line number.
    """
    lines, problems = _strip_comments(text)
    with_markers = any(_MARKER.match(raw) for raw in text.splitlines())
    section_of = _marker_of if with_markers else _heading_of
    found = _split(lines, section_of(template, expected), problems)
    if with_markers:
        found = {code: _drop_heading(body) for code, body in found.items()}
        problems += [
            f"the marker {marker(c)} is missing: put it back above the section's heading"
            for c in expected or ()
            if c not in found
        ]
    if not found and not problems:
        titles = "; ".join(f"## {s.title}" for s in template.sections)
        problems.append(
            f"no sections found: start each with a heading from the template ({titles})"
        )
    if problems:
        raise ValidationError(f"{source}: {len(problems)} problem(s); nothing was saved", problems)
    return {
        code: normalise_text("\n".join(found[code])) for code in template.codes if code in found
    }


# A line as read: (line number, text without comments, whether it held only a comment).
_Line = tuple[int, str, bool]


def _strip_comments(text: str) -> tuple[list[_Line], list[str]]:
    """Remove ``<!-- ... -->`` (which may span lines). Marker lines are kept whole."""
    out: list[_Line] = []
    opened_on: int | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        if opened_on is None and _MARKER.match(raw):
            out.append((number, raw, False))
            continue
        kept, rest = [], raw
        while rest:
            if opened_on is not None:
                end = rest.find(CLOSE)
                rest = "" if end < 0 else rest[end + len(CLOSE) :]
                opened_on = opened_on if end < 0 else None
            else:
                start = rest.find(OPEN)
                kept.append(rest if start < 0 else rest[:start])
                rest, opened_on = ("", None) if start < 0 else (rest[start + len(OPEN) :], number)
        line = "".join(kept)
        out.append((number, line, bool(raw.strip()) and not line.strip()))
    problems = (
        []
        if opened_on is None
        else [f"line {opened_on}: a comment opened with {OPEN} is never closed with {CLOSE}"]
    )
    return out, problems


def _split(lines: list[_Line], section_of: _SectionOf, problems: list[str]) -> dict[str, list[str]]:
    """Group lines under the section each boundary line (marker or heading) names."""
    found: dict[str, list[str]] = {}
    first_line: dict[str, int] = {}
    current: list[str] | None = None
    for number, line, only_comment in lines:
        code = section_of(number, line, problems)
        if code is _NOT_A_BOUNDARY:
            if current is not None and not only_comment:
                current.append(line)
            elif current is None and line.strip() and not _TITLE.match(line):
                problems.append(f"line {number}: text before the first section: {_clip(line)}")
        elif code is None:
            current = []  # a bad boundary, reported: what follows it is set aside
        elif code in found:
            problems.append(
                f"line {number}: section {code!r} appears twice (first on line {first_line[code]})"
            )
            current = []
        else:
            current = found[code] = []
            first_line[code] = number
    return found


class _Boundary(Enum):
    # An enum member, not a bare object(), so that `is _NOT_A_BOUNDARY` narrows the type.
    NOT_A_BOUNDARY = 0


_NOT_A_BOUNDARY: Final = _Boundary.NOT_A_BOUNDARY

# Given a line's number and text, the section code it opens, None for a bad
# boundary (reported in problems), or _NOT_A_BOUNDARY.
_SectionOf = Callable[[int, str, list[str]], str | None | _Boundary]


def _marker_of(template: StoryTemplate, expected: Collection[str] | None) -> _SectionOf:
    def section_of(number: int, line: str, problems: list[str]) -> str | None | _Boundary:
        match = _MARKER.match(line)
        if not match:
            return _NOT_A_BOUNDARY
        code = match.group(1)
        if code not in template.codes:
            problems.append(
                f"line {number}: unknown section marker {code!r} (sections: {', '.join(template.codes)})"
            )
            return None
        return _opened(code, number, expected, problems)

    return section_of


def _heading_of(template: StoryTemplate, expected: Collection[str] | None) -> _SectionOf:
    by_title = {_title_key(s.title): s.code for s in template.sections}

    def section_of(number: int, line: str, problems: list[str]) -> str | None | _Boundary:
        match = _HEADING.match(line)
        if not match:
            return _NOT_A_BOUNDARY
        code = by_title.get(_title_key(match.group(1)))
        if code is None:
            titles = "; ".join(s.title for s in template.sections)
            problems.append(
                f"line {number}: unknown heading {_clip(line)} (the template's sections: {titles}; "
                "use ### for headings within a section)"
            )
            return None
        return _opened(code, number, expected, problems)

    return section_of


def _opened(
    code: str, number: int, expected: Collection[str] | None, problems: list[str]
) -> str | None:
    if expected is None or code in expected:
        return code
    problems.append(f"line {number}: section {code!r} was not opened for editing here")
    return None


def _title_key(title: str) -> str:
    return " ".join(title.replace("’", "'").casefold().rstrip(":").split())


def _drop_heading(body: list[str]) -> list[str]:
    """In the editor form the first line after a marker is the section's
    heading (shown, never stored): drop it, and nothing else."""
    for i, line in enumerate(body):
        if line.strip():
            return body[:i] + body[i + 1 :] if _HEADING.match(line) else body
    return body


def _clip(line: str, width: int = 60) -> str:
    line = line.strip()
    return repr(line if len(line) <= width else line[: width - 1] + "…")
