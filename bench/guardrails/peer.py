"""checkov, the peer: installed into its own virtualenv beside the bench, run as a whole process.

checkov pins many libraries, so it never goes into infraplane's environment: the bench creates
`bench/guardrails/.checkov-venv` (git-ignored) with `python3 -m venv` and `pip install checkov==VERSION`
the first time, and reuses it while it holds that version.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

VERSION = "3.3.30"
VENV = Path(__file__).resolve().parent / ".checkov-venv"
# Written after a successful install; a venv without it (an interrupted install) is made again.
MARKER = VENV / ".bench-installed"
BINARY = VENV / "bin" / "checkov"


def installed() -> bool:
    return BINARY.is_file() and MARKER.is_file() and MARKER.read_text(encoding="utf-8").strip() == VERSION


class Installer:
    """`python3 -m venv` + `pip install checkov==VERSION`, in the background while the plan is made."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self._process: subprocess.Popen[bytes] | None = None
        self._started = 0.0
        self.error = ""
        self.seconds = 0.0

    def start(self) -> None:
        if installed():
            return
        if VENV.exists():
            shutil.rmtree(VENV)
        python = shutil.which("python3") or sys.executable
        pip = VENV / "bin" / "python"
        script = (
            f"{python} -m venv {VENV} && {pip} -m pip install --quiet --disable-pip-version-check checkov=={VERSION}"
        )
        self._started = time.monotonic()
        with self.log.open("wb") as handle:
            self._process = subprocess.Popen(
                ["bash", "-c", script], stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )

    @property
    def running(self) -> bool:
        return self._process is not None

    def wait(self, timeout: float = 1800.0) -> bool:
        """True when checkov is usable; otherwise `error` says why."""
        if self._process is None:
            return installed()
        try:
            code = self._process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
            code = -1
        self.seconds = time.monotonic() - self._started
        self._process = None
        if code == 0 and BINARY.is_file():
            MARKER.write_text(VERSION + "\n", encoding="utf-8")
            return True
        lines = [
            line
            for line in self.log.read_text(encoding="utf-8", errors="replace").splitlines()
            if line.strip() and "is ignored: it is neither a file nor a directory" not in line
        ]
        detail = (
            "\n    ".join(line if len(line) < 300 else line[:300] + " ..." for line in lines[-15:]) or "(no output)"
        )
        self.error = f"`pip install checkov=={VERSION}` into {VENV} failed (exit {code}):\n    {detail}"
        return False


@dataclass
class Scan:
    """One whole checkov process: wall and CPU seconds, peak RSS, and its FAILED checks."""

    seconds: float
    cpu_seconds: float
    peak_rss_kib: int
    exit_code: int
    failed: list[dict[str, Any]] = field(default_factory=list)
    resource_count: int = 0
    error: str = ""


def _failed_checks(report: Any) -> tuple[list[dict[str, Any]], int]:
    reports = report if isinstance(report, list) else [report]
    failed: list[dict[str, Any]] = []
    resources = 0
    for item in reports:
        if not isinstance(item, dict):
            continue
        results = item.get("results") or {}
        failed += results.get("failed_checks", [])
        resources += int((item.get("summary") or {}).get("resource_count", 0))
    return failed, resources


def scan(plan: Path, workdir: Path) -> Scan:
    """`checkov -f PLAN --framework terraform_plan -o json --quiet`, timed from spawn to exit.

    Peak RSS and CPU time come from wait4(2) on the process (its own and its waited-for children's).
    """
    workdir.mkdir(parents=True, exist_ok=True)
    out = workdir / f"checkov-{time.monotonic_ns()}.json"
    err = out.with_suffix(".stderr")
    command = [str(BINARY), "-f", str(plan), "--framework", "terraform_plan", "-o", "json", "--quiet"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}
    with out.open("wb") as stdout, err.open("wb") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL, cwd=workdir, env=env
        )
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    result = Scan(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, process.returncode)
    # checkov exits 1 when a check failed; anything else, or output that is not JSON, is an error.
    try:
        result.failed, result.resource_count = _failed_checks(json.loads(out.read_text(encoding="utf-8")))
    except ValueError:
        result.error = "its output is not JSON"
    if process.returncode not in (0, 1):
        result.error = f"exit {process.returncode}"
    if result.error:
        tail = err.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-5:]
        result.error += ": " + " | ".join(tail)
    out.unlink(missing_ok=True)
    err.unlink(missing_ok=True)
    return result
