"""Printing for people (Rich) and for machines (JSON on stdout)."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from infraplane.core.text import inert, inert_json
from infraplane.errors import InfraplaneError

__all__ = ["console", "err_console", "print_error", "print_json", "print_json_line"]


class InertConsole(Console):
    """A console on which no string can move the cursor, clear the screen or reorder text.

    Every string Rich prints (messages, table cells, panels) passes through `render_str`, so
    text that came from requesters and agents is made inert here once, for every command.
    """

    def render_str(self, text: str, *args: Any, **kwargs: Any) -> Text:
        return super().render_str(inert(text), *args, **kwargs)


console = InertConsole()
err_console = InertConsole(stderr=True)


def print_json(value: Any) -> None:
    """Plain JSON (no wrapping, no colour) so pipes and `jq` get exactly this."""
    sys.stdout.write(inert_json(json.dumps(value, indent=2, sort_keys=False, ensure_ascii=False, default=str)) + "\n")


def print_json_line(value: Any) -> None:
    """One JSON object on one line (the last line of an event stream)."""
    sys.stdout.write(inert_json(json.dumps(value, ensure_ascii=False, default=str)) + "\n")


def print_error(exc: InfraplaneError) -> None:
    err_console.print(f"[bold red]error[/] ({exc.code}): {escape(exc.message)}", highlight=False, soft_wrap=True)
    if len(exc.problems) > 1:
        for problem in exc.problems:
            err_console.print(f"  - {problem}", highlight=False, markup=False, soft_wrap=True)
