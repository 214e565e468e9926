"""Drift remediation: what a revert replaces (on real plans) and which inputs an accept changes, or why it cannot.

The plan fixtures are real `terraform show -json` of normal plans made after out-of-band changes on the
sandbox (a rule opening port 22 on tests/e2e/test_drift.py's security group; the queue's visibility
timeout changed and a tag added), AWS provider 5.x.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from infraplane.core.blueprint import Blueprint
from infraplane.core.drift import DriftItem, drift_items
from infraplane.core.drift_remediation import accepted_inputs, apply_input_changes, unreverted
from infraplane.core.plan import normalize_plan

FIXTURES = Path(__file__).parent / "fixtures" / "drift"


def _plan(name: str):  # type: ignore[no-untyped-def]
    return normalize_plan(json.loads((FIXTURES / name).read_text()))


def test_a_rule_no_configuration_declares_is_left_by_a_plain_apply_so_the_group_is_replaced() -> None:
    plan = _plan("revert_plan_security_group.json")
    assert [(i.address, i.attribute) for i in drift_items("drifty", "ssh", plan)] == [
        ("aws_security_group.ssh", "ingress")
    ]
    assert unreverted("drifty", "ssh", plan) == ("aws_security_group.ssh",)


def test_drift_the_plan_undoes_needs_no_replacement() -> None:
    plan = _plan("revert_plan_queue.json")
    found = {(i.address, i.attribute) for i in drift_items("drifty", "jobs", plan)}
    assert found == {("aws_sqs_queue.this", "visibility_timeout_seconds"), ("aws_sqs_queue.this", "tags.added-by")}
    assert unreverted("drifty", "jobs", plan) == ()


def _blueprint(name: str, spec: dict[str, Any]) -> Blueprint:
    return Blueprint.model_validate(
        {
            "apiVersion": "infraplane.dev/v1",
            "kind": "Blueprint",
            "metadata": {"name": name, "version": "1.0.0", "description": "d", "owner": "o"},
            "spec": spec,
        }
    )


QUEUE = _blueprint(
    "queue",
    {"runner": "terraform", "inputs": {"visibility_timeout_seconds": {"type": "integer"}, "fifo": {"type": "boolean"}}},
)
ATTRIBUTES = {"jobs": {"aws_sqs_queue.this.visibility_timeout_seconds": "visibility_timeout_seconds"}}


def _item(attribute: str | None = "visibility_timeout_seconds", kind: str = "changed", after: Any = 600) -> DriftItem:
    address = "aws_sqs_queue.dlq" if kind == "deleted" else "aws_sqs_queue.this"
    return DriftItem("drifty", "jobs", address, attribute, kind, 30, after)  # type: ignore[arg-type]


def _composite(inputs: dict[str, Any]) -> Blueprint:
    return _blueprint(
        "stack",
        {
            "runner": "composite",
            "inputs": {"timeout": {"type": "integer"}},
            "components": {"jobs": {"blueprint": "queue@^1.0", "inputs": inputs}},
        },
    )


def test_an_attribute_set_from_an_input_of_a_plain_blueprint_maps_to_spec_inputs() -> None:
    changes, refused = accepted_inputs([_item()], {"jobs": QUEUE}, ATTRIBUTES, QUEUE, inline=False)
    assert refused == [] and [(c.field, c.value) for c in changes] == [("spec.inputs.visibility_timeout_seconds", 600)]


def test_inline_components_take_the_value_as_their_own_input() -> None:
    inline = _composite({})
    changes, refused = accepted_inputs([_item()], {"jobs": QUEUE}, ATTRIBUTES, inline, inline=True)
    assert refused == []
    assert [c.as_dict() for c in changes] == [
        {
            "component": "jobs",
            "address": "aws_sqs_queue.this",
            "attribute": "visibility_timeout_seconds",
            "input": "spec.components.jobs.inputs.visibility_timeout_seconds",
            "value": 600,
        }
    ]
    document = {"metadata": {"name": "drifty"}, "spec": {"components": {"jobs": {"blueprint": "queue"}}}}
    edited = apply_input_changes(document, changes)
    assert edited["spec"]["components"]["jobs"] == {"blueprint": "queue", "inputs": {"visibility_timeout_seconds": 600}}
    assert document["spec"]["components"]["jobs"] == {"blueprint": "queue"}  # the original is left as it was


def test_a_composite_input_wired_through_maps_to_the_environments_input() -> None:
    top = _composite({"visibility_timeout_seconds": "${inputs.timeout}"})
    changes, refused = accepted_inputs([_item()], {"jobs": QUEUE}, ATTRIBUTES, top, inline=False)
    assert refused == [] and [c.field for c in changes] == ["spec.inputs.timeout"]


def test_what_a_published_composite_fixes_is_refused_with_the_reason() -> None:
    for inputs, said in (({"visibility_timeout_seconds": 45}, "sets it to 45"), ({}, "leaves it at its default")):
        changes, refused = accepted_inputs([_item()], {"jobs": QUEUE}, ATTRIBUTES, _composite(inputs), inline=False)
        assert changes == [] and len(refused) == 1
        assert said in refused[0].reason and "the blueprint fixes this value" in refused[0].reason
        assert "new blueprint version" in refused[0].reason


def test_an_input_wired_from_another_components_output_is_refused() -> None:
    top = _composite({"visibility_timeout_seconds": "${components.other.outputs.seconds}"})
    _, refused = accepted_inputs([_item()], {"jobs": QUEUE}, ATTRIBUTES, top, inline=True)
    assert "wired from ${components.other.outputs.seconds}" in refused[0].reason


def test_unmapped_attributes_deleted_resources_and_task_changes_are_refused_and_not_checkable_ignored() -> None:
    items = [
        _item("tags.added-by", "added", "hand"),
        _item(None, "deleted", None),
        DriftItem("drifty", "config", "Store the settings", None, "changed"),
        DriftItem("drifty", "config", None, None, "not-checkable"),
    ]
    blueprints = {"jobs": QUEUE, "config": QUEUE}
    changes, refused = accepted_inputs(items, blueprints, ATTRIBUTES, _composite({}), inline=True)
    assert changes == []
    reasons = {(r.address, r.attribute): r.reason for r in refused}
    assert set(reasons) == {
        ("aws_sqs_queue.this", "tags.added-by"),
        ("aws_sqs_queue.dlq", None),
        ("Store the settings", None),
    }
    assert "does not set it from an input" in reasons[("aws_sqs_queue.this", "tags.added-by")]
    assert "deleted out of band" in reasons[("aws_sqs_queue.dlq", None)]
    assert all("the blueprint fixes this value" in r for r in reasons.values())


def test_two_drifted_values_for_one_input_are_refused() -> None:
    attributes = {"jobs": {**ATTRIBUTES["jobs"], "aws_sqs_queue.this.delay_seconds": "visibility_timeout_seconds"}}
    items = [_item(), _item("delay_seconds", after=5)]
    changes, refused = accepted_inputs(items, {"jobs": QUEUE}, attributes, QUEUE, inline=False)
    assert len(changes) == 1 and "would need both 600 and 5" in refused[0].reason
