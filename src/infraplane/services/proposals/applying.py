"""Applying: exactly the saved plans the approvals were given for, or a re-plan when the environment moved.

If an environment's revision or a component's state moved since the plans were
made, apply refuses, plans again and sends the proposal back to decision (the
new plan digest leaves the old approvals behind). So it does when a component that
was previewed (it waited on outputs) departs, planned with the real outputs, from
what was reviewed: that component is not touched, and the proposal is planned again
from where the apply stopped.
"""

from __future__ import annotations

from dataclasses import replace

from infraplane.core.audit import SYSTEM, Actor, utc_timestamp
from infraplane.core.clock import Clock, parse_time
from infraplane.core.ports import EnvironmentHistory
from infraplane.core.preview import Reviewed
from infraplane.core.proposal_lifecycle import ProposalStatus, TransitionName, initial_status, leaving
from infraplane.core.proposals import Proposal
from infraplane.errors import FailureError, ForbiddenError, InfraplaneError, RefusedError
from infraplane.services.audit import record
from infraplane.services.locks import this_process
from infraplane.services.orchestration.applying import CutShortError, PreviewDepartedError
from infraplane.services.orchestration.plans import EnvironmentPlan
from infraplane.services.orchestration.progress import Progress
from infraplane.services.orchestration.service import EnvironmentService
from infraplane.services.proposals.deciding import ProposalDecider
from infraplane.services.proposals.dependents import AfterApply
from infraplane.services.proposals.drafting import ProposalDrafter
from infraplane.services.proposals.history import commit_message, repository_document
from infraplane.services.proposals.reading import ProposalReader
from infraplane.services.proposals.recording import record_decision, record_transition
from infraplane.services.proposals.review import plan_documents
from infraplane.services.stopping import stopping

__all__ = ["ProposalApplier", "StalePlanError"]


class StalePlanError(RefusedError):
    """The environment moved since the proposal was planned; it was planned again and needs a new decision."""

    code = "stale_plan"


class ProposalApplier:
    def __init__(
        self,
        environments: EnvironmentService,
        reader: ProposalReader,
        decider: ProposalDecider,
        drafter: ProposalDrafter,
        history: EnvironmentHistory,
        clock: Clock,
        after_apply: AfterApply | None = None,
    ) -> None:
        self._after_apply = after_apply
        self._environments = environments
        self._store = environments.store
        self._reader = reader
        self._decider = decider
        self._drafter = drafter
        self._history = history
        self._clock = clock

    def _now(self) -> str:
        return utc_timestamp(self._clock())

    def apply(self, proposal_id: str, actor: Actor, progress: Progress, resume: bool = False) -> Proposal:
        """Apply exactly the approved plans; refuse and re-plan when the environment moved since.

        `resume` (a task run again after its worker died): a proposal still `applying` is carried on
        from where the dead run stopped, once its leases ran out; one already finished is returned.
        """
        if actor.kind == "agent":
            raise ForbiddenError(f"{actor}: agents cannot apply; a person applies an approved proposal")
        with self._store.transaction() as tx:
            proposal = self._reader.open(tx, proposal_id)
        if resume and proposal.status == ProposalStatus.APPLYING:
            return self._resume(proposal, actor, progress)
        if resume and proposal.status in (ProposalStatus.APPLIED, ProposalStatus.FAILED):
            return proposal  # its task ran to the end before (the worker died before the queue heard of it)
        if actor.kind == "system" and proposal.decision.outcome != "auto-approved":
            raise RefusedError(f"{proposal.id} needed approvals; the system only applies auto-approved proposals")
        state = self._decider.approval_state(proposal)
        needs = state.describe() if proposal.status == ProposalStatus.PENDING else []
        detail = f": still needs {'; '.join(needs)}" if needs else ""
        interrupted = proposal.status == ProposalStatus.INTERRUPTED
        if not interrupted:
            message = f"{proposal.id} is {proposal.status}{detail}"
            leaving(TransitionName.APPLY_START, proposal.status, proposal.id, message)
        if not state.met:
            raise RefusedError(f"{proposal.id} cannot be applied: still needs {'; '.join(state.describe())}")
        # What an interrupted apply changed is only known after a new plan: it is planned and decided again.
        moved = ["an earlier apply of it was interrupted"] if interrupted else []
        moved += self._moved(proposal)
        if moved:
            finished = self._replan(proposal, moved, actor, progress)
            if finished is not None:
                return finished
        with self._store.transaction() as tx:
            approved = self._reader.open(tx, proposal_id)
            leaving(
                TransitionName.APPLY_START,
                approved.status,
                approved.id,
                f"{approved.id} is {approved.status}; another apply may have started",
            )
            proposal = approved.transition(TransitionName.APPLY_START, ProposalStatus.APPLYING, "", self._now())
            tx.proposals.save(proposal)
            record_transition(
                tx,
                actor,
                "proposal.apply.start",
                TransitionName.APPLY_START,
                approved,
                proposal,
                # Who applies it: a server starting later marks it interrupted if this process died.
                # `queued`: a task runs it, so a dead run is resumed by the queue, not marked interrupted.
                {"plan_digest": proposal.plan_digest, "queued": resume, **this_process()},
            )
        return self._run(proposal, actor, progress)

    def _resume(self, proposal: Proposal, actor: Actor, progress: Progress) -> Proposal:
        """Carry on a dead run's apply: once its leases ran out, every component it had not started is
        applied, and one it had started is settled by a new plan (never applied twice)."""
        self._environments.wait_for_environment(proposal.environment, actor, progress)
        with self._store.transaction() as tx:
            current = self._reader.open(tx, proposal.id)
            if current.status != ProposalStatus.APPLYING:
                return current  # the run we waited for was alive after all, and finished it
            record(
                tx,
                actor,
                "proposal.apply.resume",
                f"proposal:{proposal.id}",
                {"plan_digest": current.plan_digest, **this_process()},
            )
        progress.message(f"{proposal.id}: resuming the apply a stopped run left")
        return self._run(current, actor, progress, patient=True)

    def _run(self, proposal: Proposal, actor: Actor, progress: Progress, patient: bool = False) -> Proposal:
        """Apply an `applying` proposal's plans and record how it ended."""
        try:
            revision = self._execute(proposal, actor, progress, patient)
        except CutShortError as cut:
            # What the dead run's apply changed is only known from a new plan: planned again, as an
            # interrupted apply is (finished when everything had landed, else decided again).
            interrupted = self._interrupted(proposal, cut.message, stopped=False)
            finished = self._replan(interrupted, [cut.message], actor, progress)
            assert finished is not None  # _replan raises unless it finished the proposal
            return finished
        except PreviewDepartedError as departed:
            try:
                self._replan(proposal, [departed.summary()], actor, progress, TransitionName.DEPART)
            except StalePlanError:
                raise
            except InfraplaneError as exc:
                self._fail(proposal, actor, f"{departed.summary()}; planning again failed: {exc.message}")
                raise
            raise AssertionError("unreachable: a departure's re-plan always raises") from departed
        except InfraplaneError as exc:
            if stopping():
                self._interrupted(proposal, exc.message)
                raise
            # Any refusal once applying started (a sandbox gone, a failure) ends it: never left `applying`.
            self._fail(proposal, actor, exc.message)
            raise
        with self._store.transaction() as tx:
            done = proposal.transition(TransitionName.APPLY_FINISH, ProposalStatus.APPLIED, "", self._now())
            done = replace(done, applied_revision=revision)
            tx.proposals.save(done)
            record_transition(
                tx, actor, "proposal.apply.finish", TransitionName.APPLY_FINISH, proposal, done, {"revision": revision}
            )
        self._commit(done, actor)
        self._applied(done)
        return done

    def abandon(self, proposal_id: str, reason: str) -> Proposal:
        """End a proposal left `applying` by a run that cannot go on (it failed unexpectedly, again and again)."""
        with self._store.transaction() as tx:
            proposal = self._reader.open(tx, proposal_id)
        if proposal.status != ProposalStatus.APPLYING:
            return proposal
        self._fail(proposal, SYSTEM, reason)
        with self._store.transaction() as tx:
            return self._reader.open(tx, proposal_id)

    def _fail(self, proposal: Proposal, actor: Actor, error: str) -> None:
        with self._store.transaction() as tx:
            failed = proposal.transition(TransitionName.APPLY_FAIL, ProposalStatus.FAILED, error, self._now())
            tx.proposals.save(failed)
            record_transition(
                tx, actor, "proposal.apply.fail", TransitionName.APPLY_FAIL, proposal, failed, {"error": error}
            )

    def _interrupted(self, proposal: Proposal, error: str, stopped: bool = True) -> Proposal:
        """Its apply was cut short (this process stopping, or a dead run's): interrupted, so applying it again
        plans it again and converges."""
        with self._store.transaction() as tx:
            why = "the server stopped while it applied" if stopped else "a run applying it stopped"
            reason = f"interrupted: {why} ({error})"
            moved = proposal.transition(TransitionName.INTERRUPT, ProposalStatus.INTERRUPTED, reason, self._now())
            tx.proposals.save(moved)
            record_transition(
                tx, SYSTEM, "proposal.interrupt", TransitionName.INTERRUPT, proposal, moved, {"error": error}
            )
        return moved

    def _moved(self, proposal: Proposal) -> list[str]:
        """Why the saved plans no longer fit the environment (empty when they still do)."""
        reasons = []
        with self._store.transaction() as tx:
            env = tx.environments.get(proposal.environment)
            current = env.current_revision if env else 0
            if current != proposal.base_revision:
                reasons.append(
                    f"revision {current} was applied since this was planned on revision {proposal.base_revision}"
                )
            for change in proposal.components:
                if change.status not in ("planned", "destroy"):
                    continue
                latest = tx.environments.latest_state(proposal.environment, change.name)
                now = (latest.serial, latest.lineage) if latest else None
                then = (change.state_serial, change.state_lineage) if change.state_serial is not None else None
                if now != then:
                    was, is_ = (then[0] if then else "none"), (now[0] if now else "none")
                    reasons.append(f"{change.name}'s state moved (serial {was} -> {is_})")
        return reasons + self._upstream_moved(proposal)

    def _upstream_moved(self, proposal: Proposal) -> list[str]:
        """Other environments' outputs the proposal read that changed since it was planned (core/upstream.py)."""
        planned = list(proposal.document.get("upstream") or [])
        if not planned or proposal.kind == "destroy":
            return []
        try:
            resolution = self._environments.resolve_document(
                proposal.document["environment"], f"proposal {proposal.id}", proposal.document.get("pins")
            )
        except InfraplaneError as exc:
            return [f"an environment it reads can no longer be read ({exc.message})"]
        now = {r.field: r for r in resolution.upstream}
        changed = sorted(
            f"{read['environment']}.{read['output']}"
            for read in planned
            if read["field"] not in now or now[read["field"]].digest != read["digest"]
        )
        return [f"outputs it reads changed since it was planned ({', '.join(changed)})"] if changed else []

    def _replan(
        self,
        proposal: Proposal,
        moved: list[str],
        actor: Actor,
        progress: Progress,
        via: TransitionName | None = None,
    ) -> Proposal | None:
        """Plan again and send the proposal back to decision (raises StalePlanError).

        Only an interrupted apply whose changes had all landed returns: it is recorded as applied.
        `via` is the transition back to decision when it is not a re-plan before applying (a departure
        from a preview, found while applying).
        """
        created = parse_time(proposal.created_at)
        if proposal.kind == "destroy":
            fresh = self._drafter.destroy(
                proposal.environment, proposal.actor, proposal.justification, created, proposal.id
            )
            saved: dict[str, bytes] = {}
            documents: dict[str, bytes] = {}
        else:
            resolution = self._environments.resolve_document(
                proposal.document["environment"], f"proposal {proposal.id}", proposal.document.get("pins")
            )
            revert = proposal.kind == "drift-revert"  # a revert plans every component again, as when proposed
            plan = self._environments.plan(resolution, proposal.actor, progress, revert=revert)
            if not plan.has_changes() and proposal.status == ProposalStatus.INTERRUPTED:
                return self._finish_interrupted(proposal, plan, moved, actor, progress)
            if not plan.has_changes():
                with self._store.transaction() as tx:
                    current = self._reader.open(tx, proposal.id)
                    done = current.transition(
                        TransitionName.SUPERSEDE,
                        ProposalStatus.REJECTED,
                        "superseded: the environment already matches it",
                        self._now(),
                    )
                    tx.proposals.save(done)
                    record_transition(
                        tx, SYSTEM, "proposal.supersede", TransitionName.SUPERSEDE, current, done, {"because": moved}
                    )
                raise StalePlanError(
                    f"{proposal.id}: the plan is stale ({'; '.join(moved)}), and the environment already matches "
                    "what it proposed; nothing is left to apply"
                )
            fresh, saved = self._drafter.from_plan(
                plan, proposal.actor, proposal.justification, proposal.kind, proposal.rollback_to, created, proposal.id
            )
            documents = plan_documents(plan)
        with self._store.transaction() as tx:
            current = self._reader.open(tx, proposal.id)
            target = initial_status(fresh.decision.outcome)
            name = via or (TransitionName.BLOCK if target == ProposalStatus.BLOCKED else TransitionName.REPLAN)
            fresh = replace(
                fresh,
                status=current.status,
                approvals=current.approvals,
                expires_at=current.expires_at,
                extra=current.extra,
            )
            fresh = fresh.transition(name, target, "re-planned: " + "; ".join(moved), self._now())
            tx.proposals.save(fresh)
            tx.proposals.put_plans(fresh.id, saved)
            tx.proposals.put_plan_documents(fresh.id, documents)
            record_transition(
                tx,
                SYSTEM,
                "proposal.replan",
                name,
                current,
                fresh,
                {"because": moved, "plan_digest": fresh.plan_digest, "previous_digest": proposal.plan_digest},
            )
            record_decision(tx, fresh)
        needs = self._decider.approval_state(fresh).describe()
        state = f"{fresh.status}" + (f", needs {'; '.join(needs)}" if needs and fresh.status == "pending" else "")
        why = (
            f"{'; '.join(moved)}; nothing of it was changed"
            if via == TransitionName.DEPART
            else f"the plan is stale ({'; '.join(moved)})"
        )
        raise StalePlanError(
            f"{proposal.id}: {why}; it was planned again and goes back to "
            f"decision (now {state}); review it with `infraplane proposal show {proposal.id}`"
        )

    def _finish_interrupted(
        self, proposal: Proposal, plan: EnvironmentPlan, moved: list[str], actor: Actor, progress: Progress
    ) -> Proposal:
        """An interrupted apply that had made every change: record the revision it reached; the proposal is applied."""
        result = self._environments.apply(plan, actor, progress, {})
        with self._store.transaction() as tx:
            current = self._reader.open(tx, proposal.id)
            reason = "the interrupted apply had made every change; planned again, nothing was left to do"
            done = current.transition(TransitionName.APPLY_FINISH, ProposalStatus.APPLIED, reason, self._now())
            done = replace(done, applied_revision=result.revision)
            tx.proposals.save(done)
            payload = {"revision": result.revision, "because": moved}
            record_transition(tx, actor, "proposal.apply.finish", TransitionName.APPLY_FINISH, current, done, payload)
        self._commit(done, actor)
        self._applied(done)
        return done

    def _applied(self, proposal: Proposal) -> None:
        """The environments reading this one's outputs learn of the change (services/proposals/dependents.py)."""
        if self._after_apply is not None:
            self._after_apply(proposal)

    def _execute(self, proposal: Proposal, actor: Actor, progress: Progress, patient: bool = False) -> int | None:
        if proposal.kind == "destroy":
            # Destroying what is gone changes nothing: a resumed destroy runs again without harm.
            self._environments.destroy(proposal.environment, actor, progress, patient)
            return None
        resolution = self._environments.resolve_document(
            proposal.document["environment"], f"proposal {proposal.id}", proposal.document.get("pins")
        )
        plan = self._environments.restore_plan(resolution, proposal.components)
        with self._store.transaction() as tx:
            kept = tx.proposals.plans(proposal.id)
        saved = {c.name: kept.get(c.name) for c in proposal.components if c.status == "planned"}
        reviewed = {
            c.name: Reviewed.of(c.name, proposal.diff, proposal.findings, c.monthly_cost)
            for c in proposal.components
            if c.previewed
        }
        result = self._environments.apply(
            plan, actor, progress, saved, reviewed=reviewed, claim=(proposal.id, proposal.plan_digest), patient=patient
        )
        return result.revision

    def _commit(self, proposal: Proposal, actor: Actor) -> None:
        """Commit the applied desired state to the environments repository (a failure is recorded, not fatal)."""
        document = None if proposal.kind == "destroy" else repository_document(proposal)
        try:
            commit = self._history.commit(
                proposal.environment, document, commit_message(proposal, actor), proposal.actor.id
            )
        except FailureError as exc:
            with self._store.transaction() as tx:
                record(tx, SYSTEM, "environments_repository.fail", f"proposal:{proposal.id}", {"error": exc.message})
            return
        with self._store.transaction() as tx:
            record(tx, SYSTEM, "environments_repository.commit", f"proposal:{proposal.id}", {"commit": commit})
