"""Proposals: create (from an environment document or plain words), list, show, approve, reject, apply, events.

Planning and applying run in the background (background.py): those requests answer 202 with the
proposal id, and `GET /api/v1/proposals/{id}/events` streams the run's progress until it ends.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse

from infraplane.core.ask import AskResolution
from infraplane.core.identity import Action, Identity
from infraplane.core.ports import ProposalQuery
from infraplane.core.proposals import Proposal
from infraplane.errors import ForbiddenError, InputError, NotFoundError, Problem
from infraplane.interfaces.api.background import RunChannel, RunPool, ended_event
from infraplane.interfaces.api.deps import ContainerDep, IdentityDep, not_proposed, require, visible_proposal
from infraplane.interfaces.api.errors import error_response
from infraplane.interfaces.api.pagination import after_cursor, cursor_for
from infraplane.interfaces.api.schemas import (
    ERRORS,
    ApproveBody,
    ProposalOut,
    ProposalPage,
    ProposalRequest,
    RejectBody,
    RunAccepted,
)
from infraplane.interfaces.container import Container
from infraplane.interfaces.views import proposal_summary
from infraplane.services.ask.service import ClarificationNeeded
from infraplane.services.audit import record

__all__ = ["channel_events", "ended_channel", "proposal_view", "propose_document", "resolve_ask", "router"]

router = APIRouter(prefix="/api/v1/proposals", tags=["proposals"], responses=ERRORS)

_POLL_SECONDS = 0.1
_KEEPALIVE_SECONDS = 15.0


def _runs(request: Request) -> RunPool:
    runs: RunPool = request.app.state.runs
    return runs


def proposal_view(container: Container, proposal: Proposal) -> dict[str, Any]:
    """The JSON `infraplane proposal show --json` prints: the plain-words summary, the proposal, what it needs."""
    proposals = container.proposals
    return {"plain_summary": proposals.summary(proposal), **proposal.as_dict(), "missing": proposals.missing(proposal)}


def propose_document(
    container: Container, runs: RunPool, identity: Identity, document: dict[str, Any], justification: str
) -> str:
    """Check an environment document and the caller's teams, then plan it in the background; the proposal's id.

    The API and the web page's request form both come through here, so both refuse the same things.
    """
    resolution = container.environments.resolve_document(document, "environment", access=identity.upstream_access)
    meta = resolution.environment.metadata
    with container.store.transaction() as tx:
        existing = tx.environments.get(meta.name)
    if existing is not None and not identity.sees(existing.team):
        raise NotFoundError(f"no environment {meta.name!r}", [Problem("", "environment", "unknown or not yours")])
    for team in {meta.team, *([existing.team] if existing else [])}:
        if not identity.sees(team):
            with container.store.transaction() as tx:
                reason = f"{identity.name} does not act for team {team}"
                record(
                    tx,
                    identity.actor,
                    "api.refused",
                    f"environment:{meta.name}",
                    {"action": "propose", "reason": reason},
                )
            raise ForbiddenError(reason, [Problem("", "environment.metadata.team", "not one of your teams")])
    proposal_id = runs.start_plan(resolution, identity.actor, justification, document)
    return proposal_id


def resolve_ask(
    container: Container, identity: Identity, words: str, team: str | None = None, tier: str | None = None
) -> AskResolution:
    """Plain words resolved for the caller (raises ClarificationNeeded with the question and its options).

    A token acting for one team names the team the words do not; the API and the web page's ask box
    both come through here, then propose through `propose_document`.
    """
    only = next(iter(identity.teams)) if len(identity.teams) == 1 else None
    return container.ask.resolve(words, team=team or only, tier=tier, requester=identity.name)


def _accepted(proposal_id: str, run: str, status: str) -> RunAccepted:
    return RunAccepted(id=proposal_id, run=run, status=status, events=f"/api/v1/proposals/{proposal_id}/events")


@router.get("", response_model=ProposalPage)
def list_proposals(
    container: ContainerDep,
    identity: IdentityDep,
    environment: Annotated[str | None, Query(max_length=100)] = None,
    status: Annotated[str | None, Query(max_length=40, description="pending, approved, applied, ...")] = None,
    kind: Annotated[str | None, Query(max_length=40, description="create, update, upgrade, destroy, ...")] = None,
    team: Annotated[str | None, Query(max_length=64)] = None,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    """Proposals of the caller's teams, oldest first, a page at a time (`next_cursor` fetches the next)."""
    require(container, identity, Action.READ)
    teams = None if identity.all_teams else frozenset(identity.teams)
    if team is not None:
        teams = frozenset({team}) & teams if teams is not None else frozenset({team})
    query = ProposalQuery(environment, frozenset({status}) if status else None, kind, teams, after=after_cursor(cursor))
    found = container.proposals.find(query, limit + 1)
    chosen = found[:limit]
    next_cursor = cursor_for(chosen[-1].created_at, chosen[-1].id) if len(found) > limit else None
    return {"items": [proposal_summary(p) for p in chosen], "next_cursor": next_cursor}


@router.post("", response_model=RunAccepted, status_code=202)
def create_proposal(
    body: ProposalRequest, request: Request, container: ContainerDep, identity: IdentityDep
) -> RunAccepted | JSONResponse:
    """Propose an environment (a document, or plain words `ask` resolves); it is planned in the background.

    The answer comes at once with the proposal's id; follow `events` until the plan ends, then read
    the proposal (diff, findings, cost, blast radius, decision).
    """
    require(container, identity, Action.PROPOSE)
    if (body.environment is None) == (body.ask is None):
        raise InputError.from_problems([Problem("", "environment", "give either `environment` or `ask`, not both")])
    if identity.agent and not body.justification.strip():
        raise InputError.from_problems(
            [Problem("", "justification", "agents must say why they propose a change (a sentence or two)")]
        )
    if body.ask is not None:
        try:
            asked = resolve_ask(container, identity, body.ask, body.team, body.tier)
        except ClarificationNeeded as exc:
            # Not a failure: the question back, with the options to choose from (as `ask --json` prints it).
            return error_response(422, exc.code, exc.message, "ask", clarification=exc.clarification.as_dict())
        document = asked.environment_document()
    else:
        assert body.environment is not None
        document = body.environment
    proposal_id = propose_document(container, _runs(request), identity, document, body.justification)
    return _accepted(proposal_id, "plan", "planning")


@router.get("/{proposal_id}", response_model=ProposalOut)
def show_proposal(proposal_id: str, request: Request, container: ContainerDep, identity: IdentityDep) -> dict[str, Any]:
    """What a reviewer needs: diff, findings, cost, blast radius, warnings, decision, approvals, what is missing."""
    require(container, identity, Action.READ)
    try:
        proposal = visible_proposal(container, identity, proposal_id)
    except NotFoundError:
        runs = _runs(request)
        channel = runs.channel(proposal_id)
        local = channel is not None and channel.run == "plan" and not channel.done and identity.sees(channel.team)
        if local or (channel is None and runs.running(proposal_id)):
            raise NotFoundError(
                f"{proposal_id} is still being planned; follow /api/v1/proposals/{proposal_id}/events",
                [Problem("", "proposal", "still being planned")],
            ) from None
        ended = not_proposed(runs, identity, proposal_id)
        if ended is not None:
            raise NotFoundError(f"{proposal_id}: {ended.reason}", [Problem("", "proposal", ended.reason)]) from None
        raise
    return proposal_view(container, proposal)


@router.post("/{proposal_id}/approve", response_model=ProposalOut)
def approve_proposal(
    proposal_id: str, request: Request, container: ContainerDep, identity: IdentityDep, body: ApproveBody | None = None
) -> dict[str, Any]:
    """Approve the proposal's current plan as the caller; with `apply`, start the apply once it is approved.

    Separation of duties holds: a proposer cannot approve their own proposal, a person counts once.
    """
    body = body or ApproveBody()
    proposal = visible_proposal(container, identity, proposal_id)
    subject = f"proposal:{proposal.id}"
    require(container, identity, Action.APPROVE, proposal.team, subject)
    if body.apply:
        require(container, identity, Action.APPLY, proposal.team, subject)
    approved = container.proposals.approve(proposal.id, identity.actor, body.comment)
    view = proposal_view(container, approved)
    if body.apply and approved.status == "approved":
        _runs(request).start_apply(approved, identity.actor)
        view["run"] = _accepted(approved.id, "apply", "applying").model_dump()
    return view


@router.post("/{proposal_id}/reject", response_model=ProposalOut)
def reject_proposal(
    proposal_id: str, body: RejectBody, container: ContainerDep, identity: IdentityDep
) -> dict[str, Any]:
    """Reject the proposal (the reason is kept in the audit trail); it can no longer be approved or applied."""
    proposal = visible_proposal(container, identity, proposal_id)
    require(container, identity, Action.REJECT, proposal.team, f"proposal:{proposal.id}")
    return proposal_view(container, container.proposals.reject(proposal.id, identity.actor, body.reason))


@router.post("/{proposal_id}/apply", response_model=RunAccepted, status_code=202)
def apply_proposal(proposal_id: str, request: Request, container: ContainerDep, identity: IdentityDep) -> RunAccepted:
    """Apply exactly the approved plans, in the background; 409 when it is not approved or is being applied."""
    proposal = visible_proposal(container, identity, proposal_id)
    require(container, identity, Action.APPLY, proposal.team, f"proposal:{proposal.id}")
    _runs(request).start_apply(proposal, identity.actor)
    return _accepted(proposal.id, "apply", "applying")


def ended_channel(container: Container, runs: RunPool, identity: Identity, proposal_id: str) -> RunChannel:
    """A closed channel for a run that is not under way here: the proposal's status, or why there is none."""
    try:
        proposal = visible_proposal(container, identity, proposal_id)
    except NotFoundError:
        ended = not_proposed(runs, identity, proposal_id)
        if ended is None:
            raise
        channel = RunChannel(proposal_id, "plan", ended.team)
        channel.close(ended_event(ended))
        return channel
    channel = RunChannel(proposal.id, "none", proposal.team)
    channel.close({"event": "status", "status": proposal.status.value})
    return channel


def _sse(event: dict[str, Any]) -> str:
    return f"event: {event['event']}\ndata: {json.dumps(event, default=str, ensure_ascii=False)}\n\n"


async def channel_events(request: Request, channel: RunChannel) -> AsyncIterator[dict[str, Any] | None]:
    """Each event of the run as it comes, until the run ends or the client leaves; None after a quiet while.

    The None is the caller's cue for a keep-alive, so proxies do not close a quiet stream. The API's
    event stream and the web page's line stream both follow a run through here.
    """
    index = 0
    quiet = 0.0
    while True:
        events, done = channel.read(index, 0)
        for event in events:
            yield event
        index += len(events)
        if done and not events:
            return
        if events:
            quiet = 0.0
            continue
        if await request.is_disconnected():
            return
        await asyncio.sleep(_POLL_SECONDS)
        quiet += _POLL_SECONDS
        if quiet >= _KEEPALIVE_SECONDS:
            quiet = 0.0
            yield None


async def _follow(request: Request, channel: RunChannel) -> AsyncIterator[str]:
    async for event in channel_events(request, channel):
        yield ": keep-alive\n\n" if event is None else _sse(event)


@router.get(
    "/{proposal_id}/events",
    response_class=StreamingResponse,
    responses={200: {"description": "Server-sent events, one JSON object each", "content": {"text/event-stream": {}}}},
)
async def proposal_events(
    proposal_id: str, request: Request, container: ContainerDep, identity: IdentityDep
) -> StreamingResponse:
    """The progress of the proposal's plan or apply as server-sent events, ending when the run ends.

    Each event's data is one JSON object: `component`, `resource` and `message` while it runs, then
    `result` (or `error`). With no run in progress, one `status` event and the stream ends.
    """
    require(container, identity, Action.READ)
    runs = _runs(request)
    channel = runs.channel(proposal_id)
    if channel is None or not identity.sees(channel.team):
        channel = ended_channel(container, runs, identity, proposal_id)
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(_follow(request, channel), media_type="text/event-stream", headers=headers)
