"""A plan JSON fit to keep on disk: every value Terraform marks sensitive replaced, wherever it appears.

`terraform show -json` prints sensitive values in clear (it only marks where they are). The copy
kept beside a component's module (for `policy check --plan` and people reading it) has every string
that is a sensitive variable's value, or sits at a path the plan marks sensitive, replaced by
`(sensitive)` everywhere in the document, so the value is not found under another key either.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from infraplane.core.text import string_leaves

__all__ = ["SCRUBBED", "scrubbed_plan"]

SCRUBBED = "(sensitive)"


def _marked(value: Any, marks: Any) -> Iterator[str]:
    """Strings of `value` at the places `marks` (Terraform's `*_sensitive` shape) says are sensitive."""
    if marks is True:
        yield from string_leaves(value)
    elif isinstance(marks, dict) and isinstance(value, dict):
        for key, mark in marks.items():
            yield from _marked(value.get(key), mark)
    elif isinstance(marks, list) and isinstance(value, list):
        for item, mark in zip(value, marks, strict=False):
            yield from _marked(item, mark)


def _module_resources(module: Any) -> Iterator[dict[str, Any]]:
    if isinstance(module, dict):
        yield from (r for r in module.get("resources", []) if isinstance(r, dict))
        for child in module.get("child_modules", []):
            yield from _module_resources(child)


def _secrets(plan: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    declared = plan.get("configuration", {}).get("root_module", {}).get("variables", {})
    for name, variable in (plan.get("variables") or {}).items():
        if isinstance(declared.get(name), dict) and declared[name].get("sensitive"):
            found.update(string_leaves(variable.get("value")))
    for change in plan.get("resource_changes", []) + plan.get("resource_drift", []):
        body = change.get("change", {})
        found.update(_marked(body.get("before"), body.get("before_sensitive")))
        found.update(_marked(body.get("after"), body.get("after_sensitive")))
    for change in (plan.get("output_changes") or {}).values():
        found.update(_marked(change.get("before"), change.get("before_sensitive")))
        found.update(_marked(change.get("after"), change.get("after_sensitive")))
    for values in (plan.get("planned_values"), plan.get("prior_state", {}).get("values")):
        if not isinstance(values, dict):
            continue
        for resource in _module_resources(values.get("root_module")):
            found.update(_marked(resource.get("values"), resource.get("sensitive_values")))
        for output in (values.get("outputs") or {}).values():
            if output.get("sensitive"):
                found.update(string_leaves(output.get("value")))
    found.discard("")
    return found


def scrubbed_plan(plan: dict[str, Any]) -> dict[str, Any]:
    """A copy of the plan JSON with every sensitive string replaced by `(sensitive)` wherever it occurs."""
    secrets = _secrets(plan)

    # Long secrets are also found inside other strings (a JSON policy document, a connection URL).
    inside = sorted((s for s in secrets if len(s) >= 6), key=len, reverse=True)

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            if value in secrets:
                return SCRUBBED
            for secret in inside:
                value = value.replace(secret, SCRUBBED)
            return value
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    return walk(plan) if secrets else plan
