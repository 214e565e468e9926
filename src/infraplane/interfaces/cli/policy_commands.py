"""`infraplane policy ...`: check any plan against the guardrails, test bundles, publish bundles."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from infraplane.core.policy import PolicyDecision, plan_input
from infraplane.interfaces.cli.output import console, print_json
from infraplane.interfaces.cli.state import cli_state
from infraplane.services.policy import read_plan_file

__all__ = ["app", "print_findings"]

app = typer.Typer(help="Guardrails: policy as code (Rego) on requests and plans.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]


def print_findings(decision: PolicyDecision, title: str = "") -> None:
    """Every finding with where it is and how to fix it."""
    if title:
        console.print(f"[bold]{escape(title)}[/]", highlight=False)
    if not decision.findings:
        console.print("[green]no findings[/]", highlight=False)
    for finding in decision.findings:
        colour = "red" if finding.severity == "deny" else "yellow"
        where = f"{finding.component}: " if finding.component else ""
        console.print(
            f"[{colour}]{finding.severity.upper()}[/] [bold]{finding.rule}[/] {escape(where + finding.address)}"
            f"{' (' + escape(finding.attribute) + ')' if finding.attribute else ''}",
            highlight=False,
        )
        console.print(f"    {escape(finding.message)}", highlight=False)
        if finding.remediation:
            console.print(f"    [dim]fix:[/] {escape(finding.remediation)}", highlight=False)
    bundles = ", ".join(f"{b.name}@{b.version} ({b.digest[:19]})" for b in decision.bundles)
    console.print(f"[dim]decided by {bundles or 'no bundle'}[/]", highlight=False)


@app.command("check")
def check(
    plan: Annotated[Path, typer.Option("--plan", help="Plan JSON: `terraform show -json PLANFILE > plan.json`.")],
    tier: Annotated[str, typer.Option(help="Environment tier the plan is for (scopes tier rules).")] = "dev",
    team: Annotated[str, typer.Option(help="Team the plan is for.")] = "",
    bundle: Annotated[
        list[str] | None,
        typer.Option("--bundle", help="Bundle path, name or name@version (repeatable; default: every active bundle)."),
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Run the guardrails over a plan made anywhere. Exit 1 when any finding is a deny."""
    policies = cli_state.container.policies
    normalized = read_plan_file(plan, cli_state.container.settings.limits.plan_bytes)
    bundles = [policies.resolve(b) for b in bundle] if bundle else None
    document = plan_input(normalized, {"name": "", "team": team, "tier": tier, "owner": team}, {"name": plan.stem}, {})
    decision = policies.decide("plan", document, tier, team, "", bundles)
    if json_out:
        print_json(decision.as_dict())
    else:
        print_findings(decision, f"{plan}: {len(decision.denies())} deny, {len(decision.warnings())} warn")
    if decision.denied:
        raise typer.Exit(1)


@app.command("test")
def test(
    bundle: Annotated[
        str | None, typer.Argument(help="Bundle path, name or name@version (default: every active bundle).")
    ] = None,
) -> None:
    """Run a bundle's Rego tests (`test_*` rules in `*_test.rego`). Exit 1 when one fails."""
    results = cli_state.container.policies.test(bundle)
    failed = [r for r in results if not r.passed]
    for result in results:
        mark = "[green]pass[/]" if result.passed else "[red]FAIL[/]"
        console.print(f"{mark} {result.bundle} {result.package}.{result.name}", highlight=False)
    console.print(f"{len(results) - len(failed)} passed, {len(failed)} failed", highlight=False)
    if failed or not results:
        raise typer.Exit(1)


@app.command("publish")
def publish(
    directory: Annotated[Path, typer.Argument(help="A bundle directory (bundle.yaml + .rego files).")],
    json_out: JsonFlag = False,
) -> None:
    """Publish a bundle version; a published name@version never changes."""
    container = cli_state.container
    result = container.policies.publish(directory, container.human)
    if json_out:
        print_json({"ref": result.ref, "digest": result.digest, "status": result.status})
    else:
        console.print(f"{result.status} {result.ref}  [dim]{result.digest}[/]", highlight=False)


@app.command("list")
def list_bundles(json_out: JsonFlag = False) -> None:
    """The active bundles: built-in and published."""
    bundles = cli_state.container.policies.active()
    rows: list[dict[str, object]] = [
        {
            "name": b.manifest.name,
            "version": b.manifest.version,
            "digest": b.digest,
            "description": b.manifest.description,
            "packages": b.policy_packages(),
        }
        for b in bundles
    ]
    if json_out:
        print_json(rows)
        return
    table = Table("name", "version", "digest", "description", box=None, header_style="bold")
    for b in bundles:
        table.add_row(b.manifest.name, b.manifest.version, b.digest[:19], b.manifest.description)
    console.print(table)
