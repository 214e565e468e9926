"""Whole processes, timed from spawn to exit: infraplane's CLI and checkov's, as a user starts them.

Wall seconds, CPU seconds (user + system, the process's and its waited-for children's) and peak RSS
come from wait4(2). Each command runs `runs` times; the median is reported.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.guardrails import peer

# The console script beside the interpreter running the bench (.venv/bin/infraplane).
INFRAPLANE = Path(sys.executable).parent / "infraplane"


@dataclass(frozen=True)
class Timed:
    """One command run `runs` times: median wall and CPU seconds, the largest peak RSS, the exit codes."""

    command: str
    wall: float
    cpu: float
    peak_rss_kib: int
    exit_codes: tuple[int, ...]
    walls: tuple[float, ...]
    error: str = ""


def timed(command: list[str], runs: int, env: dict[str, str], cwd: Path, ok: tuple[int, ...] = (0,)) -> Timed:
    walls, cpus, rss, codes = [], [], [], []
    error = ""
    for _ in range(runs):
        with (cwd / "stderr.txt").open("wb") as stderr:
            started = time.perf_counter()
            process = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=stderr, stdin=subprocess.DEVNULL, cwd=cwd, env=env
            )
            _pid, status, usage = os.wait4(process.pid, 0)
            walls.append(time.perf_counter() - started)
        cpus.append(usage.ru_utime + usage.ru_stime)
        rss.append(usage.ru_maxrss)
        codes.append(os.waitstatus_to_exitcode(status))
        if codes[-1] not in ok and not error:
            tail = (cwd / "stderr.txt").read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
            error = f"exit {codes[-1]}: " + " | ".join(tail)
    shown = " ".join(Path(command[0]).name if i == 0 else part for i, part in enumerate(command))
    return Timed(shown, statistics.median(walls), statistics.median(cpus), max(rss), tuple(codes), tuple(walls), error)


def _infraplane_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INFRAPLANE_", "VIRTUAL_ENV", "PYTHON"))}
    env.update({"INFRAPLANE_HOME": str(home), "COLUMNS": "120"})
    return env


def infraplane_help(work: Path, runs: int) -> Timed:
    """`infraplane --help`: the start-up every command pays."""
    work.mkdir(parents=True, exist_ok=True)
    return timed([str(INFRAPLANE), "--help"], runs, _infraplane_env(work / "home"), work)


def infraplane_policy_check(plan: Path, tier: str, work: Path, runs: int) -> tuple[Timed, Timed, int]:
    """`infraplane policy check --plan PLAN --tier TIER` on a fresh INFRAPLANE_HOME.

    The first process also creates the store (migrations) and compiles the built-in bundles (later ones
    load them from the home), and is reported apart; the median is over the `runs` after it. Returns
    (first, later, number of findings the CLI printed).
    """
    work.mkdir(parents=True, exist_ok=True)
    env = _infraplane_env(work / "home")
    command = [str(INFRAPLANE), "policy", "check", "--plan", str(plan), "--tier", tier]
    first = timed(command, 1, env, work, ok=(0, 1))  # exit 1: a deny finding
    later = timed(command, runs, env, work, ok=(0, 1))
    report = subprocess.run([*command, "--json"], capture_output=True, text=True, env=env, cwd=work, check=False)
    try:
        findings = len(json.loads(report.stdout)["findings"])
    except (ValueError, KeyError, TypeError):
        findings = -1
    return first, later, findings


def checkov_version(work: Path, runs: int) -> Timed:
    """`checkov --version`: checkov's start-up (it imports its checks before it can answer)."""
    work.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}
    return timed([str(peer.BINARY), "--version"], runs, env, work)
