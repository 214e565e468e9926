"""The environment's records through a run: its row, its revisions, each component's condition.

Every write here is a state change and goes with its audit event in the same transaction.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from infraplane.core.audit import Actor, utc_timestamp
from infraplane.core.graph import ResolvedComponent
from infraplane.core.ports import Store
from infraplane.core.records import (
    ComponentRecord,
    ComponentStatus,
    EnvironmentRecord,
    EnvironmentStatus,
    RevisionRecord,
)
from infraplane.core.runs import Target
from infraplane.core.upstream import Dependency, UpstreamRead
from infraplane.services.audit import record
from infraplane.services.environments.resolution import Resolution
from infraplane.services.environments.sealing import sealed_document, unsealed

__all__ = ["EnvironmentRecords"]


class EnvironmentRecords:
    def __init__(self, store: Store) -> None:
        self._store = store

    def components(self, environment: str) -> dict[str, ComponentRecord]:
        with self._store.transaction() as tx:
            return {r.name: r for r in tx.environments.components(environment)}

    def register(self, resolution: Resolution, target: Target, actor: Actor) -> int:
        """Create or update the environment record; store a new revision when the desired state changed."""
        meta = resolution.environment.metadata
        # Stored with sensitive inputs sealed; compared with the last revision opened.
        document = sealed_document(resolution, self._store.seal)
        now = utc_timestamp()
        with self._store.transaction() as tx:
            existing = tx.environments.get(meta.name)
            revisions = tx.environments.revisions(meta.name)
            env = EnvironmentRecord(
                name=meta.name,
                team=meta.team,
                tier=meta.tier,
                owner=meta.effective_owner,
                blueprint=resolution.environment.spec.blueprint or "(inline components)",
                target=target.kind,
                ttl=resolution.environment.spec.ttl,
                status=existing.status if existing else "new",
                error=existing.error if existing else "",
                current_revision=existing.current_revision if existing else 0,
                created_at=existing.created_at if existing else now,
                updated_at=now,
            )
            tx.environments.save(env)
            if existing is None:
                record(
                    tx, actor, "environment.create", f"environment:{meta.name}", {"team": meta.team, "tier": meta.tier}
                )
            if revisions and unsealed(revisions[-1].document, self._store.unseal) == resolution.revision_document():
                return revisions[-1].number
            number = (revisions[-1].number if revisions else 0) + 1
            tx.environments.add_revision(RevisionRecord(meta.name, number, document, now, str(actor)))
            record(
                tx,
                actor,
                "environment.revision.create",
                f"environment:{meta.name}",
                {"revision": number, "blueprint": resolution.top.ref, "digest": resolution.top.digest},
                sensitive_keys=resolution.top.blueprint.sensitive_inputs(),
            )
            return number

    def set_status(self, name: str, status: EnvironmentStatus, error: str) -> None:
        with self._store.transaction() as tx:
            env = tx.environments.get(name)
            if env is not None:
                tx.environments.save(replace(env, status=status, error=error, updated_at=utc_timestamp()))
            if status == "destroyed":
                tx.environments.set_dependencies(name, [])  # a destroyed environment reads nothing

    def finish(
        self,
        name: str,
        actor: Actor,
        revision: int | None,
        status: EnvironmentStatus,
        error: str,
        payload: dict[str, Any],
    ) -> None:
        with self._store.transaction() as tx:
            env = tx.environments.get(name)
            if env is None:
                return
            current = revision if revision is not None else env.current_revision
            now = utc_timestamp()
            tx.environments.save(replace(env, status=status, error=error, current_revision=current, updated_at=now))
            if status == "ready":
                # What the applied revision reads of other environments: the dependencies its producers see.
                applied = next((r for r in tx.environments.revisions(name) if r.number == current), None)
                reads = [UpstreamRead.from_dict(r) for r in (applied.document.get("upstream", []) if applied else [])]
                tx.environments.set_dependencies(name, [Dependency(name, read, current, now) for read in reads])
            action = {"ready": "environment.up.finish", "failed": "environment.up.fail"}.get(
                status, f"environment.{status}"
            )
            record(tx, actor, action, f"environment:{name}", {**payload, "revision": current})

    def save_component(
        self,
        environment: str,
        component: ResolvedComponent,
        status: ComponentStatus,
        **fields: Any,
    ) -> None:
        with self._store.transaction() as tx:
            previous = {r.name: r for r in tx.environments.components(environment)}.get(component.name)
            base = previous or ComponentRecord(
                environment, component.name, component.ref, component.digest, component.blueprint.spec.runner, status
            )
            tx.environments.save_component(
                replace(
                    base,
                    blueprint=fields.pop("blueprint", component.ref),
                    digest=fields.pop("digest", component.digest),
                    runner=component.blueprint.spec.runner,
                    status=status,
                    depends_on=tuple(sorted(component.depends_on)),
                    updated_at=utc_timestamp(),
                    **fields,
                )
            )
