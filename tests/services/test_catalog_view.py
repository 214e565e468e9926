"""The catalog's read side is decoded once per generation, yet sees a publish or a deprecation made elsewhere."""

from __future__ import annotations

from pathlib import Path

from infraplane.adapters.archive import pack_directory
from infraplane.adapters.store import SqlStore
from infraplane.adapters.terraform_module import read_module_interface
from infraplane.core.audit import Actor
from infraplane.services.catalog import CatalogService
from tests.conftest import EXAMPLE_CATALOG

ALICE = Actor("human", "alice")


def test_a_long_lived_catalog_sees_what_another_process_publishes_and_deprecates(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'infraplane.db'}")
    store.migrate()
    try:
        server = CatalogService(store, pack_directory, read_module_interface)  # kept for the server's life
        cli = CatalogService(store, pack_directory, read_module_interface)  # a command run beside it
        cli.publish(EXAMPLE_CATALOG / "queue", ALICE)
        assert [h.blueprint.name for h in server.search("queue")] == ["queue"]
        first = server.latest()
        assert server.latest()[0] is first[0]  # nothing changed: the decoded versions are reused

        cli.publish(EXAMPLE_CATALOG / "bucket", ALICE)
        assert [v.name for v in server.latest()] == ["bucket", "queue"]
        assert "bucket" in [h.blueprint.name for h in server.search("bucket storage")]

        [queue] = cli.versions("queue")
        cli.deprecate(queue.ref, ALICE, "use the new queue")
        assert [v.name for v in server.latest()] == ["bucket"]
        assert all(h.blueprint.name != "queue" for h in server.search("queue"))
        assert [v.name for v in server.latest(include_deprecated=True)] == ["bucket", "queue"]
    finally:
        store.dispose()
