"""The reviewer's diff, from plans real Terraform made: actions, attribute changes, secrets masked."""

from __future__ import annotations

import json
from pathlib import Path

from infraplane.core.diff import MASK, UNKNOWN, plan_diff, state_diff
from infraplane.core.plan import normalize_plan
from infraplane.core.state import parse_state

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _plan(path: Path):  # type: ignore[no-untyped-def]
    return normalize_plan(json.loads(path.read_text()))


def test_an_update_shows_only_what_changes() -> None:
    diffs = plan_diff("bucket", _plan(FIXTURES / "plans" / "bucket-update-tags.json"))
    assert [(d.address, d.action) for d in diffs] == [("aws_s3_bucket.this", "update")]
    changed = {a.path: (a.before, a.after) for a in diffs[0].attributes}
    assert changed == {"tags.generation": (None, "1.1"), "tags_all.generation": (None, "1.1")}


def test_a_hard_coded_password_is_masked() -> None:
    diffs = plan_diff("db", _plan(FIXTURES / "policies" / "SEC-001" / "bad" / "plan.json"))
    [password] = [a for d in diffs for a in d.attributes if a.path == "password"]
    assert password.after == MASK
    assert "SuperSecret123!" not in json.dumps([d.as_dict() for d in diffs])


def test_a_value_read_from_a_secret_the_provider_does_not_mark_is_masked() -> None:
    # postgres@1.1.0 copied a generated password (aws_secretsmanager_random_password.random_password, which the
    # AWS provider does not mark sensitive) into terraform_data.master_password.input: a real plan of it.
    for plan in ("postgres-create.json", "service-stack/postgres-preview.json"):
        document = json.loads((FIXTURES / "plans" / plan).read_text())
        [raw] = [r for r in document["resource_changes"] if r["address"] == "terraform_data.master_password"]
        generated = raw["change"]["after"]["input"]
        diffs = plan_diff("postgres", normalize_plan(document))
        [copied] = [a for d in diffs if d.address == "terraform_data.master_password" for a in d.attributes]
        assert (copied.path, copied.after) == ("input", MASK)
        assert generated not in json.dumps([d.as_dict() for d in diffs])


def test_a_create_lists_known_values_and_hides_unknown_ones() -> None:
    diffs = plan_diff("db", _plan(FIXTURES / "plans" / "postgres-create.json"))
    instance = next(d for d in diffs if d.type == "aws_db_instance")
    paths = {a.path: a.after for a in instance.attributes}
    assert instance.action == "create" and paths["engine"] == "postgres"
    assert UNKNOWN not in paths.values() and "endpoint" not in paths


def test_a_destroy_from_state_lists_every_instance() -> None:
    state = {
        "version": 4,
        "resources": [
            {"mode": "managed", "type": "aws_sqs_queue", "name": "this", "instances": [{}]},
            {
                "mode": "managed",
                "type": "aws_subnet",
                "name": "private",
                "instances": [{"index_key": 0}, {"index_key": 1}],
            },
            {"mode": "data", "type": "aws_caller_identity", "name": "me", "instances": [{}]},
        ],
    }
    diffs = state_diff("network", parse_state(state))
    assert [d.address for d in diffs] == ["aws_sqs_queue.this", "aws_subnet.private[0]", "aws_subnet.private[1]"]
    assert {d.action for d in diffs} == {"delete"}
