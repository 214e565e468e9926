"""bench/guardrails: infraplane's guardrail decision against checkov, on one real Terraform plan of 600+ changes.

1. Makes the plan: `terraform plan -out` + `terraform show -json` of `bench/guardrails/module` against
   infraplane's sandbox cloud (a scratch copy with the sandbox provider override; no internet).
2. Times infraplane's whole decision on it (JSON load, normalize_plan, the built-in bundle's evaluation,
   the cost estimate) in a fresh Python process: cold (first decision, bundle read and compiled) and warm
   (median of repeated decisions on the built engine).
3. Times checkov on the same file (`checkov -f plan.json --framework terraform_plan -o json --quiet`, the
   whole process, median of 3), installing checkov into its own virtualenv on first use.
4. Whole processes as a user starts them: `infraplane --help` against `checkov --version` (start-up), and
   `infraplane policy check --plan PLAN` against checkov's scan (`processes.py`).
5. For every baseline rule, runs both on the rule's `bad/` fixture plan and says whether checkov fails a
   check on the resource our rule flags.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bench.guardrails import floor, peer, processes
from bench.guardrails.decision import BASELINE, BLUEPRINT, COMPONENT, TEAM, environment

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "policies"
# One fixture case per built-in rule (tests/fixtures/policies/<RULE>/case.yaml).
RULES = tuple(sorted(p.parent.name for p in FIXTURES.glob("*/case.yaml")))
# checkov 3.3.30 checks about the same misconfiguration as each rule, picked by their names (`checkov -l`).
# Rules with no entry have no such check in checkov's terraform_plan framework.
RELATED: dict[str, set[str]] = {
    "NET-001": {"CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_260", "CKV_AWS_277"},  # ingress from 0.0.0.0/0
    "NET-002": {"CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_277"},  # SSH / RDP / any port from 0.0.0.0/0
    "STO-001": {"CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56", "CKV2_AWS_6"},  # public access block
    "STO-002": {"CKV_AWS_70", "CKV_AWS_20", "CKV_AWS_57"},  # bucket policy / ACL open to anyone
    "MSG-001": {"CKV_AWS_168", "CKV_AWS_387"},  # SQS policy open to anyone
    "ENC-001": {"CKV_AWS_3", "CKV_AWS_16", "CKV_AWS_19", "CKV_AWS_27", "CKV_AWS_29"},  # encrypted at rest
    "ENC-002": {"CKV_AWS_30", "CKV_AWS_2", "CKV_AWS_103"},  # encrypted in transit
    "DB-001": {"CKV_AWS_17"},  # RDS publicly accessible
    "RES-001": {"CKV_AWS_157"},  # RDS Multi-AZ
    "RES-002": {"CKV_AWS_133"},  # RDS backup policy (checkov: retention > 0; ours: >= 7 days)
    "RES-003": {"CKV_AWS_293"},  # deletion protection
    "SEC-002": {"CKV2_AWS_34"},  # SSM parameter not a SecureString (checkov flags every String parameter)
    "IAM-001": {"CKV_AWS_1", "CKV_AWS_62", "CKV_AWS_63", "CKV_AWS_355", "CKV2_AWS_40"},  # "*" admin policies
}


def seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def ratio(numerator: float | None, denominator: float | None) -> str:
    if not numerator or not denominator:
        return "-"
    return f"{numerator / denominator:.1f}x"


def mib(kib: int | None) -> str:
    return "-" if not kib else f"{kib / 1024:.0f} MB"


def table(header: list[str], rows: list[list[str]], indent: str = "  ") -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, ["-" * w for w in widths], *rows]:
        print(indent + "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def load_note() -> str:
    one, five, _ = os.getloadavg()
    cpus = os.cpu_count() or 1
    note = f"load average {one:.1f} (1 min) / {five:.1f} (5 min) on {cpus} CPUs"
    return note + ("  <- busy: wall times are inflated, CPU seconds less so" if one > cpus else "")


# --------------------------------------------------------------------------- infraplane


def infraplane_decisions(plan: Path, work: Path, args: argparse.Namespace) -> list[dict[str, Any]]:
    """`--cold-runs` fresh processes; the first also makes the warm decisions and the package profile."""
    results = []
    for index in range(args.cold_runs):
        out = work / f"decision-{index}.json"
        command = [sys.executable, "-m", "bench.guardrails.decision", str(plan), str(out), "--tier", args.tier]
        command += ["--warm-runs", str(args.warm_runs if index == 0 else 0)]
        if index == 0 and not args.no_profile:
            command.append("--profile")
        spawned = time.time()
        process = subprocess.run(
            [*command, "--spawned-at", repr(spawned)], cwd=REPO, capture_output=True, text=True, check=False
        )
        if process.returncode != 0:
            raise SystemExit(f"infraplane's decision failed:\n{process.stdout[-3000:]}\n{process.stderr[-3000:]}")
        results.append(json.loads(out.read_text(encoding="utf-8")))
    return results


def print_infraplane(results: list[dict[str, Any]], args: argparse.Namespace) -> dict[str, Any]:
    first = results[0]
    cold_total = statistics.median(r["cold"]["total"] for r in results)
    cold_cpu = statistics.median(r["cold"]["cpu"] for r in results)
    process_total = statistics.median(r["process_to_cold_decision"] for r in results)
    warm = first["warm"]
    stages = list(first["cold"]["stages"])
    rows = []
    for stage in stages:
        warm_wall = statistics.median(w["stages"][stage] for w in warm) if warm and stage in warm[0]["stages"] else None
        warm_cpu = (
            statistics.median(w["cpu_stages"][stage] for w in warm) if warm and stage in warm[0]["stages"] else None
        )
        rows.append(
            [
                stage,
                seconds(statistics.median(r["cold"]["stages"][stage] for r in results)),
                seconds(statistics.median(r["cold"]["cpu_stages"][stage] for r in results)),
                seconds(warm_wall),
                seconds(warm_cpu),
            ]
        )
    rows.append(["= whole decision", seconds(cold_total), seconds(cold_cpu), seconds(first["warm_median"]),
                 seconds(first["warm_cpu_median"])])  # fmt: skip
    cold_label = "cold" if len(results) == 1 else f"cold (median of {len(results)} processes)"
    print(f"\ninfraplane: {first['bundle']} on {first['changes']} changes, tier {args.tier}")
    table(["stage", f"{cold_label} wall", "cold CPU", f"warm wall (median of {len(warm)})", "warm CPU"], rows)
    print(
        f"  python process, spawn to the end of the cold decision (interpreter start + imports "
        f"{seconds(statistics.median(r['import_seconds'] for r in results))} + decision): {seconds(process_total)}"
    )
    each = ", ".join(f"{w['total']:.2f}" for w in warm)
    print(f"  warm decisions, wall: {each} s")
    print(f"  peak RSS of the process (cold + {len(warm)} warm): {mib(first['peak_rss_kib'])}")
    cost = first["cost"]
    print(
        f"  cost estimate: {cost['currency']} {cost['total_after']}/month after the plan; {cost['priced']} priced, "
        f"{cost['free']} free, {cost['usage_based']} usage-based, {cost['unpriced']} unpriced"
    )
    if first["profile"]:
        print(
            "\n  where `evaluate` goes: each package's deny/warn asked one by one on an interpreter of the bench's own"
            "\n  (CPU; compiled with one entrypoint per rule and handed the projected input, as the engine does)"
        )
        profile = sorted(first["profile"], key=lambda row: -row["cpu"])
        total = sum(row["cpu"] for row in profile)
        shown = [[row["query"], seconds(row["cpu"]), f"{100 * row['cpu'] / total:.0f}%"] for row in profile[:8]]
        rest = profile[8:]
        shown.append([f"{len(rest)} other queries", seconds(sum(r["cpu"] for r in rest)), ""])
        shown.append(["= all queries", seconds(total), ""])
        table(["query", "CPU", "share"], shown, indent="    ")
    elif first["profile_error"]:
        print(f"  (per-query breakdown unavailable: {first['profile_error']})")
    return {
        "cold": cold_total,
        "cold_cpu": cold_cpu,
        "warm": first["warm_median"],
        "warm_cpu": first["warm_cpu_median"],
        "process": process_total,
        "rss": first["peak_rss_kib"],
        "changes": first["changes"],
        "findings": first["findings"],
        "findings_by_rule": first["findings_by_rule"],
    }


# --------------------------------------------------------------------------- checkov


def checkov_on_plan(plan: Path, work: Path, runs: int) -> dict[str, Any]:
    scans = [peer.scan(plan, work / "checkov") for _ in range(runs)]
    broken = [s for s in scans if s.error]
    rows = [
        [f"run {i + 1}", seconds(s.seconds), seconds(s.cpu_seconds), mib(s.peak_rss_kib), str(len(s.failed)), s.error]
        for i, s in enumerate(scans)
    ]
    middle = sorted(scans, key=lambda s: s.seconds)[len(scans) // 2]
    print(f"\ncheckov {peer.VERSION}: `checkov -f plan.json --framework terraform_plan -o json --quiet`, whole process")
    table(["", "wall", "CPU", "peak RSS", "FAILED checks", ""], rows)
    median = statistics.median(s.seconds for s in scans)
    cpu = statistics.median(s.cpu_seconds for s in scans)
    print(f"  median of {runs}: {seconds(median)} wall, {seconds(cpu)} CPU; {middle.resource_count} resources scanned")
    return {
        "seconds": median,
        "cpu": cpu,
        "rss": max(s.peak_rss_kib for s in scans),
        "failed": middle.failed,
        "error": broken[0].error if broken else "",
    }


def print_findings_side_by_side(ours: dict[str, Any], theirs: dict[str, Any] | None) -> None:
    print("\nfindings on the large plan")
    rules = list(RULES) + sorted({f["rule"] for f in ours["findings"]} - set(RULES))
    rows = []
    for rule in rules:
        mine = [f for f in ours["findings"] if f["rule"] == rule]
        severities = sorted({f["severity"] for f in mine})
        ours_text = f"{len(mine)} {'/'.join(severities)} on {len({f['address'] for f in mine})}" if mine else "0"
        if theirs is None:
            rows.append([rule, ours_text, "", "", ""])
            continue
        related = RELATED.get(rule, set())
        if not related:
            rows.append([rule, ours_text, "n/a", "n/a", ""])
            continue
        failing = [c for c in theirs["failed"] if c["check_id"] in related]
        flagged = {f["address"] for f in mine}
        theirs_flagged = {c["resource"] for c in failing}
        both = f"{len(flagged & theirs_flagged)} of {len(flagged)}" if flagged else "-"
        ids = ", ".join(sorted({c["check_id"] for c in failing}))
        rows.append([rule, ours_text, both, str(len(theirs_flagged - flagged)), ids])
    header = ["rule", "infraplane findings on resources", "checkov also fails (related check)", "checkov only"]
    table([*header, "related checks that failed"], rows)
    line = f"  infraplane: {len(ours['findings'])} findings in all"
    if theirs is not None:
        line += (
            f"; checkov: {len(theirs['failed'])} FAILED checks of {len({c['check_id'] for c in theirs['failed']})} ids"
        )
        line += "; n/a: checkov has no check about that rule's problem"
        line += "\n  checkov only: resources where checkov fails a related check and this rule has no finding"
    print(line)


# --------------------------------------------------------------------------- whole processes


def whole_processes(plan: Path, work: Path, args: argparse.Namespace, with_checkov: bool) -> dict[str, Any]:
    """`infraplane --help` and `infraplane policy check` as whole processes, and `checkov --version`."""
    runs = args.process_runs
    started = processes.infraplane_help(work / "cli", runs)
    first, check, findings = processes.infraplane_policy_check(plan, args.tier, work / "cli", runs)
    version = processes.checkov_version(work / "checkov-version", runs) if with_checkov else None
    floor_command = floor.prepare(plan, args.tier, work / "floor")
    bare = processes.timed(floor_command, runs, dict(os.environ), work / "floor")
    counted = subprocess.run(floor_command, capture_output=True, text=True, check=False).stdout.strip()
    print(f"\nwhole processes, spawn to exit (median of {runs}; the store is made by the first policy check)")
    rows = [
        [t.command if len(t.command) < 70 else t.command[:67] + "...", seconds(t.wall), seconds(t.cpu),
         mib(t.peak_rss_kib), ", ".join(f"{w:.2f}" for w in t.walls), t.error]
        for t in (started, first, check, bare, *([version] if version else []))
    ]  # fmt: skip
    rows[1][0] = "first policy check (creates the store)"
    rows[3][0] = "floor.py: regopy alone (input, compiled rules; no CLI)"
    table(["command", "wall", "CPU", "peak RSS", "each wall (s)", ""], rows)
    print(f"  policy check printed {findings} findings (the engine-only decision: see above); floor.py found {counted}")
    return {
        "help": started, "first_check": first, "check": check, "floor": bare, "version": version,
        "check_findings": findings,
    }  # fmt: skip


def summary_table(ours: dict[str, Any], theirs: dict[str, Any] | None, cli: dict[str, Any]) -> bool:
    """The aims side by side with checkov; True when every aim measured is met."""
    help_run, check, version = cli["help"], cli["check"], cli["version"]
    scan = theirs["seconds"] if theirs else None
    rows = [
        ["start-up: `infraplane --help` vs `checkov --version`", help_run.wall, version.wall if version else None,
         "< 0.3 s", help_run.wall < 0.3],
        ["whole process policy check (663-change plan) vs checkov scan", check.wall, scan, "< 1 s and >= 20x",
         check.wall < 1.0 and (scan is None or scan / check.wall >= 20)],
        ["engine only, cold (decision.py, first decision)", ours["cold"], scan, "< 1 s and >= 20x",
         ours["cold"] < 1.0 and (scan is None or scan / ours["cold"] >= 20)],
        ["engine only, warm (median of repeated decisions)", ours["warm"], scan, "< 1 s and >= 20x",
         ours["warm"] < 1.0 and (scan is None or scan / ours["warm"] >= 20)],
    ]  # fmt: skip
    body = [
        [name, seconds(mine), seconds(peer_seconds), ratio(peer_seconds, mine), aim, "met" if met else "NOT met"]
        for name, mine, peer_seconds, aim, met in rows
    ]
    table(["measure (wall, median)", "infraplane", "checkov", "checkov/infraplane", "aim", ""], body)
    cpu = [
        ["start-up CPU", help_run.cpu, version.cpu if version else None],
        ["whole process policy check CPU", check.cpu, theirs["cpu"] if theirs else None],
        ["engine only CPU, cold / warm", ours["cold_cpu"], theirs["cpu"] if theirs else None],
    ]
    for name, mine, peer_cpu in cpu:
        extra = f" / {ours['warm_cpu']:.2f} s" if name.startswith("engine") else ""
        print(f"  {name}: infraplane {seconds(mine)}{extra}, checkov {seconds(peer_cpu)} = {ratio(peer_cpu, mine)}")
    bare = cli["floor"]
    print(
        f"  floor: a process that only hands the projected plan to regopy and asks the rules (floor.py) "
        f"{seconds(bare.wall)} = {ratio(scan, bare.wall)} checkov; no `policy check` built on regopy can beat it"
    )
    return all(met for *_, met in rows)


# --------------------------------------------------------------------------- rule fixtures


@dataclass
class RuleRow:
    rule: str
    tier: str
    ours: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)
    checkov_ids: list[str] = field(default_factory=list)
    related_ids: list[str] = field(default_factory=list)
    note: str = ""


def rule_fixtures(work: Path, with_checkov: bool) -> list[RuleRow]:
    from infraplane.adapters.policy.bundles import load_bundle
    from infraplane.adapters.policy.engine import RegoEngine
    from infraplane.core.plan import normalize_plan
    from infraplane.core.policy import plan_input

    engine = RegoEngine([load_bundle(BASELINE)])
    rows: list[RuleRow] = []
    plans: dict[str, Path] = {}
    for rule in RULES:
        case = FIXTURES / rule / "case.yaml"
        plan = FIXTURES / rule / "bad" / "plan.json"
        if not case.is_file() or not plan.is_file():
            rows.append(RuleRow(rule, "?", note=f"fixture missing ({plan.relative_to(REPO)})"))
            continue
        tier = str((yaml.safe_load(case.read_text(encoding="utf-8")) or {}).get("tier", "dev"))
        document = plan_input(
            normalize_plan(json.loads(plan.read_text(encoding="utf-8"))), environment(tier), COMPONENT, {}
        )
        decision = engine.evaluate("plan", document, tier, TEAM, BLUEPRINT)
        row = RuleRow(rule, tier)
        row.ours = sorted({f.address for f in decision.findings if f.rule == rule})
        row.others = sorted({f.rule for f in decision.findings if f.rule != rule})
        rows.append(row)
        plans[rule] = plan
    if not with_checkov:
        return rows
    with ThreadPoolExecutor(max_workers=2) as pool:
        scans = dict(
            zip(plans, pool.map(lambda p: peer.scan(p, work / "checkov-fixtures"), plans.values()), strict=True)
        )
    for row in rows:
        scan = scans.get(row.rule)
        if scan is None:
            continue
        if scan.error:
            row.note = f"checkov failed: {scan.error}"
            continue
        on_target = [c for c in scan.failed if c["resource"] in row.ours or c.get("resource_address") in row.ours]
        row.checkov_ids = sorted({c["check_id"] for c in on_target}, key=lambda i: (i.startswith("CKV2"), len(i), i))
        row.related_ids = [i for i in row.checkov_ids if i in RELATED.get(row.rule, set())]
        if not row.ours:
            row.note = "our rule did not fire"
        elif all(a.startswith("provider.") for a in row.ours):
            row.note = "a provider setting: checkov reports resources only"
        if not scan.failed:
            row.note = (row.note + "; " if row.note else "") + "checkov FAILED no check in this plan"
        elif not on_target:
            row.note = (row.note + "; " if row.note else "") + f"checkov FAILED {len(scan.failed)} checks elsewhere"
    return rows


def print_rule_table(rows: list[RuleRow], with_checkov: bool) -> tuple[int, int]:
    print("\nwhich of our rules checkov also flags (each rule's tests/fixtures/policies/<RULE>/bad/plan.json)")
    body = []
    for r in rows:
        ours = "yes" if r.ours else "NO"
        if r.others:
            ours += f" (+{', '.join(r.others)})"
        checked = with_checkov and r.tier != "?"
        flags = ("yes" if r.checkov_ids else "no") if checked else "-"
        same = (f"yes: {', '.join(r.related_ids)}" if r.related_ids else "no") if checked else "-"
        body.append([r.rule, r.tier, ours, ", ".join(r.ours), flags, same, r.note, ", ".join(r.checkov_ids)])
    header = ["rule", "tier", "ours", "offending address(es)", "checkov FAILED on it", "same problem", "note"]
    table([*header, "all checkov checks FAILED on it"], body)
    flagged = sum(1 for r in rows if r.checkov_ids)
    same = sum(1 for r in rows if r.related_ids)
    if with_checkov:
        print(
            "  same problem: a failed check on that resource is about the rule's misconfiguration"
            " (RELATED in bench/guardrails/__main__.py, by checkov's check names)"
        )
    return flagged, same


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.guardrails", description=__doc__.splitlines()[0])
    parser.add_argument("--plan", type=Path, help="use this plan JSON instead of planning bench/guardrails/module")
    parser.add_argument("--scale", type=int, default=1, help="multiply the module's counts (1: 663 changes)")
    parser.add_argument("--tier", default="dev", help="environment tier of the large plan's decision")
    parser.add_argument("--warm-runs", type=int, default=5)
    parser.add_argument("--cold-runs", type=int, default=1, help="fresh processes for the cold decision (median)")
    parser.add_argument("--checkov-runs", type=int, default=3)
    parser.add_argument("--process-runs", type=int, default=5, help="runs of each whole-process command (median)")
    parser.add_argument("--no-checkov", action="store_true", help="infraplane's numbers only")
    parser.add_argument("--no-profile", action="store_true", help="skip the per-query breakdown of evaluate")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory (plan.json, logs)")
    parser.add_argument(
        "--scale-plans",
        default="1000",
        help="comma-separated sizes of plain-resource plans to time against checkov (e.g. 1000,5000; '' for none)",
    )
    args = parser.parse_args()
    if min(args.warm_runs, args.cold_runs, args.checkov_runs, args.process_runs) < 1:
        parser.error("--warm-runs, --cold-runs, --checkov-runs and --process-runs must be at least 1")
    if not (BASELINE / "bundle.yaml").is_file():
        raise SystemExit(f"the built-in bundle is incomplete: {BASELINE / 'bundle.yaml'} is missing")

    began = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="infraplane-bench-guardrails-"))
    installer = peer.Installer(work / "checkov-install.log")
    checkov_problem = ""
    try:
        print("bench/guardrails: infraplane's guardrail decision vs checkov on a real Terraform plan")
        print(f"  {load_note()}")
        if args.no_checkov:
            checkov_problem = "skipped (--no-checkov)"
        elif peer.installed():
            print(f"  checkov {peer.VERSION}: reusing {peer.VENV.relative_to(REPO)}")
        else:
            print(f"  checkov {peer.VERSION}: installing into {peer.VENV.relative_to(REPO)} (in the background)")
            installer.start()

        if args.plan is not None:
            plan = args.plan.resolve()
            print(f"  plan: {plan}")
        else:
            from bench.guardrails.plan import make_plan

            print(f"  plan: terraform plan of bench/guardrails/module (scale {args.scale}) against the sandbox cloud")
            plan, steps = make_plan(work, args.scale)
            print("    " + ", ".join(f"{name} {value:.1f} s" for name, value in steps.items()))
        document = json.loads(plan.read_text(encoding="utf-8"))
        changes = len(document.get("resource_changes", []))
        print(f"    {changes} resource changes, {plan.stat().st_size / 1e6:.1f} MB of JSON")
        if changes < 500:
            print("    (fewer than 500 changes: raise --scale)")
        del document

        if installer.running:
            print("  waiting for the checkov install ...", flush=True)
            if installer.wait():
                print(f"    installed in {installer.seconds:.0f} s")
            else:
                checkov_problem = f"NOT AVAILABLE: {installer.error}"
        if checkov_problem:
            print(f"\n  checkov: {checkov_problem}")

        ours = print_infraplane(infraplane_decisions(plan, work, args), args)
        theirs = None if checkov_problem else checkov_on_plan(plan, work, args.checkov_runs)
        if theirs is not None and theirs["error"]:
            print(f"  checkov did not run cleanly: {theirs['error']}")
        cli = whole_processes(plan, work, args, with_checkov=theirs is not None)
        print_findings_side_by_side(ours, theirs)
        rows = rule_fixtures(work, with_checkov=theirs is not None)
        flagged, same = print_rule_table(rows, with_checkov=theirs is not None)

        sizes = [int(n) for n in args.scale_plans.split(",") if n.strip()]
        scale_met = None
        if sizes:
            from bench.guardrails.scale import print_scale, scale_rows

            scale_met = print_scale(scale_rows(sorted(sizes), work, args.tier, with_checkov=theirs is not None))

        print("\nsummary")
        if scale_met is not None:
            print(f"  scale plans ({args.scale_plans}): aims {'met' if scale_met else 'NOT met'} (see above)")
        print(f"  bench took {time.monotonic() - began:.0f} s; {load_note()}")
        head = (
            f"guardrails on a {ours['changes']}-change plan: infraplane cold {ours['cold']:.2f} s, "
            f"warm {ours['warm']:.2f} s"
        )
        fast = ours["warm"] < 1.0 and ours["cold"] < 1.0
        if theirs is None:
            short = "skipped (--no-checkov)" if args.no_checkov else "NOT AVAILABLE (the install failed: see above)"
            print(f"{head}; checkov {short}")
            summary_table(ours, None, cli)
            print(f"  aim decision < 1 s: {'met' if fast else 'NOT met'}; aim >= 20x: not measured")
            return 0
        print(f"{head}; checkov {theirs['seconds']:.2f} s ({mib(theirs['rss'])})")
        print(
            f"ratio checkov/infraplane: {ratio(theirs['seconds'], ours['cold'])} cold, "
            f"{ratio(theirs['seconds'], ours['warm'])} warm, {ratio(theirs['seconds'], cli['check'].wall)} whole "
            f"process `policy check`   (aim >= 20x; < 1 s)"
        )
        every = summary_table(ours, theirs, cli)
        print(
            f"  peak RSS: decision process {mib(ours['rss'])}, `policy check` {mib(cli['check'].peak_rss_kib)}, "
            f"checkov {mib(theirs['rss'])}"
        )
        print(f"  every aim: {'met' if every else 'NOT met'}")
        print(
            f"  rule fixtures: checkov fails a check on the offending resource for {flagged} of {len(rows)} rules,"
            f" one about the same problem for {same}"
        )
        return 0
    finally:
        if installer.running:
            installer.wait(timeout=0.1)
        if args.keep:
            print(f"scratch directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
