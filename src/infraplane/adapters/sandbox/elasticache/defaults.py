"""What AWS decides when a request leaves it out: engine versions, parameter groups, windows, zones."""

from __future__ import annotations

import random
import re
import string
from typing import Any

__all__ = [
    "DEFAULT_MAINTENANCE_WINDOW",
    "DEFAULT_SNAPSHOT_WINDOW",
    "as_bool",
    "default_parameter_group",
    "random_label",
    "region_short",
    "resolve_engine_version",
    "subnet_group_zones",
]

# What AWS answers for a requested version (engine, as sent) -> the patch release it runs.
_KNOWN_VERSIONS: dict[str, dict[str, str]] = {
    "redis": {
        "7.1": "7.1.0",
        "7.0": "7.0.7",
        "6.x": "6.2.6",
        "6.2": "6.2.6",
        "6.0": "6.0.5",
        "5.0": "5.0.6",
        "4.0": "4.0.10",
    },
    "valkey": {"8.1": "8.1.0", "8.0": "8.0.1", "7.2": "7.2.6"},
    "memcached": {"1.6": "1.6.22"},
}
_DEFAULT_VERSIONS = {"redis": "7.1.0", "valkey": "8.0.1", "memcached": "1.6.22"}
DEFAULT_MAINTENANCE_WINDOW = "sun:05:00-sun:06:00"
DEFAULT_SNAPSHOT_WINDOW = "05:00-06:00"


def resolve_engine_version(engine: str, requested: str | None) -> str:
    """The full version AWS reports for `requested` ("7.1" -> "7.1.0"); the engine's default when omitted."""
    engine = engine.lower()
    if not requested:
        return _DEFAULT_VERSIONS.get(engine, _DEFAULT_VERSIONS["redis"])
    known = _KNOWN_VERSIONS.get(engine, {})
    if requested.lower() in known:
        return known[requested.lower()]
    if match := re.fullmatch(r"(\d+)\.x", requested, flags=re.IGNORECASE):
        return f"{match.group(1)}.0.0"
    if re.fullmatch(r"\d+\.\d+", requested):
        return f"{requested}.0"
    return requested


def default_parameter_group(engine: str, version: str, cluster_enabled: bool = False) -> str:
    """Name of the default cache parameter group AWS assigns to `engine` at `version`."""
    parts = version.split(".")
    major = parts[0]
    minor = parts[1] if len(parts) > 1 else "0"
    engine = engine.lower()
    if engine == "memcached":
        family = f"memcached{major}.{minor}"
    elif engine == "valkey":
        family = f"valkey{major}"
    elif major.isdigit() and int(major) >= 7:
        family = f"redis{major}"
    elif major == "6":
        family = "redis6.x"
    else:
        family = f"redis{major}.{minor}"
    return f"default.{family}{'.cluster.on' if cluster_enabled else ''}"


def random_label(length: int = 6) -> str:
    return "".join(random.choices(string.ascii_lowercase + string.digits, k=length))  # noqa: S311 - not a secret


def as_bool(value: Any, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)


def subnet_group_zones(backend: Any, name: str | None) -> list[str]:
    group = backend.cache_subnet_groups.get(name) if name else None
    if group is None:
        return []
    zones: list[str] = []
    for subnet in group.subnets:
        zone = subnet.get("subnet_availability_zone") or subnet.get("Subnet_availability_zone")
        zone_name = zone.get("Name") if isinstance(zone, dict) else zone
        if zone_name and zone_name not in zones:
            zones.append(zone_name)
    return zones


_COMPASS = {"north": "n", "south": "s", "east": "e", "west": "w", "central": "c"}


def region_short(backend: Any) -> str:
    # Endpoint host names abbreviate the region: us-east-1 -> use1, ap-southeast-2 -> apse2.
    parts = str(backend.region_name).split("-")
    if len(parts) != 3:
        return "".join(parts)
    middle = parts[1]
    for word, letter in _COMPASS.items():
        middle = middle.replace(word, letter)
    return f"{parts[0]}{middle}{parts[2]}"
