"""bench/orchestration: `env up` against plain tools one by one and against the critical-path bound.

Everything runs on a private sandbox cloud on a free loopback port and a throw-away INFRAPLANE_HOME.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bench.common import free_port, plain_terraform_environment, run_or_exit, sandbox_override_hcl
from infraplane.adapters.archive import unpack_archive
from infraplane.adapters.sandbox.control import start_sandbox, stop_sandbox
from infraplane.adapters.terraform.cli_config import discover_mirror, write_cli_config
from infraplane.core.graph import ResolvedComponent
from infraplane.core.wiring import OutputRef
from infraplane.interfaces.container import Container
from infraplane.settings import load_settings

REPO = Path(__file__).resolve().parents[2]
BLUEPRINTS = Path(__file__).resolve().parent / "blueprints"


def _cli(home: Path, *args: str) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INFRAPLANE_")}
    env["INFRAPLANE_HOME"] = str(home)
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "infraplane", *args], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"infraplane {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return time.monotonic() - started


def synthetic_environment(name: str) -> str:
    wide = [f"    wide{i}: {{blueprint: param, inputs: {{value: w{i}}}}}" for i in range(1, 7)]
    deep = ["    deep1: {blueprint: param, inputs: {value: d}}"]
    deep += [
        f'    deep{i}: {{blueprint: param, inputs: {{value: "${{components.deep{i - 1}.outputs.value}}"}}}}'
        for i in range(2, 7)
    ]
    return (
        f"apiVersion: infraplane.dev/v1\nkind: Environment\nmetadata: {{name: {name}, team: bench, tier: dev}}\n"
        "spec:\n  components:\n" + "\n".join(wide + deep) + "\n"
    )


class PlainRunner:
    """The same components, one at a time, with plain terraform (local state) or ansible-playbook."""

    def __init__(self, root: Path, endpoint: str, container: Container) -> None:
        self.root = root
        self.endpoint = endpoint
        self.container = container
        self.cli_config = write_cli_config(
            root / "terraformrc", container.settings.terraform.plugin_cache, discover_mirror()
        )
        self.dirs: list[tuple[str, Path, dict[str, Any]]] = []

    def _env(self) -> dict[str, str]:
        return plain_terraform_environment(self.cli_config, self.endpoint)

    def _run(self, args: list[str], cwd: Path, env: Mapping[str, str]) -> str:
        return run_or_exit(args, cwd, env)

    def apply(
        self, environment: str, component: ResolvedComponent, outputs: Mapping[str, Mapping[str, Any]]
    ) -> tuple[float, dict[str, Any]]:
        values = {
            k: (outputs[v.component][v.output] if isinstance(v, OutputRef) else v) for k, v in component.inputs.items()
        }
        context = {
            "environment": environment,
            "team": "bench",
            "tier": "dev",
            "owner": "bench",
            "component": component.name,
        }
        work = self.root / environment / component.name
        with self.container.store.transaction() as tx:
            unpack_archive(tx.catalog.get_archive(component.digest), work)
        source = work / (component.blueprint.spec.source or ".")
        started = time.monotonic()
        if component.blueprint.spec.runner == "ansible":
            variables = {
                **values,
                "context": context,
                "infraplane_action": "apply",
                "infraplane_outputs_file": str(work / "outputs.json"),
            }
            variables["ansible_python_interpreter"] = "{{ ansible_playbook_python }}"
            (work / "vars.json").write_text(json.dumps(variables))
            env = {**self._env(), "ANSIBLE_LOCALHOST_WARNING": "False"}
            playbook = str(Path(sys.executable).parent / "ansible-playbook")
            self._run(
                [
                    playbook,
                    "-i",
                    "localhost,",
                    "-c",
                    "local",
                    component.blueprint.spec.playbook or "playbook.yml",
                    "-e",
                    f"@{work / 'vars.json'}",
                ],
                source,
                env,
            )
            produced = json.loads((work / "outputs.json").read_text())
        else:
            (source / "_override.tf").write_text(sandbox_override_hcl())
            (source / "bench.tfvars.json").write_text(json.dumps({**values, "context": context}))
            self._run(["terraform", "init", "-input=false", "-no-color"], source, self._env())
            self._run(
                ["terraform", "apply", "-auto-approve", "-input=false", "-no-color", "-var-file=bench.tfvars.json"],
                source,
                self._env(),
            )
            raw = json.loads(self._run(["terraform", "output", "-json"], source, self._env()))
            produced = {k: v["value"] for k, v in raw.items()}
        self.dirs.append((component.blueprint.spec.runner, source, {**values, "context": context}))
        return time.monotonic() - started, produced

    def destroy_all(self) -> None:
        for runner, source, variables in reversed(self.dirs):
            if runner == "terraform":
                self._run(
                    [
                        "terraform",
                        "destroy",
                        "-auto-approve",
                        "-input=false",
                        "-no-color",
                        "-var-file=bench.tfvars.json",
                    ],
                    source,
                    self._env(),
                )
            else:
                (source.parent / "vars.json").write_text(
                    json.dumps(
                        {
                            **variables,
                            "infraplane_action": "destroy",
                            "ansible_python_interpreter": "{{ ansible_playbook_python }}",
                            "infraplane_outputs_file": "/dev/null",
                        }
                    )
                )
                env = self._env()
                self._run(
                    [
                        str(Path(sys.executable).parent / "ansible-playbook"),
                        "-i",
                        "localhost,",
                        "-c",
                        "local",
                        "playbook.yml",
                        "-e",
                        f"@{source.parent / 'vars.json'}",
                    ],
                    source,
                    env,
                )


def critical_path(
    times: Mapping[str, float], dependencies: Mapping[str, set[str]], order: list[str]
) -> tuple[float, list[str]]:
    best: dict[str, tuple[float, list[str]]] = {}
    for node in order:
        before = max((best[d] for d in dependencies[node]), key=lambda b: b[0], default=(0.0, []))
        best[node] = (before[0] + times[node], [*before[1], node])
    return max(best.values(), key=lambda b: b[0])


def measure(label: str, home: Path, env_file: Path, container: Container, plain: PlainRunner) -> dict[str, Any]:
    resolution = container.environments.resolve_file(env_file)
    graph = resolution.graph
    order = [c.name for c in graph.components]
    plain_env = f"{resolution.environment.name}-plain"[:40]
    outputs: dict[str, dict[str, Any]] = {}
    times: dict[str, float] = {}
    for component in graph.components:
        times[component.name], outputs[component.name] = plain.apply(plain_env, component, outputs)
    sequential = sum(times.values())
    bound, chain = critical_path(times, graph.dependencies(), order)
    up = _cli(home, "env", "up", str(env_file), "--yes")
    print(f"\n{label}: {len(order)} components; longest chain {' -> '.join(chain)}")
    for name in order:
        print(f"  {name:<12} plain {times[name]:6.1f} s")
    print(f"  plain tools one by one (a)   {sequential:7.1f} s")
    print(f"  critical-path bound (b)      {bound:7.1f} s")
    print(f"  infraplane env up            {up:7.1f} s")
    print(f"  ratio env up / one by one    {up / sequential:7.2f}x")
    print(f"  ratio env up / critical path {up / bound:7.2f}x   (aim <= 1.20x)")
    _cli(home, "env", "destroy", resolution.environment.name, "--yes")
    plain.destroy_all()
    plain.dirs.clear()
    return {"label": label, "up": up, "sequential": sequential, "critical": bound}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.orchestration", description=__doc__)
    parser.add_argument("--synthetic-only", action="store_true", help="skip the example environment (slow: RDS)")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="infraplane-bench-"))
    home = root / ".infraplane"
    info, _ = start_sandbox(home, free_port())
    try:
        _cli(home, "catalog", "publish", str(REPO / "examples" / "catalog"))
        _cli(home, "catalog", "publish", str(BLUEPRINTS))
        container = Container(load_settings(home=home))
        plain = PlainRunner(root / "plain", info.endpoint, container)
        synthetic = root / "bench-synthetic.yaml"
        synthetic.write_text(synthetic_environment("bench-synthetic"))
        results = [measure("synthetic graph (6 wide + chain of 6)", home, synthetic, container, plain)]
        if not args.synthetic_only:
            results.append(
                measure(
                    "example environment payments-staging",
                    home,
                    REPO / "examples" / "environments" / "payments-staging.yaml",
                    container,
                    plain,
                )
            )
        print("\nsummary")
        for r in results:
            print(
                f"  {r['label']:<42} vs one-by-one {r['up'] / r['sequential']:.2f}x"
                f"   vs critical path {r['up'] / r['critical']:.2f}x"
            )
        container.close()
    finally:
        stop_sandbox(home)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
