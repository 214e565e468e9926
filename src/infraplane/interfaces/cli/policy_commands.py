"""`infraplane policy ...`: check any plan against the guardrails, test, replay and publish bundles."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from infraplane.core.policy import PolicyDecision, plan_input
from infraplane.errors import ConfirmationRequiredError
from infraplane.interfaces.cli.output import console, print_json
from infraplane.interfaces.cli.replay_render import print_replay
from infraplane.interfaces.cli.state import cli_state
from infraplane.services.policy import read_plan_file

__all__ = ["app", "print_findings"]

app = typer.Typer(help="Guardrails: policy as code (Rego) on requests and plans.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]


def print_findings(decision: PolicyDecision, title: str = "") -> None:
    """Every finding with where it is and how to fix it.

    The lines are printed at once: Rich renders one text of a hundred findings several times faster
    than a hundred calls of one line each.
    """
    lines = [f"[bold]{escape(title)}[/]"] if title else []
    if not decision.findings:
        lines.append("[green]no findings[/]")
    for finding in decision.findings:
        colour = "red" if finding.severity == "deny" else "yellow"
        where = f"{finding.component}: " if finding.component else ""
        lines.append(
            f"[{colour}]{finding.severity.upper()}[/] [bold]{finding.rule}[/] {escape(where + finding.address)}"
            f"{' (' + escape(finding.attribute) + ')' if finding.attribute else ''}"
        )
        lines.append(f"    {escape(finding.message)}")
        if finding.remediation:
            lines.append(f"    [dim]fix:[/] {escape(finding.remediation)}")
    bundles = ", ".join(f"{b.name}@{b.version} ({b.digest[:19]})" for b in decision.bundles)
    lines.append(f"[dim]decided by {bundles or 'no bundle'}[/]")
    console.print("\n".join(lines), highlight=False)


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
        note = f" ({escape(result.note)})" if result.note else ""
        console.print(f"{mark} {result.bundle} {result.package}.{result.name}{note}", highlight=False)
    console.print(f"{len(results) - len(failed)} passed, {len(failed)} failed", highlight=False)
    if failed or not results:
        raise typer.Exit(1)


@app.command("replay")
def replay(
    directory: Annotated[Path, typer.Argument(help="A bundle directory (bundle.yaml + .rego files), not published.")],
    json_out: JsonFlag = False,
) -> None:
    """What publishing a bundle would change: per environment and rule, what newly denies, warns or stops firing.

    Judged on every environment's request, current state and latest stored plans, against the version of
    the bundle active now. The report is stored and audited with the bundle's digest.
    """
    container = cli_state.container
    replayed = container.policy_replay.replay(directory, container.human)
    if json_out:
        print_json(replayed.as_dict())
    else:
        print_replay(replayed)


@app.command("publish")
def publish(
    directory: Annotated[Path, typer.Argument(help="A bundle directory (bundle.yaml + .rego files).")],
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Publish even when it would newly deny running environments.")
    ] = False,
    json_out: JsonFlag = False,
) -> None:
    """Replay, then publish a bundle version; a published name@version never changes.

    When the new version would newly deny running environments, asks first (`--yes` publishes anyway;
    without a terminal and without `--yes` nothing is published and the exit code is 2).
    """
    container = cli_state.container
    replayed = container.policy_replay.replay(directory, container.human)
    denied = replayed.report.denied_environments
    if not json_out:
        print_replay(replayed)
    confirmed = yes
    if denied and not yes:
        if json_out or not sys.stdin.isatty():
            if json_out:
                print_json({"status": "not published", "replay": replayed.as_dict()})
            raise ConfirmationRequiredError(
                f"not published: {replayed.report.bundle.name}@{replayed.report.bundle.version} would newly deny "
                f"running environments ({', '.join(denied)}); read `infraplane policy replay {directory}` "
                "and pass --yes to publish anyway",
                replayed.as_dict(),
            )
        if not typer.confirm(f"Publish it anyway, newly denying {', '.join(denied)}?", default=False):
            console.print("not published", highlight=False)
            raise typer.Exit(1)
        confirmed = True
    result, replayed = container.policy_replay.publish(directory, container.human, confirmed, replayed)
    if json_out:
        print_json({"ref": result.ref, "digest": result.digest, "status": result.status, "replay": replayed.as_dict()})
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
