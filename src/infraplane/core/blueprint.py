"""The blueprint format (`blueprint.yaml`): models and parsing into them.

A blueprint is parsed once, at the edge, into these frozen models; everything
downstream reads the models, never the raw YAML.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from infraplane.core.excerpt import excerpt, field_path, pydantic_reason
from infraplane.core.names import NAME_PATTERN
from infraplane.core.versions import is_valid_version, parse_ref
from infraplane.errors import Problem

__all__ = [
    "API_VERSION",
    "CONTEXT_KEYS",
    "Blueprint",
    "BlueprintMetadata",
    "BlueprintSpec",
    "ComponentSpec",
    "MetricSpec",
    "OutputSpec",
    "PricedAs",
    "ScalingSpec",
    "SizingSpec",
    "parse_blueprint",
]

API_VERSION = "infraplane.dev/v1"
# Values every component receives without declaring them (names and tags come from these).
CONTEXT_KEYS = ("environment", "team", "tier", "owner", "component")
# The module variable that carries the context values.
CONTEXT_VARIABLE = "context"

Runner = Literal["terraform", "ansible", "script", "composite"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class BlueprintMetadata(_Frozen):
    """Who and what a blueprint is."""

    name: str = Field(pattern=NAME_PATTERN)
    version: str
    description: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    labels: tuple[str, ...] = ()

    @field_validator("version")
    @classmethod
    def _semver(cls, value: str) -> str:
        if not is_valid_version(value):
            raise ValueError(f"{excerpt(value)} is not a semantic version (MAJOR.MINOR.PATCH, e.g. 1.4.0)")
        return value


class OutputSpec(_Frozen):
    """A declared output; composites give the `value` it is wired from."""

    description: str = ""
    sensitive: bool = False
    value: str | None = None


class ComponentSpec(_Frozen):
    """One component of a composite blueprint: a blueprint reference and its input wiring."""

    blueprint: str
    inputs: dict[str, Any] = Field(default_factory=dict)
    depends_on: tuple[str, ...] = ()

    @field_validator("blueprint")
    @classmethod
    def _ref(cls, value: str) -> str:
        parse_ref(value)
        return value


class ScriptSpec(_Frozen):
    """How a `script` blueprint runs: commands relative to its source directory."""

    apply: str
    destroy: str | None = None
    plan: str | None = Field(None, description="dry-run command; without one, plans say 'changes unknown'")


class MetricSpec(_Frozen):
    """A CloudWatch metric of a component's resource: the dimension's value is the component output `output`."""

    namespace: str = Field(min_length=1, max_length=255)
    name: str = Field(min_length=1, max_length=255)
    dimension: str = Field(min_length=1, max_length=255)
    output: str = Field(min_length=1)
    statistic: Literal["Maximum", "Average"] = "Maximum"
    # `percent`: the metric is a percent of the current value's capacity (CPUUtilization);
    # `absolute`: it is in the capacity's own unit (bytes, connections).
    usage: Literal["percent", "absolute"] = "percent"


class PricedAs(_Frozen):
    """How a size (or one unit) is priced: a resource type the price table knows and the attributes it needs."""

    resource: str = Field(min_length=1)
    attributes: dict[str, Any] = Field(default_factory=dict)
    # Per allowed value of the sized input: the attributes that value sets (e.g. instance_class).
    values: dict[str, dict[str, Any]] = Field(default_factory=dict)


class SizingSpec(_Frozen):
    """Right-sizing: `input` is the size (an input with an enum); `capacity` says how much of what `metric`
    measures each allowed value has (vCPUs, GiB, or relative units the same for every value)."""

    input: str
    metric: MetricSpec
    capacity: dict[str, float]
    price: PricedAs | None = None


class ScalingSpec(_Frozen):
    """Scaling out: `input` is a count (an integer input with minimum and maximum); `metric` is the load per
    unit in percent; `target` is the per-unit utilization to keep the projected peak under; `price` one unit's."""

    input: str
    metric: MetricSpec
    target: float = Field(70.0, gt=0, le=100)
    price: PricedAs | None = None


class BlueprintSpec(_Frozen):
    """What a blueprint deploys and what it accepts."""

    runner: Runner
    source: str | None = None
    inputs: dict[str, dict[str, Any]] = Field(default_factory=dict)
    required: tuple[str, ...] = ()
    outputs: dict[str, OutputSpec] = Field(default_factory=dict)
    compliance: dict[str, str] = Field(default_factory=dict)
    components: dict[str, ComponentSpec] = Field(default_factory=dict)
    playbook: str | None = None
    script: ScriptSpec | None = None
    # Advisors (services/advisors.py): which input is the size, which the count, and the metric behind each.
    sizing: SizingSpec | None = None
    scaling: ScalingSpec | None = None

    @field_validator("outputs", mode="before")
    @classmethod
    def _empty_outputs(cls, value: Any) -> Any:
        # `endpoint: {}` and `endpoint:` (null) both mean "an output with no description".
        if isinstance(value, Mapping):
            return {k: ({} if v is None else v) for k, v in value.items()}
        return value

    @field_validator("inputs")
    @classmethod
    def _input_names(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        for name in value:
            if not re.match(r"^[a-z_][a-z0-9_]*$", name):
                raise ValueError(f"input name {excerpt(name)} must be lowercase letters, digits and underscores")
        return value


class Blueprint(_Frozen):
    """A parsed `blueprint.yaml`."""

    api_version: Literal["infraplane.dev/v1"] = Field(alias="apiVersion")
    kind: Literal["Blueprint"]
    metadata: BlueprintMetadata
    spec: BlueprintSpec

    @property
    def name(self) -> str:
        return self.metadata.name

    @property
    def version(self) -> str:
        return self.metadata.version

    @property
    def ref(self) -> str:
        return f"{self.metadata.name}@{self.metadata.version}"

    def input_default(self, name: str) -> Any:
        return self.spec.inputs.get(name, {}).get("default")

    def sensitive_inputs(self) -> frozenset[str]:
        return frozenset(n for n, schema in self.spec.inputs.items() if schema.get("sensitive"))

    def sensitive_outputs(self) -> frozenset[str]:
        return frozenset(n for n, o in self.spec.outputs.items() if o.sensitive)

    def input_schema(self) -> dict[str, Any]:
        """The inputs as one JSON Schema object (what requests are validated against)."""
        return {
            "type": "object",
            "properties": {n: {k: v for k, v in s.items() if k != "sensitive"} for n, s in self.spec.inputs.items()},
            "required": list(self.spec.required),
            "additionalProperties": False,
        }


def parse_blueprint(data: Any, file: str) -> tuple[Blueprint | None, list[Problem]]:
    """Parse YAML-loaded data into a Blueprint, or report every problem with its field."""
    if data is None:
        return None, [Problem(file, "", "the file is empty; expected a Blueprint document")]
    if not isinstance(data, Mapping):
        return None, [
            Problem(file, "", f"expected a mapping (apiVersion, kind, metadata, spec), got {type(data).__name__}")
        ]
    try:
        return Blueprint.model_validate(data), []
    except ValidationError as exc:
        problems = [Problem(file, field_path(err["loc"]), pydantic_reason(err)) for err in exc.errors()]
        return None, problems
