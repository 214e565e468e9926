"""How a policy replay reads at a terminal: per environment and rule, what would newly deny, warn or stop firing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape

from infraplane.core.policy import BundleRef
from infraplane.core.replay import ReplayChange
from infraplane.interfaces.cli.output import console

if TYPE_CHECKING:  # `policy check` imports this module; the replay service is imported by the commands using it
    from infraplane.services.policy_replay import Replayed

__all__ = ["print_replay"]

_WORDS = {
    "newly-denies": "[red]newly denies[/]",
    "newly-warns": "[yellow]newly warns[/]",
    "stops-firing": "[green]stops firing[/]",
}


def _ref(ref: BundleRef) -> str:
    return f"{ref.name}@{ref.version} ({ref.digest[:19]})"


def _change_line(change: ReplayChange) -> str:
    where = f"{change.component}: " if change.component else ""
    attribute = f" ({change.attribute})" if change.attribute else ""
    was = f" (was {change.was})" if change.was and change.change != "stops-firing" else ""
    sources = escape(", ".join(change.sources))
    return f"    {_WORDS[change.change]}{was} {escape(where + change.address + attribute)} [dim]from {sources}[/]"


def print_replay(replayed: Replayed) -> None:
    report = replayed.report
    against = f"against {_ref(report.replaces)}" if report.replaces else "(no bundle of that name is active: all new)"
    console.print(f"[bold]replay {replayed.id}[/] of {escape(_ref(report.bundle))} {escape(against)}", highlight=False)
    packages = ", ".join(report.packages) or "none (the versions find the same things)"
    console.print(
        f"judged {len(report.environments)} environment(s), {report.documents} document(s) "
        f"(requests, states, stored plans); packages evaluated: {escape(packages)}",
        highlight=False,
    )
    grouped = report.by_environment()
    for environment in report.environments:
        rules = grouped.get(environment)
        if not rules:
            console.print(f"{escape(environment)}: [dim]no change[/]", highlight=False)
            continue
        console.print(f"[bold]{escape(environment)}[/]", highlight=False)
        for rule, changes in rules.items():
            console.print(f"  [bold]{escape(rule)}[/] {escape(changes[0].message)}", highlight=False)
            for change in changes:
                console.print(_change_line(change), highlight=False, soft_wrap=True)
    for environment, reason in report.skipped:
        console.print(f"[yellow]skipped[/] {escape(environment)}: {escape(reason)}", highlight=False)
    counts = report.counts()
    denied = report.denied_environments
    console.print(
        f"{counts['newly-denies']} newly deny, {counts['newly-warns']} newly warn, {counts['stops-firing']} stop firing"
        + (f"; [red]would deny running environments: {escape(', '.join(denied))}[/]" if denied else ""),
        highlight=False,
    )
