"""A preview plan: a component planned before its dependencies exist, its waiting inputs left unknown.

Terraform has no way to give a root module an unknown variable, so the component's module is
called from a generated wrapper root module: each waiting input is an attribute of the `output`
of one `terraform_data` resource, which Terraform itself holds as "known after apply" until
that resource is created. Nothing made up is passed, so no provider or policy can mistake a
placeholder for a real ID. The wrapper has no backend and no state: a preview is only made for
a component that has none, and its plan file is deleted once read (a preview is never applied).

The plan document is then unwrapped, so policies, cost and diffs read the component's own
addresses (`aws_db_instance.this`, not `module.component.aws_db_instance.this`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from infraplane.core.module_interface import ModuleInterface

__all__ = ["PLACEHOLDER_RESOURCE", "WRAPPER_FILE", "unwrapped", "wrapper_config"]

WRAPPER_FILE = "main.tf.json"
# The one resource of the wrapper, whose output carries every unknown input.
PLACEHOLDER_RESOURCE = "terraform_data.known_after_apply"
_CALL = "component"
_PREFIX = f"module.{_CALL}"


def wrapper_config(
    module: Path, root: Path, interface: ModuleInterface, known: Sequence[str], unknown: Sequence[str]
) -> dict[str, Any]:
    """The wrapper root module (JSON syntax): `known` inputs through variables, `unknown` ones left unknown."""
    call: dict[str, Any] = {"source": _relative(module, root)}
    variables: dict[str, Any] = {}
    for name in known:
        declared = interface.variables.get(name)
        variables[name] = {"sensitive": True} if declared is not None and declared.sensitive else {}
        call[name] = "${var." + name + "}"
    for name in unknown:
        call[name] = "${" + PLACEHOLDER_RESOURCE + ".output." + name + "}"
    outputs = {
        name: {"value": "${module." + _CALL + "." + name + "}", "sensitive": output.sensitive}
        for name, output in interface.outputs.items()
    }
    config: dict[str, Any] = {
        # A null input has no type yet: its output is unknown, and converts to whatever the variable declares.
        "resource": {"terraform_data": {"known_after_apply": {"input": dict.fromkeys(unknown)}}},
        "module": {_CALL: call},
    }
    if variables:
        config["variable"] = variables
    if outputs:
        config["output"] = outputs
    return config


def _relative(module: Path, root: Path) -> str:
    """`module` as a local module source seen from `root` (a sibling directory of the unpacked archive)."""
    return "../" + module.resolve().relative_to(root.resolve().parent).as_posix()


def _address(address: str) -> str:
    return address[len(_PREFIX) + 1 :] if address.startswith(_PREFIX + ".") else address


def _module_address(address: str) -> str:
    if address == _PREFIX:
        return ""
    return _address(address)


def _change(raw: Mapping[str, Any]) -> dict[str, Any]:
    change = dict(raw)
    change["address"] = _address(str(raw.get("address", "")))
    if "module_address" in raw:
        module_address = _module_address(str(raw["module_address"]))
        if module_address:
            change["module_address"] = module_address
        else:
            change.pop("module_address")
    if "previous_address" in raw:
        change["previous_address"] = _address(str(raw["previous_address"]))
    return change


def _providers(config: Mapping[str, Any]) -> dict[str, Any]:
    providers: dict[str, Any] = {}
    for key, value in config.items():
        if not isinstance(value, Mapping):
            continue
        body = dict(value)
        module_address = _module_address(str(body.pop("module_address", "")))
        if module_address:
            body["module_address"] = module_address
        providers[key.split(":", 1)[1] if key.startswith(_PREFIX + ":") else key] = body
    return providers


def unwrapped(document: Mapping[str, Any]) -> dict[str, Any]:
    """The wrapper's plan as if the component's module had been the root: addresses, configuration, outputs."""
    changes = [
        _change(raw)
        for raw in document.get("resource_changes", [])
        if isinstance(raw, Mapping) and raw.get("address") != PLACEHOLDER_RESOURCE
    ]
    configuration = document.get("configuration") or {}
    calls = (configuration.get("root_module") or {}).get("module_calls") or {}
    child = (calls.get(_CALL) or {}).get("module") or {}
    result: dict[str, Any] = {
        "format_version": document.get("format_version", ""),
        "terraform_version": document.get("terraform_version", ""),
        "variables": document.get("variables") or {},
        "resource_changes": changes,
        "output_changes": document.get("output_changes") or {},
        "configuration": {
            "provider_config": _providers(configuration.get("provider_config") or {}),
            "root_module": child,
        },
    }
    return result
