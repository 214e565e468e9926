"""Scale rows: infraplane's decision and checkov on plans of N plain resources (`--scale-plans 1000,5000`).

Each plan is `scale_module/` (N tagged SQS queues, on which the baseline finds nothing) planned by real
Terraform against the sandbox cloud, like the large plan. infraplane's decision runs in a fresh process
(`decision.py`, cold: bundle read and compiled, then the decision; peak RSS of that process); checkov scans
the same file once. Aims: 5,000 resources decided in under 5 s and 500 MB, and the time per resource from
the smallest to the largest plan growing by at most 1.5x.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.guardrails import peer
from bench.guardrails.plan import make_plan

MODULE = Path(__file__).resolve().parent / "scale_module"
REPO = Path(__file__).resolve().parents[2]


def _decision(plan: Path, out: Path, tier: str) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.guardrails.decision", str(plan), str(out), "--tier", tier]
    process = subprocess.run([*command, "--warm-runs", "1"], cwd=REPO, capture_output=True, text=True, check=False)
    if process.returncode != 0:
        raise SystemExit(f"infraplane's decision failed:\n{process.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result


def scale_rows(sizes: list[int], work: Path, tier: str, with_checkov: bool) -> list[dict[str, Any]]:
    """One row per size: plan made, infraplane's cold decision (wall, CPU, RSS) and checkov's scan."""
    rows = []
    for size in sizes:
        directory = work / f"scale-{size}"
        directory.mkdir(parents=True, exist_ok=True)
        plan, steps = make_plan(directory, 1, MODULE, (f"-var=n={size}",))
        print(f"  scale plan of {size} queues made ({sum(steps.values()):.0f} s)", flush=True)
        ours = _decision(plan, directory / "decision.json", tier)
        row: dict[str, Any] = {
            "size": size,
            "changes": ours["changes"],
            "wall": ours["cold"]["stages"]["evaluate"] + ours["cold"]["stages"]["normalize_plan"]
            + ours["cold"]["stages"]["json load"] + ours["cold"]["stages"]["plan_input"],
            "cpu": ours["cold"]["cpu_stages"]["evaluate"] + ours["cold"]["cpu_stages"]["normalize_plan"]
            + ours["cold"]["cpu_stages"]["json load"] + ours["cold"]["cpu_stages"]["plan_input"],
            "cold_wall": ours["cold"]["total"],
            "cold_cpu": ours["cold"]["cpu"],
            "rss": ours["peak_rss_kib"],
            "findings": len(ours["findings"]),
        }  # fmt: skip
        if with_checkov:
            scan = peer.scan(plan, directory / "checkov")
            row.update(checkov_wall=scan.seconds, checkov_cpu=scan.cpu_seconds, checkov_rss=scan.peak_rss_kib)
            row["checkov_error"] = scan.error
        rows.append(row)
    return rows


def print_scale(rows: list[dict[str, Any]]) -> bool:
    """The rows as a table; True when the aims are met on the largest plan."""
    from bench.guardrails.__main__ import mib, ratio, seconds, table

    print("\nscale: plans of N tagged aws_sqs_queue (no findings), one fresh process each")
    body = []
    for r in rows:
        per = 1000 * r["cpu"] / max(r["changes"], 1)
        body.append([
            str(r["changes"]), seconds(r["wall"]), seconds(r["cpu"]), f"{per:.2f} ms", seconds(r["cold_cpu"]),
            mib(r["rss"]), seconds(r.get("checkov_wall")), seconds(r.get("checkov_cpu")), mib(r.get("checkov_rss")),
            ratio(r.get("checkov_cpu"), r["cpu"]), r.get("checkov_error", ""),
        ])  # fmt: skip
    header = ["resources", "decision wall", "decision CPU", "CPU/resource", "cold CPU (+bundle)", "peak RSS"]
    table([*header, "checkov wall", "checkov CPU", "checkov RSS", "checkov/infraplane CPU", ""], body)
    print("  decision: JSON load + normalize_plan + plan_input + evaluate; cold adds reading and compiling the bundle")
    largest, smallest = rows[-1], rows[0]
    growth = (largest["cpu"] / largest["changes"]) / (smallest["cpu"] / smallest["changes"])
    fast = largest["cpu"] < 5.0 and largest["rss"] < 500 * 1024
    print(
        f"  largest plan ({largest['changes']}): {largest['cpu']:.2f} s CPU, {mib(largest['rss'])} "
        f"(aim < 5 s and 500 MB: {'met' if fast else 'NOT met'}); CPU per resource grows {growth:.2f}x from "
        f"{smallest['changes']} (aim <= 1.5x: {'met' if growth <= 1.5 else 'NOT met'})"
    )
    return fast and growth <= 1.5
