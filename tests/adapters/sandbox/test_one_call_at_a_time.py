"""The sandbox serves cloud calls one at a time (moto's backends have no locks), but never its health check."""

from __future__ import annotations

import threading

from infraplane.adapters.sandbox.control import HEALTH_PATH
from infraplane.adapters.sandbox.server import one_request_at_a_time
from tests.support.overlap import Overlap


def test_calls_are_served_one_at_a_time_except_sqs_long_polls() -> None:
    """moto's backends have no locks; a call failing halfway is retried by the SDK into "already exists"."""
    overlap = Overlap()

    def app(environ: dict[str, object], start_response: object) -> list[bytes]:
        with overlap.entered(stay=0.02):
            return [b"<ok/>"]

    served = one_request_at_a_time(app)

    def call(target: str) -> None:
        assert served({"HTTP_X_AMZ_TARGET": target}, lambda *_: None) == [b"<ok/>"]

    calls = [threading.Thread(target=call, args=("AmazonSSM.PutParameter",)) for _ in range(8)]
    for thread in calls:
        thread.start()
    for thread in calls:
        thread.join()
    assert overlap.most == 1

    polls = [threading.Thread(target=call, args=("AmazonSQS.ReceiveMessage",)) for _ in range(4)]
    for thread in polls:
        thread.start()
    for thread in polls:
        thread.join()
    assert overlap.most > 1  # long polls do not hold the others up


def test_the_health_check_is_answered_while_a_cloud_call_holds_the_lock() -> None:
    """A busy sandbox is a running one: `sandbox_status` asks a path no cloud call can hold up."""
    entered, release = threading.Event(), threading.Event()

    def app(environ: dict[str, object], start_response: object) -> list[bytes]:
        entered.set()
        release.wait(10)
        return [b"<ok/>"]

    served = one_request_at_a_time(app)
    slow = threading.Thread(target=served, args=({"PATH_INFO": "/", "HTTP_X_AMZ_TARGET": "AmazonSSM.X"}, print))
    slow.start()
    try:
        assert entered.wait(10)
        statuses: list[str] = []
        assert served({"PATH_INFO": HEALTH_PATH}, lambda status, headers: statuses.append(status)) == [b"ok"]
        assert statuses == ["200 OK"]
    finally:
        release.set()
        slow.join()
