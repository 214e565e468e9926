"""The embedded mode's queue: a bounded thread pool in the server's own process (nothing outlives it)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from infraplane.core.ports import QueueStatus
from infraplane.core.tasks import Task

__all__ = ["InProcessQueue"]


class InProcessQueue:
    """Runs each submitted task with `run` on one of `workers` threads."""

    def __init__(self, run: Callable[[Task], None], workers: int) -> None:
        self._run = run
        self._executor = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="infraplane-run")
        self._guard = threading.Lock()
        self._waiting: dict[str, int] = {}
        self._running: dict[str, int] = {}

    def submit(self, task: Task) -> None:
        with self._guard:
            self._waiting[task.key] = self._waiting.get(task.key, 0) + 1

        def work() -> None:
            with self._guard:
                _down(self._waiting, task.key)
                self._running[task.key] = self._running.get(task.key, 0) + 1
            try:
                self._run(task)
            finally:
                with self._guard:
                    _down(self._running, task.key)

        self._executor.submit(work)

    def pending(self, key: str) -> bool:
        with self._guard:
            return key in self._waiting or key in self._running

    def status(self) -> QueueStatus:
        with self._guard:
            return QueueStatus(sum(self._waiting.values()), sum(self._running.values()), 1)

    def close(self, wait: bool = True) -> None:
        self._executor.shutdown(wait=wait, cancel_futures=True)


def _down(counts: dict[str, int], key: str) -> None:
    left = counts.get(key, 0) - 1
    if left > 0:
        counts[key] = left
    else:
        counts.pop(key, None)
