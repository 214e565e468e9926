"""A proposal's plan or apply, live on its page: the run's events as plain lines, streamed to the browser.

The page shows the lines so far; `static/live.js` follows `/proposals/{id}/lines` (server-sent events,
signed in by the session cookie: every line of the run from its start, then `end`), shows each line as
it comes, and reloads the page when the run ends, so the final status, result and revision show
without anyone reloading. Without JavaScript the page refreshes itself every few seconds instead.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from infraplane.core.identity import Action
from infraplane.interfaces.api.background import RunChannel, RunPool
from infraplane.interfaces.api.deps import require
from infraplane.interfaces.api.routes_proposals import channel_events, ended_channel
from infraplane.interfaces.progress_lines import ComponentLines, event_line
from infraplane.interfaces.web.app import PageIdentity, PageRoute

__all__ = ["event_lines", "router"]

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def event_lines(events: Sequence[dict[str, Any]]) -> list[str]:
    """A run's events (as its channel holds them) as the plain lines a page shows (a Jinja filter too)."""
    components = ComponentLines()
    return [line for event in events if (line := event_line(event, components)) is not None]


def _sse(name: str, data: dict[str, Any]) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def _follow(request: Request, channel: RunChannel) -> AsyncIterator[str]:
    """A `line` event for each of the run's events (from its first), then one `end` event; a comment now and then."""
    components = ComponentLines()
    async for event in channel_events(request, channel):
        if event is None:
            yield ": keep-alive\n\n"
        elif (line := event_line(event, components)) is not None:
            yield _sse("line", {"line": line})
    yield _sse("end", {"run": channel.run})


@router.get("/proposals/{proposal_id}/lines")
def proposal_lines(request: Request, identity: PageIdentity, proposal_id: str) -> Response:
    """The proposal's run as server-sent events (`line`, then `end`); only an `end` when this server runs nothing."""
    container = request.app.state.container
    require(container, identity, Action.READ)
    runs: RunPool = request.app.state.runs
    channel = runs.channel(proposal_id)
    if channel is None or not identity.sees(channel.team):
        channel = ended_channel(container, runs, identity, proposal_id)  # 404 for another team's, as everywhere
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(_follow(request, channel), media_type="text/event-stream", headers=headers)
