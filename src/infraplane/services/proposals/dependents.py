"""After a producer's apply: the environments reading its outputs learn of it and get an update proposal.

For every applied environment whose recorded reads of the producer changed (removed, changed
type or value), the system records `environment.upstream.changed` and proposes the consumer
again from its current revision, which reads the producer's new outputs (kind `update`, actor
system, the producer's proposal in its `extra`). When that cannot be proposed (the producer
was destroyed, a new type no longer fits the consumer's input), `environment.upstream.broken`
says why. Nothing here fails the producer's apply: it has happened.
"""

from __future__ import annotations

from collections.abc import Callable

from infraplane.core.audit import SYSTEM
from infraplane.core.proposals import Proposal
from infraplane.core.upstream import Change, compare
from infraplane.errors import InfraplaneError
from infraplane.services.audit import record
from infraplane.services.orchestration.progress import NullProgress
from infraplane.services.orchestration.service import EnvironmentService
from infraplane.services.proposals.creating import ProposalCreator

__all__ = ["DependentUpdates"]


class DependentUpdates:
    def __init__(self, environments: EnvironmentService, creator: ProposalCreator) -> None:
        self._environments = environments
        self._store = environments.store
        self._creator = creator

    def after_apply(self, applied: Proposal) -> list[str]:
        """Tell every environment reading `applied.environment` what changed, and propose its update."""
        producer = applied.environment
        with self._store.read() as tx:
            dependents = tx.environments.dependents(producer)
        if not dependents:
            return []
        view = self._environments.upstream_outputs(producer)
        values = view.values if view is not None and view.applied else None
        changed: dict[str, list[tuple[str, str, Change]]] = {}
        for dependency in dependents:
            change = compare(dependency.read, values)
            if change != "unchanged":
                read = dependency.read
                changed.setdefault(dependency.consumer, []).append((read.output, read.field, change))
        done = []
        for consumer, reads in sorted(changed.items()):
            done.append(self._follow(consumer, applied, reads))
        return done

    def _follow(self, consumer: str, applied: Proposal, reads: list[tuple[str, str, Change]]) -> str:
        producer = applied.environment
        what = "; ".join(f"{output} ({field}): {change}" for output, field, change in reads)
        subject = f"environment:{consumer}"
        payload = {
            "producer": producer,
            "proposal": applied.id,
            "reads": [{"output": o, "field": f, "change": c} for o, f, c in reads],
        }
        with self._store.transaction() as tx:
            record(tx, SYSTEM, "environment.upstream.changed", subject, payload)
        justification = (
            f"upstream changed: {producer}'s proposal {applied.id} ({applied.kind}) was applied and changed what "
            f"{consumer} reads: {what}. This proposes {consumer} again with the new values."
        )
        try:
            proposal = self._propose(consumer, justification, {"upstream": payload})
        except InfraplaneError as exc:
            with self._store.transaction() as tx:
                record(tx, SYSTEM, "environment.upstream.broken", subject, {**payload, "error": exc.message})
            return f"{consumer}: upstream {producer} changed; no update could be proposed: {exc.message}"
        if proposal is None:
            return f"{consumer}: upstream {producer} changed; its plan has no changes"
        return f"{consumer}: upstream {producer} changed; proposed {proposal.id}"

    def _propose(self, consumer: str, justification: str, extra: dict[str, object]) -> Proposal | None:
        env, _, revisions = self._environments.get(consumer)
        current = next((r for r in revisions if r.number == env.current_revision), None)
        if current is None:
            return None
        resolution = self._environments.resolve_document(
            current.document["environment"], f"environment {consumer}", current.document.get("pins")
        )
        return self._creator.propose(resolution, SYSTEM, justification, NullProgress(), kind="update", extra=extra)


# What the applier calls once a proposal is applied (ProposalService wires DependentUpdates.after_apply).
AfterApply = Callable[[Proposal], list[str]]
__all__ += ["AfterApply"]
