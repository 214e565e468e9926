"""`infraplane cost PLAN_JSON|ENV`: monthly cost per resource, total, and delta."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from infraplane.core.cost import CostReport
from infraplane.interfaces.cli.output import console, print_json
from infraplane.interfaces.cli.state import cli_state

__all__ = ["cost"]


def _money(value: Any) -> str:
    return "-" if value is None else f"${value:,.2f}"


def _print_report(title: str, report: CostReport) -> None:
    data = report.as_dict()
    table = Table(title=title, box=None, header_style="bold", title_justify="left")
    for column in ("resource", "status", "before", "after", "delta", "detail"):
        table.add_column(column, justify="right" if column in ("before", "after", "delta") else "left")
    for row in data["resources"]:
        if row["status"] == "free":
            continue
        table.add_row(
            row["address"],
            row["status"],
            _money(row["before"]),
            _money(row["after"]),
            _money(row["delta"]),
            row["detail"],
        )
    console.print(table)
    console.print(
        f"total per month: before {_money(data['total_before'])}, after {_money(data['total_after'])}, "
        f"delta {_money(data['delta'])}; {data['free']} free, {len(data['usage_based'])} usage-based, "
        f"{len(data['unpriced'])} unpriced (not counted)",
        highlight=False,
    )


def cost(
    target: Annotated[
        str, typer.Argument(help="A plan JSON file (`terraform show -json PLANFILE`) or an environment name.")
    ],
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
) -> None:
    """Estimated monthly cost per resource, total and delta (on-demand, us-east-1, 730 h a month).

    Resources that cannot be priced are listed as unpriced, never counted as zero.
    """
    costs = cli_state.container.costs
    path = Path(target)
    if path.suffix == ".json" or path.is_file():
        report = costs.estimate_plan_file(path)
        if json_out:
            print_json(report.as_dict())
        else:
            _print_report(f"{path} (prices as of {report.as_of})", report)
        return
    reports = costs.estimate_environment(target)
    if json_out:
        combined = costs.combined(list(reports.values()))
        print_json(
            {
                "environment": target,
                "components": {n: r.as_dict() for n, r in reports.items()},
                **{k: v for k, v in combined.as_dict().items() if k.startswith("total") or k == "delta"},
            }
        )
        return
    for name, report in reports.items():
        _print_report(f"{target}/{name}", report)
    combined = costs.combined(list(reports.values()))
    console.print(f"[bold]{target}[/]: {_money(float(combined.total_after))} per month now", highlight=False)
