"""The request form a blueprint's input schema generates, and turning what was typed back into typed inputs.

Parsing here only converts text to the schema's types (a number, a list, true/false); whether a value
is allowed is decided by the same validation the API runs (`resolve_document`), whose problems are
shown beside the fields they name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from infraplane.errors import InputError, NotFoundError, Problem

__all__ = ["FormField", "another_teams", "form_fields", "parse_inputs", "problems_by_field"]

# The form's own fields, beside the blueprint's inputs (prefixed `in.` in the form).
META_FIELDS = ("name", "team", "tier", "justification")


@dataclass(frozen=True)
class FormField:
    """One input of the form: how it is drawn (`widget`) and what it shows."""

    name: str
    widget: str  # select, checkbox-select, number, lines, json, text
    label_type: str
    description: str
    required: bool
    default: str
    choices: tuple[str, ...] = ()
    sensitive: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _text(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "array" and isinstance(value, list):
        return "\n".join(str(v) for v in value)
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "object":
        return json.dumps(value)
    return str(value)


def form_fields(schema: dict[str, Any], sensitive: list[str]) -> list[FormField]:
    """The form's input fields, in the schema's order: enums as selects, booleans as true/false, lists one per line."""
    required = set(schema.get("required", []))
    fields = []
    for name, spec in schema.get("properties", {}).items():
        kind = str(spec.get("type", "string"))
        if "enum" in spec:
            widget, choices = "select", tuple(str(v) for v in spec["enum"])
        elif kind == "boolean":
            widget, choices = "select", ("false", "true")
        elif kind in ("integer", "number"):
            widget, choices = "number", ()
        elif kind == "array":
            widget, choices = "lines", ()
        elif kind == "object":
            widget, choices = "json", ()
        else:
            widget, choices = "text", ()
        fields.append(
            FormField(
                name=name,
                widget=widget,
                label_type=kind + ("[]" if kind == "array" else ""),
                description=str(spec.get("description", "")),
                required=name in required,
                default=_text(spec.get("default"), kind),
                choices=choices,
                sensitive=name in sensitive,
            )
        )
    return fields


def parse_inputs(schema: dict[str, Any], form: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The typed inputs the form holds (empty ones left out: defaults apply), and per field what could not be read."""
    inputs: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, spec in schema.get("properties", {}).items():
        raw = form.get(f"in.{name}", "").strip()
        if raw == "":
            continue
        kind = spec.get("type", "string")
        try:
            if kind == "integer":
                inputs[name] = int(raw)
            elif kind == "number":
                inputs[name] = float(raw)
            elif kind == "boolean":
                if raw not in ("true", "false"):
                    raise ValueError("choose true or false")
                inputs[name] = raw == "true"
            elif kind == "array":
                inputs[name] = [line.strip() for line in raw.replace(",", "\n").splitlines() if line.strip()]
            elif kind == "object":
                inputs[name] = json.loads(raw)
            else:
                inputs[name] = raw
        except ValueError as exc:
            reason = str(exc) if kind == "boolean" else f"not a valid {kind}"
            errors[name] = reason
    return inputs, errors


def problems_by_field(problems: list[Problem]) -> tuple[dict[str, str], list[str]]:
    """Validation problems keyed by the form field they name (an input, or name/team/tier), and the rest."""
    by_field: dict[str, str] = {}
    other: list[str] = []
    for problem in problems:
        path = problem.field
        for prefix in ("environment.", ""):
            path = path.removeprefix(prefix)
        if path.startswith("spec.inputs."):
            key = "in." + path.removeprefix("spec.inputs.").split(".", 1)[0].split("[", 1)[0]
        elif path.startswith("metadata."):
            key = path.removeprefix("metadata.").split(".", 1)[0]
        else:
            key = ""
        if key:
            by_field.setdefault(key, problem.reason)
        else:
            other.append(f"{problem.field}: {problem.reason}" if problem.field else problem.reason)
    return by_field, other


def another_teams(error: InputError) -> bool:
    """Whether proposing was refused as the environment of that name is another team's (a 404, not a form error)."""
    return isinstance(error, NotFoundError) and any(p.field == "environment" for p in error.problems)
