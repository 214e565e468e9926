"""What `catalog validate` checks of a blueprint's advisor declarations (`spec.sizing`, `spec.scaling`).

A sizing names an input with allowed values and gives every one of them a capacity (and a price, when
priced); a scaling names an integer input with a minimum and a maximum. Both read their metric's
dimension from a declared output.
"""

from __future__ import annotations

from infraplane.core.blueprint import Blueprint, MetricSpec, PricedAs
from infraplane.errors import Problem

__all__ = ["advisor_problems"]


def _metric_problems(file: str, field: str, metric: MetricSpec, blueprint: Blueprint) -> list[Problem]:
    if metric.output in blueprint.spec.outputs:
        return []
    outputs = ", ".join(sorted(blueprint.spec.outputs)) or "none"
    reason = f"{metric.output!r} is not a declared output (outputs: {outputs}); it must hold the {metric.dimension}"
    return [Problem(file, f"{field}.metric.output", reason)]


def _price_problems(file: str, field: str, price: PricedAs | None, allowed: list[str]) -> list[Problem]:
    if price is None or not price.values:
        return []
    problems = []
    for value in price.values:
        if value not in allowed:
            problems.append(Problem(file, f"{field}.price.values.{value}", f"is not an allowed value ({allowed})"))
    missing = [v for v in allowed if v not in price.values]
    if missing:
        problems.append(Problem(file, f"{field}.price.values", f"gives no attributes for {', '.join(missing)}"))
    return problems


def advisor_problems(file: str, blueprint: Blueprint) -> list[Problem]:
    """Every problem with the blueprint's sizing and scaling declarations."""
    spec = blueprint.spec
    problems: list[Problem] = []
    if spec.sizing is not None:
        sizing, field = spec.sizing, "spec.sizing"
        schema = spec.inputs.get(sizing.input)
        allowed = [str(v) for v in schema.get("enum", [])] if schema else []
        if schema is None:
            problems.append(Problem(file, f"{field}.input", f"{sizing.input!r} is not a declared input"))
        elif not allowed:
            problems.append(Problem(file, f"{field}.input", f"input {sizing.input!r} has no enum of allowed sizes"))
        else:
            for value, capacity in sizing.capacity.items():
                if value not in allowed:
                    problems.append(Problem(file, f"{field}.capacity.{value}", f"is not an allowed value ({allowed})"))
                elif capacity <= 0:
                    problems.append(Problem(file, f"{field}.capacity.{value}", "must be above 0"))
            missing = [v for v in allowed if v not in sizing.capacity]
            if missing:
                problems.append(Problem(file, f"{field}.capacity", f"gives no capacity for {', '.join(missing)}"))
            problems += _price_problems(file, field, sizing.price, allowed)
        problems += _metric_problems(file, field, sizing.metric, blueprint)
    if spec.scaling is not None:
        scaling, field = spec.scaling, "spec.scaling"
        schema = spec.inputs.get(scaling.input)
        if schema is None:
            problems.append(Problem(file, f"{field}.input", f"{scaling.input!r} is not a declared input"))
        elif schema.get("type") != "integer" or "minimum" not in schema or "maximum" not in schema:
            reason = f"input {scaling.input!r} must be an integer with a minimum and a maximum (the blueprint's limits)"
            problems.append(Problem(file, f"{field}.input", reason))
        if scaling.price is not None and scaling.price.values:
            problems.append(Problem(file, f"{field}.price.values", "a unit has one price: give only attributes"))
        problems += _metric_problems(file, field, scaling.metric, blueprint)
    return problems
