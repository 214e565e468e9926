"""Reading other environments' outputs: what may be read, and what a producer's change does to its readers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from infraplane.core.plan import normalize_plan
from infraplane.core.upstream import (
    Dependency,
    UpstreamAccess,
    UpstreamOutputs,
    UpstreamRead,
    compare,
    consumer_impacts,
    json_type,
    read_references,
    value_digest,
)
from infraplane.core.wiring import EnvironmentOutputRef, parse_reference

PLANS = Path(__file__).resolve().parents[1] / "fixtures" / "plans"
NET = UpstreamOutputs(
    "shared-network",
    "network",
    True,
    {"private_subnet_ids": ["subnet-1", "subnet-2"], "token": "x"},
    frozenset({"token"}),
)
PROPOSED = UpstreamOutputs("draft-network", "network", False, {})
PAYMENTS = UpstreamOutputs("payments-db", "payments", True, {"endpoint": "db:5432"})
KNOWN = {e.environment: e for e in (NET, PROPOSED, PAYMENTS)}
ALICE = UpstreamAccess("alice", frozenset({"network"}))


def _read(value: Any, access: UpstreamAccess | None = ALICE) -> tuple[Any, list[UpstreamRead], list[tuple[str, str]]]:
    return read_references(value, "spec.inputs", "orders", "shop", KNOWN.get, access)


def test_the_reference_is_parsed_as_one_of_three_kinds() -> None:
    assert parse_reference("${environments.shared-network.outputs.private_subnet_ids}") == EnvironmentOutputRef(
        "shared-network", "private_subnet_ids"
    )
    with pytest.raises(ValueError, match=r"\$\{environments.<name>.outputs.<output>\}"):
        parse_reference("${environments.shared-network.private_subnet_ids}")


def test_a_reference_reads_the_value_anywhere_in_the_inputs_and_records_what_it_read() -> None:
    value, reads, problems = _read(
        {
            "subnets": "${environments.shared-network.outputs.private_subnet_ids}",
            "size": "small",
            "nested": ["${inputs.x}"],
        }
    )
    assert problems == []
    assert value == {"subnets": ["subnet-1", "subnet-2"], "size": "small", "nested": ["${inputs.x}"]}
    assert reads == [
        UpstreamRead(
            "spec.inputs.subnets",
            "shared-network",
            "private_subnet_ids",
            value_digest(["subnet-1", "subnet-2"]),
            "array",
        )
    ]


@pytest.mark.parametrize(
    ("reference", "reason"),
    [
        ("${environments.nowhere.outputs.x}", "no environment named 'nowhere' that alice may read"),
        ("${environments.payments-db.outputs.endpoint}", "no environment named 'payments-db' that alice may read"),
        ("${environments.draft-network.outputs.ids}", "draft-network has no applied outputs yet; apply it first"),
        ("${environments.shared-network.outputs.vpc}", "has no output 'vpc' (outputs: private_subnet_ids)"),
        ("${environments.shared-network.outputs.token}", "output 'token' of shared-network is sensitive"),
        ("${environments.orders.outputs.x}", "an environment cannot read its own outputs"),
    ],
)
def test_what_may_not_be_read_is_a_problem_naming_the_field(reference: str, reason: str) -> None:
    _, reads, problems = _read({"list": [1, reference]})
    assert reads == []
    assert len(problems) == 1 and problems[0][0] == "spec.inputs.list[1]" and reason in problems[0][1]


def test_another_teams_environment_is_readable_for_whom_acts_for_it_or_everyone_for_an_admin() -> None:
    reference = {"endpoint": "${environments.payments-db.outputs.endpoint}"}
    assert _read(reference, UpstreamAccess("alice", frozenset({"payments"})))[2] == []
    assert _read(reference, UpstreamAccess("admin", None))[2] == []
    # The consumer's own team is always readable: a payments environment may read payments-db.
    assert read_references(reference, "spec.inputs", "payments-api", "payments", KNOWN.get, ALICE)[2] == []


def test_json_types() -> None:
    assert [json_type(v) for v in ("a", 1, 1.5, True, None, [1], {"a": 1})] == [
        "string",
        "number",
        "number",
        "boolean",
        "null",
        "array",
        "object",
    ]


READ = UpstreamRead("spec.inputs.subnets", "net", "ids", value_digest(["a", "b"]), "array")


def test_compare_says_what_became_of_a_read() -> None:
    assert compare(READ, {"ids": ["a", "b"]}) == "unchanged"
    assert compare(READ, {"ids": ["a", "b", "c"]}) == "value-changed"
    assert compare(READ, {"ids": "a,b"}) == "type-changed"
    assert compare(READ, {"other": 1}) == "removed"
    assert compare(READ, None) == "removed"
    assert compare(READ, {}, unknown={"ids"}) == "unknown"


def test_consumer_impacts_leave_out_unchanged_reads_and_put_the_worst_first() -> None:
    other = UpstreamRead("spec.inputs.vpc", "net", "vpc_id", value_digest("vpc-1"), "string")
    dependencies = [Dependency("app", READ, 2), Dependency("web", other, 1), Dependency("api", other, 4)]
    impacts = consumer_impacts(dependencies, {"ids": "a,b", "vpc_id": "vpc-1"})
    assert [(i.environment, i.change, i.breaks, i.type_before, i.type_after) for i in impacts] == [
        ("app", "type-changed", True, "array", "string")
    ]
    gone = consumer_impacts(dependencies, None)
    assert [(i.environment, i.change) for i in gone] == [("api", "removed"), ("app", "removed"), ("web", "removed")]
    assert (
        gone[1].describe()
        == "environment app reads net's output ids (spec.inputs.subnets): output ids would be removed"
    )


def test_planned_outputs_come_from_a_real_plan() -> None:
    plan = normalize_plan(json.loads((PLANS / "network-noop.json").read_text()))
    assert set(plan.planned_outputs) == {"vpc_id", "public_subnet_ids", "private_subnet_ids", "vpc_cidr"}
    assert isinstance(plan.planned_outputs["private_subnet_ids"], list) and plan.unknown_outputs == frozenset()
    created = normalize_plan(json.loads((PLANS / "postgres-create.json").read_text()))
    assert {"endpoint", "security_group_id"} <= created.unknown_outputs
    assert created.planned_outputs == {"db_name": "payments_staging_postgres"}  # known at plan time
