"""The floor under any `policy check` built on regopy: a process that only evaluates, timed like the CLI.

`prepare` (in the bench's own process, not timed) normalizes and projects the plan for the built-in
bundle exactly as the engine does, writes that input as JSON, and compiles the bundle into rego-cpp's
binary format. `python bench/guardrails/floor.py INPUT PROGRAM ENTRYPOINTS` is then the least work a
Python process can do to decide the plan: start, import regopy, read the input, hand it to rego-cpp
(infraplane's `to_input`, the fastest way regopy offers), load the compiled bundle and ask every rule.
No CLI, settings, store, normalization or printing. Its time is a floor for the whole `policy check`
process against checkov, whatever the command line around the engine does.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def prepare(plan: Path, tier: str, work: Path) -> list[str]:
    """Write `input.json` and the compiled bundle under `work`; the floor process's arguments."""
    from bench.guardrails.decision import BASELINE, COMPONENT, environment
    from infraplane.adapters.policy.bundles import load_bundle
    from infraplane.adapters.policy.engine import RegoEngine
    from infraplane.adapters.policy.projection import attribute_names
    from infraplane.core.plan import normalize_plan
    from infraplane.core.policy import plan_input, project_plan_input

    work.mkdir(parents=True, exist_ok=True)
    bundle = load_bundle(BASELINE)
    document = plan_input(
        normalize_plan(json.loads(plan.read_text(encoding="utf-8"))), environment(tier), COMPONENT, {}
    )
    params = dict(bundle.manifest.params)
    keep = attribute_names(bundle, params)
    narrowed = (
        project_plan_input(document, keep, frozenset(bundle.manifest.input.omit)) if keep is not None else document
    )
    (work / "input.json").write_text(json.dumps({**narrowed, "params": params}), encoding="utf-8")
    engine = RegoEngine([bundle], work / "compiled")
    engine.check()  # compiles the bundle and saves the program under work/compiled
    names = [name for _, name in bundle.entrypoints()]
    (program,) = (work / "compiled").glob("*.rbb")
    return [sys.executable, __file__, str(work / "input.json"), str(program), ",".join(names)]


def main() -> int:
    from regopy import BundleFormat, Interpreter

    from infraplane.adapters.policy.input import to_input

    source, program, entrypoints = sys.argv[1:4]
    interpreter = Interpreter()
    compiled = interpreter.load_bundle(program, BundleFormat.Binary)
    interpreter.set_input(to_input(json.loads(Path(source).read_text(encoding="utf-8"))))
    found = 0
    for name in entrypoints.split(","):
        results = interpreter.query_bundle_entrypoint(compiled, name).results
        found += len(results[0].expressions[0]) if results and results[0].expressions else 0
    print(found)  # the findings, counted: the rules really ran
    return 0


if __name__ == "__main__":
    sys.exit(main())
