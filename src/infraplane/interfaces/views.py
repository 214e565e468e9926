"""How environments read outside the process (CLI --json, MCP): one shape everywhere, secrets masked."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from infraplane.core.records import ComponentRecord, EnvironmentRecord

__all__ = ["environment_detail", "environment_summary"]


def environment_summary(env: EnvironmentRecord, components: Sequence[ComponentRecord]) -> dict[str, Any]:
    """One line of `env list`."""
    return {
        "name": env.name,
        "team": env.team,
        "tier": env.tier,
        "status": env.status,
        "blueprint": env.blueprint,
        "revision": env.current_revision,
        "components": len([c for c in components if c.status != "destroyed"]),
    }


def environment_detail(env: EnvironmentRecord, components: Sequence[ComponentRecord]) -> dict[str, Any]:
    """`env show`: the record and every component, outputs with sensitive values masked."""
    return {
        "name": env.name,
        "team": env.team,
        "tier": env.tier,
        "owner": env.owner,
        "blueprint": env.blueprint,
        "target": env.target,
        "status": env.status,
        "error": env.error,
        "ttl": env.ttl,
        "revision": env.current_revision,
        "components": [
            {
                "name": c.name,
                "blueprint": c.blueprint,
                "digest": c.digest,
                "runner": c.runner,
                "status": c.status,
                "depends_on": list(c.depends_on),
                "outputs": c.masked_outputs(),
                "error": c.error,
                "updated_at": c.updated_at,
            }
            for c in components
        ],
    }
