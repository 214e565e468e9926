"""The sqlite3 reader of published policy bundles reads what the SQLAlchemy store wrote, or declines."""

from __future__ import annotations

from pathlib import Path

from infraplane.adapters.store import SqlStore
from infraplane.adapters.store.published_policies import open_published_policies
from infraplane.core.records import PublishedBundle


def _publish(store: SqlStore, name: str, version: str, data: bytes) -> PublishedBundle:
    bundle = PublishedBundle(name, version, f"sha256:{name}{version}", {"name": name, "version": version},
                             "2026-01-01T00:00:00Z", "human:ada")  # fmt: skip
    with store.transaction() as tx:
        tx.catalog.put_archive(bundle.digest, data)
        tx.policies.add(bundle)
    return bundle


def test_the_reader_sees_what_the_store_published(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'infraplane.db'}"
    store = SqlStore(url)
    try:
        store.migrate()
        _publish(store, "zeta", "1.0.0", b"z1")
        _publish(store, "alpha", "2.0.0", b"a2")
        _publish(store, "alpha", "1.0.0", b"a1")
        reader = open_published_policies(url)
        assert reader is not None
        with store.transaction() as tx:
            assert reader.all() == tx.policies.all()  # same rows, same order (name, then publication)
        assert [b.version for b in reader.all()] == ["2.0.0", "1.0.0", "1.0.0"]
        assert reader.archive("sha256:alpha1.0.0") == b"a1"
        _publish(store, "beta", "1.0.0", b"b1")
        assert "beta" in {b.name for b in reader.all()}  # nothing cached: a later publish is seen
    finally:
        store.dispose()


def test_the_reader_declines_a_store_it_cannot_trust(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'infraplane.db'}"
    assert open_published_policies(url) is None  # no file yet: the store must create it
    store = SqlStore(url)
    try:
        assert open_published_policies(url) is None  # file without a schema
        store.migrate()
        assert open_published_policies(url) is not None
        with store.engine.begin() as connection:
            connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0001'")
        assert open_published_policies(url) is None  # an older schema: the store migrates it first
    finally:
        store.dispose()
    assert open_published_policies("postgresql://db.example/infraplane") is None
