"""A proposal's run on its page: events as plain lines, streamed live (`/proposals/{id}/lines`) until the run ends."""

from __future__ import annotations

from infraplane.interfaces.progress_lines import ComponentLines, event_line
from infraplane.interfaces.web.live import event_lines
from tests.interfaces.api.conftest import Api
from tests.interfaces.web.conftest import csrf_of, sign_in


def _read_stream(browser: object, path: str) -> list[tuple[str, str]]:
    events = []
    with browser.stream("GET", path) as response:  # type: ignore[attr-defined]
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        name = ""
        for line in response.iter_lines():
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                events.append((name, line.removeprefix("data: ")))
    return events


def test_an_apply_reads_as_one_line_per_step_with_how_long_it_took() -> None:
    events = [
        {"time": 100.0, "run": "apply", "event": "component", "component": "queue", "status": "applying", "add": 2},
        {
            "time": 101.0,
            "event": "resource",
            "component": "queue",
            "address": "aws_sqs_queue.this",
            "state": "applying",
        },
        {"time": 101.5, "run": "apply", "event": "component", "component": "queue", "note": "a count only"},
        {"time": 112.4, "run": "apply", "event": "component", "component": "queue", "status": "applied"},
        {"time": 113.0, "run": "apply", "event": "message", "message": "a stale lock\x1b[2J was taken over"},
        {"time": 113.1, "run": "apply", "event": "result", "status": "applied", "revision": 3},
    ]
    assert event_lines(events) == [
        "queue: applying (+2 ~? -?)",
        "queue: aws_sqs_queue.this applying",
        "queue: applied after 12s",
        "- a stale lock\\x1b[2J was taken over",
        "applied (revision 3)",
    ]


def test_a_plan_that_ends_without_a_proposal_says_why() -> None:
    components = ComponentLines()
    no_changes = {"event": "result", "run": "plan", "changes": False, "environment": "pay-1", "status": None}
    assert event_line(no_changes, components) == "no changes: pay-1 already is as proposed"
    planned = {"event": "result", "run": "plan", "changes": True, "status": "pending"}
    assert event_line(planned, components) == "planned: the proposal is pending"
    error = {"event": "error", "run": "plan", "error": {"code": "refused", "message": "the sandbox is not running"}}
    assert event_line(error, components) == "error: the sandbox is not running"
    assert event_line({"event": "something-new"}, components) is None


def test_a_run_streams_as_lines_then_ends_and_only_to_its_team(web: Api) -> None:
    web.add_environment("shop-1", "shop")
    web.add_proposal("p-0000000009", "shop-1", "shop")
    requester = sign_in(web, "requester")
    page = requester.get("/catalog/marker")
    data = {"csrf": csrf_of(page.text), "name": "pay-live", "team": "payments", "tier": "dev", "in.value": "x"}
    created = requester.post("/catalog/marker/request", data=data, follow_redirects=False)
    assert created.status_code == 303, created.text
    path = created.headers["location"]
    # No sandbox here: the plan starts, fails at once, and the stream says so, then ends.
    events = _read_stream(requester, f"{path}/lines")
    assert events[-1][0] == "end"
    lines = [data for name, data in events if name == "line"]
    assert lines and "error" in lines[-1] and "sandbox" in lines[-1]
    ended = requester.get(path)
    assert ended.status_code == 200 and "planning-ended" in ended.text and "data-follow" not in ended.text
    # A server that did not run the plan (a team-mode worker did, or it restarted since) says the same, from
    # the audit trail; so does the stream.
    web.client.app.state.runs._channels.clear()  # type: ignore[attr-defined]
    told = requester.get(path)
    assert told.status_code == 200 and "planning-ended" in told.text and "sandbox" in told.text, told.text
    assert [name for name, _ in _read_stream(requester, f"{path}/lines")] == ["line", "end"]
    # Another team's proposal: not found, as the page and the API say; a proposal with no run here just ends.
    assert sign_in(web, "shop-approver").get(f"{path}/lines").status_code == 404
    assert requester.get("/proposals/p-0000000009/lines").status_code == 404
    web.add_environment("pay-1", "payments")
    web.add_proposal("p-0000000010", "pay-1", "payments")
    idle = _read_stream(requester, "/proposals/p-0000000010/lines")
    assert [name for name, _ in idle] == ["line", "end"] and "status: pending" in idle[0][1]


def test_a_running_apply_is_followed_live_and_refreshes_itself_without_javascript(web: Api) -> None:
    web.add_environment("pay-1", "payments")
    web.add_proposal("p-0000000011", "pay-1", "payments")
    runs = web.client.app.state.runs  # type: ignore[attr-defined]
    channel = runs._open("p-0000000011", "apply", "payments")  # an apply under way, as start_apply opens it
    channel.put({"event": "component", "component": "queue", "status": "applying"})
    page = sign_in(web, "approver").get("/proposals/p-0000000011").text
    assert 'data-follow="/proposals/p-0000000011/lines"' in page and '<script src="/static/live.js"' in page
    assert '<noscript><meta http-equiv="refresh"' in page and "<li>queue: applying</li>" in page
    channel.close({"event": "result", "status": "applied", "revision": 1})
    page = sign_in(web, "approver").get("/proposals/p-0000000011").text
    assert "data-follow" not in page and "live.js" not in page and "<li>applied (revision 1)</li>" in page
    script = web.client.get("/static/live.js")
    assert script.status_code == 200 and "EventSource" in script.text and "location.reload" in script.text
