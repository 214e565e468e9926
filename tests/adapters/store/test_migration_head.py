"""The store's fast "schema is at head" check agrees with alembic, so skipping alembic is safe."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

from infraplane.adapters.store import SqlStore, database
from infraplane.adapters.store.database import head_revision


def test_head_read_from_the_files_is_alembics_head() -> None:
    config = Config()
    config.set_main_option("script_location", str(Path(database.__file__).parent / "migrations"))
    assert [head_revision()] == ScriptDirectory.from_config(config).get_heads()


def test_only_a_store_at_the_newest_revision_counts_as_current(store_url: str) -> None:
    store = SqlStore(store_url)
    try:
        assert not store.schema_is_current()  # empty database: no alembic_version table
        store.migrate()
        assert store.schema_is_current()
        with store.engine.begin() as connection:
            connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0001'")
        assert not store.schema_is_current()  # an older schema: `migrate` hands it to alembic
    finally:
        store.dispose()
