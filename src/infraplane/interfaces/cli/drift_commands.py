"""`infraplane drift ...`: check environments for drift (differences between their state and the cloud)."""

from __future__ import annotations

from typing import Annotated

import typer

from infraplane.interfaces.cli.output import Column, console, print_json, print_records
from infraplane.interfaces.cli.progress import progress_for
from infraplane.interfaces.cli.state import cli_state

__all__ = ["app"]

app = typer.Typer(help="Drift: what changed in the cloud behind infraplane's back.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]


@app.command("check")
def check(
    environment: Annotated[str | None, typer.Argument(help="Environment name (default: every environment).")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Refresh-only plan of every component; exit 1 when drift (or a component that cannot be checked) is found."""
    container = cli_state.container
    names = [environment] if environment else container.drift.environments()
    reports = []
    for name in names:
        with progress_for(console, f"checking {name} for drift", json_out=json_out) as progress:
            reports.append(container.drift.check(name, container.human, progress))
    items = [item for report in reports for item in report.items]
    if json_out:
        print_json([item.as_dict() for item in items])
    elif not items:
        console.print(f"no drift in {', '.join(names) or 'any environment (there are none)'}", highlight=False)
    else:
        columns = [
            Column("environment", whole=True),
            Column("component", whole=True),
            Column("address", whole=True),
            Column("attribute"),
            Column("kind", whole=True),
            Column("severity", whole=True),
            Column("rule", whole=True),
            Column("before → after"),
        ]
        rows = [
            [
                i.environment,
                i.component,
                i.address or "",
                i.attribute or "",
                i.kind,
                i.severity or "",
                i.rule or "",
                i.message or f"{i.before!r} → {i.after!r}",
            ]
            for i in items
        ]
        print_records(columns, rows)
    if items:
        raise typer.Exit(1)
