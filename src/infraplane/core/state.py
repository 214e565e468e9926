"""Terraform state (format 4), parsed once into typed resources.

Everything that reads a component's state (destroy counts and diffs, what an
environment costs now, the serial and lineage the state backend records) reads
these types, never the raw JSON. Data sources are resources of `mode: "data"`:
they are kept (a reader may want them) but never count as managed, so nothing
built on :meth:`TerraformState.managed_instances` destroys or prices them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from infraplane.core.plan import DocumentFormatError, NormalizedPlan, ResourceChange, resource_tags

__all__ = ["StateFormatError", "StateInstance", "StateResource", "TerraformState", "parse_state", "state_plan"]

ResourceMode = Literal["managed", "data"]


class StateFormatError(DocumentFormatError):
    """The document is not a Terraform state (format 4)."""


@dataclass(frozen=True)
class StateInstance:
    """One instance of a resource (`count` and `for_each` make several), with its recorded attributes."""

    address: str
    index_key: int | str | None
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StateResource:
    """One `resource` or `data` block of the configuration as the state records it."""

    module: str
    mode: ResourceMode
    type: str
    name: str
    provider: str
    instances: tuple[StateInstance, ...]

    @property
    def address(self) -> str:
        prefix = "data." if self.mode == "data" else ""
        return f"{self.module + '.' if self.module else ''}{prefix}{self.type}.{self.name}"

    @property
    def managed(self) -> bool:
        return self.mode == "managed"


@dataclass(frozen=True)
class TerraformState:
    serial: int
    lineage: str
    terraform_version: str
    resources: tuple[StateResource, ...]

    def managed(self) -> tuple[StateResource, ...]:
        """Resources Terraform creates and destroys (data sources left out)."""
        return tuple(r for r in self.resources if r.managed)

    def managed_instances(self) -> tuple[tuple[StateResource, StateInstance], ...]:
        """Every managed resource instance: what destroying the component removes."""
        return tuple((r, i) for r in self.managed() for i in r.instances)


def _instance_address(base: str, key: Any) -> str:
    return base if key is None else f"{base}[{json.dumps(key)}]"


def _resource(raw: Any, position: int) -> StateResource:
    where = f"resources[{position}]"
    if not isinstance(raw, Mapping):
        raise StateFormatError(where, "must be an object")
    mode = raw.get("mode")
    if mode not in ("managed", "data"):
        raise StateFormatError(f"{where}.mode", f"must be 'managed' or 'data', not {mode!r}")
    for key in ("type", "name"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise StateFormatError(f"{where}.{key}", "must be a non-empty string")
    instances = raw.get("instances")
    instances = [] if instances is None else instances
    if not isinstance(instances, list):
        raise StateFormatError(f"{where}.instances", "must be a list")
    resource = StateResource(
        module=str(raw.get("module") or ""),
        mode=mode,
        type=raw["type"],
        name=raw["name"],
        provider=str(raw.get("provider", "")),
        instances=(),
    )
    parsed = []
    for index, instance in enumerate(instances):
        if not isinstance(instance, Mapping):
            raise StateFormatError(f"{where}.instances[{index}]", "must be an object")
        index_key = instance.get("index_key")
        if index_key is not None and not isinstance(index_key, int | str):
            raise StateFormatError(f"{where}.instances[{index}].index_key", "must be a number or a string")
        attributes = instance.get("attributes") or {}
        parsed.append(StateInstance(_instance_address(resource.address, index_key), index_key, attributes))
    return StateResource(resource.module, mode, resource.type, resource.name, resource.provider, tuple(parsed))


def parse_state(content: bytes | str | Mapping[str, Any]) -> TerraformState:
    """Parse a Terraform state document; raises StateFormatError naming the field that is wrong."""
    if isinstance(content, bytes | str):
        try:
            document: Any = json.loads(content)
        except (ValueError, UnicodeDecodeError) as exc:
            raise StateFormatError("", f"not JSON: {exc}") from None
    else:
        document = content
    if not isinstance(document, Mapping):
        raise StateFormatError("", "expected a JSON object (a Terraform state)")
    version = document.get("version")
    if version != 4:
        raise StateFormatError("version", f"must be 4 (Terraform's state format), not {version!r}")
    serial = document.get("serial", 0)
    if not isinstance(serial, int) or isinstance(serial, bool) or serial < 0:
        raise StateFormatError("serial", "must be a non-negative integer")
    resources = document.get("resources")
    resources = [] if resources is None else resources
    if not isinstance(resources, list):
        raise StateFormatError("resources", "must be a list")
    return TerraformState(
        serial=serial,
        lineage=str(document.get("lineage", "")),
        terraform_version=str(document.get("terraform_version", "")),
        resources=tuple(_resource(raw, position) for position, raw in enumerate(resources)),
    )


def state_plan(state: TerraformState, actions: tuple[str, ...] = ("no-op",)) -> NormalizedPlan:
    """The state's managed resources as a plan of changes from what they are to the same values.

    With `no-op` they price like a plan's unchanged resources (what an environment costs now). With
    `update`, the plan policies judge them as they stand (a rule looks only at what is created or
    updated): that is how a policy replay reads what runs. Tags are read as the plan reader does; the
    state keeps no configuration, so a rule that reads `config` or provider settings finds nothing.
    """
    changes = tuple(
        ResourceChange(
            address=instance.address,
            mode="managed",
            type=resource.type,
            name=resource.name,
            provider=resource.provider,
            actions=actions,
            before=instance.attributes,
            after=instance.attributes,
            after_unknown={},
            module_address=resource.module,
            tags=resource_tags(instance.attributes),
        )
        for resource, instance in state.managed_instances()
    )
    return NormalizedPlan(state.terraform_version, changes, {}, {})
