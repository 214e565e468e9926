"""`infraplane advise [ENV]`: recommendations from cloud metrics; `--propose` makes them proposals."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape

from infraplane.core.advisors import Recommendation
from infraplane.interfaces.cli.output import Column, console, print_json, print_records
from infraplane.interfaces.cli.state import cli_state

__all__ = ["advise"]


def _change(r: Recommendation) -> str:
    if r.action in ("resize", "scale-out", "ttl"):
        return f"{r.input}: {r.current if r.current is not None else '-'} -> {r.proposed}"
    if r.action == "destroy":
        return "destroy"
    return f"{r.input}: {r.current}" if r.input else "-"


def advise(
    environment: Annotated[str | None, typer.Argument(help="One environment (default: every one).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
    propose: Annotated[
        bool,
        typer.Option("--propose", help="Make every actionable recommendation a proposal, as you (people approve)."),
    ] = False,
) -> None:
    """Recommendations from cloud metrics: right-size, scale out, give idle environments a TTL.

    Right-sizing recommends the smallest allowed size that covers the observed peak plus headroom
    (never below it), with the monthly saving or cost and a confidence; with too little data it
    declines and says why. Reads only, unless --propose: then each actionable recommendation becomes
    a proposal of kind `advisor` (a destroy for an idle environment) that the approval rules route.
    """
    container = cli_state.container
    recommendations = container.advisors.recommend(environment)
    proposed: list[dict[str, Any]] = []
    if propose:
        for recommendation in recommendations:
            if not recommendation.actionable:
                continue
            proposal = container.advisors.propose(recommendation, container.human)
            if proposal is not None:
                proposed.append({"key": recommendation.key, "proposal": proposal.id, "status": proposal.status.value})
    if json_out:
        print_json({"recommendations": [r.as_dict() for r in recommendations], "proposals": proposed})
        return
    if not recommendations:
        where = environment or "any environment"
        console.print(f"no recommendations for {where}: no sizable component, nothing idle", highlight=False)
        return
    print_records(
        [
            Column("recommendation", whole=True),
            Column("action", whole=True),
            Column("change", whole=True),
            Column("cost", whole=True),
            Column("confidence", whole=True),
            Column("why"),
        ],
        [
            [r.key, r.action, _change(r), r.cost_text() if r.actionable else "-", r.confidence or "-", r.reasoning]
            for r in recommendations
        ],
    )
    for made in proposed:
        console.print(escape(f"{made['key']}: proposed {made['proposal']} ({made['status']})"), highlight=False)
