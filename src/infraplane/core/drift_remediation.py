"""Remedying drift through proposals: what a revert must replace, and which inputs an accept would change.

Revert applies the code again. A drifted attribute the configuration leaves unset (a rule added to a
security group whose rules are separate resources) is not undone by applying: the plan shows no change
for it. Such resources are planned again with `-replace` (:func:`unreverted` names them), so a revert
really brings the cloud back to the code; the proposal shows the replacement to its reviewers.

Accept keeps the cloud's value by changing the environment's inputs. A drifted attribute maps to an
input only when the component's module sets it to exactly one variable (`x = var.v`, read from the
module's HCL, see adapters/terraform_module.py) and that variable is an input the environment file
decides: `spec.inputs.X`, or an inline component's own input. Anything else is fixed by a blueprint
(a literal, an expression, a composite's wiring) and needs a new blueprint version.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from infraplane.core.blueprint import Blueprint
from infraplane.core.drift import MASK, DriftItem, drift_items
from infraplane.core.plan import NormalizedPlan
from infraplane.core.wiring import InputRef, OutputRef, parse_reference

__all__ = ["InputChange", "Unaccepted", "accepted_inputs", "apply_input_changes", "unreverted"]


def unreverted(environment: str, component: str, plan: NormalizedPlan) -> tuple[str, ...]:
    """Resources whose drift the plan leaves as it is (changed in the cloud, no change planned): to replace."""
    changing = {c.address for c in plan.managed_changes() if not c.is_noop}
    drifted = {i.address for i in drift_items(environment, component, plan) if i.kind in ("changed", "added")}
    return tuple(sorted(a for a in drifted if a is not None and a not in changing))


@dataclass(frozen=True)
class InputChange:
    """An accepted drifted attribute: which field of the environment file takes which value."""

    component: str
    address: str
    attribute: str
    field: str  # `spec.inputs.X` or `spec.components.C.inputs.X`
    value: Any

    def as_dict(self) -> dict[str, Any]:
        return {
            "component": self.component,
            "address": self.address,
            "attribute": self.attribute,
            "input": self.field,
            "value": self.value,
        }


@dataclass(frozen=True)
class Unaccepted:
    """A drift item no input of the environment can take, and why."""

    component: str
    address: str | None
    attribute: str | None
    reason: str

    def __str__(self) -> str:
        where = ".".join(p for p in (self.address, self.attribute) if p)
        return f"{self.component}: {where}: {self.reason}" if where else f"{self.component}: {self.reason}"


def _config_address(address: str) -> str:
    """`aws_x.y[0]` -> `aws_x.y`: instance keys are not part of the configuration's address."""
    return address.split("[", 1)[0]


def _fixed(component: str, item: DriftItem, why: str) -> Unaccepted:
    return Unaccepted(
        component,
        item.address,
        item.attribute,
        f"{why}: the blueprint fixes this value, so accepting it needs a new blueprint version "
        "(or revert the drift with `infraplane drift revert`)",
    )


def _environment_field(
    item: DriftItem, variable: str, blueprint: Blueprint, top: Blueprint, inline: bool
) -> str | Unaccepted:
    """The environment-file field that decides the component's input `variable`, or why none does."""
    component = item.component
    if variable not in blueprint.spec.inputs:
        return _fixed(
            component, item, f"it is set from module variable {variable}, which {blueprint.ref} does not offer"
        )
    if top.spec.runner != "composite":
        return f"spec.inputs.{variable}"
    spec = top.spec.components.get(component)
    if spec is None:
        return _fixed(component, item, f"{component} comes from a composite inside {top.ref}, which is not traced")
    raw = spec.inputs.get(variable)
    try:
        reference = parse_reference(raw)
    except ValueError:
        reference = None
    if isinstance(reference, InputRef):
        return f"spec.inputs.{reference.input}"
    if isinstance(reference, OutputRef):
        return Unaccepted(
            component,
            item.address,
            item.attribute,
            f"input {variable} is wired from {reference}: change that component's output instead",
        )
    if inline:
        return f"spec.components.{component}.inputs.{variable}"
    set_to = f"sets it to {raw!r}" if variable in spec.inputs else "leaves it at its default"
    return _fixed(component, item, f"input {variable} of {component}: {top.ref} {set_to}")


def accepted_inputs(
    items: Sequence[DriftItem],
    blueprints: Mapping[str, Blueprint],
    attribute_inputs: Mapping[str, Mapping[str, str]],
    top: Blueprint,
    inline: bool,
) -> tuple[list[InputChange], list[Unaccepted]]:
    """Which environment inputs would keep each drifted value, and the items no input can take.

    `blueprints` and `attribute_inputs` are per component: its blueprint, and its module's directly
    set attributes (`TYPE.NAME.ATTRIBUTE` -> variable). `top` is the environment's blueprint (the inline
    composite of its components when `inline`).
    """
    changes: list[InputChange] = []
    refused: list[Unaccepted] = []
    for item in items:
        if item.kind == "not-checkable":
            continue
        component = item.component
        if item.kind == "deleted":
            refused.append(_fixed(component, item, "deleted out of band, while the blueprint creates it"))
            continue
        if item.address is None or item.attribute is None or component not in attribute_inputs:
            refused.append(_fixed(component, item, "its runner reports what would change, not which attribute"))
            continue
        if MASK in (item.before, item.after):
            refused.append(Unaccepted(component, item.address, item.attribute, "a sensitive value is not accepted"))
            continue
        variable = attribute_inputs[component].get(f"{_config_address(item.address)}.{item.attribute}")
        if variable is None:
            refused.append(_fixed(component, item, f"{blueprints[component].ref} does not set it from an input"))
            continue
        found = _environment_field(item, variable, blueprints[component], top, inline)
        if isinstance(found, Unaccepted):
            refused.append(found)
            continue
        clash = next((c for c in changes if c.field == found and c.value != item.after), None)
        if clash is not None:
            refused.append(
                Unaccepted(
                    component,
                    item.address,
                    item.attribute,
                    f"{found} would need both {clash.value!r} and {item.after!r}",
                )
            )
            continue
        changes.append(InputChange(component, item.address, item.attribute, found, item.after))
    return changes, refused


def apply_input_changes(environment: Mapping[str, Any], changes: Sequence[InputChange]) -> dict[str, Any]:
    """The environment document with every change's field set to its value (the rest as it was)."""
    document: dict[str, Any] = {**environment, "spec": dict(environment.get("spec", {}))}
    spec = document["spec"]
    for change in changes:
        parts = change.field.split(".")
        if parts[:2] == ["spec", "inputs"]:
            spec["inputs"] = {**spec.get("inputs", {}), parts[2]: change.value}
        else:  # spec.components.C.inputs.X
            component, variable = parts[2], parts[4]
            components = dict(spec.get("components", {}))
            entry = dict(components[component])
            entry["inputs"] = {**entry.get("inputs", {}), variable: change.value}
            components[component] = entry
            spec["components"] = components
    return document
