"""``altar init`` and ``altar db upgrade``: make a database ready to use."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from altar.db import open_for_upgrade, resolve_url, sqlite_path, upgrade
from altar.db.models import Meta
from altar.db.reference import seed_reference


@dataclass(frozen=True)
class InitResult:
    database: str
    created: bool
    revision_before: str | None
    revision_after: str
    backup: Path | None
    authorities_added: int
    instruments_added: int


def initialise(db: str | None, *, meta: dict[str, str] | None = None) -> InitResult:
    """Create or upgrade to head, then seed reference data. Idempotent."""
    path = sqlite_path(resolve_url(db))
    created = path is not None and not path.exists()
    database = open_for_upgrade(db)
    before, after, backup = upgrade(database)
    with database.transaction() as session:
        seeded = seed_reference(session)
        for key, value in (meta or {}).items():
            session.merge(Meta(key=key, value=value))
    database.engine.dispose()
    return InitResult(
        database.display,
        created or before is None,
        before,
        after,
        backup,
        seeded.authorities_added,
        seeded.instruments_added,
    )
