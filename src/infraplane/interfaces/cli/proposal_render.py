"""How a proposal reads at a terminal: one screen a reviewer can judge in two minutes."""

from __future__ import annotations

from rich.markup import escape

from infraplane.core.diff import ResourceDiff
from infraplane.core.proposal_lifecycle import ProposalStatus
from infraplane.core.proposals import Proposal
from infraplane.interfaces.cli.output import Column, console, print_records
from infraplane.interfaces.views import cost_delta_text
from infraplane.services.proposals.wording import Rephrased

__all__ = ["print_proposal", "print_rephrased", "proposal_line"]

_MARK = {"create": "[green]+[/]", "update": "[yellow]~[/]", "delete": "[red]-[/]", "replace": "[red]-/+[/]"}
_MAX_ATTRIBUTES = 12


def proposal_line(proposal: Proposal, missing: list[str]) -> str:
    """The one-line status: what happens next."""
    if proposal.status == ProposalStatus.PENDING:
        return f"[yellow]pending[/]: needs {escape('; '.join(missing))}"
    if proposal.status == ProposalStatus.APPROVED:
        how = "auto-approved" if proposal.decision.outcome == "auto-approved" else "approved"
        return (
            f"[green]{how}[/] ({escape(proposal.decision.rule)}): apply with `infraplane proposal apply {proposal.id}`"
        )
    if proposal.status == ProposalStatus.BLOCKED:
        return f"[red]blocked[/] ({escape(proposal.decision.rule)}): fix the deny findings and propose again"
    detail = f": {escape(proposal.result)}" if proposal.result else ""
    return f"{proposal.status}{detail}"


def _diff_lines(diffs: tuple[ResourceDiff, ...]) -> list[str]:
    lines = []
    for diff in diffs:
        lines.append(f"  {_MARK.get(diff.action, diff.action)} {escape(diff.component)}: {escape(diff.address)}")
        for attribute in diff.attributes[:_MAX_ATTRIBUTES]:
            before = "" if diff.action == "create" else f"{escape(repr(attribute.before))} -> "
            lines.append(f"      {escape(attribute.path)}: {before}{escape(repr(attribute.after))}")
        if len(diff.attributes) > _MAX_ATTRIBUTES:
            lines.append(f"      … {len(diff.attributes) - _MAX_ATTRIBUTES} more (proposal show --json)")
    return lines


def print_proposal(proposal: Proposal, missing: list[str], summary: str, full: bool = True) -> None:
    """The review: the plain-words summary first, then the components, diff, findings, cost and decision."""
    console.print(
        f"[bold]proposal {proposal.id}[/]: {proposal.kind} {proposal.environment} "
        f"({proposal.team}, {proposal.tier}) by {proposal.actor}",
        highlight=False,
    )
    console.print(escape(summary), highlight=False)
    console.print()
    if proposal.justification:
        console.print(f"why: {escape(proposal.justification)}", highlight=False)
    print_records(
        [
            Column("component", whole=True),
            Column("blueprint", whole=True),
            Column("status", whole=True),
            *(Column(name, justify="right") for name in ("+add", "~change", "-destroy")),
        ],
        [
            [
                c.name,
                c.blueprint,
                f"{c.status} (preview)" if c.previewed else c.status,
                *("?" if v is None else str(v) for v in (c.add, c.change, c.destroy)),
            ]
            for c in proposal.components
        ],
    )
    if full and proposal.diff:
        console.print("[bold]diff[/]")
        for line in _diff_lines(proposal.diff):
            # Not wrapped by Rich: a resource address or a value is never cut in two.
            console.print(line, highlight=False, soft_wrap=True)
    if proposal.findings:
        console.print("[bold]findings[/]")
        for f in proposal.findings:
            colour = "red" if f.severity == "deny" else "yellow"
            where = f"{f.component}: " if f.component else ""
            console.print(
                f"  [{colour}]{f.severity}[/] {f.rule} {escape(where + f.address)}: {escape(f.message)}",
                highlight=False,
            )
    console.print(escape(cost_delta_text(proposal.cost)), highlight=False)
    radius = proposal.blast_radius
    console.print(
        f"blast radius: {len(radius.destroyed)} destroyed, {len(radius.replaced)} replaced"
        + (f"; downstream: {', '.join(radius.downstream_components)}" if radius.downstream_components else "")
        + (f"; classified data at risk: {', '.join(radius.data_at_risk)}" if radius.data_at_risk else "")
        + (f"; other environments: {', '.join(radius.other_environments)}" if radius.other_environments else ""),
        highlight=False,
    )
    for warning in proposal.warnings:
        console.print(f"[yellow]warning[/]: {escape(warning)}", highlight=False)
    for approval in proposal.approvals:
        current = "" if approval.plan_digest == proposal.plan_digest else " (for an earlier plan; no longer counts)"
        console.print(f"approved by {approval.approver} at {approval.at}{current}", highlight=False)
    console.print(proposal_line(proposal, missing), highlight=False)


def print_rephrased(rephrased: Rephrased) -> None:
    """The LLM's rewording, marked as such, after the review (the summary at the top is the one that counts)."""
    console.print()
    if rephrased.error:
        console.print(
            f"[yellow]could not rephrase[/] ({escape(rephrased.by)}): {escape(rephrased.error)}", highlight=False
        )
        return
    console.print(
        f"[bold]rephrased by {escape(rephrased.by)}[/] [dim](for reading only; the summary at the top is what was "
        "decided on and audited)[/]",
        highlight=False,
    )
    console.print(escape(rephrased.text), highlight=False)
    if rephrased.dropped:
        console.print(
            f"[yellow]the rephrasing leaves out[/] {escape(', '.join(rephrased.dropped))}: read the summary at the top",
            highlight=False,
        )
