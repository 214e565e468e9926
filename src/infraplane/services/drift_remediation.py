"""Remedying drift with proposals that go through the normal approval rules: revert, accept, and auto-revert.

- `revert` proposes applying the code again (kind `drift-revert`); an open revert of the environment is
  returned instead of a second one (never two at once).
- `accept` proposes the inputs that keep the cloud's values (kind `drift-accept`), naming each input and
  value; when a drifted attribute maps to no input the environment decides, it refuses and says why
  (core/drift_remediation.py).
- `check` is a drift check that, per settings `drift.auto_revert` ({tier: [severities]}), opens a revert
  proposal by itself (actor: system) when it finds drift of those severities; people still approve it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace

from infraplane.core.audit import SYSTEM, Actor
from infraplane.core.drift_remediation import InputChange, accepted_inputs, apply_input_changes
from infraplane.core.ports import ProposalQuery, PublishedInterfaces
from infraplane.core.proposal_lifecycle import OPEN_STATUSES
from infraplane.core.proposals import Proposal
from infraplane.errors import InfraplaneError, InputError, Problem, RefusedError
from infraplane.services.audit import record
from infraplane.services.drift import DriftReport, DriftService
from infraplane.services.orchestration.progress import NullProgress, Progress
from infraplane.services.orchestration.service import EnvironmentService
from infraplane.services.proposals import ProposalService

__all__ = ["DriftNotAcceptedError", "DriftRemediation"]


class DriftNotAcceptedError(RefusedError):
    """A drifted value no input of the environment can take: the blueprint fixes it."""

    code = "drift_not_accepted"


def _agents_say_why(actor: Actor, justification: str) -> None:
    # People get a sentence written for them; an agent must say why it proposes (as for any proposal).
    if actor.kind == "agent" and not justification.strip():
        raise InputError.from_problems(
            [Problem("", "justification", "agents must say why they propose a change (a sentence or two)")]
        )


class DriftRemediation:
    def __init__(
        self,
        drift: DriftService,
        proposals: ProposalService,
        environments: EnvironmentService,
        interfaces: PublishedInterfaces,
        auto_revert: Mapping[str, Collection[str]] | None = None,
    ) -> None:
        self._drift = drift
        self._proposals = proposals
        self._environments = environments
        self._store = environments.store
        self._interfaces = interfaces
        self._auto_revert = {tier: frozenset(levels) for tier, levels in (auto_revert or {}).items()}

    # -- checking ------------------------------------------------------------------------------

    def check(self, environment: str, actor: Actor, progress: Progress) -> DriftReport:
        """A drift check (an audit event), then the automatic revert the settings ask for, if any."""
        return self._after_check(self._drift.check(environment, actor, progress))

    def check_many(self, environments: Sequence[str], actor: Actor, progress: Progress) -> list[DriftReport]:
        """Several environments at once (DriftService.check_many), each followed by its automatic revert."""
        return [self._after_check(r) for r in self._drift.check_many(environments, actor, progress)]

    def _after_check(self, report: DriftReport) -> DriftReport:
        wanted = self._auto_revert.get(report.tier, frozenset())
        severe = [i for i in report.items if i.severity in wanted]
        if report.error or not severe:
            return report
        rules = sorted({i.rule for i in severe if i.rule})
        why = (
            f"opened automatically (drift.auto_revert): a drift check found {len(severe)} "
            f"{'/'.join(sorted({str(i.severity) for i in severe}))} drift item(s)"
            + (f" ({', '.join(rules)})" if rules else "")
        )
        subject = f"environment:{report.environment}"
        try:
            proposal, existing = self.revert(report.environment, SYSTEM, why, NullProgress())
        except InfraplaneError as exc:
            with self._store.transaction() as tx:
                record(tx, SYSTEM, "drift.auto_revert.fail", subject, {"error": exc.message})
            return report
        if proposal is None:
            return report
        if not existing:
            with self._store.transaction() as tx:
                record(tx, SYSTEM, "drift.auto_revert", subject, {"proposal": proposal.id, "rules": rules})
        return replace(report, auto_revert=proposal.id)

    # -- reverting -----------------------------------------------------------------------------

    def open_revert(self, environment: str) -> Proposal | None:
        """The environment's revert proposal still open (waiting, approved or applying), if any."""
        statuses = frozenset(status.value for status in OPEN_STATUSES)
        query = ProposalQuery(environment=environment, statuses=statuses, kind="drift-revert")
        found = self._proposals.find(query, 1)
        return found[0] if found else None

    def revert(
        self, environment: str, actor: Actor, justification: str, progress: Progress, proposal_id: str | None = None
    ) -> tuple[Proposal | None, bool]:
        """Propose applying the code again; (the proposal, whether it was already open). None: nothing to revert."""
        _agents_say_why(actor, justification)
        self._environments.get(environment)  # an unknown name names the known ones
        existing = self.open_revert(environment)
        if existing is not None:
            return existing, True
        reason = justification or f"revert the drift of {environment}: apply its code again"
        return self._proposals.propose_revert(environment, actor, reason, progress, proposal_id), False

    # -- accepting -----------------------------------------------------------------------------

    def accept(
        self,
        environment: str,
        component: str | None,
        actor: Actor,
        justification: str,
        progress: Progress,
        proposal_id: str | None = None,
    ) -> tuple[Proposal | None, list[InputChange]]:
        """Propose the inputs that keep what drifted (kind drift-accept); DriftNotAcceptedError when none can.

        Refreshes the environment's components (or only `component`) first, so the values are the cloud's now.
        """
        _agents_say_why(actor, justification)
        env, _, revisions = self._environments.get(environment)
        self.known_component(environment, component)
        current = next((r for r in revisions if r.number == env.current_revision), None)
        if current is None:
            raise RefusedError(f"{environment} has no applied revision whose inputs could change")
        report = self._drift.items(environment, actor, progress, None if component is None else {component})
        items = [i for i in report.items if i.kind != "not-checkable"]
        scope = f"{environment}'s {component}" if component else environment
        if not items:
            raise RefusedError(f"nothing drifted in {scope}: there is nothing to accept")
        resolution = self._environments.resolve_document(
            current.document["environment"], f"environment {environment}", current.document.get("pins")
        )
        graph = resolution.graph.components
        changes, refused = accepted_inputs(
            items,
            {c.name: c.blueprint for c in graph},
            {
                c.name: self._interfaces(c.digest, c.blueprint.spec.source or ".").attribute_inputs
                for c in graph
                if c.blueprint.spec.runner == "terraform"
            },
            resolution.top.blueprint,
            inline=resolution.environment.spec.blueprint is None,
        )
        if refused:
            more = f" (and {len(refused) - 1} more, below)" if len(refused) > 1 else ""
            raise DriftNotAcceptedError(
                f"the drift of {scope} cannot be accepted: {refused[0]}{more}",
                [Problem("", f"{r.component}", str(r)) for r in refused],
            )
        said = "; ".join(f"{c.field} = {c.value!r} (the cloud's {c.address}.{c.attribute})" for c in changes)
        document = apply_input_changes(current.document["environment"], changes)
        proposal = self._proposals.propose_edit(
            environment,
            document,
            actor,
            justification or f"accept the drift of {scope}: {said}",
            progress,
            kind="drift-accept",
            extra={"drift": {"accepted": [c.as_dict() for c in changes]}},
            proposal_id=proposal_id,
        )
        return proposal, changes

    def known_component(self, environment: str, component: str | None) -> None:
        """InputError naming the components when `component` is not one of the environment's live ones."""
        _, components, _ = self._environments.get(environment)
        names = [c.name for c in components if c.status != "destroyed"]
        if component is not None and component not in names:
            reason = f"{environment} has no component {component!r} (components: {', '.join(names) or 'none'})"
            raise InputError.from_problems([Problem("", "component", reason)])
