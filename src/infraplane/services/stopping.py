"""Whether this process is stopping on purpose (a server shutting down, its tools interrupted).

A run cut short then ends `interrupted`, as if its process had died, not `failed`: applying it
again plans it again and converges. Process-wide, since it is the process that stops.
"""

from __future__ import annotations

import threading

__all__ = ["begin_stopping", "running_again", "stopping"]

_stopping = threading.Event()


def begin_stopping() -> None:
    """From now on, failures of runs are taken for interruptions (called once, on the way out)."""
    _stopping.set()


def running_again() -> None:
    """A server (re)starting in this process: failures are failures again."""
    _stopping.clear()


def stopping() -> bool:
    return _stopping.is_set()
