"""Orchestration progress for people (a live Rich table) and for machines (JSON lines)."""

from __future__ import annotations

import json
import sys
import threading
import time
from types import TracebackType
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.markup import escape
from rich.table import Table

from infraplane.core.runs import RunEvent

__all__ = ["JsonProgress", "LiveProgress"]

_STYLES = {
    "applied": "green",
    "unchanged": "dim",
    "planned": "cyan",
    "failed": "bold red",
    "skipped": "yellow",
    "destroyed": "green",
    "waits": "magenta",
}


def _count(value: Any) -> str:
    return "?" if value is None else str(value)


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
                _count(row.get("add")) if "add" in row else "",
                _count(row.get("change")) if "change" in row else "",
                _count(row.get("destroy")) if "destroy" in row else "",
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
        if event.kind == "resource":
            self._emit(
                {
                    "event": "resource",
                    "component": event.component,
                    "address": event.address,
                    "state": event.message,
                    "action": event.action,
                }
            )
