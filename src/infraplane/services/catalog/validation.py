"""Everything `catalog validate` checks about one blueprint.

Each check returns problems naming the file and field; nothing here raises
for bad input, so one run reports every problem at once.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from infraplane.core.blueprint import CONTEXT_VARIABLE, Blueprint
from infraplane.core.dag import find_cycle
from infraplane.core.excerpt import excerpt, schema_message
from infraplane.core.module_interface import ModuleInterface
from infraplane.core.ports import ModuleInterfaceReader
from infraplane.core.versions import parse_ref
from infraplane.core.wiring import EnvironmentOutputRef, InputRef, OutputRef, find_references
from infraplane.errors import Problem
from infraplane.services.catalog.advisor_checks import advisor_problems
from infraplane.services.catalog.loading import LoadedBlueprint

__all__ = ["Resolver", "validate_blueprint"]

# (name, constraint) -> the blueprint version a reference would use, or None; plus every known name.
Resolver = Callable[[str, str | None], Blueprint | None]

# JSON Schema type -> Terraform type constructors it may be passed to.
_COMPATIBLE_TF_TYPES: dict[str, tuple[str, ...]] = {
    "string": ("string",),
    "integer": ("number",),
    "number": ("number",),
    "boolean": ("bool",),
    "array": ("list", "set", "tuple"),
    "object": ("map", "object"),
}


def _schema_problems(loaded: LoadedBlueprint) -> list[Problem]:
    file = str(loaded.file)
    spec = loaded.blueprint.spec
    problems: list[Problem] = []
    for name, schema in spec.inputs.items():
        field = f"spec.inputs.{name}"
        if "type" not in schema:
            problems.append(Problem(file, f"{field}.type", f"is required (one of {', '.join(_COMPATIBLE_TF_TYPES)})"))
        try:
            Draft202012Validator.check_schema(dict(schema))
        except SchemaError as exc:
            where = ".".join(str(p) for p in exc.path)
            problems.append(
                Problem(
                    file,
                    f"{field}.{where}" if where else field,
                    f"not valid JSON Schema: {schema_message(exc.message, exc.instance)}",
                )
            )
            continue
        if "default" in schema:
            for error in Draft202012Validator(dict(schema)).iter_errors(schema["default"]):
                problems.append(
                    Problem(
                        file,
                        f"{field}.default",
                        f"default does not satisfy its own schema: {schema_message(error.message, error.instance)}",
                    )
                )
    for index, name in enumerate(spec.required):
        if name not in spec.inputs:
            problems.append(Problem(file, f"spec.required[{index}]", f"{name!r} is not one of the declared inputs"))
    return problems


def _source_problems(loaded: LoadedBlueprint) -> tuple[Path | None, list[Problem]]:
    file = str(loaded.file)
    spec = loaded.blueprint.spec
    if spec.runner == "composite":
        if spec.source:
            return None, [Problem(file, "spec.source", "a composite blueprint has components, not a source")]
        return None, []
    if not spec.source:
        return None, [Problem(file, "spec.source", f"is required for runner {spec.runner}")]
    source = (loaded.directory / spec.source).resolve()
    if not source.is_relative_to(loaded.directory):
        return None, [Problem(file, "spec.source", f"{spec.source!r} must stay inside the blueprint's directory")]
    if not source.is_dir():
        return None, [Problem(file, "spec.source", f"{spec.source!r} does not exist (looked for {source})")]
    return source, []


def _tf_type_matches(json_type: Any, schema: Mapping[str, Any], tf_type: str | None) -> bool:
    if tf_type is None or tf_type == "any" or not isinstance(json_type, str):
        return True
    constructor = tf_type.split("(", 1)[0]
    if constructor not in _COMPATIBLE_TF_TYPES.get(json_type, ()):
        return False
    if json_type == "array" and constructor in ("list", "set") and "(" in tf_type:
        element = tf_type.split("(", 1)[1].rstrip(")")
        item_type = schema.get("items", {}).get("type") if isinstance(schema.get("items"), Mapping) else None
        return item_type is None or _tf_type_matches(item_type, schema.get("items", {}), element)
    return True


def _terraform_problems(loaded: LoadedBlueprint, source: Path, read_module: ModuleInterfaceReader) -> list[Problem]:
    file = str(loaded.file)
    spec = loaded.blueprint.spec
    module, problems = read_module(source)
    if problems:
        return problems
    if not module.variables and not module.outputs and not any(source.glob("*.tf")):
        return [Problem(file, "spec.source", f"{spec.source!r} holds no *.tf files")]
    problems += _compare_variables(file, loaded.blueprint, module)
    problems += _compare_outputs(file, loaded.blueprint, module)
    return problems


def _compare_variables(file: str, blueprint: Blueprint, module: ModuleInterface) -> list[Problem]:
    problems: list[Problem] = []
    for name, schema in blueprint.spec.inputs.items():
        variable = module.variables.get(name)
        if variable is None:
            problems.append(Problem(file, f"spec.inputs.{name}", f"the module has no variable {name!r}"))
        elif not _tf_type_matches(schema.get("type"), schema, variable.type):
            problems.append(
                Problem(
                    file,
                    f"spec.inputs.{name}.type",
                    f"type {schema.get('type')!r} does not match the module variable's type {variable.type!r} "
                    f"({Path(variable.file).name})",
                )
            )
    for name, variable in module.variables.items():
        if name == CONTEXT_VARIABLE or name in blueprint.spec.inputs or variable.has_default:
            continue
        problems.append(
            Problem(
                file,
                "spec.inputs",
                f"module variable {name!r} ({Path(variable.file).name}) has no default and is not declared as an input",
            )
        )
    return problems


def _compare_outputs(file: str, blueprint: Blueprint, module: ModuleInterface) -> list[Problem]:
    problems: list[Problem] = []
    for name, output in blueprint.spec.outputs.items():
        found = module.outputs.get(name)
        if found is None:
            problems.append(Problem(file, f"spec.outputs.{name}", f"the module has no output {name!r}"))
        elif found.sensitive and not output.sensitive:
            problems.append(
                Problem(
                    file,
                    f"spec.outputs.{name}.sensitive",
                    "the module marks this output sensitive; declare sensitive: true",
                )
            )
    return problems


def _runner_file_problems(loaded: LoadedBlueprint, source: Path) -> list[Problem]:
    file = str(loaded.file)
    spec = loaded.blueprint.spec
    if spec.runner == "ansible":
        playbook = spec.playbook or "playbook.yml"
        if not (source / playbook).is_file():
            return [Problem(file, "spec.playbook", f"playbook {playbook!r} not found in {spec.source!r}")]
    if spec.runner == "script" and spec.script is None:
        return [Problem(file, "spec.script", "is required for runner script (apply, and optionally plan and destroy)")]
    return []


def _suggest(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=3)
    return f"; did you mean {', '.join(close)}?" if close else ""


def _composite_problems(loaded: LoadedBlueprint, resolve: Resolver, known_names: list[str]) -> list[Problem]:
    file = str(loaded.file)
    spec = loaded.blueprint.spec
    if not spec.components:
        return [Problem(file, "spec.components", "a composite blueprint needs at least one component")]
    problems: list[Problem] = []
    resolved: dict[str, Blueprint] = {}
    for name, component in spec.components.items():
        ref = parse_ref(component.blueprint)
        found = resolve(ref.name, ref.constraint)
        if found is None:
            reason = (
                f"no blueprint named {ref.name!r}{_suggest(ref.name, known_names)}"
                if ref.name not in known_names
                else f"no version of {ref.name!r} matches {ref.constraint!r}"
            )
            problems.append(Problem(file, f"spec.components.{name}.blueprint", reason))
        else:
            resolved[name] = found
    dependencies: dict[str, set[str]] = {name: set(c.depends_on) for name, c in spec.components.items()}
    for name, component in spec.components.items():
        field = f"spec.components.{name}"
        for index, needed in enumerate(component.depends_on):
            if needed not in spec.components:
                problems.append(Problem(file, f"{field}.depends_on[{index}]", f"no component named {needed!r}"))
        target = resolved.get(name)
        if target is not None:
            problems += _component_input_problems(file, field, component.inputs, target)
        for path, wired in find_references(component.inputs):
            problems += _reference_problems(file, f"{field}.inputs.{path}", wired, loaded.blueprint, resolved)
            if isinstance(wired, OutputRef) and wired.component in spec.components:
                dependencies[name].add(wired.component)
    for name, output in spec.outputs.items():
        if output.value is None:
            problems.append(
                Problem(file, f"spec.outputs.{name}.value", "a composite output must say which component output it is")
            )
            continue
        for path, wired in find_references(output.value):
            problems += _reference_problems(file, f"spec.outputs.{name}.value{path}", wired, loaded.blueprint, resolved)
    cycle = find_cycle({n: {d for d in deps if d in spec.components} for n, deps in dependencies.items()})
    if cycle:
        problems.append(Problem(file, "spec.components", "component cycle: " + " -> ".join(cycle)))
    return problems


def _component_input_problems(file: str, field: str, inputs: Mapping[str, Any], target: Blueprint) -> list[Problem]:
    problems: list[Problem] = []
    for key, value in inputs.items():
        schema = target.spec.inputs.get(key)
        if schema is None:
            allowed = ", ".join(sorted(target.spec.inputs)) or "none"
            problems.append(
                Problem(file, f"{field}.inputs.{key}", f"{target.ref} has no input {excerpt(key)} (inputs: {allowed})")
            )
            continue
        if not any(True for _ in find_references(value)):
            for error in Draft202012Validator(dict(schema)).iter_errors(value):
                problems.append(Problem(file, f"{field}.inputs.{key}", schema_message(error.message, error.instance)))
    for key in target.spec.required:
        if key not in inputs and "default" not in target.spec.inputs.get(key, {}):
            problems.append(Problem(file, f"{field}.inputs", f"required input {key!r} of {target.ref} is not given"))
    return problems


def _reference_problems(
    file: str,
    field: str,
    ref: OutputRef | InputRef | EnvironmentOutputRef | ValueError,
    owner: Blueprint,
    resolved: Mapping[str, Blueprint],
) -> list[Problem]:
    if isinstance(ref, ValueError):
        return [Problem(file, field, str(ref))]
    if isinstance(ref, EnvironmentOutputRef):
        reason = f"{ref}: only an environment file reads another environment's outputs; take the value as an input"
        return [Problem(file, field, reason)]
    if isinstance(ref, InputRef):
        if ref.input not in owner.spec.inputs:
            return [Problem(file, field, f"{ref} refers to an input the composite does not declare")]
        return []
    if ref.component not in owner.spec.components:
        known = list(owner.spec.components)
        return [
            Problem(
                file, field, f"{ref} refers to no component named {ref.component!r}{_suggest(ref.component, known)}"
            )
        ]
    target = resolved.get(ref.component)
    if target is not None and ref.output not in target.spec.outputs:
        outputs = ", ".join(sorted(target.spec.outputs)) or "none"
        return [Problem(file, field, f"{ref}: {target.ref} has no output {ref.output!r} (outputs: {outputs})")]
    return []


def validate_blueprint(
    loaded: LoadedBlueprint, resolve: Resolver, known_names: list[str], read_module: ModuleInterfaceReader
) -> list[Problem]:
    """Every problem with one parsed blueprint: schemas, defaults, source, module interface, wiring."""
    problems = _schema_problems(loaded)
    problems += advisor_problems(str(loaded.file), loaded.blueprint)
    source, source_problems = _source_problems(loaded)
    problems += source_problems
    runner = loaded.blueprint.spec.runner
    if source is not None:
        problems += _runner_file_problems(loaded, source)
        if runner == "terraform":
            problems += _terraform_problems(loaded, source, read_module)
    if runner == "composite":
        problems += _composite_problems(loaded, resolve, known_names)
    return problems
