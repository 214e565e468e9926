"""`infraplane drift ...`: check environments for drift, and propose to revert or accept it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.markup import escape

from infraplane.core.proposals import Proposal
from infraplane.interfaces.cli.output import Column, console, err_console, print_json, print_records
from infraplane.interfaces.cli.progress import progress_for
from infraplane.interfaces.cli.proposal_commands import proposal_json
from infraplane.interfaces.cli.proposal_render import print_proposal, proposal_line
from infraplane.interfaces.cli.state import cli_state
from infraplane.services.drift import DriftReport
from infraplane.services.orchestration.progress import NullProgress, Progress

__all__ = ["app"]

app = typer.Typer(help="Drift: what changed in the cloud behind infraplane's back.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]
EnvironmentArgument = Annotated[str, typer.Argument(help="Environment name.")]
WhyOption = Annotated[
    str, typer.Option("--justification", "-m", help="Why (kept with the proposal; a sentence is written if not).")
]


@contextmanager
def _progress(title: str, json_out: bool) -> Iterator[Progress]:
    """Live progress for people; nothing for `--json`, whose output is one JSON document."""
    if json_out:
        yield NullProgress()
        return
    with progress_for(console, title) as progress:
        yield progress


def _print_items(reports: list[DriftReport]) -> None:
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
        for report in reports
        for i in report.items
    ]
    print_records(columns, rows)


@app.command("check")
def check(
    environment: Annotated[str | None, typer.Argument(help="Environment name (default: every environment).")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Refresh-only plan of every component; exit 1 when drift (or a component that cannot be checked) is found.

    Without a name, every environment is checked at once (at most `concurrency` plans run at a time).
    """
    container = cli_state.container
    remediation = container.drift_remediation
    if environment:
        with _progress(f"checking {environment} for drift", json_out) as progress:
            reports = [remediation.check(environment, container.human, progress)]
    else:
        names = container.drift.environments()
        with _progress(f"checking {len(names)} environment(s) for drift", json_out) as progress:
            reports = remediation.check_many(names, container.human, progress)
    items = [item for report in reports for item in report.items]
    failed = [r for r in reports if r.error]
    for report in failed:
        err_console.print(f"[red]{escape(report.environment)}[/]: {escape(report.error or '')}", highlight=False)
    for report in reports:
        if report.auto_revert:
            err_console.print(
                f"{escape(report.environment)}: revert proposal {report.auto_revert} is open "
                "(drift.auto_revert); review it with `infraplane proposal show`",
                highlight=False,
            )
    if json_out:
        print_json([item.as_dict() for item in items])
    elif not items and not failed:
        checked = ", ".join(r.environment for r in reports) or "any environment (there are none)"
        console.print(f"no drift in {checked}", highlight=False)
    elif items:
        _print_items(reports)
    if items or failed:
        raise typer.Exit(1)


def _print_proposed(proposal: Proposal, existing: bool) -> None:
    missing = cli_state.container.proposals.missing(proposal)
    if existing:
        console.print(f"{proposal.id} already proposes reverting {proposal.environment}'s drift", highlight=False)
        console.print(proposal_line(proposal, missing), highlight=False)
        return
    print_proposal(proposal, missing, cli_state.container.proposals.summary(proposal))
    console.print(proposal_line(proposal, missing), highlight=False)


@app.command("revert")
def revert(environment: EnvironmentArgument, json_out: JsonFlag = False, justification: WhyOption = "") -> None:
    """Propose applying the environment's code again (kind drift-revert), through the normal approval rules.

    Every component is planned again; a resource whose drift a plain apply would keep (an attribute the code
    leaves unset) is planned to be replaced. An open revert of the environment is shown instead of a second one.
    """
    container = cli_state.container
    with _progress(f"planning a revert of {environment}", json_out) as progress:
        proposal, existing = container.drift_remediation.revert(environment, container.human, justification, progress)
    if proposal is None:
        if json_out:
            print_json({"changes": False, "environment": environment, "proposal": None})
        else:
            console.print(f"nothing to revert: applying {environment}'s code again changes nothing", highlight=False)
        return
    if json_out:
        print_json({**proposal_json(proposal), "existing": existing})
        return
    _print_proposed(proposal, existing)


@app.command("accept")
def accept(
    environment: EnvironmentArgument,
    component: Annotated[str | None, typer.Option("--component", "-c", help="Only this component's drift.")] = None,
    json_out: JsonFlag = False,
    justification: WhyOption = "",
) -> None:
    """Propose inputs that keep the cloud's drifted values (kind drift-accept), naming each input and value.

    A drifted value maps to an input only when the component's module sets that attribute to exactly one
    variable the environment decides; otherwise the blueprint fixes it and this refuses (exit 2), saying why.
    """
    container = cli_state.container
    with _progress(f"checking {environment} for drift to accept", json_out) as progress:
        proposal, changes = container.drift_remediation.accept(
            environment, component, container.human, justification, progress
        )
    if json_out:
        print_json(
            {
                "accepted": [c.as_dict() for c in changes],
                "proposal": proposal_json(proposal) if proposal else None,
                **({"id": proposal.id} if proposal else {}),
            }
        )
        return
    for change in changes:
        console.print(
            f"{escape(change.field)} = {escape(repr(change.value))}  "
            f"(the cloud's {escape(change.address)}.{escape(change.attribute)})",
            highlight=False,
        )
    if proposal is None:
        console.print("no changes: the environment already has these inputs", highlight=False)
        return
    _print_proposed(proposal, False)
