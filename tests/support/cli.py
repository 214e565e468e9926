"""Running the real `infraplane` command line as a process of its own, as a user would.

`run_cli` runs `python -m infraplane ARGS` with INFRAPLANE_HOME=home. By default the process is forked
from the worker's fork server (tests/support/forkserver.py), which has the interpreter and the heavy
imports ready: the command, its arguments, environment, working directory, exit status and output are
those of a new process, without paying ~1 CPU-second of start-up each time. `fresh=True` starts a new
interpreter instead, for tests about start-up itself.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["CliResult", "run_cli"]

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 600


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


class _ForkServer:
    """This test worker's fork server: started on first use, stopped when the worker ends."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[str] | None = None
        self._directory: Path | None = None  # made on first use, removed when the worker ends

    def ensure(self) -> str:
        with self._lock:
            if self._directory is None:
                self._directory = Path(tempfile.mkdtemp(prefix="infraplane-forkserver-"))
                atexit.register(self.stop)
            socket_path = str(self._directory / "socket")
            if self._process is None or self._process.poll() is not None:
                paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
                environment = {**os.environ, "PYTHONPATH": os.pathsep.join([*paths, str(REPO)])}
                self._process = subprocess.Popen(
                    [sys.executable, "-m", "tests.support.forkserver", socket_path],
                    stdout=subprocess.PIPE,
                    stderr=(self._directory / "forkserver.log").open("a"),
                    text=True,
                    cwd=REPO,
                    env=environment,
                )
                assert self._process.stdout is not None
                ready = self._process.stdout.readline().strip()
                assert ready == "ready", f"the fork server did not start: {(self._directory / 'forkserver.log')}"
        return socket_path

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)


_SERVER = _ForkServer()


def _environment(home: Path, env: Mapping[str, str] | None) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("INFRAPLANE_")}
    environment.update({"INFRAPLANE_HOME": str(home), "COLUMNS": "200", **(env or {})})
    return environment


def _forked(args: tuple[str, ...], environment: dict[str, str], cwd: Path) -> CliResult:
    with tempfile.TemporaryDirectory(prefix="infraplane-cli-") as scratch:
        out, err = Path(scratch) / "stdout", Path(scratch) / "stderr"
        request = {"args": list(args), "env": environment, "cwd": str(cwd), "stdout": str(out), "stderr": str(err)}
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.connect(_SERVER.ensure())
            connection.sendall(json.dumps(request).encode("utf-8") + b"\n")
            connection.settimeout(TIMEOUT)
            with connection.makefile("rb") as answers:
                pid = json.loads(answers.readline())["pid"]
                try:
                    answer = answers.readline()
                except TimeoutError:
                    os.killpg(pid, signal.SIGKILL)
                    raise subprocess.TimeoutExpired(["infraplane", *args], TIMEOUT) from None
        status = json.loads(answer)["status"]
        return CliResult(status, out.read_text(errors="replace"), err.read_text(errors="replace"))


def run_cli(
    home: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    fresh: bool = False,
) -> CliResult:
    """Run `python -m infraplane ARGS` with INFRAPLANE_HOME=home, as a user would (see the module's docstring)."""
    environment = _environment(home, env)
    if not fresh:
        return _forked(args, environment, cwd or Path.cwd())
    completed = subprocess.run(
        [sys.executable, "-m", "infraplane", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        timeout=TIMEOUT,
        check=False,
    )
    return CliResult(completed.returncode, completed.stdout, completed.stderr)
