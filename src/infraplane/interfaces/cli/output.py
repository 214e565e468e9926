"""Printing for people (Rich) and for machines (JSON on stdout)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from infraplane.core.text import inert, inert_json
from infraplane.errors import InfraplaneError

__all__ = ["Column", "console", "err_console", "print_error", "print_json", "print_json_line", "print_records"]


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


@dataclass(frozen=True)
class Column:
    """One column of `print_records`; `whole` marks an identifier (name, version, address, URL, id): never cut."""

    name: str
    whole: bool = False
    justify: Literal["left", "right"] = "left"


_PADDING = 2  # Rich's default cell padding on a borderless table: one space either side
_NARROWEST = 8  # a free-text column folded narrower than this reads as a column of letters


def _width(value: str) -> int:
    return max((cell_len(line) for line in value.splitlines()), default=0)


def _fits(columns: Sequence[Column], rows: Sequence[Sequence[str]], width: int) -> bool:
    needed = 0
    for i, column in enumerate(columns):
        widest = max([_width(column.name)] + [_width(row[i]) for row in rows])
        needed += (widest if column.whole else min(widest, _NARROWEST)) + _PADDING
    return needed - _PADDING <= width


def print_records(
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    *,
    title: str = "",
    target: Console | None = None,
) -> None:
    """Plain-text records as a table whose identifiers stay whole, or as blocks when they cannot.

    Identifier columns never wrap and are as wide as their widest value; other columns fold. When
    even the identifiers do not fit the console's width, each record is printed as "column: value"
    lines instead, so every name still reads whole (and can be copied).
    """
    out = target or console
    if title:
        out.print(f"[bold]{escape(title)}[/]", highlight=False)
    if not _fits(columns, rows, out.width):
        for number, row in enumerate(rows):
            if number:
                out.line()
            for i, (column, value) in enumerate(zip(columns, row, strict=True)):
                indent = "" if i == 0 else "  "
                lines = value.splitlines() or [""]
                out.print(f"{indent}{column.name}: {escape(lines[0])}", highlight=False, soft_wrap=True)
                for more in lines[1:]:
                    out.print(f"{indent}  {escape(more)}", highlight=False, soft_wrap=True)
        return
    table = Table(box=None, header_style="bold", pad_edge=False)
    for i, column in enumerate(columns):
        if column.whole:
            widest = max([_width(column.name)] + [_width(row[i]) for row in rows])
            table.add_column(column.name, no_wrap=True, min_width=widest, justify=column.justify)
        else:
            table.add_column(column.name, overflow="fold", justify=column.justify)
    for row in rows:
        table.add_row(*(escape(value) for value in row))
    out.print(table, highlight=False)
