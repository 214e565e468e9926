"""infraplane's whole guardrail decision on one plan JSON file, timed stage by stage.

Run in a fresh interpreter by the bench (`python -m bench.guardrails.decision PLAN OUT`), so the first
("cold") decision pays for everything a first use pays for: reading the built-in bundle, compiling it on
the first evaluation, reading the price table (imports are timed apart). The warm decisions then reuse
the engine and the price table, as a long-running control plane does, and redo everything that depends
on the plan: JSON load, `normalize_plan`, the policy input document, the evaluation, the cost estimate.

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
COMPONENT = {"name": "bench", "blueprint": BLUEPRINT, "version": "1.0.0"}


def environment(tier: str) -> dict[str, str]:
    return {"name": "bench-guardrails", "team": TEAM, "tier": tier, "owner": "platform-team"}


class Stopwatch:
    """Wall and CPU seconds of the named stages of one decision."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    def __call__(self, name: str, work: Callable[[], Any]) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        result = work()
        self.wall[name] = self.wall.get(name, 0.0) + time.perf_counter() - wall
        self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - cpu
        return result

    def report(self, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
        kept = [k for k in self.wall if k not in leave_out]
        return {
            "stages": {k: self.wall[k] for k in kept},
            "cpu_stages": {k: self.cpu[k] for k in kept},
            "total": sum(self.wall[k] for k in kept),
            "cpu": sum(self.cpu[k] for k in kept),
        }


def _imports() -> tuple[Any, ...]:
    from infraplane.adapters.policy.bundles import load_bundle
    from infraplane.adapters.policy.engine import RegoEngine
    from infraplane.adapters.prices import load_price_table
    from infraplane.core.cost import estimate
    from infraplane.core.plan import normalize_plan
    from infraplane.core.policy import plan_input

    return load_bundle, RegoEngine, load_price_table, estimate, normalize_plan, plan_input


def package_profile(bundle: Any, document: dict[str, Any]) -> list[dict[str, Any]]:
    """Where evaluation time goes: every package's `deny` and `warn`, asked one by one.

    On a regopy interpreter of its own: the bundle's modules compiled with one entrypoint per rule, and the
    input the engine would hand the bundle (projected as `bundle.yaml` says, converted as the engine converts
    it), so nothing private of the engine is touched.
    """
    from regopy import Interpreter

    from infraplane.adapters.policy.input import to_input
    from infraplane.adapters.policy.projection import attribute_names
    from infraplane.core.policy import project_plan_input

    interpreter = Interpreter()
    for name, text in bundle.modules.items():
        if not name.endswith("_test.rego"):
            interpreter.add_module(name, text)
    entrypoints = [name for _, name in bundle.entrypoints()]
    compiled = interpreter.build(None, entrypoints)
    params = {**bundle.manifest.params, **dict(document.get("params") or {})}
    keep = attribute_names(bundle, params)
    started = time.process_time()
    narrowed = (
        project_plan_input(document, keep, frozenset(bundle.manifest.input.omit)) if keep is not None else document
    )
    interpreter.set_input(to_input({**narrowed, "params": params}))
    rows = [{"query": "input (project, convert, set)", "cpu": time.process_time() - started}]
    for entrypoint in entrypoints:
        started = time.process_time()
        interpreter.query_bundle_entrypoint(compiled, entrypoint)
        rows.append({"query": "data." + entrypoint.replace("/", "."), "cpu": time.process_time() - started})
    return rows


def run(plan_file: Path, tier: str, warm_runs: int, spawned_at: float | None, profile: bool) -> dict[str, Any]:
    cold = Stopwatch()
    load_bundle, rego_engine, load_price_table, estimate, normalize_plan, plan_input = cold("import", _imports)
    imported_at = time.time()
    last_input: dict[str, Any] = {}

    def decide(watch: Stopwatch, engine: Any, table: Any) -> tuple[Any, Any, int]:
        document = watch("json load", lambda: json.loads(plan_file.read_text(encoding="utf-8")))
        plan = watch("normalize_plan", lambda: normalize_plan(document))
        policy_input = watch("plan_input", lambda: plan_input(plan, environment(tier), COMPONENT, {}))
        decision = watch("evaluate", lambda: engine.evaluate("plan", policy_input, tier, TEAM, BLUEPRINT))
        report = watch("cost estimate", lambda: estimate(plan, table))
        last_input.update(policy_input)
        return decision, report, len(plan.resource_changes)

    bundle = cold("load bundle", lambda: load_bundle(BASELINE))
    engine = rego_engine([bundle])
    table = cold("load price table", lambda: load_price_table())
    # The first evaluation also compiles the bundle's modules into the engine's interpreter.
    decision, report, changes = decide(cold, engine, table)
    cold_done = time.time()

    warm: list[dict[str, Any]] = []
    for _ in range(warm_runs):
        watch = Stopwatch()
        again, _report, _changes = decide(watch, engine, table)
        if [f.as_dict() for f in again.findings] != [f.as_dict() for f in decision.findings]:
            raise SystemExit("a warm evaluation gave different findings from the cold one")
        warm.append(watch.report())

    profile_rows: list[dict[str, Any]] = []
    profile_error = ""
    if profile:
        try:
            profile_rows = package_profile(bundle, last_input)
        except Exception as error:  # noqa: BLE001 - the breakdown is extra: keep the numbers above
            profile_error = f"{type(error).__name__}: {error}"

    return {
        "changes": changes,
        "bundle": bundle.manifest.ref,
        "cold": cold.report(leave_out=("import",)),
        "import_seconds": cold.wall["import"],
        "process_to_imports": (imported_at - spawned_at) if spawned_at is not None else None,
        "process_to_cold_decision": (cold_done - spawned_at) if spawned_at is not None else None,
        "warm": warm,
        "warm_median": statistics.median(w["total"] for w in warm) if warm else None,
        "warm_cpu_median": statistics.median(w["cpu"] for w in warm) if warm else None,
        "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "profile": profile_rows,
        "profile_error": profile_error,
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
    parser.add_argument("--profile", action="store_true", help="also time each package's queries (CPU)")
    args = parser.parse_args()
    result = run(args.plan, args.tier, args.warm_runs, args.spawned_at, args.profile)
    args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
