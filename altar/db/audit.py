"""The change log: who did what to which child's record, when, with which
command, and the value before and after. The toolkit only ever appends to it.

Every write path calls :func:`log` inside its own transaction, so a change
and its record commit or roll back together.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from altar.db.models import ChangeLog


def log(
    session: Session,
    *,
    actor: str | None,
    command: str,
    action: str,
    entity: str,
    case_ref: str | None,
    field: str | None = None,
    old: str | None = None,
    new: str | None = None,
) -> None:
    """Record one change. ``action`` is insert, update or delete; ``entity``
    names what changed (case, answer, story, chronology_event, pen_picture,
    story_tag, theme, ...); ``field`` the column or item, when one changed."""
    session.add(
        ChangeLog(actor=actor, command=command, action=action, entity=entity, case_ref=case_ref,
                  field=field, old_value=old, new_value=new)
    )  # fmt: skip
