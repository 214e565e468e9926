"""`infraplane ask "WORDS"`: a plain-language request resolved into a proposal, or a question back (exit 3)."""

from __future__ import annotations

import json
import shlex
from typing import Annotated

import typer
from rich.markup import escape

from infraplane.core.ask import AskResolution, Clarification
from infraplane.interfaces.cli.output import console, print_json, print_json_line
from infraplane.interfaces.cli.progress import JsonProgress, progress_for
from infraplane.interfaces.cli.proposal_commands import proposal_json
from infraplane.interfaces.cli.proposal_render import print_proposal
from infraplane.interfaces.cli.state import cli_state
from infraplane.services.ask import ClarificationNeeded

__all__ = ["ASK_EXIT_CODE", "ask"]

ASK_EXIT_CODE = ClarificationNeeded.exit_code


def _print_question(clarification: Clarification, json_out: bool) -> None:
    if json_out:
        print_json(clarification.as_dict())
        return
    console.print(escape(clarification.question), highlight=False, soft_wrap=True)
    for option in clarification.options:
        detail = f": {escape(option.description)}" if option.description else ""
        console.print(f"  - [bold]{escape(option.value)}[/]{detail}", highlight=False, soft_wrap=True)


def _print_resolution(resolution: AskResolution) -> None:
    console.print(
        f"[bold]{resolution.blueprint}@{resolution.version}[/] as environment [bold]{resolution.name}[/] "
        f"(team {resolution.team}, tier {resolution.tier})",
        highlight=False,
        soft_wrap=True,
    )
    inputs = ", ".join(f"{k}={json.dumps(v)}" for k, v in resolution.inputs.items()) or "(all defaults)"
    console.print(f"  inputs: {escape(inputs)}", highlight=False, soft_wrap=True)
    console.print(f"  [dim]resolved by the {resolution.resolver} resolver[/]", highlight=False)
    for note in resolution.notes:
        console.print(f"  [yellow]note[/]: {escape(note)}", highlight=False, soft_wrap=True)


def _for_real(words: str, name: str | None, team: str | None, tier: str | None) -> str:
    """The same command without --dry-run, quoted for a POSIX shell."""
    parts = ["infraplane", *(["--as", cli_state.user] if cli_state.user else []), "ask", words]
    for flag, value in (("--name", name), ("--team", team), ("--tier", tier)):
        if value is not None:
            parts += [flag, value]
    return shlex.join(parts)


def ask(
    words: Annotated[str, typer.Argument(help='What you need, e.g. "a staging environment for the payments service".')],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the resolution; propose nothing.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
    name: Annotated[str | None, typer.Option("--name", help="The environment's name (default: chosen).")] = None,
    team: Annotated[str | None, typer.Option("--team", help="The owning team (default: from the words).")] = None,
    tier: Annotated[str | None, typer.Option("--tier", help="The tier (default: from the words, else dev).")] = None,
) -> None:
    """Turn plain words into a proposal: the catalog entry they ask for, with the inputs they give.

    When the words fit no blueprint or several, or leave a required value out, it asks back
    with the options on stdout and exits 3. With --dry-run it proposes nothing.
    """
    container = cli_state.container
    try:
        resolution = container.ask.resolve(words, name=name, team=team, tier=tier, requester=container.human.id)
    except ClarificationNeeded as exc:
        _print_question(exc.clarification, json_out)
        raise typer.Exit(ASK_EXIT_CODE) from None
    if dry_run:
        if json_out:
            print_json(resolution.as_dict())
        else:
            _print_resolution(resolution)
            console.print(
                f"dry run: nothing proposed; to propose it for real: {escape(_for_real(words, name, team, tier))}",
                highlight=False,
                soft_wrap=True,
            )
        return
    document = resolution.environment_document()
    justification = f"ask: {words}"
    if json_out:
        proposal = container.proposals.propose_document(
            document, container.human, justification, JsonProgress(), container.upstream_access(container.human.id)
        )
        print_json_line(
            {
                "event": "result",
                "resolution": resolution.as_dict(),
                "proposal": proposal_json(proposal) if proposal else None,
            }
        )
        return
    _print_resolution(resolution)
    with progress_for(console, f"proposing {resolution.name}") as progress:
        proposal = container.proposals.propose_document(
            document, container.human, justification, progress, container.upstream_access(container.human.id)
        )
    if proposal is None:
        console.print(f"{resolution.name} already is as asked; nothing to propose")
        return
    print_proposal(proposal, container.proposals.missing(proposal), container.proposals.summary(proposal))
