"""An environment's component graph: composite expansion, wiring and fingerprints.

Expansion turns an environment's blueprint into components (a composite's
components, recursively; a plain blueprint is one component) whose inputs are
literals or `OutputRef`s to other components. Nothing here does I/O: blueprint
look-ups come in through a callable.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from infraplane.core.audit import canonical_json
from infraplane.core.blueprint import Blueprint
from infraplane.core.dag import CycleFound, topological_order
from infraplane.core.excerpt import bounded, excerpt, schema_message
from infraplane.core.versions import parse_ref
from infraplane.core.wiring import EnvironmentOutputRef, InputRef, OutputRef, parse_reference

__all__ = [
    "KNOWN_AFTER_APPLY",
    "ComponentGraph",
    "GraphError",
    "ResolvedComponent",
    "expand",
    "exposed_outputs",
    "fill_defaults",
    "fingerprint",
    "inline_outputs",
    "wire_inputs",
]

KNOWN_AFTER_APPLY = "(known after apply)"

# (name, constraint) -> (blueprint, digest); raises LookupError with a readable reason.
BlueprintLookup = Callable[[str, str | None], tuple[Blueprint, str]]


class GraphError(ValueError):
    """The environment cannot become a valid graph; `field` says where."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class ResolvedComponent:
    """One node: an exact blueprint version and its inputs (literals or output references)."""

    name: str
    blueprint: Blueprint
    digest: str
    inputs: Mapping[str, Any]
    depends_on: frozenset[str] = field(default_factory=frozenset)

    @property
    def ref(self) -> str:
        return self.blueprint.ref

    def output_refs(self) -> dict[str, OutputRef]:
        return {k: v for k, v in self.inputs.items() if isinstance(v, OutputRef)}


@dataclass(frozen=True)
class ComponentGraph:
    """The expanded environment: components in dependency order."""

    components: tuple[ResolvedComponent, ...]

    def by_name(self) -> dict[str, ResolvedComponent]:
        return {c.name: c for c in self.components}

    def dependencies(self) -> dict[str, set[str]]:
        return {c.name: set(c.depends_on) for c in self.components}

    def dependents(self) -> dict[str, set[str]]:
        result: dict[str, set[str]] = {c.name: set() for c in self.components}
        for component in self.components:
            for needed in component.depends_on:
                result[needed].add(component.name)
        return result

    def order(self) -> list[str]:
        return topological_order(self.dependencies())


def fill_defaults(blueprint: Blueprint, given: Mapping[str, Any]) -> dict[str, Any]:
    """The given inputs plus every declared default that was not given."""
    values = {name: schema["default"] for name, schema in blueprint.spec.inputs.items() if "default" in schema}
    values.update(given)
    return values


def _schema_errors(blueprint: Blueprint, values: Mapping[str, Any], skip: set[str]) -> list[tuple[str, str]]:
    schema = blueprint.input_schema()
    schema["properties"] = {k: v for k, v in schema["properties"].items() if k not in skip}
    schema["required"] = [r for r in schema["required"] if r not in skip]
    literal = {k: v for k, v in values.items() if k not in skip}
    errors = []
    from jsonschema import Draft202012Validator  # ~0.1-0.2 s to import: only when inputs are checked

    secret = blueprint.sensitive_inputs()
    errors += _non_finite(literal)
    for error in sorted(Draft202012Validator(schema).iter_errors(literal), key=lambda e: list(e.path)):
        where = ".".join(str(p) for p in error.path)
        if error.path and error.path[0] in secret:  # the message would quote the value
            rule = bounded(f"{error.validator}: {error.validator_value}", 80)
            errors.append((where, f"the value (sensitive, not shown) does not satisfy `{rule}`"))
        elif error.validator == "additionalProperties":
            allowed = ", ".join(sorted(blueprint.spec.inputs)) or "none"
            extra = sorted(str(k) for k in error.instance if k not in blueprint.spec.inputs)
            names = ", ".join(excerpt(k) for k in extra[:5]) + (f" and {len(extra) - 5} more" if len(extra) > 5 else "")
            verb = "was" if len(extra) == 1 else "were"
            errors.append(
                (
                    "",
                    f"Additional properties are not allowed ({names} {verb} unexpected) "
                    f"(inputs of {blueprint.ref}: {allowed})",
                )
            )
        elif error.validator == "enum":
            allowed = bounded(str(error.validator_value), 120)
            errors.append((where, f"{excerpt(error.instance)} is not allowed; allowed values: {allowed}"))
        else:
            errors.append((where, schema_message(error.message, error.instance)))
    return errors


def _non_finite(value: Any, where: str = "") -> list[tuple[str, str]]:
    """NaN and infinities (JSON has neither, Python's parser takes both): no bound in a schema refuses NaN."""
    if isinstance(value, float) and not math.isfinite(value):
        return [(where, "not a finite number (NaN or infinity)")]
    items = value.items() if isinstance(value, Mapping) else enumerate(value) if isinstance(value, list) else ()
    found: list[tuple[str, str]] = []
    for key, item in items:
        found += _non_finite(item, f"{where}.{key}" if where else str(key))
    return found


def expand(
    top: Blueprint, top_digest: str, inputs: Mapping[str, Any], lookup: BlueprintLookup, inline: bool = False
) -> ComponentGraph:
    """Validate the environment's inputs and expand its blueprint into a component graph.

    `inline` says the composite is the environment's own `spec.components`, so problems are
    named by those fields.
    """
    values = fill_defaults(top, inputs)
    for where, reason in _schema_errors(top, values, skip=set()):
        raise GraphError(f"spec.inputs.{where}" if where else "spec.inputs", reason)
    if top.spec.runner != "composite":
        return ComponentGraph((ResolvedComponent(top.name, top, top_digest, values),))
    components = _expand_composite(
        top, values, lookup, prefix="", field="spec.components" if inline else "spec.blueprint"
    )
    graph = ComponentGraph(tuple(components))
    try:
        order = graph.order()
    except CycleFound as exc:
        raise GraphError("components", "component cycle: " + " -> ".join(exc.cycle)) from None
    by_name = graph.by_name()
    return ComponentGraph(tuple(by_name[name] for name in order))


def _component_field(field: str, composite: Blueprint, name: str) -> str:
    if field == "spec.components":  # the environment's inline components: name the file's own fields
        return f"spec.components.{name}"
    return f"{field} {composite.ref} component {name}"


def _input_field(where: str, key: str) -> str:
    return f"{where}.inputs.{key}" if where.startswith("spec.components.") else f"{where} input {key}"


def _declared_output(reference: OutputRef, producer: Blueprint) -> None:
    if reference.output not in producer.spec.outputs:
        outputs = ", ".join(sorted(producer.spec.outputs)) or "none"
        raise ValueError(f"{reference}: {producer.ref} has no output {reference.output!r} (outputs: {outputs})")


def _expand_composite(
    composite: Blueprint, values: Mapping[str, Any], lookup: BlueprintLookup, prefix: str, field: str
) -> list[ResolvedComponent]:
    result: list[ResolvedComponent] = []
    # Every component's blueprint first: a wired output is checked against what its producer declares.
    found: dict[str, tuple[Blueprint, str]] = {}
    for name, spec in composite.spec.components.items():
        ref = parse_ref(spec.blueprint)
        try:
            found[name] = lookup(ref.name, ref.constraint)
        except LookupError as exc:
            where = _component_field(field, composite, name)
            raise GraphError(f"{where}.blueprint" if where.startswith("spec.") else where, str(exc)) from None
    # A nested composite's outputs are re-pointed at the inner component that produces them.
    exported: dict[str, dict[str, OutputRef]] = {}
    for name, spec in composite.spec.components.items():
        full_name = f"{prefix}{name}"
        where = _component_field(field, composite, name)
        blueprint, digest = found[name]
        wired: dict[str, Any] = {}
        depends = {f"{prefix}{d}" for d in spec.depends_on}
        for key, raw in spec.inputs.items():
            try:
                reference = parse_reference(raw)
            except ValueError as exc:
                raise GraphError(_input_field(where, key), str(exc)) from None
            if isinstance(reference, EnvironmentOutputRef):
                raise GraphError(
                    _input_field(where, key),
                    f"{reference}: only an environment file reads another environment's outputs; "
                    f"{composite.ref} must take the value as an input",
                )
            if isinstance(reference, InputRef):
                if reference.input not in values:
                    raise GraphError(_input_field(where, key), f"{reference} has no value")
                wired[key] = values[reference.input]
                if isinstance(wired[key], OutputRef):  # passed down from an enclosing composite
                    depends.add(wired[key].component)
            elif isinstance(reference, OutputRef):
                if reference.component not in composite.spec.components:
                    known = ", ".join(sorted(composite.spec.components))
                    raise GraphError(
                        _input_field(where, key), f"{reference} refers to no component (components: {known})"
                    )
                try:
                    _declared_output(reference, found[reference.component][0])
                except ValueError as exc:
                    raise GraphError(_input_field(where, key), str(exc)) from None
                target = exported.get(reference.component, {}).get(reference.output)
                if target is None:
                    target = OutputRef(f"{prefix}{reference.component}", reference.output)
                wired[key] = target
                depends.add(target.component)
            else:
                wired[key] = raw
        if blueprint.spec.runner == "composite":
            result += _expand_composite(blueprint, fill_defaults(blueprint, wired), lookup, f"{full_name}-", where)
            exported[name] = {
                out: OutputRef(f"{full_name}-{produced.component}", produced.output)
                for out, spec_out in blueprint.spec.outputs.items()
                if isinstance(produced := parse_reference(spec_out.value), OutputRef)
            }
            continue
        full = fill_defaults(blueprint, wired)
        unknown = {k for k, v in full.items() if isinstance(v, OutputRef)}
        for where_input, reason in _schema_errors(blueprint, full, skip=unknown):
            raise GraphError(_input_field(where, where_input) if where_input else where, reason)
        result.append(ResolvedComponent(full_name, blueprint, digest, full, frozenset(depends)))
    return result


def inline_outputs(components: Mapping[str, Blueprint]) -> dict[str, OutputRef]:
    """What an environment of inline components exposes: every component's outputs no other component also has."""
    owners: dict[str, list[str]] = {}
    for name, blueprint in components.items():
        for output in blueprint.spec.outputs:
            owners.setdefault(output, []).append(name)
    return {o: OutputRef(names[0], o) for o, names in owners.items() if len(names) == 1}


def exposed_outputs(top: Blueprint, lookup: BlueprintLookup, prefix: str = "") -> dict[str, OutputRef]:
    """What an environment of `top` exposes to other environments: each output name -> the component output.

    A plain blueprint exposes its own outputs (its one component is named after it); a composite its
    declared outputs, followed into nested composites.
    """
    if top.spec.runner != "composite":
        return {output: OutputRef(top.name, output) for output in top.spec.outputs}
    exposed: dict[str, OutputRef] = {}
    for output, spec in top.spec.outputs.items():
        try:
            reference = parse_reference(spec.value)
        except ValueError:
            continue
        if not isinstance(reference, OutputRef) or reference.component not in top.spec.components:
            continue
        ref = parse_ref(top.spec.components[reference.component].blueprint)
        try:
            inner, _ = lookup(ref.name, ref.constraint)
        except LookupError:
            continue
        full = f"{prefix}{reference.component}"
        if inner.spec.runner == "composite":
            nested = exposed_outputs(inner, lookup, prefix=f"{full}-")
            if reference.output in nested:
                exposed[output] = nested[reference.output]
        else:
            exposed[output] = OutputRef(full, reference.output)
    return exposed


def wire_inputs(
    component: ResolvedComponent, outputs: Mapping[str, Mapping[str, Any]]
) -> tuple[dict[str, Any], list[str]]:
    """Inputs with output references replaced by known values; the names still unknown."""
    values: dict[str, Any] = {}
    unknown: list[str] = []
    for key, value in component.inputs.items():
        if isinstance(value, OutputRef):
            produced = outputs.get(value.component, {})
            if value.output in produced:
                values[key] = produced[value.output]
            else:
                values[key] = KNOWN_AFTER_APPLY
                unknown.append(key)
        else:
            values[key] = value
    return values, unknown


def fingerprint(component: ResolvedComponent, inputs: Mapping[str, Any], context: Mapping[str, str]) -> str:
    """What a component's desired configuration is, as one hash: archive digest, inputs, context."""
    document = {"digest": component.digest, "inputs": inputs, "context": context}
    return "sha256:" + hashlib.sha256(canonical_json(document).encode("utf-8")).hexdigest()
