"""Environments recorded in the store as an apply leaves them, for tests that need the records, not the cloud."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from infraplane.core.graph import fingerprint, wire_inputs
from infraplane.core.records import ComponentRecord, EnvironmentRecord, RevisionRecord
from infraplane.interfaces.container import Container
from infraplane.services.orchestration.planning import component_context

__all__ = ["environment_document", "record_applied"]


def environment_document(name: str, team: str, tier: str, spec: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "infraplane.dev/v1",
        "kind": "Environment",
        "metadata": {"name": name, "team": team, "tier": tier},
        "spec": dict(spec),
    }


def record_applied(
    container: Container,
    document: Mapping[str, Any],
    outputs: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """The environment of `document` (one component) as its apply at `at` by alice leaves it: its record,
    revision 1 and the component with its inputs, outputs and applied fingerprint (so planning it again with
    the same inputs finds it unchanged and runs no tool)."""
    resolution = container.environments.resolve_document(document, "recorded")
    [component] = resolution.graph.components
    values, _ = wire_inputs(component, {})
    context = component_context(resolution, component.name)
    when = (at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    meta = resolution.environment.metadata
    blueprint = resolution.environment.spec.blueprint or "(inline components)"
    env = EnvironmentRecord(
        meta.name, meta.team, meta.tier, meta.team, blueprint, "sandbox", None, "ready", "", 1, when, when
    )
    with container.store.transaction() as tx:
        tx.environments.save(env)
        tx.environments.add_revision(RevisionRecord(meta.name, 1, resolution.revision_document(), when, "human:alice"))
        tx.environments.save_component(
            ComponentRecord(
                meta.name,
                component.name,
                component.ref,
                component.digest,
                component.blueprint.spec.runner,
                "applied",
                fingerprint(component, values, context),
                values,
                context,
                dict(outputs or {}),
                updated_at=when,
            )
        )
