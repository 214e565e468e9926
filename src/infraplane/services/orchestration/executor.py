"""Running a dependency graph with a worker pool: each node starts as soon as what it needs is done.

No level-by-level barriers: a slow node holds back only its own dependents.
When a node fails, its dependents are skipped and independent branches finish.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Set
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["GraphOutcome", "reverse", "run_graph"]

Outcome = Literal["done", "failed", "skipped"]


@dataclass
class GraphOutcome:
    """How every node ended, and the first error of each failed node."""

    outcomes: dict[str, Outcome] = field(default_factory=dict)
    errors: dict[str, BaseException] = field(default_factory=dict)
    skipped_because: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(o == "done" for o in self.outcomes.values())


def reverse(dependencies: Mapping[str, Set[str]]) -> dict[str, set[str]]:
    """The graph with every edge turned round (for destroying: dependents go first)."""
    result: dict[str, set[str]] = {node: set() for node in dependencies}
    for node, needs in dependencies.items():
        for needed in needs:
            result.setdefault(needed, set()).add(node)
    return result


def run_graph(
    dependencies: Mapping[str, Set[str]],
    work: Callable[[str], None],
    concurrency: int,
    on_skip: Callable[[str, str], None] = lambda _n, _b: None,
) -> GraphOutcome:
    """Run `work(node)` for every node after all of its dependencies succeeded."""
    outcome = GraphOutcome()
    waiting = {node: set(needs) for node, needs in dependencies.items()}
    dependents = reverse(dependencies)
    lock = threading.Lock()

    def skip_downstream(failed: str) -> None:
        stack = list(dependents.get(failed, ()))
        while stack:
            node = stack.pop()
            if node in outcome.outcomes:
                continue
            outcome.outcomes[node] = "skipped"
            outcome.skipped_because[node] = failed
            waiting.pop(node, None)
            on_skip(node, failed)
            stack.extend(dependents.get(node, ()))

    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="component") as pool:
        running: dict[Future[None], str] = {}

        def submit_ready() -> None:
            for node in sorted(n for n, needs in waiting.items() if not needs):
                del waiting[node]
                running[pool.submit(work, node)] = node

        with lock:
            submit_ready()
        while running:
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            with lock:
                for future in finished:
                    node = running.pop(future)
                    error = future.exception()
                    if error is None:
                        outcome.outcomes[node] = "done"
                        for dependent in dependents.get(node, ()):
                            if dependent in waiting:
                                waiting[dependent].discard(node)
                    else:
                        outcome.outcomes[node] = "failed"
                        outcome.errors[node] = error
                        skip_downstream(node)
                submit_ready()
    return outcome
