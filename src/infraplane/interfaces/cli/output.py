"""Printing for people (Rich) and for machines (JSON on stdout)."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console
from rich.markup import escape

from infraplane.errors import InfraplaneError

__all__ = ["console", "err_console", "print_error", "print_json", "print_json_line"]

console = Console()
err_console = Console(stderr=True)


def print_json(value: Any) -> None:
    """Plain JSON (no wrapping, no colour) so pipes and `jq` get exactly this."""
    sys.stdout.write(json.dumps(value, indent=2, sort_keys=False, ensure_ascii=False, default=str) + "\n")


def print_json_line(value: Any) -> None:
    """One JSON object on one line (the last line of an event stream)."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False, default=str) + "\n")


def print_error(exc: InfraplaneError) -> None:
    err_console.print(f"[bold red]error[/] ({exc.code}): {escape(exc.message)}", highlight=False, soft_wrap=True)
    if len(exc.problems) > 1:
        for problem in exc.problems:
            err_console.print(f"  - {problem}", highlight=False, markup=False, soft_wrap=True)
