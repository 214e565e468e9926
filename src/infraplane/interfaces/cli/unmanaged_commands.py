"""`infraplane unmanaged ...`: resources the cloud holds that no component's state manages, and how to import them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from infraplane.interfaces.cli.output import Column, console, err_console, print_json, print_records
from infraplane.interfaces.cli.state import cli_state

__all__ = ["app"]

app = typer.Typer(help="Unmanaged resources: in the cloud, in no component's state.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]


@app.command("list")
def list_unmanaged(json_out: JsonFlag = False) -> None:
    """Every resource of the inventory's types that no state manages (cloud defaults left out)."""
    report = cli_state.container.unmanaged.scan()
    for problem in report.problems:
        err_console.print(f"[yellow]not listed[/]: {escape(problem)}", highlight=False)
    if json_out:
        print_json([r.as_dict() for r in report.resources])
        return
    if not report.resources:
        console.print("no unmanaged resources: every resource found is in some component's state", highlight=False)
        return
    print_records(
        [
            Column("type", whole=True),
            Column("id", whole=True),
            Column("region", whole=True),
            Column("managed-by tag", whole=True),
            Column("tags"),
        ],
        [
            [
                r.kind,
                r.id,
                r.region,
                r.as_dict()["managed_by"] or "",
                ", ".join(f"{k}={v}" for k, v in sorted(r.tags.items())),
            ]
            for r in report.resources
        ],
    )


def _default_directory(first: str) -> Path:
    base = re.sub(r"[^a-z0-9-]+", "-", first.lower().rstrip("/").rsplit("/", 1)[-1]).strip("-")[:40] or "resources"
    directory, number = Path(f"import-{base}"), 2
    while directory.exists():
        directory, number = Path(f"import-{base}-{number}"), number + 1
    return directory


@app.command("suggest")
def suggest(
    ids: Annotated[list[str], typer.Argument(help="Ids of unmanaged resources (`unmanaged list`), one region.")],
    directory: Annotated[
        Path | None, typer.Option("--dir", help="A new directory to write into (default: ./import-<name>).")
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Write `import` blocks and the configuration `terraform plan -generate-config-out` makes, checked by validate.

    Exit 1 when the result does not pass `terraform validate`.
    """
    container = cli_state.container
    target = directory or _default_directory(ids[0])
    result = container.unmanaged.suggest(ids, target, container.human)
    if json_out:
        print_json(result.as_dict())
    else:
        console.print(f"wrote {escape(str(result.directory))}:", highlight=False)
        for resource_id, address in result.addresses.items():
            console.print(f"  import {escape(resource_id)} as {escape(address)}", highlight=False)
        for removed in result.removed:
            console.print(f"  [yellow]taken out of the generated configuration[/]: {escape(removed)}", highlight=False)
        if result.valid:
            console.print("[green]terraform validate passes[/]; review generated.tf, then plan and apply it")
        for problem in result.problems:
            err_console.print(f"[red]validate[/]: {escape(problem)}", highlight=False)
    if not result.valid:
        raise typer.Exit(1)
