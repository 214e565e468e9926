"""How many threads are inside a piece of code at once, and the most there ever were (for concurrency limits)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["Overlap"]


class Overlap:
    def __init__(self) -> None:
        self._guard = threading.Lock()
        self.inside = 0
        self.most = 0

    @contextmanager
    def entered(self, stay: float = 0.0) -> Iterator[None]:
        """Count the caller in for the block (and `stay` seconds more, for others to arrive meanwhile)."""
        with self._guard:
            self.inside += 1
            self.most = max(self.most, self.inside)
        try:
            yield
            time.sleep(stay)
        finally:
            with self._guard:
                self.inside -= 1
