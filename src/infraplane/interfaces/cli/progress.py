"""Orchestration progress: a live Rich table at a terminal, plain lines in a log, JSON lines for machines.

`progress_for` picks one: `--json` gives JSON lines, `--quiet` nothing, a terminal the live
table, and anything else (a log file, CI, a pipe) one plain line per event, flushed at once.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import IO, Any

from rich.console import Console
from rich.live import Live
from rich.markup import escape
from rich.table import Table

from infraplane.core.runs import RunEvent
from infraplane.core.text import inert
from infraplane.interfaces.progress_lines import ComponentLines, count_text, plain_line
from infraplane.services.orchestration.progress import NullProgress, Progress

__all__ = ["JsonProgress", "LiveProgress", "PlainProgress", "plain_line", "progress_for"]

_STYLES = {
    "applied": "green",
    "unchanged": "dim",
    "planned": "cyan",
    "failed": "bold red",
    "skipped": "yellow",
    "destroyed": "green",
    "waits": "magenta",
}


class LiveProgress:
    """A table that redraws as components move: component, state, elapsed, +add ~change -destroy."""

    def __init__(self, console: Console, title: str) -> None:
        self._console = console
        self._title = title
        self._rows: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._live = Live(
            self._render(), console=console, refresh_per_second=4, transient=False, auto_refresh=console.is_terminal
        )

    def __enter__(self) -> LiveProgress:
        self._live.__enter__()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self._live.update(self._render(final=True))
        self._live.__exit__(kind, value, tb)
        if not self._console.is_terminal:
            self._console.line()

    def _render(self, final: bool = False) -> Table:
        table = Table(title=self._title, box=None, header_style="bold", title_justify="left", pad_edge=False)
        for column in ("component", "state", "elapsed", "+add", "~change", "-destroy", "note"):
            table.add_column(column, no_wrap=column != "note", justify="right" if column[0] in "+~-" else "left")
        now = time.monotonic()
        with self._lock:
            rows = list(self._rows.items())
        for name, row in rows:
            status = row.get("status", "pending")
            started, ended = row.get("started"), row.get("ended")
            elapsed = "" if started is None else f"{(ended or now) - started:.0f}s"
            style = _STYLES.get(status, "")
            table.add_row(
                name,
                f"[{style}]{status}[/]" if style else status,
                elapsed,
                count_text(row.get("add")) if "add" in row else "",
                count_text(row.get("change")) if "change" in row else "",
                count_text(row.get("destroy")) if "destroy" in row else "",
                escape(str(row.get("note", "")))[:160],
            )
        return table

    def component(self, name: str, **fields: Any) -> None:
        with self._lock:
            row = self._rows.setdefault(name, {})
            if "started" in fields and row.get("started") is not None:
                fields.pop("started")
            row.update(fields)
            if fields.get("status") in {"applied", "failed", "unchanged", "destroyed", "planned", "skipped"}:
                row["ended"] = time.monotonic()
            elif "status" in fields:
                row.pop("ended", None)
        self._live.update(self._render())

    def message(self, text: str) -> None:
        self._console.print(f"[yellow]•[/] {escape(text)}", highlight=False)

    def event(self, event: RunEvent) -> None:
        return None


class JsonProgress:
    """One JSON object per line on stdout: `{"event": "component" | "message" | "resource", ...}`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def _emit(self, payload: dict[str, Any]) -> None:
        with self._lock:
            sys.stdout.write(json.dumps({"time": round(time.time(), 3), **payload}, default=str) + "\n")
            sys.stdout.flush()

    def component(self, name: str, **fields: Any) -> None:
        fields.pop("started", None)
        self._emit({"event": "component", "component": name, **fields})

    def message(self, text: str) -> None:
        self._emit({"event": "message", "message": text})

    def event(self, event: RunEvent) -> None:
        if event.action == "retry":
            self._emit({"event": "retry", "component": event.component, "message": event.message})
        elif event.kind == "resource":
            self._emit(
                {
                    "event": "resource",
                    "component": event.component,
                    "address": event.address,
                    "state": event.message,
                    "action": event.action,
                }
            )


class PlainProgress:
    """One plain line per component event and message, flushed as it happens (logs, CI, pipes)."""

    def __init__(self, title: str, stream: IO[str] | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = stream
        self._clock = clock
        self._lock = threading.RLock()
        self._lines = ComponentLines()
        self._write(f"{title}")

    def _write(self, line: str) -> None:
        stream = self._stream or sys.stdout
        with self._lock:
            stream.write(line + "\n")
            stream.flush()

    def __enter__(self) -> PlainProgress:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        return None

    def component(self, name: str, **fields: Any) -> None:
        with self._lock:
            line = self._lines.line(name, fields, self._clock())
            if line is not None:
                self._write(line)

    def message(self, text: str) -> None:
        self._write(inert(f"- {text}"))

    def event(self, event: RunEvent) -> None:
        if event.action == "retry":  # a transient failure taken again: worth a line in any log
            self._write(inert(f"{event.component}: {event.message}"))


class _Quiet(NullProgress):
    def __enter__(self) -> _Quiet:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        return None


@contextmanager
def progress_for(console: Console, title: str, *, json_out: bool = False, quiet: bool = False) -> Iterator[Progress]:
    """The progress this command's output wants (see the module docstring)."""
    if json_out:
        yield JsonProgress()
    elif quiet:
        yield _Quiet()
    elif console.is_terminal:
        with LiveProgress(console, title) as live:
            yield live
    else:
        yield PlainProgress(title)
