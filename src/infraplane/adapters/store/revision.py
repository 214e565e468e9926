"""The newest migration's revision id, read from the migration files (no SQLAlchemy, no alembic)."""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["MIGRATIONS", "head_revision"]

MIGRATIONS = Path(__file__).parent / "migrations"
_REVISION = re.compile(r"""^revision\s*=\s*["']([^"']+)["']\s*$""", re.MULTILINE)
_DOWN_REVISION = re.compile(r"""^down_revision\s*=\s*(?:None|["']([^"']+)["'])\s*$""", re.MULTILINE)


def head_revision() -> str | None:
    """The newest migration's revision id, read from the migration files without importing alembic.

    None when the migrations are not one plain chain (a merge, a branch, a file this cannot read):
    then only alembic can say whether the schema is current.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        revision, down = _REVISION.findall(text), _DOWN_REVISION.findall(text)
        if not revision and not down:
            continue  # not a migration (__init__.py)
        if len(revision) != 1 or len(down) != 1:
            return None
        revisions.add(revision[0])
        if down[0]:
            parents.add(down[0])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 and parents <= revisions else None
