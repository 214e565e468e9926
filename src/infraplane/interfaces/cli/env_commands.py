"""`infraplane env ...`: plan; up, destroy, upgrade, rollback (each a proposal); list, show, graph, history."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.markup import escape

from infraplane.core.policy import PolicyDecision
from infraplane.core.proposals import Proposal
from infraplane.errors import RefusedError
from infraplane.interfaces.cli.graph_render import render_graph
from infraplane.interfaces.cli.output import Column, console, print_json, print_json_line, print_records
from infraplane.interfaces.cli.policy_commands import print_findings
from infraplane.interfaces.cli.progress import progress_for
from infraplane.interfaces.cli.proposal_commands import proposal_json
from infraplane.interfaces.cli.proposal_render import print_proposal
from infraplane.interfaces.cli.state import cli_state
from infraplane.interfaces.views import (
    environment_cost,
    environment_detail,
    environment_summary,
    revision_rows,
    upstream_view,
)
from infraplane.services.orchestration.plan_checks import PolicyDeniedError
from infraplane.services.orchestration.progress import NullProgress, Progress
from infraplane.services.proposals.ttl import check_ttls

__all__ = ["app"]

app = typer.Typer(help="Environments: plan and apply component graphs on the sandbox or AWS.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]
YesFlag = Annotated[bool, typer.Option("--yes", "-y", help="Apply an auto-approved proposal without asking.")]
WhyOption = Annotated[
    str, typer.Option("--justification", "-m", help="Why this change is wanted (kept with the proposal and in git).")
]
T = TypeVar("T")
QuietFlag = Annotated[bool, typer.Option("--quiet", "-q", help="No progress lines; only the outcome.")]
AllFlag = Annotated[
    bool, typer.Option("--all", help="Plan every component, even those unchanged since their last apply.")
]


def _with_progress(json_out: bool, title: str, work: Callable[[Progress], T], quiet: bool = False) -> T:
    with progress_for(console, title, json_out=json_out, quiet=quiet) as progress:
        return work(progress)


@app.command("plan")
def plan(
    file: Annotated[Path, typer.Argument(help="An environment file.")],
    json_out: JsonFlag = False,
    all_components: AllFlag = False,
    quiet: QuietFlag = False,
) -> None:
    """Show what `env up` would do to each component, without changing anything."""
    container = cli_state.container
    resolution = container.environments.resolve_file(file, container.upstream_access(container.human.id))
    if json_out:
        result = container.environments.plan(resolution, container.human, NullProgress(), replan_all=all_components)
        print_json(result.as_dict())
    else:
        result = _with_progress(
            False,
            f"planning {file}",
            lambda p: container.environments.plan(resolution, container.human, p, replan_all=all_components),
            quiet,
        )
        decision = result.decision()
        if decision.findings or decision.bundles:
            print_findings(decision, "guardrails")
        if not result.has_changes():
            console.print("[green]no changes[/]: every component matches its last apply")
    if result.decision().denied:
        raise typer.Exit(1)


def _settle(
    proposal: Proposal | None, name: str, yes: bool, json_out: bool, question: str, quiet: bool = False
) -> None:
    """After proposing: report it; apply it at once when auto-approved and confirmed; else say who must approve."""
    container = cli_state.container
    if proposal is None:
        if json_out:
            print_json_line({"event": "result", "applied": False, "changes": False, "environment": name})
        else:
            console.print(f"[green]no changes[/]: {name} matches its last apply; nothing applied")
        return
    missing = container.proposals.missing(proposal)
    if json_out:
        print_json_line({"event": "proposal", "proposal": proposal_json(proposal)})
    else:
        print_proposal(proposal, missing, container.proposals.summary(proposal), full=not yes)
    if proposal.status == "blocked":
        denies = [f for f in proposal.findings if f.severity == "deny"]
        raise PolicyDeniedError(
            f"{name}: the apply is blocked by {len(denies)} deny finding(s) (proposal {proposal.id} is blocked)",
            PolicyDecision("plan", proposal.findings),
        )
    if proposal.status != "approved":
        if json_out:
            print_json_line({"event": "result", "applied": False, "proposal": proposal_json(proposal)})
        return
    if not yes:
        if json_out or not sys.stdin.isatty():
            raise RefusedError(
                f"not confirmed: standard input is not a terminal; pass --yes, or run "
                f"`infraplane proposal apply {proposal.id}`"
            )
        if not typer.confirm(question, default=False):
            console.print(f"not applied; {proposal.id} stays approved until {proposal.expires_at}")
            return
    applied = _with_progress(
        json_out,
        f"applying {proposal.id}",
        lambda p: container.proposals.apply(proposal.id, container.human, p),
        quiet,
    )
    if json_out:
        print_json_line({"event": "result", "applied": True, "proposal": proposal_json(applied)})
    elif applied.kind == "destroy":
        console.print(f"[green]destroyed[/] {name}")
    else:
        console.print(f"[green]applied[/] {name} (revision {applied.applied_revision}; proposal {applied.id})")


@app.command("up")
def up(
    file: Annotated[Path, typer.Argument(help="An environment file.")],
    yes: YesFlag = False,
    json_out: JsonFlag = False,
    all_components: AllFlag = False,
    justification: WhyOption = "",
    quiet: QuietFlag = False,
) -> None:
    """Propose the environment as the file describes it; apply at once when the rules auto-approve it."""
    container = cli_state.container
    resolution = container.environments.resolve_file(file, container.upstream_access(container.human.id))
    proposal = _with_progress(
        json_out,
        f"proposing {file}",
        lambda p: container.proposals.propose(resolution, container.human, justification, p, replan_all=all_components),
        quiet,
    )
    _settle(proposal, resolution.environment.name, yes, json_out, "Apply these changes?", quiet)


@app.command("destroy")
def destroy(
    name: Annotated[str, typer.Argument(help="Environment name.")],
    yes: YesFlag = False,
    json_out: JsonFlag = False,
    justification: WhyOption = "",
    quiet: QuietFlag = False,
) -> None:
    """Propose destroying every component of an environment (dependents first when applied)."""
    container = cli_state.container
    proposal = container.proposals.propose_destroy(name, container.human, justification)
    _settle(proposal, name, yes, json_out, f"Destroy {name}?", quiet)


@app.command("upgrade")
def upgrade(
    name: Annotated[str, typer.Argument(help="Environment name.")],
    yes: YesFlag = False,
    json_out: JsonFlag = False,
    justification: WhyOption = "",
    quiet: QuietFlag = False,
) -> None:
    """Propose the newest blueprint versions the environment's constraint allows, with the diff."""
    container = cli_state.container
    proposal = _with_progress(
        json_out,
        f"upgrading {name}",
        lambda p: container.proposals.propose_upgrade(name, container.human, justification, p),
        quiet,
    )
    if proposal is None and not json_out:
        console.print(f"{name} already runs the newest versions its constraint allows")
        return
    _settle(proposal, name, yes, json_out, "Apply the upgrade?", quiet)


@app.command("rollback")
def rollback(
    name: Annotated[str, typer.Argument(help="Environment name.")],
    to: Annotated[int, typer.Option("--to", help="The revision to go back to (see `env history`).")],
    yes: YesFlag = False,
    json_out: JsonFlag = False,
    justification: WhyOption = "",
    quiet: QuietFlag = False,
) -> None:
    """Propose an earlier revision's exact blueprint versions and inputs."""
    container = cli_state.container
    proposal = _with_progress(
        json_out,
        f"rolling {name} back to revision {to}",
        lambda p: container.proposals.propose_rollback(name, to, container.human, justification, p),
        quiet,
    )
    _settle(proposal, name, yes, json_out, f"Roll {name} back to revision {to}?", quiet)


@app.command("ttl-check")
def ttl_check(json_out: JsonFlag = False) -> None:
    """Warn about environments whose TTL ends soon; propose destroying those whose TTL ended."""
    container = cli_state.container
    warning = timedelta(hours=container.settings.proposals.ttl_warning_hours)
    actions = _with_progress(json_out, "checking TTLs", lambda p: check_ttls(container.proposals, warning, p))
    if json_out:
        print_json([{"environment": a.environment, "action": a.action, "detail": a.detail} for a in actions])
        return
    for action in actions:
        console.print(f"{action.environment}: {action.action} ({escape(action.detail)})", highlight=False)
    if not actions:
        console.print("no TTL due")


@app.command("list")
def list_environments(json_out: JsonFlag = False) -> None:
    """Every environment with its status."""
    rows = cli_state.container.environments.environments()
    if json_out:
        print_json([environment_summary(env, components) for env, components in rows])
        return
    if not rows:
        console.print(
            "no environments yet; create one with `infraplane env up FILE` "
            '(see examples/ for environment files) or `infraplane ask "WORDS"`',
            highlight=False,
        )
        return
    columns = [
        Column("name", whole=True),
        Column("team", whole=True),
        Column("tier", whole=True),
        Column("status", whole=True),
        Column("blueprint", whole=True),
        Column("revision", justify="right"),
        Column("components", justify="right"),
    ]
    records = []
    for env, components in rows:
        live = [c for c in components if c.status != "destroyed"]
        records.append(
            [env.name, env.team, env.tier, env.status, env.blueprint, str(env.current_revision), str(len(live))]
        )
    print_records(columns, records)


@app.command("show")
def show(name: Annotated[str, typer.Argument(help="Environment name.")], json_out: JsonFlag = False) -> None:
    """Components, status, outputs (sensitive ones masked) and the current revision."""
    container = cli_state.container
    env, components, revisions = container.environments.get(name)
    cost = environment_cost(container.costs.estimate_environment(name), components)
    upstream = upstream_view(container.environments.upstream(name), container.proposals.proposals(name))
    document = {**environment_detail(env, components), "revisions": len(revisions), "cost": cost, "upstream": upstream}
    if json_out:
        print_json(document)
        return
    console.print(
        f"[bold]{env.name}[/] ({env.team}, {env.tier}) — {env.status}; "
        f"revision {env.current_revision}; {env.blueprint} on {env.target}",
        highlight=False,
    )
    if env.error:
        console.print(f"[red]error[/]: {escape(env.error)}", highlight=False)
    rows: list[dict[str, Any]] = document["components"]
    print_records(
        [
            Column("component", whole=True),
            Column("blueprint", whole=True),
            Column("status"),
            Column("outputs", whole=True),
        ],
        [
            [c["name"], c["blueprint"], c["status"], "\n".join(f"{k} = {v}" for k, v in c["outputs"].items())]
            for c in rows
        ],
    )
    console.print(escape(f"cost now: {document['cost']['text']}"), highlight=False)
    _print_upstream(upstream)


def _print_upstream(upstream: dict[str, Any]) -> None:
    """What the environment reads of others, whether they changed since it was applied, and who reads it."""
    for read in upstream["reads"]:
        line = f"reads {read['environment']}.{read['output']} ({read['field']})"
        if read["upstream_changed"]:
            line += (
                f": [yellow]upstream changed[/] ({read['change']}; {read['environment']} is {read['producer_status']})"
            )
        console.print(line, highlight=False)
    if upstream["update_proposals"]:
        console.print(f"update proposed: {', '.join(upstream['update_proposals'])}", highlight=False)
    for reader in upstream["read_by"]:
        console.print(f"read by {reader['environment']} ({reader['output']} -> {reader['field']})", highlight=False)
    if upstream["read_by_others"]:
        console.print(f"read by {upstream['read_by_others']} environment(s) of other teams", highlight=False)


@app.command("graph")
def graph(
    name: Annotated[str, typer.Argument(help="Environment name.")],
    output_format: Annotated[str, typer.Option("--format", help="text, mermaid or dot.")] = "text",
) -> None:
    """The component graph: which component feeds which."""
    if output_format not in ("text", "mermaid", "dot"):
        raise typer.BadParameter("use text, mermaid or dot", param_hint="--format")
    _, components, _ = cli_state.container.environments.get(name)
    sys.stdout.write(
        render_graph(
            name, {c.name: set(c.depends_on) for c in components}, {c.name: c.status for c in components}, output_format
        )
        + "\n"
    )


@app.command("history")
def history(name: Annotated[str, typer.Argument(help="Environment name.")], json_out: JsonFlag = False) -> None:
    """Every revision (exact blueprint versions and inputs), with the proposal that applied it."""
    container = cli_state.container
    env, _, revisions = container.environments.get(name)
    rows = revision_rows(env, revisions, container.proposals.proposals(name))
    if json_out:
        print_json(rows)
        return
    columns = [
        Column("revision", whole=True),
        Column("applied"),
        Column("blueprint", whole=True),
        Column("proposal"),
        Column("by / approved"),
        Column("why"),
    ]
    records = []
    for row in rows:
        current = " *" if row["current"] else ""
        proposer = str(row["proposed_by"] or row["created_by"]).split(":", 1)[-1]
        records.append(
            [
                f"{row['revision']}{current}",
                row["created_at"][:16].replace("T", " "),
                str(row["blueprint"]),
                f"{row['proposal'] or '-'} ({row['kind'] or '?'})",
                f"{proposer} / {', '.join(row['approved_by']) or '-'}",
                row["justification"] or "",
            ]
        )
    print_records(columns, records)


@app.command("state-history")
def state_history(
    name: Annotated[str, typer.Argument(help="Environment name.")],
    component: Annotated[str, typer.Argument(help="Component name.")],
    json_out: JsonFlag = False,
) -> None:
    """Every stored Terraform state version of a component (serial and time; never the content)."""
    versions = cli_state.container.environments.state_history(name, component)
    if json_out:
        print_json([{"serial": serial, "created_at": created} for serial, created in versions])
        return
    for serial, created in versions:
        console.print(f"serial {serial}  {created}", highlight=False)
