"""A proposal's readable diff: per resource, the action and each attribute's before -> after.

Values Terraform marks sensitive, and attributes whose names say they hold a
secret, are masked here, once, so nothing downstream (CLI, API, audit, pages)
can show them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from infraplane.core.cost import CostReport, Free, Price, Priced
from infraplane.core.plan import NormalizedPlan, ResourceChange
from infraplane.core.state import TerraformState

__all__ = ["MASK", "UNKNOWN", "AttributeChange", "ResourceDiff", "plan_diff", "priced", "state_diff"]

MASK = "(sensitive)"
UNKNOWN = "(known after apply)"
_SECRET_NAME = re.compile(r"(password|secret|token|private_key|credential)", re.IGNORECASE)
_MAX_VALUE = 300


@dataclass(frozen=True)
class AttributeChange:
    path: str
    before: Any
    after: Any

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "before": self.before, "after": self.after}


@dataclass(frozen=True)
class ResourceDiff:
    component: str
    address: str
    type: str
    actions: tuple[str, ...]
    attributes: tuple[AttributeChange, ...] = ()
    # The resource's fixed monthly charge (USD) before and after the change, when it could be priced
    # (None: no such side, priced only by use, or not priced; see core.cost).
    monthly_before: float | None = None
    monthly_after: float | None = None

    @property
    def action(self) -> str:
        if "create" in self.actions and "delete" in self.actions:
            return "replace"
        return self.actions[0] if len(self.actions) == 1 else "+".join(self.actions)

    def as_dict(self) -> dict[str, Any]:
        return {
            "component": self.component,
            "address": self.address,
            "type": self.type,
            "action": self.action,
            "attributes": [a.as_dict() for a in self.attributes],
            "monthly_before": self.monthly_before,
            "monthly_after": self.monthly_after,
        }

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> ResourceDiff:
        action = str(data.get("action", ""))
        actions = ("delete", "create") if action == "replace" else tuple(action.split("+"))
        return ResourceDiff(
            str(data.get("component", "")),
            str(data.get("address", "")),
            str(data.get("type", "")),
            actions,
            tuple(AttributeChange(a["path"], a.get("before"), a.get("after")) for a in data.get("attributes", [])),
            _money(data.get("monthly_before")),
            _money(data.get("monthly_after")),
        )


def _money(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping) and value:
        for key, item in value.items():
            yield from _flatten(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list) and value and any(isinstance(v, Mapping | list) for v in value):
        for index, item in enumerate(value):
            yield from _flatten(item, f"{prefix}[{index}]")
    else:
        yield prefix, value


def _covered(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(p == "*" or path == p or path.startswith((p + ".", p + "[")) for p in prefixes)


def _shown(value: Any) -> Any:
    if isinstance(value, str) and len(value) > _MAX_VALUE:
        return value[:_MAX_VALUE] + "…"
    return value


def _read_from_secrets(change: ResourceChange) -> Callable[[str], bool]:
    """Whether an attribute's value is read from one whose name says it holds a secret.

    Providers do not mark every secret sensitive (`aws_secretsmanager_random_password.random_password`
    is not): a value a module copies from one (`terraform_data.x.input`) would show in clear.
    """
    secret_paths = tuple(
        path
        for path, expression in change.expressions.items()
        if any(_SECRET_NAME.search(reference.rsplit(".", 1)[-1]) for reference in expression.references)
    )
    return lambda path: _covered(path, secret_paths)


def _attributes(change: ResourceChange) -> tuple[AttributeChange, ...]:
    before = dict(_flatten(change.before)) if change.before is not None else {}
    after = dict(_flatten(change.after)) if change.after is not None else {}
    unknown = tuple(p for p, v in _flatten(change.after_unknown) if v is True)
    paths = sorted(set(before) | set(after) | set(unknown))
    secret_from = _read_from_secrets(change)
    found = []
    for path in paths:
        if not path:
            continue
        old, new = before.get(path), after.get(path)
        if _covered(path, unknown):
            new = UNKNOWN
        if old == new or (change.is_create and (new is None or new == UNKNOWN)):
            continue
        if _covered(path, change.sensitive_paths) or _SECRET_NAME.search(path.rsplit(".", 1)[-1]) or secret_from(path):
            old = MASK if old is not None else None
            new = MASK if new is not None else None
        found.append(AttributeChange(path, _shown(old), _shown(new)))
    return tuple(found)


def plan_diff(component: str, plan: NormalizedPlan) -> list[ResourceDiff]:
    """Every managed resource the plan changes; a delete lists no attributes (everything goes)."""
    diffs = []
    for change in plan.managed_changes():
        if change.is_noop:
            continue
        attributes = () if change.actions == ("delete",) else _attributes(change)
        diffs.append(ResourceDiff(component, change.address, change.type, change.actions, attributes))
    return diffs


def priced(diffs: Sequence[ResourceDiff], report: CostReport | None) -> list[ResourceDiff]:
    """`diffs` with each resource's fixed monthly charge before and after, from the component's cost report.

    A side priced only by use (a bucket, a queue) or not priced at all stays None: only a charge the
    estimate knows is shown, never a guess.
    """
    if report is None:
        return list(diffs)
    charges = {
        r.address: (_charge(r.before), _charge(r.after)) for r in report.resources if r.status in ("priced", "free")
    }
    return [
        replace(d, monthly_before=charges[d.address][0], monthly_after=charges[d.address][1])
        if d.address in charges
        else d
        for d in diffs
    ]


def _charge(price: Price | None) -> float | None:
    return float(price.monthly) if isinstance(price, Priced) else 0.0 if isinstance(price, Free) else None


def state_diff(component: str, state: TerraformState) -> list[ResourceDiff]:
    """What destroying a component removes: every managed resource instance in its Terraform state."""
    return [
        ResourceDiff(component, instance.address, resource.type, ("delete",))
        for resource, instance in state.managed_instances()
    ]
