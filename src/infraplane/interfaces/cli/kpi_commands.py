"""`infraplane kpi`: drift, policy, approval and DORA figures over a window (formulas in docs/kpi.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from infraplane.core.environment import parse_duration
from infraplane.errors import InputError, Problem
from infraplane.interfaces.cli.output import Column, console, print_json, print_records
from infraplane.interfaces.cli.state import cli_state
from infraplane.interfaces.kpi_view import kpi_rows

__all__ = ["kpi"]


def kpi(
    since: Annotated[str, typer.Option("--since", help="The window: 30d, 12h, 2w, ...")] = "30d",
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
) -> None:
    """Drift rate, time to detect and remediate, policy hit rate, approval lead time and the DORA four."""
    try:
        window = timedelta(seconds=parse_duration(since))
    except ValueError as exc:
        raise InputError.from_problems([Problem("", "--since", str(exc))]) from None
    figures = cli_state.container.kpi.report(window).as_dict()
    if json_out:
        print_json(figures)
        return
    console.print(f"KPIs from {figures['since'][:16]} to {figures['until'][:16]} (UTC)", highlight=False)
    print_records([Column("figure", whole=True), Column("value")], kpi_rows(figures))
