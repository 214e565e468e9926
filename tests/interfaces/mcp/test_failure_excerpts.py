"""An agent that sends a 5 MB input gets a short tool error naming the argument."""

from __future__ import annotations

import yaml

from infraplane.core.blueprint import Blueprint
from infraplane.core.graph import GraphError, expand
from infraplane.errors import InputError, Problem
from infraplane.interfaces.mcp.failures import error_body
from tests.conftest import EXAMPLE_CATALOG

BUCKET = Blueprint.model_validate(yaml.safe_load((EXAMPLE_CATALOG / "bucket" / "blueprint.yaml").read_text()))


def _unused_lookup(name: str, constraint: str | None) -> tuple[Blueprint, str]:
    raise LookupError(name)


def test_a_5_mb_input_is_named_and_quoted_short() -> None:
    try:
        expand(BUCKET, "sha256:b", {"name_suffix": "a" * 5_000_000}, _unused_lookup)
    except GraphError as exc:
        error = InputError.from_problems([Problem("agent request", exc.field, exc.reason)])
    body = error_body(error, BUCKET)
    [problem] = body["problems"]
    assert problem["field"] == "inputs.name_suffix"
    assert problem["schema"]["maxLength"] == 30
    assert len(problem["reason"]) < 300 and len(body["message"]) < 300


def test_any_reason_reaching_an_agent_is_bounded() -> None:
    body = error_body(InputError.from_problems([Problem("", "spec.inputs.x", "y" * 5_000_000)]))
    assert len(body["message"]) <= 1001 and len(body["problems"][0]["reason"]) <= 501
