"""The audit chain is closed: deleting its newest events, all of them, or corrupting one is named by sequence."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from infraplane.adapters.store import SqlStore
from infraplane.core.audit import Actor
from infraplane.errors import AuditChainBrokenError, InputError
from infraplane.services.audit import AuditService, parse_head, record

ALICE = Actor("human", "alice")


def _events(store: SqlStore, count: int) -> AuditService:
    for index in range(count):
        with store.transaction() as tx:
            record(tx, ALICE, "test.step", f"thing:{index}", {"index": index})
    return AuditService(store)


def _broken_at(call: object) -> tuple[int, str]:
    with pytest.raises(AuditChainBrokenError) as broken:
        call()  # type: ignore[operator]
    return broken.value.sequence, broken.value.message


def test_a_whole_chain_verifies_and_names_its_head(store: SqlStore) -> None:
    audit = _events(store, 4)
    result = audit.verify()
    assert result.events == 4 and result.head.sequence == 4 and len(result.head.hash) == 64


def test_deleting_the_newest_event_is_detected(store: SqlStore) -> None:
    audit = _events(store, 5)
    with store.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events WHERE sequence = 5"))
    sequence, message = _broken_at(audit.verify)
    assert sequence == 5
    assert "head records event 5" in message and "event 5 is missing" in message


def test_deleting_every_event_is_detected(store: SqlStore) -> None:
    audit = _events(store, 3)
    with store.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events"))
    sequence, message = _broken_at(audit.verify)
    assert sequence == 1 and "events 1 to 3 are missing" in message


def test_deleting_the_head_record_is_detected(store: SqlStore) -> None:
    audit = _events(store, 2)
    with store.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_head"))
    _, message = _broken_at(audit.verify)
    assert "head is missing" in message


def test_a_payload_that_is_not_json_is_named_not_a_traceback(store: SqlStore) -> None:
    audit = _events(store, 4)
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET payload = :p WHERE sequence = 2"), {"p": "{not json"})
    sequence, message = _broken_at(audit.verify)
    assert sequence == 2 and "payload is not JSON" in message
    # Reading the log still works; the event is shown, marked.
    assert [e.sequence for e in audit.events()] == [1, 2, 3, 4]


def test_an_export_verifies_on_its_own_and_against_a_noted_head(store: SqlStore, tmp_path: Path) -> None:
    audit = _events(store, 3)
    noted = audit.verify().head
    _events(store, 2)
    export = tmp_path / "audit.jsonl"
    assert audit.export(export) == 5
    assert audit.verify_export(export).events == 5
    assert audit.verify_export(export, noted).events == 5
    assert audit.verify(parse_head(f"{noted.sequence}:{noted.hash[:12]}")).events == 5


def test_a_truncated_export_is_detected(store: SqlStore, tmp_path: Path) -> None:
    audit = _events(store, 4)
    export = tmp_path / "audit.jsonl"
    audit.export(export)
    lines = export.read_text().splitlines(keepends=True)

    cut_mid_line = tmp_path / "cut.jsonl"
    cut_mid_line.write_text("".join(lines[:2]) + lines[2][:40])
    sequence, message = _broken_at(lambda: audit.verify_export(cut_mid_line))
    assert sequence == 3 and "not JSON" in message

    cut_at_line = tmp_path / "short.jsonl"
    cut_at_line.write_text("".join(lines[:2]))
    sequence, message = _broken_at(lambda: audit.verify_export(cut_at_line))
    assert sequence == 3 and "no head line" in message


def test_an_export_cut_and_given_a_forged_head_line_fails_against_the_noted_head(
    store: SqlStore, tmp_path: Path
) -> None:
    audit = _events(store, 4)
    noted = audit.verify().head
    export = tmp_path / "audit.jsonl"
    audit.export(export)
    lines = export.read_text().splitlines(keepends=True)
    forged = tmp_path / "forged.jsonl"
    import json

    second = json.loads(lines[1])
    forged.write_text("".join(lines[:2]) + json.dumps({"head": {"sequence": 2, "hash": second["hash"]}}) + "\n")
    assert audit.verify_export(forged).events == 2  # consistent on its own ...
    sequence, message = _broken_at(lambda: audit.verify_export(forged, noted))  # ... but not with the noted head
    assert sequence == 3 and "head records event 4" in message


def test_a_noted_head_whose_event_was_rewritten_is_detected(store: SqlStore) -> None:
    audit = _events(store, 3)
    noted = audit.verify().head
    other = parse_head(f"{noted.sequence}:{'0' * 64}")
    sequence, message = _broken_at(lambda: audit.verify(other))
    assert sequence == 3 and "does not match the head" in message
    assert noted.sequence == 3


@pytest.mark.parametrize("bad", ["", "x:abc", "3:xyz", "3:abc", "-1:abcdef012345"])
def test_a_malformed_noted_head_is_an_input_error(bad: str) -> None:
    with pytest.raises(InputError) as error:
        parse_head(bad)
    assert error.value.problems[0].field == "head"
