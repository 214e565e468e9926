"""The graph executor: dependency order, parallelism without level barriers, failure isolation."""

from __future__ import annotations

import threading
import time

from infraplane.services.orchestration.executor import reverse, run_graph


def test_nodes_start_as_soon_as_their_own_dependencies_finish() -> None:
    # a(slow) -> c ; b(fast) -> d : d must not wait for a.
    started: dict[str, float] = {}
    finished: dict[str, float] = {}
    durations = {"a": 0.6, "b": 0.05, "c": 0.05, "d": 0.05}

    def work(node: str) -> None:
        started[node] = time.monotonic()
        time.sleep(durations[node])
        finished[node] = time.monotonic()

    outcome = run_graph({"a": set(), "b": set(), "c": {"a"}, "d": {"b"}}, work, concurrency=4)
    assert outcome.ok
    assert started["c"] >= finished["a"] and started["d"] >= finished["b"]
    assert started["d"] < finished["a"]


def test_concurrency_limit_is_respected() -> None:
    running = 0
    peak = 0
    lock = threading.Lock()

    def work(_node: str) -> None:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.05)
        with lock:
            running -= 1

    run_graph({str(i): set() for i in range(10)}, work, concurrency=3)
    assert peak == 3


def test_failure_skips_dependents_and_independent_branches_finish() -> None:
    done: list[str] = []

    def work(node: str) -> None:
        if node == "db":
            raise RuntimeError("apply failed")
        done.append(node)

    skipped: list[tuple[str, str]] = []
    graph = {"net": set(), "db": {"net"}, "app": {"db"}, "cfg": {"app"}, "bucket": set()}
    outcome = run_graph(graph, work, concurrency=2, on_skip=lambda n, b: skipped.append((n, b)))
    assert not outcome.ok
    assert sorted(done) == ["bucket", "net"]
    assert outcome.outcomes["db"] == "failed" and str(outcome.errors["db"]) == "apply failed"
    assert outcome.outcomes["app"] == outcome.outcomes["cfg"] == "skipped"
    assert sorted(skipped) == [("app", "db"), ("cfg", "db")]


def test_reverse_turns_edges_round() -> None:
    assert reverse({"a": set(), "b": {"a"}, "c": {"a", "b"}}) == {"a": {"b", "c"}, "b": {"c"}, "c": set()}
