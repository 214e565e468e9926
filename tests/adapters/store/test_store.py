"""The store on SQLite and PostgreSQL: catalog records, archives, and the audit chain under concurrency."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from infraplane.adapters.archive import digest_of, pack_directory
from infraplane.adapters.store import SqlStore
from infraplane.adapters.terraform_module import read_module_interface
from infraplane.core.audit import Actor
from infraplane.errors import AuditChainBrokenError
from infraplane.services.audit import AuditService, record
from infraplane.services.catalog import CatalogService
from tests.conftest import EXAMPLE_CATALOG

ALICE = Actor("human", "alice")


def test_migrations_are_idempotent(store: SqlStore) -> None:
    store.migrate()
    store.migrate()
    assert AuditService(store).verify().events == 0


def test_published_versions_and_archives_round_trip(store: SqlStore) -> None:
    catalog = CatalogService(store, pack_directory, read_module_interface)
    results = catalog.publish(EXAMPLE_CATALOG / "queue", ALICE)
    assert [r.status for r in results] == ["published"]
    [version] = catalog.versions("queue")
    assert version.digest == digest_of(pack_directory(EXAMPLE_CATALOG / "queue"))
    assert version.blueprint.spec.inputs["retention_days"]["default"] == 4
    with store.transaction() as tx:
        assert digest_of(tx.catalog.get_archive(version.digest)) == version.digest


def test_a_version_row_cannot_be_inserted_twice(store: SqlStore) -> None:
    catalog = CatalogService(store, pack_directory, read_module_interface)
    catalog.publish(EXAMPLE_CATALOG / "queue", ALICE)
    [version] = catalog.versions("queue")
    with pytest.raises(IntegrityError), store.transaction() as tx:
        tx.catalog.add(version)
    assert len(catalog.versions("queue")) == 1


def test_failed_transaction_keeps_no_half_change(store: SqlStore) -> None:
    with pytest.raises(RuntimeError), store.transaction() as tx:
        record(tx, ALICE, "test.change", "thing:1", {})
        raise RuntimeError("crash after the event, before commit")
    assert AuditService(store).events() == []
    with store.transaction() as tx:
        record(tx, ALICE, "test.change", "thing:1", {})
    assert [e.sequence for e in AuditService(store).events()] == [1]


def test_audit_payload_secrets_are_redacted(store: SqlStore) -> None:
    with store.transaction() as tx:
        record(
            tx, ALICE, "test.secret", "thing:1", {"password": "hunter2", "inputs": {"db_token": "t0k", "size": "small"}}
        )
    [event] = AuditService(store).events()
    assert "hunter2" not in str(event.payload) and "t0k" not in str(event.payload)
    assert event.payload["inputs"]["size"] == "small"


def test_editing_a_stored_event_breaks_verification_at_that_event(store: SqlStore) -> None:
    for index in range(5):
        with store.transaction() as tx:
            record(tx, ALICE, "test.step", f"thing:{index}", {"index": index})
    assert AuditService(store).verify().events == 5
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET payload = :p WHERE sequence = 3"), {"p": '{"index":99}'})
    with pytest.raises(AuditChainBrokenError) as broken:
        AuditService(store).verify()
    assert broken.value.sequence == 3
    assert "event 3" in broken.value.message


def test_deleting_an_event_breaks_verification(store: SqlStore) -> None:
    for index in range(4):
        with store.transaction() as tx:
            record(tx, ALICE, "test.step", f"thing:{index}", {})
    with store.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events WHERE sequence = 2"))
    with pytest.raises(AuditChainBrokenError) as broken:
        AuditService(store).verify()
    assert broken.value.sequence == 3


def _append_many(url: str, worker: int, count: int) -> None:
    store = SqlStore(url)
    for index in range(count):
        with store.transaction() as tx:
            record(tx, Actor("system", f"worker-{worker}"), "test.concurrent", f"item:{worker}:{index}", {})
    store.dispose()


def test_concurrent_processes_append_one_chain(store: SqlStore, store_url: str) -> None:
    workers, per_worker = 4, 25
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_append_many, args=(store_url, w, per_worker)) for w in range(workers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0
    events = AuditService(store).events()
    assert [e.sequence for e in events] == list(range(1, workers * per_worker + 1))
    assert len({e.subject for e in events}) == workers * per_worker
    assert AuditService(store).verify().events == workers * per_worker


def test_export_writes_json_lines(store: SqlStore, tmp_path: Path) -> None:
    with store.transaction() as tx:
        record(tx, ALICE, "test.one", "thing:1", {"a": 1})
        record(tx, ALICE, "test.two", "thing:2", {"b": [1, 2]})
    target = tmp_path / "audit.jsonl"
    assert AuditService(store).export(target) == 2
    lines = target.read_text().splitlines()
    assert '"action": "test.two"' in lines[1]
    assert len(lines) == 3 and '"head"' in lines[2]


def test_a_read_goes_on_beside_a_writer_and_writes_nothing(store: SqlStore) -> None:
    catalog = CatalogService(store, pack_directory, read_module_interface)
    catalog.publish(EXAMPLE_CATALOG / "queue", ALICE)
    with store.transaction() as writer:
        record(writer, ALICE, "test.hold", "lock", {})  # the writer holds its lock while the read runs
        with store.read() as reader:
            assert [v.name for v in reader.catalog.all()] == ["queue"]
            assert list(reader.audit.events(action="test.hold")) == []  # it reads what was committed
    if store.engine.dialect.name == "postgresql":
        with pytest.raises(Exception, match="read-only transaction"), store.read() as reader:
            record(reader, ALICE, "test.write", "nothing", {})


def test_dependencies_between_environments_are_replaced_per_consumer(store: SqlStore) -> None:
    from infraplane.core.upstream import Dependency, UpstreamRead

    ids = UpstreamRead("spec.inputs.ids", "net", "ids", "sha256:1", "array")
    vpc = UpstreamRead("spec.inputs.vpc", "net", "vpc_id", "sha256:2", "string")
    with store.transaction() as tx:
        tx.environments.set_dependencies("app", [Dependency("app", ids, 1, "t1"), Dependency("app", vpc, 1, "t1")])
        tx.environments.set_dependencies("web", [Dependency("web", ids, 3, "t2")])
    with store.read() as tx:
        assert [d.read for d in tx.environments.dependencies("app")] == [ids, vpc]
        assert [(d.consumer, d.revision) for d in tx.environments.dependents("net")] == [
            ("app", 1),
            ("app", 1),
            ("web", 3),
        ]
    with store.transaction() as tx:
        tx.environments.set_dependencies("app", [])  # destroyed: reads nothing any more
    with store.read() as tx:
        assert tx.environments.dependencies("app") == []
        assert [d.consumer for d in tx.environments.dependents("net")] == ["web"]
