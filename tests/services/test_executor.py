"""The graph executor: dependency order, parallelism without level barriers, failure isolation."""

from __future__ import annotations

import threading

from infraplane.services.orchestration.executor import reverse, run_graph
from tests.support.overlap import Overlap


def test_nodes_start_as_soon_as_their_own_dependencies_finish() -> None:
    # a(slow) -> c ; b(fast) -> d : d must not wait for a. `a` finishes only once `d` has run.
    d_ran = threading.Event()
    order: list[str] = []

    def work(node: str) -> None:
        if node == "a":
            assert d_ran.wait(10), "d waited for a"
        order.append(node)
        if node == "d":
            d_ran.set()

    outcome = run_graph({"a": set(), "b": set(), "c": {"a"}, "d": {"b"}}, work, concurrency=4)
    assert outcome.ok
    assert order.index("b") < order.index("d") < order.index("a") < order.index("c")


def test_concurrency_limit_is_respected() -> None:
    overlap = Overlap()

    def work(_node: str) -> None:
        with overlap.entered(stay=0.05):
            pass

    run_graph({str(i): set() for i in range(10)}, work, concurrency=3)
    assert overlap.most == 3


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
