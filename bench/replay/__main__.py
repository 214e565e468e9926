"""bench/replay: `infraplane policy replay` over N environments against the plain engine, one environment at a time.

Every environment runs five Terraform components and keeps its last plans (bench/replay/environments.py),
so each has 11 documents to judge: its request, five states, five stored plans. Three candidates:

- `retention`: a new team bundle of one rule (tests/fixtures/bundles/retention-v1);
- `baseline+rule`: the built-in baseline as version 1.1.0 with one package added (a queue retention rule);
- `baseline params`: the baseline as 1.1.0 with a param changed (`required_tags` + `data-class`), so every
  package of both versions must be evaluated (nothing can be skipped): the heaviest replay there is.

For each: infraplane's replay as `policy replay` runs it (read the documents, judge, store and audit the
report), in this process, and the whole `infraplane policy replay DIR --json` command; and the peer, the
plain engine one environment at a time: for each environment a fresh engine of the active bundles and one
with the candidate in its place, every document evaluated by every bundle in scope under both, then the
findings compared. Both must give the same changes (checked). Aim: 50 environments in under 5 s.

    .venv/bin/python -m bench.replay                      # 50 environments; ~1-2 min (the peer is the slow part)
    .venv/bin/python -m bench.replay --environments 200
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from bench.common import home_environment
from bench.replay.environments import seed
from infraplane.adapters.policy.bundles import load_bundle
from infraplane.adapters.policy.engine import RegoEngine
from infraplane.core.audit import Actor
from infraplane.core.policy_bundles import LoadedBundle
from infraplane.core.replay import ReplayChange, ReplayDocument, compare
from infraplane.interfaces.container import Container
from infraplane.services.policy import BUILTIN_POLICIES
from infraplane.settings import load_settings

REPO = Path(__file__).resolve().parents[2]
RETENTION = REPO / "tests" / "fixtures" / "bundles" / "retention-v1"
BENCHER = Actor("human", "bench")
AIM_SECONDS = 5.0
AIM_ENVIRONMENTS = 50

EXTRA_RULE = """package infraplane.baseline.retention

import rego.v1

deny contains finding if {
	some rc in input.plan.resource_changes
	rc.mode == "managed"
	rc.type == "aws_sqs_queue"
	some action in rc.actions
	action in {"create", "update"}
	rc.after.message_retention_seconds < 604800
	finding := {
		"rule": "RET-001",
		"address": rc.address,
		"attribute": "message_retention_seconds",
		"message": concat(" ", [rc.address, "keeps messages under a week"]),
		"remediation": "Set retention_days to 7 or more.",
	}
}
"""


def _baseline_variant(target: Path, *, rule: bool, params: bool) -> Path:
    """The built-in baseline copied as version 1.1.0, with a package added or a param changed."""
    shutil.copytree(BUILTIN_POLICIES / "infraplane-baseline", target)
    manifest = yaml.safe_load((target / "bundle.yaml").read_text())
    manifest["version"] = "1.1.0"
    if params:
        manifest["params"]["required_tags"] = [*manifest["params"]["required_tags"], "data-class"]
    (target / "bundle.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False))
    if rule:
        (target / "retention.rego").write_text(EXTRA_RULE)
    return target


@dataclass
class Timed:
    wall: float
    cpu: float
    value: Any


def _timed(run: Callable[[], Any]) -> Timed:
    cpu, wall = time.process_time(), time.perf_counter()
    value = run()
    return Timed(time.perf_counter() - wall, time.process_time() - cpu, value)


def _plain(
    documents: list[ReplayDocument], active: list[LoadedBundle], candidate: LoadedBundle, params: dict[str, Any]
) -> tuple[ReplayChange, ...]:
    """The peer: per environment, fresh engines of the active bundles and of them with the candidate in its place."""
    replaced = [b for b in active if b.manifest.name != candidate.manifest.name] + [candidate]
    by_environment: dict[str, list[ReplayDocument]] = {}
    for document in documents:
        by_environment.setdefault(document.environment, []).append(document)
    judged = []
    for environment_documents in by_environment.values():
        before_engine, after_engine = RegoEngine(active), RegoEngine(replaced)
        before_engine.check()
        after_engine.check()
        for document in environment_documents:
            merged = {**document.document, "params": params | dict(document.document.get("params") or {})}
            results = []
            for engine in (before_engine, after_engine):
                decision = engine.evaluate(document.hook, merged, document.tier, document.team, document.blueprint)
                # Only the candidate's name can find anything different; the comparison is infraplane's own.
                results.append(
                    [
                        replace(f, component=document.component)
                        for f in decision.findings
                        if f.bundle.split("@")[0] == candidate.manifest.name
                    ]
                )
            judged.append((document, results[0], results[1]))
    return compare(judged)


def _command(home: Path, bundle: Path) -> Timed:
    """`infraplane policy replay DIR --json` as a person runs it: wall time from spawn to exit, CPU of the child
    (the report is stored and audited again, as every replay is)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "infraplane", "policy", "replay", str(bundle), "--json"],
        env=home_environment(home),
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"policy replay failed:\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timed(wall, cpu, None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--environments", type=int, default=AIM_ENVIRONMENTS)
    parser.add_argument("--keep", action="store_true", help="keep the scratch home and print where it is")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-replay-"))
    home = scratch / ".infraplane"
    try:
        container = Container(load_settings(home=home))
        seed(container.store, args.environments)
        service = container.policy_replay
        policies = container.policies
        candidates = {
            "retention": RETENTION,
            "baseline+rule": _baseline_variant(scratch / "baseline-rule", rule=True, params=False),
            "baseline params": _baseline_variant(scratch / "baseline-params", rule=False, params=True),
        }
        documents, environments, _ = service.documents()
        print(
            f"{len(environments)} environments, {len(documents)} documents (request, 5 states, 5 stored plans each); "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
        header = (
            f"{'candidate':<16} {'replay (wall/CPU s)':>20} {'command (wall/CPU s)':>21} "
            f"{'plain engine (wall/CPU s)':>26} {'plain/replay':>13} {'same':>5}  aim"
        )
        print(header)
        for name, directory in candidates.items():
            ours = _timed(lambda d=directory: service.replay(d, BENCHER))
            command = _command(home, directory)
            candidate = load_bundle(directory)
            peer = _timed(lambda c=candidate: _plain(service.documents()[0], policies.active(), c, policies.params()))
            report = ours.value.report
            same = set(report.changes) == set(peer.value)
            per_fifty = ours.wall * AIM_ENVIRONMENTS / max(1, len(environments))
            cpu_per_fifty = ours.cpu * AIM_ENVIRONMENTS / max(1, len(environments))
            aim = "met" if per_fifty < AIM_SECONDS else "NOT met"
            print(
                f"{name:<16} {ours.wall:>10.2f}/{ours.cpu:<9.2f} {command.wall:>10.2f}/{command.cpu:<10.2f} "
                f"{peer.wall:>13.2f}/{peer.cpu:<12.2f} {peer.wall / ours.wall:>12.1f}x {same!s:>5}  "
                f"< {AIM_SECONDS:.0f} s per {AIM_ENVIRONMENTS}: {aim} "
                f"({per_fifty:.2f} s wall, {cpu_per_fifty:.2f} s CPU); "
                f"{len(report.changes)} changes, {len(report.denied_environments)} environments newly denied, "
                f"packages evaluated: {len(report.packages)}"
            )
        container.close()
    finally:
        if args.keep:
            print(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
