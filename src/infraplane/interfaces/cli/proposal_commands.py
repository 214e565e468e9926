"""`infraplane proposal ...`: list, show, approve, reject, apply."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from infraplane.core.proposals import Proposal
from infraplane.errors import InputError, Problem
from infraplane.interfaces.cli.output import Column, console, print_json, print_json_line, print_records
from infraplane.interfaces.cli.progress import JsonProgress, progress_for
from infraplane.interfaces.cli.proposal_render import print_proposal, print_rephrased, proposal_line
from infraplane.interfaces.cli.state import cli_state
from infraplane.interfaces.views import proposal_summary
from infraplane.services.proposals.wording import Rephrased

__all__ = ["app", "proposal_json"]

app = typer.Typer(help="Proposals: review, approve, reject and apply changes.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]
IdArgument = Annotated[str, typer.Argument(help="Proposal id (p-...).")]


def proposal_json(proposal: Proposal) -> dict[str, object]:
    proposals = cli_state.container.proposals
    return {
        "plain_summary": proposals.summary(proposal),
        **proposal.as_dict(),
        "missing": proposals.missing(proposal),
    }


@app.command("list")
def list_proposals(
    environment: Annotated[str | None, typer.Option("--environment", "-e", help="Only this environment.")] = None,
    status: Annotated[str | None, typer.Option("--status", help="Only this status (pending, approved, ...).")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Proposals, oldest first."""
    found = cli_state.container.proposals.proposals(environment, status)
    if json_out:
        print_json([proposal_summary(p) for p in found])
        return
    if not found:
        console.print(
            "no proposals" + (" matching those filters" if environment or status else " yet"), highlight=False
        )
        return
    columns = [Column(name, whole=True) for name in ("id", "environment", "kind", "status", "by")]
    columns.append(Column("created"))
    print_records(
        [*columns, Column("decision")],
        [
            [
                p.id,
                p.environment,
                p.kind,
                p.status.value,
                str(p.actor),
                p.created_at[:16].replace("T", " "),
                p.decision.rule,
            ]
            for p in found
        ],
    )


@app.command("show")
def show(
    proposal_id: IdArgument,
    json_out: JsonFlag = False,
    rephrase: Annotated[
        bool,
        typer.Option(
            "--rephrase",
            help="Also show the configured LLM's (ask.llm) rewording of the summary, for reading only.",
        ),
    ] = False,
) -> None:
    """Everything a reviewer needs: the summary in plain words, then diff, findings, cost, blast radius, decision."""
    container = cli_state.container
    proposal = container.proposals.get(proposal_id)
    rephrased = _rephrased(container.proposals.summary(proposal)) if rephrase else None
    if json_out:
        shown = proposal_json(proposal)
        if rephrased is not None:
            shown["plain_summary_rephrased"] = rephrased.as_dict()
        print_json(shown)
        return
    print_proposal(proposal, container.proposals.missing(proposal), container.proposals.summary(proposal))
    if rephrased is not None:
        print_rephrased(rephrased)


def _rephrased(summary: str) -> Rephrased:
    rephraser = cli_state.container.rephraser
    if rephraser is None:
        raise InputError.from_problems(
            [Problem("config.yaml", "ask.llm", "--rephrase needs an LLM backend: set ask.llm and ask.llm_url")]
        )
    return rephraser.rephrase(summary)


@app.command("approve")
def approve(
    proposal_id: IdArgument,
    comment: Annotated[str, typer.Option("--comment", "-m", help="A note kept with the approval.")] = "",
    json_out: JsonFlag = False,
) -> None:
    """Approve the proposal's current plan as yourself (--as or INFRAPLANE_USER)."""
    container = cli_state.container
    proposal = container.proposals.approve(proposal_id, container.human, comment)
    if json_out:
        print_json(proposal_json(proposal))
        return
    console.print(f"approved by {container.human.id}", highlight=False)
    console.print(proposal_line(proposal, container.proposals.missing(proposal)), highlight=False)


@app.command("reject")
def reject(
    proposal_id: IdArgument,
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the audit log).")] = "",
    json_out: JsonFlag = False,
) -> None:
    """Reject a proposal; it can no longer be approved or applied."""
    container = cli_state.container
    proposal = container.proposals.reject(proposal_id, container.human, reason)
    if json_out:
        print_json(proposal_json(proposal))
        return
    console.print(f"rejected {proposal.id}: {escape(reason)}", highlight=False)


@app.command("apply")
def apply(
    proposal_id: IdArgument,
    json_out: JsonFlag = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress lines; only the outcome.")] = False,
) -> None:
    """Apply exactly the approved plans; a stale plan is re-planned and goes back to decision (exit 2)."""
    container = cli_state.container
    if json_out:
        proposal = container.proposals.apply(proposal_id, container.human, JsonProgress())
        print_json_line({"event": "result", "proposal": proposal_json(proposal)})
        return
    with progress_for(console, f"applying {proposal_id}", quiet=quiet) as progress:
        proposal = container.proposals.apply(proposal_id, container.human, progress)
    revision = f" (revision {proposal.applied_revision})" if proposal.applied_revision else ""
    console.print(f"[green]applied[/] {proposal.id}: {proposal.kind} {proposal.environment}{revision}")
