"""The environment file (`kind: Environment`): models and parsing."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from infraplane.core.blueprint import ComponentSpec
from infraplane.core.excerpt import field_path, pydantic_reason
from infraplane.core.names import NAME_PATTERN
from infraplane.core.versions import parse_ref
from infraplane.errors import Problem

__all__ = [
    "MAX_DURATION_SECONDS",
    "EnvironmentFile",
    "EnvironmentMetadata",
    "EnvironmentSpec",
    "parse_duration",
    "parse_environment",
]

_DURATION = re.compile(r"^(?P<value>\d{1,64})(?P<unit>[smhdw])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
# An environment that should outlive a year is not temporary; give it no TTL.
MAX_DURATION_SECONDS = 366 * 86400


def parse_duration(text: str, maximum: int = MAX_DURATION_SECONDS) -> int:
    """Seconds in `30m`, `72h`, `7d`, `2w`, at most `maximum`; raises ValueError otherwise."""
    match = _DURATION.match(text.strip())
    if not match:
        shown = text if len(text) <= 24 else text[:24] + "…"
        raise ValueError(f"{shown!r} is not a duration (use a number and s, m, h, d or w, e.g. 72h)")
    value = match.group("value").lstrip("0") or "0"
    seconds = int(value) * _UNIT_SECONDS[match.group("unit")] if len(value) <= 12 else maximum + 1
    if seconds > maximum:
        shown = text.strip() if len(text.strip()) <= 24 else text.strip()[:24] + "…"
        raise ValueError(f"{shown} is longer than the maximum of {maximum // 86400} days")
    return seconds


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class EnvironmentMetadata(_Frozen):
    """Who owns an environment and how critical it is."""

    name: str = Field(pattern=NAME_PATTERN, max_length=40)
    team: str = Field(pattern=NAME_PATTERN)
    tier: str = Field("dev", pattern=r"^[a-z][a-z0-9-]{0,20}$")
    owner: str | None = None

    @property
    def effective_owner(self) -> str:
        return self.owner or self.team


class EnvironmentSpec(_Frozen):
    """What an environment deploys: one blueprint, or components listed inline (wired like a composite's)."""

    blueprint: str | None = None
    components: dict[str, ComponentSpec] | None = None
    inputs: dict[str, Any] = Field(default_factory=dict)
    ttl: str | None = None
    target: Literal["sandbox", "aws"] | None = None

    @field_validator("blueprint")
    @classmethod
    def _ref(cls, value: str | None) -> str | None:
        if value is not None:
            parse_ref(value)
        return value

    @model_validator(mode="after")
    def _one_source(self) -> EnvironmentSpec:
        if (self.blueprint is None) == (self.components is None):
            raise ValueError("give either spec.blueprint or spec.components (inline components), not both")
        return self

    @field_validator("ttl")
    @classmethod
    def _ttl(cls, value: str | None) -> str | None:
        if value is not None:
            parse_duration(value)
        return value


class EnvironmentFile(_Frozen):
    """A parsed environment file."""

    api_version: Literal["infraplane.dev/v1"] = Field(alias="apiVersion")
    kind: Literal["Environment"]
    metadata: EnvironmentMetadata
    spec: EnvironmentSpec

    @property
    def name(self) -> str:
        return self.metadata.name


def parse_environment(data: Any, file: str) -> tuple[EnvironmentFile | None, list[Problem]]:
    """Parse YAML-loaded data into an EnvironmentFile, or report every problem with its field."""
    if data is None:
        return None, [Problem(file, "", "the file is empty; expected an Environment document")]
    if not isinstance(data, Mapping):
        return None, [
            Problem(file, "", f"expected a mapping (apiVersion, kind, metadata, spec), got {type(data).__name__}")
        ]
    try:
        return EnvironmentFile.model_validate(data), []
    except ValidationError as exc:
        return None, [Problem(file, field_path(err["loc"]), pydantic_reason(err)) for err in exc.errors()]
