"""infraplane's whole guardrail decision on one plan JSON file, timed stage by stage.

Run in a fresh interpreter by the bench (`python -m bench.guardrails.decision PLAN OUT`), so the first
("cold") decision pays for everything a first use pays for: importing the policy engine, reading and
compiling the built-in bundle, reading the price table. The warm decisions then reuse the engine and the
price table, as a long-running control plane does, and redo everything that depends on the plan: JSON
load, `normalize_plan`, the policy input document, the evaluation and the cost estimate.

Writes a JSON report to OUT (stdout is left alone: regopy prints on file descriptor 1).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
BASELINE = REPO / "src" / "infraplane" / "policies" / "infraplane-baseline"
TEAM = "platform"
BLUEPRINT = "bench-guardrails"


def environment(tier: str) -> dict[str, str]:
    return {"name": "bench-guardrails", "team": TEAM, "tier": tier, "owner": "platform-team"}


COMPONENT = {"name": "bench", "blueprint": BLUEPRINT, "version": "1.0.0"}


class Stopwatch:
    """Named stage durations (seconds) of one decision."""

    def __init__(self) -> None:
        self.stages: dict[str, float] = {}

    def __call__(self, name: str, work: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        result = work()
        self.stages[name] = self.stages.get(name, 0.0) + time.perf_counter() - started
        return result

    @property
    def total(self) -> float:
        return sum(self.stages.values())


def _imports() -> tuple[Any, ...]:
    from infraplane.adapters.policy.bundles import load_bundle
    from infraplane.adapters.policy.engine import RegoEngine
    from infraplane.adapters.prices import load_price_table
    from infraplane.core.cost import estimate
    from infraplane.core.plan import normalize_plan
    from infraplane.core.policy import plan_input

    return load_bundle, RegoEngine, load_price_table, estimate, normalize_plan, plan_input


def run(plan_file: Path, tier: str, warm_runs: int, spawned_at: float | None) -> dict[str, Any]:
    cold = Stopwatch()
    load_bundle, rego_engine, load_price_table, estimate, normalize_plan, plan_input = cold("import", _imports)

    def decide(watch: Stopwatch, engine: Any, table: Any) -> tuple[Any, Any, int]:
        document = watch("json load", lambda: json.loads(plan_file.read_text(encoding="utf-8")))
        plan = watch("normalize_plan", lambda: normalize_plan(document))
        policy_input = watch("plan_input", lambda: plan_input(plan, environment(tier), COMPONENT, {}))
        decision = watch("evaluate", lambda: engine.evaluate("plan", policy_input, tier, TEAM, BLUEPRINT))
        report = watch("cost estimate", lambda: estimate(plan, table))
        return decision, report, len(plan.resource_changes)

    bundle = cold("load bundle", lambda: load_bundle(BASELINE))
    engine = rego_engine([bundle])
    table = cold("load price table", lambda: load_price_table())
    # The first evaluation compiles the bundle's modules into the interpreter.
    decision, report, changes = decide(cold, engine, table)
    cold_done = time.time()

    warm: list[dict[str, float]] = []
    for _ in range(warm_runs):
        watch = Stopwatch()
        again, _report, _changes = decide(watch, engine, table)
        if [f.as_dict() for f in again.findings] != [f.as_dict() for f in decision.findings]:
            raise SystemExit("a warm evaluation gave different findings from the cold one")
        warm.append({**watch.stages, "total": watch.total})

    return {
        "changes": changes,
        "bundle": bundle.manifest.ref,
        "cold": {**cold.stages, "total": cold.total - cold.stages["import"]},
        "cold_with_imports": cold.total,
        "process_to_cold_decision": (cold_done - spawned_at) if spawned_at is not None else None,
        "warm": warm,
        "warm_median": statistics.median(w["total"] for w in warm) if warm else None,
        "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "findings": [f.as_dict() for f in decision.findings],
        "findings_by_rule": dict(Counter(f"{f.rule} {f.severity}" for f in decision.findings)),
        "cost": {
            "total_after": str(report.total_after),
            "currency": report.currency,
            "priced": sum(1 for r in report.resources if r.status == "priced"),
            "free": report.free,
            "usage_based": len(report.usage_based),
            "unpriced": len(report.unpriced),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.guardrails.decision", description=__doc__)
    parser.add_argument("plan", type=Path, help="`terraform show -json` output")
    parser.add_argument("out", type=Path, help="where to write the JSON report")
    parser.add_argument("--tier", default="dev")
    parser.add_argument("--warm-runs", type=int, default=5)
    parser.add_argument("--spawned-at", type=float, help="time.time() just before this process was started")
    args = parser.parse_args()
    result = run(args.plan, args.tier, args.warm_runs, args.spawned_at)
    args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
