"""The tools an agent calls: seven read, three propose. None approves or applies; people do that.

Each tool's docstring and argument descriptions are what the agent reads. Errors leave a
tool as `ToolFailure` (see failures.py), never as a traceback.

Over HTTP a call acts for the identity of its token (`acting_for`): it proposes only with a role
that may, and sees only its teams' environments and proposals; another team's are "not found",
exactly as unknown ones. Over stdio there is no such identity and everything is visible.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Annotated, Any, Literal

from pydantic import Field

from infraplane.core.audit import Actor
from infraplane.core.blueprint import API_VERSION, Blueprint
from infraplane.core.identity import Action, Identity, authorize
from infraplane.core.proposals import Proposal
from infraplane.core.records import ComponentRecord, EnvironmentRecord, RevisionRecord
from infraplane.core.upstream import UpstreamAccess
from infraplane.core.versions import parse_ref
from infraplane.errors import ForbiddenError, InfraplaneError, InputError, NotFoundError, Problem
from infraplane.interfaces.container import Container
from infraplane.interfaces.mcp.advisor_tools import AdvisorTools
from infraplane.interfaces.mcp.calls import CALLER, EnvironmentName, Justification, Result, tool
from infraplane.interfaces.mcp.failures import ToolFailure, closest_names, error_body, findings_body
from infraplane.interfaces.mcp.rules import rule_book
from infraplane.interfaces.mcp.views import (
    OPEN_STATUSES,
    blueprint_version,
    environment_view,
    proposal_line,
    proposal_view,
    search_hit,
)
from infraplane.interfaces.views import environment_summary, upstream_view
from infraplane.services.orchestration.progress import NullProgress

__all__ = ["AgentTools"]

Change = Literal["update", "upgrade", "destroy", "rollback", "drift-revert"]


class AgentTools(AdvisorTools):
    """What an agent may do, as one identity: read the catalog and environments, and propose changes."""

    def __init__(self, container: Container, agent: Actor) -> None:
        if agent.kind != "agent":
            raise ValueError(f"the MCP server acts as an agent, not as {agent}")
        self._container = container
        self._agent = agent

    @property
    def agent(self) -> Actor:
        """Who the current call acts as: its token's identity over HTTP, the named agent over stdio."""
        caller = CALLER.get()
        return caller.actor if caller is not None else self._agent

    @contextmanager
    def acting_for(self, caller: Identity | None) -> Iterator[None]:
        """Calls made inside act for `caller` (None: the agent this object was made for)."""
        reset = CALLER.set(caller)
        try:
            yield
        finally:
            CALLER.reset(reset)

    def _access(self) -> UpstreamAccess:
        """Whose teams' environments a proposal of this call may read outputs of."""
        caller = CALLER.get()
        return caller.upstream_access if caller is not None else self._container.upstream_access(self._agent.id)

    def _sees(self, team: str) -> bool:
        caller = CALLER.get()
        return caller is None or caller.sees(team)

    def _may(self, action: Action, team: str, unknown: NotFoundError) -> None:
        """Refuse `action` on something of `team` for the caller: `unknown` when the team is not its own."""
        caller = CALLER.get()
        if caller is None:
            return
        decision = authorize(caller, action, team)
        if decision.hidden:
            raise unknown
        if not decision.allowed:
            raise ForbiddenError(decision.reason)

    # -- reading -------------------------------------------------------------------------------

    @tool
    def search_catalog(
        self,
        query: Annotated[str, Field(description="What you need, in a few words, e.g. 'postgres database'.")],
        limit: Annotated[int, Field(ge=1, le=50, description="At most this many results.")] = 10,
    ) -> Result:
        """Search the catalog of approved blueprints; best match first.

        Environments can only be built from these blueprints: find one here, then read its
        inputs with get_blueprint before requesting an environment. Read-only.
        """
        if not query.strip():
            raise InputError.from_problems([Problem("", "query", "say what you need, e.g. 'postgres database'")])
        catalog = self._container.catalog
        hits = catalog.search(query, limit)
        result: Result = {"query": query, "results": [search_hit(hit) for hit in hits]}
        if not hits:
            names = ", ".join(v.name for v in catalog.latest())
            result["note"] = f"nothing matched; the catalog has: {names}" if names else "the catalog is empty"
        return result

    @tool
    def get_blueprint(
        self,
        name: Annotated[str, Field(description="The blueprint's name, as search_catalog gives it.")],
        version: Annotated[
            str | None,
            Field(description="An exact version (1.0.0) or a constraint (^1.0); default: the newest."),
        ] = None,
    ) -> Result:
        """One blueprint version: its inputs (JSON Schema with types, defaults, allowed values, patterns),
        which inputs are required, its outputs, description, every published version and its compliance
        classification. Read this before request_environment; pass only inputs it declares. Read-only.
        """
        return blueprint_version(self._container.catalog, name, version)

    @tool
    def list_environments(self) -> Result:
        """Every environment: name, team, tier, status, blueprint, revision, live components and how many
        proposals are still open for it. An environment only proposed so far shows with status `proposed`.
        Read-only."""
        open_ones = self._open_proposals()
        listed = [
            {**environment_summary(env, components), "open_proposals": len(open_ones.pop(env.name, []))}
            for env, components in self._container.environments.environments()
            if self._sees(env.team)
        ]
        proposed = [
            {"name": name, "status": "proposed", "open_proposals": len(found)} for name, found in open_ones.items()
        ]
        return {"environments": listed + proposed}

    @tool
    def get_environment(self, name: EnvironmentName) -> Result:
        """One environment: status, tier, team, current revision, its components with their outputs
        (sensitive ones masked), its revisions and the proposals still open for it, and `upstream`: which
        other environments' outputs it reads (`${environments.<name>.outputs.<output>}`; `upstream_changed`
        when one changed since it was applied) and who reads its own. An environment that is only
        proposed so far has status `proposed` and its open proposals. Read-only."""
        open_ones = [
            proposal_line(p, self._container.proposals.missing(p)) for p in self._open_proposals(name).get(name, [])
        ]
        try:
            env, components, revisions = self._environment(name)
        except NotFoundError:
            if not open_ones:
                raise
            return {
                "name": name,
                "status": "proposed",
                "note": "not created yet: it exists once a person approves and applies a proposal for it",
                "open_proposals": open_ones,
            }
        upstream = upstream_view(
            self._container.environments.upstream(name), self._container.proposals.proposals(name), self._sees
        )
        return {**environment_view(env, components, revisions, open_ones), "upstream": upstream}

    @tool
    def get_proposal(
        self, proposal_id: Annotated[str, Field(description="The proposal's id, e.g. p-ce35672b83.")]
    ) -> Result:
        """A proposal: its status, the plan's diff per resource, guardrail findings, monthly cost before/after,
        blast radius, the approval decision, the approvals given, what it still needs (`missing`) and what
        happens next. Read-only."""
        proposals = self._container.proposals
        wanted = proposal_id.strip()
        try:
            proposal = proposals.get(wanted)
        except NotFoundError:
            if CALLER.get() is None:
                raise
            raise _no_proposal(wanted) from None  # the store's message names other teams' proposals
        self._may(Action.READ, proposal.team, _no_proposal(wanted))
        return proposal_view(proposal, proposals.missing(proposal), proposals.summary(proposal))

    @tool
    def explain_finding(
        self, rule: Annotated[str, Field(description="A finding's or decision's rule id, e.g. NET-002 or APR-003.")]
    ) -> Result:
        """What a guardrail or approval rule checks, why it exists and how to fix what it found.

        Use it on the `rule` of a finding or of a proposal's decision. Read-only."""
        return rule_book(self._container.policies.active()).explain(rule)

    # -- proposing -----------------------------------------------------------------------------

    @tool
    def request_environment(
        self,
        name: EnvironmentName,
        blueprint: Annotated[
            str, Field(description="A catalog blueprint: name, or name@constraint such as service-stack@^1.0.")
        ],
        tier: Annotated[str, Field(description="The tier: dev, staging, prod, ...")],
        justification: Justification,
        inputs: Annotated[
            dict[str, Any] | None,
            Field(description="The blueprint's inputs (see get_blueprint); omitted ones take their defaults."),
        ] = None,
        team: Annotated[
            str | None,
            Field(description="The owning team, e.g. payments. Required for a new environment."),
        ] = None,
    ) -> Result:
        """PROPOSE a new environment (or a change to an existing one of that name) from a catalog blueprint.

        This only proposes: infraplane validates the inputs, plans every component with the real IaC
        tool, runs the guardrails, estimates the cost and decides who must approve. Nothing is created
        until a human approves and applies the proposal; you cannot approve or apply it. Returns the
        proposal: status (pending until people approve), the plan's diff, findings, cost, the decision
        and `missing` (the approvals it waits for). Never put secrets in inputs.
        """
        if team is None or not team.strip():
            team = self._team_of(name)
        self._may_request(name, team)
        document = {
            "apiVersion": API_VERSION,
            "kind": "Environment",
            "metadata": {"name": name, "team": team, "tier": tier},
            "spec": {"blueprint": blueprint, "inputs": dict(inputs or {})},
        }
        proposals = self._container.proposals
        proposal = proposals.propose_document(document, self.agent, justification, NullProgress(), self._access())
        return self._proposed(proposal, name)

    @tool
    def propose_change(
        self,
        environment: EnvironmentName,
        change: Annotated[
            Change,
            Field(
                description="update: change some inputs; upgrade: the newest blueprint versions the environment's "
                "constraint allows; destroy: remove every component; rollback: an earlier revision; drift-revert: "
                "apply the environment's code again, undoing what changed in the cloud behind its back (an open "
                "revert of the environment is returned instead of a second one)."
            ),
        ],
        justification: Justification,
        inputs: Annotated[
            dict[str, Any] | None,
            Field(description="For update only: the inputs to change and their new values (others are kept)."),
        ] = None,
        to_revision: Annotated[
            int | None, Field(ge=1, description="For rollback only: the revision to go back to (get_environment).")
        ] = None,
    ) -> Result:
        """PROPOSE a change to an existing environment: update inputs, upgrade, destroy, roll back or revert drift.

        This only proposes: it plans and checks the change and routes it to approvers. Nothing changes
        until a human approves and applies it; you cannot approve or apply it, and destroying always
        waits for people. Returns the proposal (see request_environment), or "no changes" when the
        environment already matches.
        """
        problems = []
        if change == "update" and not inputs:
            problems.append(Problem("", "inputs", "give the inputs to change and their new values"))
        if inputs and change != "update":
            problems.append(Problem("", "inputs", f"only used by change=update, not {change}"))
        if change == "rollback" and to_revision is None:
            problems.append(Problem("", "to_revision", "give the revision to go back to (see get_environment)"))
        if to_revision is not None and change != "rollback":
            problems.append(Problem("", "to_revision", f"only used by change=rollback, not {change}"))
        if problems:
            raise InputError.from_problems(problems)
        env, _, _ = self._environment(environment)
        self._may(Action.PROPOSE, env.team, self._no_environment(environment))
        proposals, agent, progress = self._container.proposals, self.agent, NullProgress()
        if change == "update":
            proposal = proposals.propose_update(
                environment, inputs or {}, agent, justification, progress, self._access()
            )
        elif change == "upgrade":
            proposal = proposals.propose_upgrade(environment, agent, justification, progress)
        elif change == "destroy":
            proposal = proposals.propose_destroy(environment, agent, justification)
        elif change == "drift-revert":
            proposal, _ = self._container.drift_remediation.revert(environment, agent, justification, progress)
        else:
            assert to_revision is not None
            proposal = proposals.propose_rollback(environment, to_revision, agent, justification, progress)
        return self._proposed(proposal, environment)

    # -- helpers -------------------------------------------------------------------------------

    def _open_proposals(self, environment: str | None = None) -> dict[str, list[Proposal]]:
        """Proposals still waiting for something, by environment."""
        found: dict[str, list[Proposal]] = {}
        for proposal in self._container.proposals.proposals(environment):
            if proposal.status in OPEN_STATUSES and self._sees(proposal.team):
                found.setdefault(proposal.environment, []).append(proposal)
        return found

    def _environment(self, name: str) -> tuple[EnvironmentRecord, list[ComponentRecord], list[RevisionRecord]]:
        """An environment the caller may read; another team's is "not found", as an unknown one."""
        try:
            found = self._container.environments.get(name)
        except NotFoundError:
            if CALLER.get() is None:
                raise
            raise self._no_environment(name) from None  # the store's message names every environment
        self._may(Action.READ, found[0].team, self._no_environment(name))
        return found

    def _no_environment(self, name: str) -> NotFoundError:
        visible = sorted(env.name for env, _ in self._container.environments.environments() if self._sees(env.team))
        return NotFoundError(f"no environment named {name!r} (environments: {', '.join(visible) or 'none'})")

    def _may_request(self, name: str, team: str) -> None:
        """Whether the caller may propose `name` for `team`: its own team, a role that proposes, a free name."""
        caller = CALLER.get()
        if caller is None:
            return
        decision = authorize(caller, Action.PROPOSE, team)
        if not decision.allowed:
            raise ForbiddenError(decision.reason, [Problem("", "team", decision.reason)])
        try:
            existing, _, _ = self._container.environments.get(name)
        except NotFoundError:
            return
        if not caller.sees(existing.team):
            raise InputError.from_problems([Problem("", "name", f"{name!r} is taken: choose another name")])

    def _team_of(self, name: str) -> str:
        try:
            env, _, _ = self._environment(name)
        except NotFoundError:
            raise InputError.from_problems(
                [Problem("", "team", "required for a new environment: the owning team, e.g. payments")]
            ) from None
        return env.team

    def _proposed(self, proposal: Proposal | None, environment: str) -> Result:
        if proposal is None:
            return {
                "changes": False,
                "environment": environment,
                "message": f"no changes: {environment} already matches this; nothing was proposed",
            }
        missing = self._container.proposals.missing(proposal)
        if proposal.status == "blocked":
            raise ToolFailure(
                {
                    "error": "policy_denied",
                    "message": f"{proposal.id} is blocked: the guardrails deny the plan of {environment}",
                    "proposal": proposal_line(proposal, missing),
                    "findings": findings_body(proposal.findings),
                    "next": "change what the deny findings' remediation says (explain_finding(rule) tells more) "
                    "and propose again",
                }
            )
        return proposal_view(proposal, missing, self._container.proposals.summary(proposal))

    def explain_error(self, exc: InfraplaneError, arguments: Mapping[str, Any]) -> Result:
        """The error with what the agent needs to fix it: the input's schema, the closest blueprint names."""
        fields = {p.field for p in exc.problems}
        blueprint = self._blueprint_for(arguments) if any(f.startswith("spec.inputs") for f in fields) else None
        closest: list[str] = []
        wanted = arguments.get("blueprint") or arguments.get("name")
        if fields & {"blueprint", "spec.blueprint"} and isinstance(wanted, str):
            closest = self._closest(wanted)
        return error_body(exc, blueprint, closest, {} if "blueprint" in arguments else {"blueprint": "name"})

    def _closest(self, wanted: str) -> list[str]:
        catalog = self._container.catalog
        name = wanted.partition("@")[0].strip()
        names = sorted({v.name for v in catalog.latest()})
        ranked = [hit.blueprint.name for hit in catalog.search(name.replace("-", " "), 3)]
        return closest_names(name, names, ranked)

    def _blueprint_for(self, arguments: Mapping[str, Any]) -> Blueprint | None:
        """The blueprint whose inputs the arguments give (requested, or the environment's current one)."""
        catalog = self._container.catalog
        try:
            if isinstance(arguments.get("blueprint"), str):
                return catalog.resolve(arguments["blueprint"]).blueprint
            if isinstance(arguments.get("environment"), str):
                env, _, revisions = self._container.environments.get(arguments["environment"])
                current = next((r for r in revisions if r.number == env.current_revision), None)
                ref = str(current.document.get("blueprint")) if current else ""
                return catalog.get(ref).blueprint if ref else catalog.resolve(parse_ref(env.blueprint).name).blueprint
        except (InfraplaneError, ValueError):
            return None
        return None


def _no_proposal(proposal_id: str) -> NotFoundError:
    return NotFoundError(f"no proposal {proposal_id!r}", [Problem("", "proposal", f"no proposal {proposal_id!r}")])
