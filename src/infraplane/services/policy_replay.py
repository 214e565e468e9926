"""Policy replay: a bundle version judged on every environment before it is published, and publishing after it.

What is judged (`core.replay` compares the findings): each environment's request (its current revision),
each Terraform component's newest state, and the plans stored with the environment's newest open or
applied proposal. The report is stored and audited (`policy.replay`) with the candidate's digest;
publishing replays first and asks for a yes when the candidate would newly deny a running environment.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from infraplane.core.audit import Actor, utc_timestamp
from infraplane.core.blueprint import Blueprint
from infraplane.core.clock import Clock, system_clock
from infraplane.core.graph import fill_defaults
from infraplane.core.plan import DocumentFormatError, normalize_plan
from infraplane.core.policy import Finding, plan_input, request_input
from infraplane.core.policy_bundles import LoadedBundle
from infraplane.core.ports import PolicyEngine, ProposalQuery, Store, Transaction
from infraplane.core.proposal_lifecycle import ProposalStatus
from infraplane.core.records import EnvironmentRecord, PolicyReplayRecord
from infraplane.core.replay import ReplayDocument, ReplayReport, Source, changed_packages, compare
from infraplane.core.state import state_plan
from infraplane.core.versions import parse_ref
from infraplane.errors import ConfirmationRequiredError, NotFoundError
from infraplane.services.audit import record
from infraplane.services.policy import BundlePublishResult, PolicyService

__all__ = ["PolicyReplayService", "Replayed"]

# A plan stored with one of these is what runs (applied) or what is still to come (open).
_OPEN = frozenset({ProposalStatus.PENDING.value, ProposalStatus.APPROVED.value})
_PLAN_STATUSES = frozenset({ProposalStatus.PENDING, ProposalStatus.APPROVED, ProposalStatus.APPLIED})
_SEALED = "$secret"
_MASK = "(sensitive)"


@dataclass(frozen=True)
class Replayed:
    """A stored replay: its id and report."""

    id: str
    report: ReplayReport

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, **self.report.as_dict()}


def _masked(value: Any) -> Any:
    """A sealed sensitive input shows as `(sensitive)`: replay never opens a secret."""
    if isinstance(value, Mapping):
        if set(value) == {_SEALED}:
            return _MASK
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


def _actor(created_by: str) -> dict[str, str]:
    kind, _, name = created_by.partition(":")
    return (
        {"kind": kind, "id": name} if name and kind in ("human", "agent", "system") else {"kind": "human", "id": kind}
    )


class PolicyReplayService:
    def __init__(self, store: Store, policies: PolicyService, clock: Clock = system_clock) -> None:
        self._store = store
        self._policies = policies
        self._clock = clock

    # -- what is judged --------------------------------------------------------------------------

    def documents(self) -> tuple[list[ReplayDocument], list[str], list[tuple[str, str]]]:
        """Every document a replay judges, the environments they come from, and what was skipped and why."""
        with self._store.read() as tx:
            return self._documents(tx)

    def _documents(self, tx: Transaction) -> tuple[list[ReplayDocument], list[str], list[tuple[str, str]]]:
        documents: list[ReplayDocument] = []
        environments: list[str] = []
        skipped: list[tuple[str, str]] = []
        records = {e.name: e for e in tx.environments.all() if e.status != "destroyed"}
        # An environment not applied yet exists only as its open proposals: their plans are judged too.
        for proposal in tx.proposals.find(ProposalQuery(statuses=_OPEN)):
            if proposal.environment not in records:
                records[proposal.environment] = EnvironmentRecord(
                    proposal.environment, proposal.team, proposal.tier, proposal.team, "", "", None, "new"
                )
        for env in sorted(records.values(), key=lambda e: e.name):
            environments.append(env.name)
            documents += self._request(tx, env, skipped)
            documents += self._states(tx, env, skipped)
            documents += self._plans(tx, env, skipped)
        return documents, environments, skipped

    @staticmethod
    def _context(env: EnvironmentRecord) -> dict[str, str]:
        return {"name": env.name, "team": env.team, "tier": env.tier, "owner": env.owner}

    def _request(
        self, tx: Transaction, env: EnvironmentRecord, skipped: list[tuple[str, str]]
    ) -> Iterator[ReplayDocument]:
        """The request that made the current revision: environment, blueprint, inputs (secrets masked), who."""
        revision = next((r for r in tx.environments.revisions(env.name) if r.number == env.current_revision), None)
        if revision is None:
            return
        spec = revision.document.get("environment", {}).get("spec", {})
        inputs = dict(spec.get("inputs") or {})
        top = str(revision.document.get("blueprint") or env.blueprint)
        try:
            ref = parse_ref(top)
        except ValueError:
            skipped.append((env.name, f"request: blueprint {top!r} is not name@version"))
            return
        found = tx.catalog.get(ref.name, ref.constraint or "") if ref.constraint else None
        blueprint: Mapping[str, Any]
        if found is not None:
            top_blueprint: Blueprint = found.blueprint
            inputs = fill_defaults(top_blueprint, inputs)
            blueprint = {
                "name": top_blueprint.name,
                "version": top_blueprint.version,
                "runner": top_blueprint.spec.runner,
                "labels": list(top_blueprint.metadata.labels),
                "compliance": dict(top_blueprint.spec.compliance),
            }
        else:  # inline components: an unpublished composite named after the environment
            blueprint = {"name": ref.name, "version": ref.constraint or "", "runner": "composite", "labels": []}
            blueprint = {**blueprint, "compliance": {}}
        document = request_input(self._context(env), blueprint, _masked(inputs), _actor(revision.created_by), {})
        yield ReplayDocument(
            env.name, env.team, env.tier, "", ref.name, "request", Source("request", revision=revision.number), document
        )

    def _states(
        self, tx: Transaction, env: EnvironmentRecord, skipped: list[tuple[str, str]]
    ) -> Iterator[ReplayDocument]:
        """Each Terraform component's newest state, as the plan policies judge a plan (every resource updated)."""
        for component in tx.environments.components(env.name):
            if component.status == "destroyed" or component.runner != "terraform":
                continue
            latest = tx.environments.latest_state(env.name, component.name)
            if latest is None:
                continue
            try:
                state = latest.state
            except DocumentFormatError as exc:
                skipped.append((env.name, f"{component.name}: its state does not parse ({exc})"))
                continue
            name, _, version = component.blueprint.partition("@")
            document = plan_input(
                state_plan(state, ("update",)),
                self._context(env),
                {"name": component.name, "blueprint": name, "version": version},
                {},
            )
            yield ReplayDocument(env.name, env.team, env.tier, component.name, name, "plan", Source("state"), document)

    def _plans(
        self, tx: Transaction, env: EnvironmentRecord, skipped: list[tuple[str, str]]
    ) -> Iterator[ReplayDocument]:
        """The plans stored with the environment's newest proposal that is open or applied."""
        for proposal in reversed(tx.proposals.all(env.name)):
            if proposal.status not in _PLAN_STATUSES:
                continue
            stored = tx.proposals.plan_documents(proposal.id)
            if not stored:
                continue
            blueprints = {c.name: c.blueprint for c in proposal.components}
            source = Source("plan", proposal.id, proposal.status.value)
            for component, content in sorted(stored.items()):
                try:
                    plan = normalize_plan(json.loads(content))
                except (ValueError, DocumentFormatError) as exc:
                    skipped.append((env.name, f"{component}: the plan of {proposal.id} does not parse ({exc})"))
                    continue
                name, _, version = blueprints.get(component, "").partition("@")
                document = plan_input(
                    plan, self._context(env), {"name": component, "blueprint": name, "version": version}, {}
                )
                yield ReplayDocument(env.name, env.team, env.tier, component, name, "plan", source, document)
            return

    # -- judging ---------------------------------------------------------------------------------

    @staticmethod
    def _findings(
        engine: PolicyEngine,
        bundle: LoadedBundle | None,
        document: ReplayDocument,
        evaluated: Mapping[str, Any],
        packages: tuple[str, ...] | None,
    ) -> list[Finding]:
        """`bundle`'s findings on `evaluated` (the document with the installation's params) when its scope covers it."""
        if bundle is None or not bundle.manifest.scope.applies(
            document.hook, document.tier, document.team, document.blueprint
        ):
            return []
        found = engine.evaluate_bundle(bundle, document.hook, evaluated, packages)
        return [replace(f, component=document.component) for f in found]

    def judge(self, candidate: LoadedBundle) -> ReplayReport:
        """The report of `candidate` against the active version of its name, over every environment; nothing stored."""
        active = self._policies.active_named(candidate.manifest.name)
        if active is not None and active.digest == candidate.digest:
            active_bundle: LoadedBundle | None = candidate
        else:
            active_bundle = active
        engine = self._policies.engine([b for b in (active_bundle, candidate) if b is not None])
        packages = changed_packages(active_bundle, candidate)
        documents, environments, skipped = self.documents()
        judged = []
        if packages != ():
            installed = self._policies.params()
            for document in documents:
                # One object for both versions, so the engine converts it for rego-cpp once.
                merged = {**document.document, "params": installed | dict(document.document.get("params") or {})}
                before = self._findings(engine, active_bundle, document, merged, packages)
                after = self._findings(engine, candidate, document, merged, packages)
                judged.append((document, before, after))
        evaluated = packages if packages is not None else tuple(candidate.policy_packages())
        return ReplayReport(
            candidate.ref,
            active_bundle.ref if active_bundle is not None else None,
            tuple(environments),
            len(documents),
            compare(judged),
            tuple(skipped),
            evaluated,
        )

    def replay(self, directory: Path, actor: Actor) -> Replayed:
        """Judge the bundle in `directory`, store the report and audit it (`policy.replay`, with the digest)."""
        candidate = self._policies.load(directory)
        return self._store_report(self.judge(candidate), actor)

    def _store_report(self, report: ReplayReport, actor: Actor) -> Replayed:
        replay_id = f"r-{uuid.uuid4().hex[:10]}"
        bundle = report.bundle
        with self._store.transaction() as tx:
            tx.policies.add_replay(
                PolicyReplayRecord(
                    replay_id,
                    bundle.name,
                    bundle.version,
                    bundle.digest,
                    utc_timestamp(self._clock()),
                    str(actor),
                    report.as_dict(),
                )
            )
            record(
                tx,
                actor,
                "policy.replay",
                f"policy-bundle:{bundle.name}@{bundle.version}",
                {
                    "replay": replay_id,
                    "digest": bundle.digest,
                    "replaces": report.replaces.as_dict() if report.replaces else None,
                    "environments": len(report.environments),
                    "documents": report.documents,
                    "counts": report.counts(),
                    "denied_environments": list(report.denied_environments),
                },
            )
        return Replayed(replay_id, report)

    def get(self, replay_id: str) -> Replayed:
        with self._store.read() as tx:
            found = tx.policies.get_replay(replay_id)
        if found is None:
            raise NotFoundError(f"no policy replay {replay_id!r}")
        return Replayed(found.id, ReplayReport.from_dict(found.report))

    # -- publishing after a replay ---------------------------------------------------------------

    def publish(
        self, directory: Path, actor: Actor, confirmed: bool, replayed: Replayed | None = None
    ) -> tuple[BundlePublishResult, Replayed]:
        """Replay the bundle, then publish it. The publish event names the replay.

        ConfirmationRequiredError (nothing published; its detail is the report) when the bundle would newly
        deny running environments and `confirmed` is not given. `replayed`, a replay just shown to the
        person, is used when it judged this very content (same digest); otherwise the bundle is replayed again.
        """
        if replayed is None or replayed.report.bundle.digest != self._policies.load(directory).digest:
            replayed = self.replay(directory, actor)
        denied = replayed.report.denied_environments
        if denied and not confirmed:
            bundle = replayed.report.bundle
            raise ConfirmationRequiredError(
                f"{bundle.name}@{bundle.version} would newly deny {len(denied)} running environment(s): "
                f"{', '.join(denied)} (replay {replayed.id}); nothing was published",
                replayed.as_dict(),
            )
        result = self._policies.publish(
            directory,
            actor,
            {"replay": replayed.id, "denied_environments": list(denied), "confirmed": bool(denied and confirmed)},
        )
        return result, replayed
