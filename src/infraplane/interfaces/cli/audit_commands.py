"""`infraplane audit ...`: read, verify and export the tamper-evident log."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from infraplane.interfaces.cli.output import Column, console, print_json, print_records
from infraplane.interfaces.cli.state import cli_state

__all__ = ["app"]

app = typer.Typer(help="The audit trail: who did what, when, and why.", no_args_is_help=True)


@app.command("log")
def log(
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
    limit: Annotated[int | None, typer.Option(help="Only the last N events.")] = None,
    action: Annotated[str | None, typer.Option(help="Only actions starting with this, e.g. catalog.")] = None,
) -> None:
    """The events, oldest first."""
    events = cli_state.container.audit.events(limit=limit, action=action)
    if json_out:
        print_json([e.as_dict() for e in events])
        return
    # Identifiers stay whole (print_records falls back to one block per event when they cannot fit).
    columns = [
        Column("seq", justify="right"),
        Column("time (UTC)", whole=True),
        Column("actor", whole=True),
        Column("action", whole=True),
        Column("subject", whole=True),
    ]
    rows = [[str(e.sequence), e.time[:19].replace("T", " "), str(e.actor), e.action, e.subject] for e in events]
    print_records(columns, rows)


@app.command("verify")
def verify(
    file: Annotated[
        Path | None, typer.Option("--file", help="Verify an export (audit export FILE) instead of the store.")
    ] = None,
    head: Annotated[
        str | None,
        typer.Option(help="A head noted earlier (SEQUENCE:HASH as this command prints it); the chain must reach it."),
    ] = None,
) -> None:
    """Recompute the hash chain and check its head; exit 1 naming the first broken event.

    Note the printed head somewhere safe: `--head` then shows that nothing up to it was deleted or rewritten.
    """
    from infraplane.services.audit import parse_head

    noted = parse_head(head) if head is not None else None
    audit = cli_state.container.audit
    result = audit.verify_export(file, noted) if file is not None else audit.verify(noted)
    console.print(f"[green]audit chain verified[/]: {result.events} events", highlight=False)
    console.print(f"head {result.head}", highlight=False, soft_wrap=True)


@app.command("export")
def export(file: Annotated[Path, typer.Argument(help="Where to write JSON Lines.")]) -> None:
    """Write every event as one JSON object per line, then the head line (verify it with `verify --file`)."""
    count = cli_state.container.audit.export(file)
    console.print(f"exported {count} events to {file}", highlight=False)
