"""bench/drift: `infraplane drift check` of a fleet against sequential `terraform plan -refresh-only` per component.

A fleet of `--environments` x `--components` SSM parameters (bench/orchestration's `param` blueprint) is
applied on a private sandbox; some are then changed out of band (a value, a tag). Measured in the same run:

- infraplane: `infraplane drift check --json` of every environment (one process; refresh-only plans in
  parallel, at most `concurrency` at a time, each with its own `init`);
- the peer: for each component, one after the other, `terraform plan -refresh-only -out` and `show -json`
  in a directory initialized beforehand (init not timed), with the component's state exported from the store.

Both must find the same drift: the peer's plans are read with the same normalization (core/drift.py).
Prints wall times, the ratio (goal >= 2x on 2 cores) and the machine's load average.
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
from pathlib import Path
from typing import Any

import boto3

from bench.common import (
    free_port,
    home_environment,
    plain_terraform_environment,
    publish,
    run_or_exit,
    sandbox_override_hcl,
)
from infraplane.adapters.archive import unpack_archive
from infraplane.adapters.sandbox.control import start_sandbox, stop_sandbox
from infraplane.core.drift import drift_items
from infraplane.core.plan import normalize_plan
from infraplane.interfaces.container import Container
from infraplane.settings import load_settings

BLUEPRINTS = Path(__file__).resolve().parents[1] / "orchestration" / "blueprints"


def _cli(home: Path, *args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "infraplane", *args],
        env=home_environment(home),
        capture_output=True,
        text=True,
        check=False,
    )
    return time.monotonic() - started, result


def _environment(name: str, components: int) -> str:
    lines = [f"    c{i}: {{blueprint: param, inputs: {{value: v{i}}}}}" for i in range(1, components + 1)]
    return (
        f"apiVersion: infraplane.dev/v1\nkind: Environment\nmetadata: {{name: {name}, team: bench, tier: dev}}\n"
        "spec:\n  components:\n" + "\n".join(lines) + "\n"
    )


def _fleet(home: Path, root: Path, environments: int, components: int) -> list[str]:
    names = [f"fleet{e}" for e in range(1, environments + 1)]
    for name in names:
        file = root / f"{name}.yaml"
        file.write_text(_environment(name, components))
        seconds, up = _cli(home, "env", "up", str(file), "--yes", "--quiet")
        if up.returncode != 0:
            raise SystemExit(f"env up {name} failed:\n{up.stdout}\n{up.stderr}")
        print(f"  applied {name} ({components} components) in {seconds:.0f} s", flush=True)
    return names


def _out_of_band(endpoint: str, names: list[str], components: int) -> int:
    """Change every third parameter's value and tag every fifth: the drift both sides must find."""
    ssm = boto3.client(
        "ssm", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    )
    changed = 0
    number = 0
    for name in names:
        for i in range(1, components + 1):
            number += 1
            parameter = f"/bench/{name}/c{i}"
            if number % 3 == 0:
                ssm.put_parameter(Name=parameter, Value="changed by hand", Type="String", Overwrite=True)
                changed += 1
            if number % 5 == 0:
                ssm.add_tags_to_resource(
                    ResourceType="Parameter", ResourceId=parameter, Tags=[{"Key": "x", "Value": "y"}]
                )
                changed += 1
    return changed


class Peer:
    """Plain Terraform, one component after the other, in directories prepared (and initialized) beforehand."""

    def __init__(self, root: Path, endpoint: str, container: Container) -> None:
        self.root = root
        self.endpoint = endpoint
        self.container = container
        _, self.cli_config = container.terraform_tool
        self.dirs: list[tuple[str, str, Path]] = []

    def _run(self, args: list[str], cwd: Path) -> str:
        return run_or_exit(args, cwd, plain_terraform_environment(self.cli_config, self.endpoint))

    def prepare(self, names: list[str]) -> None:
        for environment, components in self.container.environments.environments():
            if environment.name not in names:
                continue
            for component in components:
                work = self.root / environment.name / component.name
                with self.container.store.read() as tx:
                    unpack_archive(tx.catalog.get_archive(component.digest), work)
                    state = tx.environments.latest_state(environment.name, component.name)
                assert state is not None
                module = work / "module"
                (module / "_override.tf").write_text(sandbox_override_hcl())
                (module / "terraform.tfstate").write_bytes(state.content)
                variables = {**component.inputs, "context": dict(component.context)}
                (module / "bench.tfvars.json").write_text(json.dumps(variables))
                self._run(["terraform", "init", "-input=false", "-no-color"], module)
                self.dirs.append((environment.name, component.name, module))

    def check(self) -> tuple[float, set[tuple[Any, ...]]]:
        found: set[tuple[Any, ...]] = set()
        started = time.monotonic()
        for environment, component, module in self.dirs:
            self._run(
                [
                    "terraform",
                    "plan",
                    "-refresh-only",
                    "-input=false",
                    "-no-color",
                    "-var-file=bench.tfvars.json",
                    "-out=refresh.tfplan",
                ],
                module,
            )
            shown = json.loads(self._run(["terraform", "show", "-json", "refresh.tfplan"], module))
            for item in drift_items(environment, component, normalize_plan(shown)):
                found.add((item.environment, item.component, item.address, item.attribute, item.kind))
        return time.monotonic() - started, found


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.drift", description=__doc__)
    parser.add_argument("--environments", type=int, default=5)
    parser.add_argument("--components", type=int, default=4, help="per environment")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="infraplane-bench-drift-"))
    home = root / ".infraplane"
    info, _ = start_sandbox(home, free_port())
    container = None
    try:
        publish(home, BLUEPRINTS)
        total = args.environments * args.components
        print(f"fleet: {args.environments} environments x {args.components} SSM parameters = {total} components")
        names = _fleet(home, root, args.environments, args.components)
        changes = _out_of_band(info.endpoint, names, args.components)
        print(f"  {changes} out-of-band changes made")
        container = Container(load_settings(home=home))
        peer = Peer(root / "peer", info.endpoint, container)
        peer.prepare(names)

        load_before = os.getloadavg()
        ours, checked = _cli(home, "drift", "check", "--json")
        if checked.returncode not in (0, 1):
            raise SystemExit(f"drift check failed:\n{checked.stdout}\n{checked.stderr}")
        ours_found = {
            (i["environment"], i["component"], i["address"], i["attribute"], i["kind"])
            for i in json.loads(checked.stdout)
        }
        theirs, theirs_found = peer.check()
        load_after = os.getloadavg()

        concurrency = container.settings.concurrency
        print(f"\n  infraplane drift check, every environment (concurrency {concurrency})  {ours:7.1f} s")
        print(f"  terraform plan -refresh-only + show -json, one by one  {theirs:7.1f} s")
        print(f"  ratio peer / infraplane                                {theirs / ours:7.2f}x   (goal >= 2x)")
        same = "the same" if ours_found == theirs_found else "DIFFERENT"
        print(f"  drift items found: infraplane {len(ours_found)}, peer {len(theirs_found)}: {same}")
        if ours_found != theirs_found:
            print(f"    only infraplane: {sorted(map(str, ours_found - theirs_found))}")
            print(f"    only the peer:   {sorted(map(str, theirs_found - ours_found))}")
        print(f"  cores {os.cpu_count()}; load average before {load_before[0]:.1f}, after {load_after[0]:.1f}")
        if ours_found != theirs_found:
            raise SystemExit(1)
    finally:
        if container is not None:
            container.close()
        stop_sandbox(home)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
