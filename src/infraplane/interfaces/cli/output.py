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


def _width(value: str) -> int:
    return max((cell_len(line) for line in value.splitlines()), default=0)


def _longest_word(value: str) -> int:
    return max((cell_len(word) for word in value.split()), default=0)


def _column_widths(columns: Sequence[Column], rows: Sequence[Sequence[str]]) -> list[int]:
    """The narrowest each column may be: whole columns their widest line, others their longest word."""
    widths = []
    for i, column in enumerate(columns):
        values = [column.name] + [row[i] for row in rows]
        measure = _width if column.whole else _longest_word
        widths.append(max(measure(value) for value in values))
    return widths


def print_records(
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    *,
    title: str = "",
    target: Console | None = None,
) -> None:
    """Plain-text records as a table whose identifiers stay whole, or as blocks when they cannot.

    Identifier columns never wrap and are as wide as their widest value; other columns wrap between
    words and are never narrower than their longest word, so no word is cut either. When even that
    does not fit the console's width, each record is printed as "column: value" lines instead, so
    every name still reads whole (and can be copied).
    """
    out = target or console
    if title:
        out.print(f"[bold]{escape(title)}[/]", highlight=False)
    narrowest = _column_widths(columns, rows)
    if sum(narrowest) + _PADDING * (len(columns) - 1) > out.width:
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
    widths = _spread(columns, rows, narrowest, out.width - _PADDING * (len(columns) - 1))
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column, width in zip(columns, widths, strict=True):
        # Every width is set here, so Rich never shrinks a column below what keeps its words whole.
        table.add_column(column.name, width=width, no_wrap=column.whole, overflow="fold", justify=column.justify)
    for row in rows:
        table.add_row(*(escape(value) for value in row))
    out.print(table, highlight=False)


def _spread(columns: Sequence[Column], rows: Sequence[Sequence[str]], narrowest: list[int], room: int) -> list[int]:
    """Give the room left after every column's narrowest to the free-text columns, up to their widest line."""
    widths = list(narrowest)
    widest = [max(_width(value) for value in [c.name] + [row[i] for row in rows]) for i, c in enumerate(columns)]
    spare = room - sum(widths)
    while spare > 0:
        wanting = [i for i, c in enumerate(columns) if not c.whole and widths[i] < widest[i]]
        if not wanting:
            break
        for i in wanting:
            if spare == 0:
                break
            widths[i] += 1
            spare -= 1
    return widths
