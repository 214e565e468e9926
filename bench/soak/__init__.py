"""The soak: many small environments brought up and destroyed at once, by several processes sharing one home.

Every environment has independent Terraform components (the example catalog's `queue`), so their
`terraform init`s, plans and applies overlap across components, environments and processes, and
all of them share one INFRAPLANE_HOME (store, plugin cache, provider mirror). Every input is valid,
so any failed run is a spurious one: exactly what issue 19 forbids. `tests/e2e/test_soak.py` runs a
small soak in `make test`; `python -m bench.soak` a larger one, printing the figures.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Run", "SoakReport", "environment_file", "run_soak"]


# What each soak blueprint needs as inputs, for component number `i`.
INPUTS: dict[str, Callable[[int], str]] = {
    "queue": lambda i: f"{{retention_days: {1 + i % 14}}}",  # the example catalog's SQS queue and its DLQ
    "secret-parameter": lambda i: f"{{secret_value: soak-secret-{i:04d}}}",  # tests' catalog: one SSM parameter
}


def environment_file(directory: Path, name: str, components: int, blueprint: str = "queue") -> Path:
    """An environment of `components` independent components of `blueprint`."""
    inputs = INPUTS[blueprint]
    lines = [f"    c{i}: {{blueprint: {blueprint}, inputs: {inputs(i)}}}" for i in range(components)]
    text = (
        "apiVersion: infraplane.dev/v1\nkind: Environment\n"
        f"metadata: {{name: {name}, team: soak, tier: dev}}\nspec:\n  components:\n" + "\n".join(lines) + "\n"
    )
    path = directory / f"{name}.yaml"
    path.write_text(text)
    return path


@dataclass(frozen=True)
class Run:
    """One `infraplane env up` or `env destroy` process."""

    environment: str
    command: str
    round: int
    exit_code: int
    seconds: float
    retries: tuple[str, ...]
    output: str  # the end of stdout and stderr, kept when the run failed

    @property
    def failed(self) -> bool:
        return self.exit_code != 0


@dataclass
class SoakReport:
    environments: int
    components: int
    rounds: int
    processes: int
    blueprint: str
    runs: list[Run] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failures(self) -> list[Run]:
        return [run for run in self.runs if run.failed]

    @property
    def retries(self) -> list[str]:
        return [f"{run.environment} {run.command}: {retry}" for run in self.runs for retry in run.retries]

    def summary(self) -> str:
        return (
            f"{self.environments} environments x {self.components} {self.blueprint} components, "
            f"{self.rounds} rounds, "
            f"{self.processes} processes: {len(self.runs)} runs "
            f"({len(self.runs) * self.components} component runs), {len(self.failures)} failed, "
            f"{len(self.retries)} retries, {self.seconds:.1f} s"
        )


def _infraplane(home: Path, environment: str, command: str, round_number: int, *args: str) -> Run:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INFRAPLANE_")}
    env["INFRAPLANE_HOME"] = str(home)
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "infraplane", "env", command, *args, "--yes", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    retries = []
    for line in result.stdout.splitlines():
        if line.startswith("{") and '"retry"' in line:
            event = json.loads(line)
            if event.get("event") == "retry":
                retries.append(f"{event.get('component')}: {event.get('message')}")
    output = "" if result.returncode == 0 else (result.stdout[-3000:] + "\n" + result.stderr[-3000:])
    return Run(
        environment, command, round_number, result.returncode, time.monotonic() - started, tuple(retries), output
    )


def run_soak(
    home: Path,
    directory: Path,
    environments: int,
    components: int,
    rounds: int,
    processes: int,
    after_up: Callable[[list[str]], None] | None = None,
    blueprint: str = "queue",
) -> SoakReport:
    """Bring `environments` up and destroy them again, `rounds` times, `processes` CLI processes at a time.

    `home` must have the example catalog published and reach a running sandbox. `after_up` is
    called with the environments' names once every `up` of a round has ended, before the destroys.
    """
    names = [f"soak-{i:02d}" for i in range(environments)]
    files = {name: environment_file(directory, name, components, blueprint) for name in names}
    report = SoakReport(environments, components, rounds, processes, blueprint)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=processes) as pool:
        for round_number in range(1, rounds + 1):
            ups = [pool.submit(_infraplane, home, name, "up", round_number, str(files[name])) for name in names]
            report.runs += [future.result() for future in ups]
            if after_up is not None:
                after_up(names)
            downs = [pool.submit(_infraplane, home, name, "destroy", round_number, name) for name in names]
            report.runs += [future.result() for future in downs]
    report.seconds = time.monotonic() - started
    return report
