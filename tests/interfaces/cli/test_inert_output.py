"""Text from requesters and agents cannot drive the reviewer's terminal: every console prints it inert."""

from __future__ import annotations

import io

from rich.table import Table

from infraplane.interfaces.cli.output import InertConsole, console, err_console

HOSTILE = "fine\x1b[2J\x1b[31mAPPROVED\x1b[0m\u202e"


def _rendered(*items: object) -> str:
    target = InertConsole(file=io.StringIO(), force_terminal=True, color_system="truecolor", width=120)
    for item in items:
        target.print(item, highlight=False)
    return target.file.getvalue()  # type: ignore[attr-defined]


def test_a_message_prints_escape_sequences_visibly() -> None:
    out = _rendered(f"why: {HOSTILE}")
    assert "\x1b[2J" not in out and "\u202e" not in out
    assert "\\x1b[2J" in out and "\\u202e" in out


def test_table_cells_are_inert_too() -> None:
    table = Table("justification")
    table.add_row(HOSTILE)
    out = _rendered(table)
    assert "\x1b[2J" not in out and "\\x1b[2J" in out


def test_styling_of_our_own_still_works() -> None:
    assert "\x1b[1m" in _rendered("[bold]bold[/]")


def test_the_cli_consoles_are_inert() -> None:
    assert isinstance(console, InertConsole) and isinstance(err_console, InertConsole)
