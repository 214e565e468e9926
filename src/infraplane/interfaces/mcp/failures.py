"""Tool errors an agent can act on: which argument, what is allowed, what to do next.

Every failure reaches the agent as one JSON object (`isError: true`), never a traceback:

    {"error": "invalid_input",                    # infraplane's stable error code
     "message": "...",                            # the error as the CLI would print it
     "problems": [{"field": "inputs.db_size",     # the tool argument, inputs.<name> for an input
                   "reason": "...",
                   "allowed": ["small", "medium", "large"],   # enum values, when there are some
                   "schema": {...},               # the input's JSON Schema (type, pattern, default, ...)
                   "closest": ["postgres"]}],     # for an unknown blueprint
     "findings": [...],                           # for a policy deny: rule, message, remediation
     "next": "..."}                               # what to do about it
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import ValidationError

from infraplane.core.blueprint import Blueprint
from infraplane.core.environment import EnvironmentMetadata
from infraplane.core.excerpt import bounded, schema_message
from infraplane.core.policy import Finding
from infraplane.errors import InfraplaneError
from infraplane.services.orchestration.plan_checks import PolicyDeniedError

__all__ = ["ToolFailure", "argument_failure", "closest_names", "error_body", "findings_body"]

# The environment document's fields, as the tool arguments that fill them.
_ARGUMENTS = {
    "spec.blueprint": "blueprint",
    "spec.inputs": "inputs",
    "metadata.name": "name",
    "metadata.team": "team",
    "metadata.tier": "tier",
    "revision": "to_revision",
    "proposal": "proposal_id",
}
# JSON Schema keywords worth showing an agent that got an input wrong.
_KEYWORDS = (
    "type",
    "enum",
    "const",
    "pattern",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "items",
    "format",
    "default",
    "description",
)
_NEXT = {
    "invalid_input": "correct the fields named in problems and call the tool again",
    "not_found": "use one of the names given (search_catalog, list_environments) and call the tool again",
    "refused": "the request is valid but not allowed as it is; read the message, then tell the user",
    "stale_plan": "the environment moved since this was planned; read the proposal again with get_proposal",
    "invalid_config": "infraplane is misconfigured; tell the user (the message names the setting)",
    "failed": "the request was fine but the work failed; tell the user (retrying may help once they fix it)",
}


class ToolFailure(ToolError):
    """An anticipated failure whose JSON body is what the agent reads."""

    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__(str(body.get("message", "")))
        self.body = body


def argument_name(field: str) -> str:
    """The tool argument a field of the environment document came from."""
    if field.startswith("spec.inputs."):
        return "inputs." + field.removeprefix("spec.inputs.")
    return _ARGUMENTS.get(field, field)


def _schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    return {k: schema[k] for k in _KEYWORDS if k in schema}


def _allowed(problem: dict[str, Any], schema: Mapping[str, Any]) -> None:
    shown = _schema(schema)
    if shown:
        problem["schema"] = shown
    if "enum" in schema:
        problem["allowed"] = list(schema["enum"])


def closest_names(wanted: str, names: Sequence[str], ranked: Sequence[str] = ()) -> list[str]:
    """Catalog names spelled like `wanted`, then those the search ranks for it; at most five."""
    close = difflib.get_close_matches(wanted, names, n=3, cutoff=0.4)
    return list(dict.fromkeys([*close, *ranked]))[:5]


def _problem(
    field: str, reason: str, blueprint: Blueprint | None, closest: Sequence[str], renames: Mapping[str, str]
) -> dict[str, Any]:
    name = argument_name(field)
    problem: dict[str, Any] = {"field": renames.get(name, name), "reason": bounded(reason, 500)}
    metadata = EnvironmentMetadata.model_json_schema()["properties"]
    if name.startswith("inputs.") and blueprint is not None:
        schema = blueprint.spec.inputs.get(name.removeprefix("inputs.").split(".")[0])
        if schema is not None:
            _allowed(problem, schema)
    elif name == "inputs" and blueprint is not None:
        problem["allowed"] = sorted(blueprint.spec.inputs)
        problem["required"] = list(blueprint.spec.required)
    elif name == "blueprint" and closest:
        problem["closest"] = list(closest)
    elif name in ("name", "team", "tier") and name in metadata:
        _allowed(problem, metadata[name])
    return problem


def findings_body(findings: Sequence[Finding]) -> list[dict[str, str]]:
    return [
        {
            "rule": f.rule,
            "severity": f.severity,
            "component": f.component,
            "address": f.address,
            "attribute": f.attribute,
            "message": f.message,
            "remediation": f.remediation,
        }
        for f in findings
    ]


def error_body(
    exc: InfraplaneError,
    blueprint: Blueprint | None = None,
    closest: Sequence[str] = (),
    renames: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """An infraplane error as the agent reads it, with the blueprint's schema for the inputs it names.

    `renames` maps a field to the argument that carried it when a tool names it differently
    (get_blueprint's `name` is the blueprint).
    """
    body: dict[str, Any] = {"error": exc.code, "message": bounded(exc.message, 1000)}
    if exc.problems:
        body["problems"] = [_problem(p.field, p.reason, blueprint, closest, renames or {}) for p in exc.problems]
    if isinstance(exc, PolicyDeniedError):
        body["findings"] = findings_body(exc.decision.findings)
        body["next"] = (
            "the guardrails deny this request: change what the findings' remediation says "
            "(explain_finding(rule) tells more) and propose again"
        )
    else:
        body["next"] = _NEXT.get(exc.code, _NEXT["refused"] if exc.exit_code == 2 else _NEXT["failed"])
    return body


def argument_failure(tool: str, error: ValidationError, input_schema: Mapping[str, Any] | None) -> dict[str, Any]:
    """Arguments that do not fit the tool's input schema (checked before the tool runs)."""
    properties: Mapping[str, Any] = (input_schema or {}).get("properties", {})
    problems = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"])
        problem: dict[str, Any] = {
            "field": field,
            "reason": "is required" if item["type"] == "missing" else schema_message(item["msg"], item.get("input")),
        }
        top = str(item["loc"][0]) if item["loc"] else ""
        if top in properties:
            _allowed(problem, properties[top])
        problems.append(problem)
    first = problems[0] if problems else {"field": "", "reason": "invalid arguments"}
    return {
        "error": "invalid_arguments",
        "message": f"{tool}: {first['field']}: {first['reason']}",
        "problems": problems,
        "next": "correct the arguments named in problems (see the tool's input schema) and call it again",
    }
