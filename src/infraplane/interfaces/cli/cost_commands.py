"""`infraplane cost PLAN_JSON|ENV`: monthly cost per resource, total, and delta."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from infraplane.core.cost import CostReport
from infraplane.interfaces.cli.output import Column, console, print_json, print_records
from infraplane.interfaces.cli.state import cli_state
from infraplane.interfaces.views import environment_cost

__all__ = ["cost"]


def _money(value: Any) -> str:
    return "-" if value is None else f"${value:,.2f}"


def _print_report(title: str, report: CostReport) -> None:
    data = report.as_dict()
    rows = [row for row in data["resources"] if row["status"] != "free"]
    if not rows:
        # Nothing with a charge of its own: one line, not an empty table.
        console.print(
            f"[bold]{escape(title)}[/]: nothing priced ({data['free']} free resource(s), no charge of their own)",
            highlight=False,
        )
        return
    columns = [Column("resource", whole=True), Column("status", whole=True)]
    columns += [Column(name, whole=True, justify="right") for name in ("before", "after", "delta")]
    print_records(
        [*columns, Column("detail")],
        [
            [
                row["address"],
                row["status"],
                _money(row["before"]),
                _money(row["after"]),
                _money(row["delta"]),
                row["detail"],
            ]
            for row in rows
        ],
        title=title,
    )
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
    container = cli_state.container
    costs = container.costs
    path = Path(target)
    # Anything that names a file (a path, a device, a directory) is read as one, and told apart if it is no plan.
    if path.suffix == ".json" or "/" in target or path.exists():
        report = costs.estimate_plan_file(path, container.settings.limits.plan_bytes)
        if json_out:
            print_json(report.as_dict())
        else:
            _print_report(f"{path} (prices as of {report.as_of})", report)
        return
    # Named first: an unknown name is told with the environments there are.
    _, components, _ = cli_state.container.environments.get(target)
    reports = costs.estimate_environment(target)
    coverage = environment_cost(reports, components)
    if json_out:
        combined = costs.combined(list(reports.values()))
        print_json(
            {
                "environment": target,
                "components": {n: r.as_dict() for n, r in reports.items()},
                **{k: v for k, v in combined.as_dict().items() if k.startswith("total") or k == "delta"},
                "coverage": {k: v for k, v in coverage.items() if k != "text"},
            }
        )
        return
    for name, report in reports.items():
        _print_report(f"{target}/{name}", report)
    console.print(f"[bold]{escape(target)}[/]: {escape(coverage['text'])} now", highlight=False)
