"""`infraplane env ...`: plan, up, destroy, list, show, graph, history."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from infraplane.core.records import ComponentRecord
from infraplane.errors import RefusedError
from infraplane.interfaces.cli.graph_render import render_graph
from infraplane.interfaces.cli.output import console, print_json, print_json_line
from infraplane.interfaces.cli.policy_commands import print_findings
from infraplane.interfaces.cli.progress import JsonProgress, LiveProgress
from infraplane.interfaces.cli.state import cli_state
from infraplane.services.orchestration.plans import EnvironmentPlan
from infraplane.services.orchestration.progress import NullProgress, Progress

__all__ = ["app"]

app = typer.Typer(help="Environments: plan and apply component graphs on the sandbox or AWS.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]
AllFlag = Annotated[
    bool, typer.Option("--all", help="Plan every component, even those unchanged since their last apply.")
]


def _plan_table(plan: EnvironmentPlan) -> Table:
    table = Table(
        title=f"plan for {plan.name} ({plan.target.kind})", box=None, header_style="bold", title_justify="left"
    )
    for column in ("component", "blueprint", "status", "+add", "~change", "-destroy", "why"):
        table.add_column(column, justify="right" if column[0] in "+~-" else "left")
    for item in plan.as_dict()["components"]:
        counts = ["?" if item[k] is None else str(item[k]) for k in ("add", "change", "destroy")]
        why = item["note"] if item["note"] and not item["changes_known"] else item["reason"]
        table.add_row(item["name"], f"{item['blueprint']}@{item['version']}", item["status"], *counts, escape(why))
    return table


def _confirm(yes: bool, json_out: bool) -> Any:
    def confirm(plan: EnvironmentPlan) -> bool:
        if yes:
            return True
        if json_out or not sys.stdin.isatty():
            raise RefusedError("not confirmed: standard input is not a terminal; pass --yes to apply without asking")
        console.print(_plan_table(plan))
        return typer.confirm("Apply these changes?", default=False)

    return confirm


def _progress(json_out: bool, title: str) -> tuple[Progress, Any]:
    if json_out:
        progress = JsonProgress()
        return progress, None
    live = LiveProgress(console, title)
    return live, live


@app.command("plan")
def plan(
    file: Annotated[Path, typer.Argument(help="An environment file.")],
    json_out: JsonFlag = False,
    all_components: AllFlag = False,
) -> None:
    """Show what `env up` would do to each component, without changing anything."""
    container = cli_state.container
    if json_out:
        result = container.environments.plan(file, container.human, NullProgress(), replan_all=all_components)
        print_json(result.as_dict())
    else:
        with LiveProgress(console, f"planning {file}") as live:
            result = container.environments.plan(file, container.human, live, replan_all=all_components)
        decision = result.decision()
        if decision.findings or decision.bundles:
            print_findings(decision, "guardrails")
        if not result.has_changes():
            console.print("[green]no changes[/]: every component matches its last apply")
    if result.decision().denied:
        raise typer.Exit(1)


@app.command("up")
def up(
    file: Annotated[Path, typer.Argument(help="An environment file.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Apply without asking for confirmation.")] = False,
    json_out: JsonFlag = False,
    all_components: AllFlag = False,
) -> None:
    """Plan, confirm, then apply every component in dependency order."""
    container = cli_state.container
    progress, live = _progress(json_out, f"environment {file}")
    if live is not None:
        with live:
            result = container.environments.up(file, container.human, progress, _confirm(yes, json_out), all_components)
    else:
        result = container.environments.up(file, container.human, progress, _confirm(yes, json_out), all_components)
    if json_out:
        print_json_line({"event": "result", "applied": result.applied, **result.plan.as_dict()})
        return
    decision = result.plan.decision()
    if decision.findings:
        print_findings(decision, "guardrails")
    elif decision.bundles:
        bundles = ", ".join(f"{b.name}@{b.version}" for b in decision.bundles)
        console.print(f"guardrails: no findings ({bundles})", highlight=False)
    if not result.plan.has_changes():
        console.print(f"[green]no changes[/]: {result.plan.name} matches its last apply; nothing applied")
    elif result.applied:
        console.print(f"[green]applied[/] {result.plan.name}")
    else:
        console.print("cancelled; nothing applied")


@app.command("destroy")
def destroy(
    name: Annotated[str, typer.Argument(help="Environment name.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Destroy without asking for confirmation.")] = False,
    json_out: JsonFlag = False,
) -> None:
    """Destroy every component of an environment, dependents first."""
    container = cli_state.container

    def confirm(components: list[ComponentRecord]) -> bool:
        if yes:
            return True
        if json_out or not sys.stdin.isatty():
            raise RefusedError("not confirmed: standard input is not a terminal; pass --yes to destroy without asking")
        console.print(f"will destroy {name}: " + ", ".join(c.name for c in components))
        return typer.confirm(f"Destroy {name}?", default=False)

    progress, live = _progress(json_out, f"destroying {name}")
    if live is not None:
        with live:
            done = container.environments.destroy(name, container.human, progress, confirm)
    else:
        done = container.environments.destroy(name, container.human, progress, confirm)
    if json_out:
        print_json_line({"event": "result", "destroyed": done, "environment": name})
    elif done:
        console.print(f"[green]destroyed[/] {name}")
    else:
        console.print("cancelled; nothing destroyed")


@app.command("list")
def list_environments(json_out: JsonFlag = False) -> None:
    """Every environment with its status."""
    rows = cli_state.container.environments.environments()
    if json_out:
        print_json(
            [
                {
                    "name": env.name,
                    "team": env.team,
                    "tier": env.tier,
                    "status": env.status,
                    "blueprint": env.blueprint,
                    "revision": env.current_revision,
                    "components": len([c for c in components if c.status != "destroyed"]),
                }
                for env, components in rows
            ]
        )
        return
    table = Table(
        "name", "team", "tier", "status", "blueprint", "revision", "components", box=None, header_style="bold"
    )
    for env, components in rows:
        live = [c for c in components if c.status != "destroyed"]
        table.add_row(
            env.name, env.team, env.tier, env.status, env.blueprint, str(env.current_revision), str(len(live))
        )
    console.print(table)


@app.command("show")
def show(name: Annotated[str, typer.Argument(help="Environment name.")], json_out: JsonFlag = False) -> None:
    """Components, status, outputs (sensitive ones masked) and the current revision."""
    env, components, revisions = cli_state.container.environments.get(name)
    document: dict[str, Any] = {
        "name": env.name,
        "team": env.team,
        "tier": env.tier,
        "owner": env.owner,
        "blueprint": env.blueprint,
        "target": env.target,
        "status": env.status,
        "error": env.error,
        "ttl": env.ttl,
        "revision": env.current_revision,
        "revisions": len(revisions),
        "components": [
            {
                "name": c.name,
                "blueprint": c.blueprint,
                "digest": c.digest,
                "runner": c.runner,
                "status": c.status,
                "depends_on": list(c.depends_on),
                "outputs": c.masked_outputs(),
                "error": c.error,
                "updated_at": c.updated_at,
            }
            for c in components
        ],
    }
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
    table = Table("component", "blueprint", "status", "outputs", box=None, header_style="bold")
    rows: list[dict[str, Any]] = document["components"]
    for c in rows:
        outputs = "\n".join(f"{k} = {v}" for k, v in c["outputs"].items())
        table.add_row(c["name"], c["blueprint"], c["status"], escape(outputs))
    console.print(table)


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
    """Every revision (exact blueprint versions and inputs) of an environment."""
    env, _, revisions = cli_state.container.environments.get(name)
    if json_out:
        print_json(
            [
                {"revision": r.number, "created_at": r.created_at, "created_by": r.created_by, **r.document}
                for r in revisions
            ]
        )
        return
    table = Table("revision", "created", "by", "blueprint", "components", box=None, header_style="bold")
    for r in revisions:
        current = " (current)" if r.number == env.current_revision else ""
        components = ", ".join(f"{c['name']}={c['blueprint']}" for c in r.document.get("components", []))
        table.add_row(f"{r.number}{current}", r.created_at, r.created_by, str(r.document.get("blueprint")), components)
    console.print(table)


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
