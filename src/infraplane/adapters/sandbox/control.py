"""Starting, finding, resetting and stopping the sandbox cloud process.

Where it runs is recorded in `$INFRAPLANE_HOME/sandbox.json` ({pid, host, port,
endpoint}); the process is detached so it outlives the command that started it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from http.client import HTTPConnection, HTTPException
from pathlib import Path
from urllib.parse import urlsplit

import psutil

from infraplane.errors import FailureError, RefusedError

__all__ = ["HEALTH_PATH", "SandboxInfo", "reset_sandbox", "sandbox_status", "start_sandbox", "stop_sandbox"]

STATE_FILE = "sandbox.json"
HEALTH_PATH = "/_infraplane/health"  # answered by the sandbox itself, never queued
_HOST = "127.0.0.1"


@dataclass(frozen=True)
class SandboxInfo:
    pid: int
    host: str
    port: int
    endpoint: str
    started_at: str
    log: str


def _state_file(home: Path) -> Path:
    return home / STATE_FILE


def _request(endpoint: str, method: str, path: str, timeout: float) -> int:
    """The HTTP status of one request to the sandbox (http.client: every command checks the sandbox, and
    an HTTP client library costs more to import than the whole check)."""
    address = urlsplit(endpoint)
    connection = HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=timeout)
    try:
        connection.request(method, path)
        return connection.getresponse().status
    finally:
        connection.close()


def _reachable(endpoint: str) -> bool:
    # Any HTTP answer will do (a foreign server on the port answers too). The sandbox answers this path
    # at once, outside the lock its cloud calls queue behind (server.py), so a busy sandbox is running.
    try:
        _request(endpoint, "GET", HEALTH_PATH, 2.0)
    except (OSError, HTTPException):
        return False
    return True


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def sandbox_status(home: Path) -> SandboxInfo | None:
    """The running sandbox recorded under `home`, or None when none is running."""
    path = _state_file(home)
    if not path.is_file():
        return None
    try:
        info = SandboxInfo(**json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError):
        return None
    if not _alive(info.pid) or not _reachable(info.endpoint):
        return None
    return info


def start_sandbox(home: Path, port: int, timeout: float = 30.0) -> tuple[SandboxInfo, bool]:
    """Start the sandbox on 127.0.0.1:`port` unless it already runs; returns (info, started_now)."""
    running = sandbox_status(home)
    if running is not None:
        return running, False
    home.mkdir(parents=True, exist_ok=True)
    log = home / "sandbox.log"
    endpoint = f"http://{_HOST}:{port}"
    if _reachable(endpoint):
        raise RefusedError(f"port {port} is already in use by another process; set sandbox_port in config.yaml")
    with log.open("ab") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "infraplane.adapters.sandbox.server", "--host", _HOST, "--port", str(port)],
            stdout=handle,
            stderr=handle,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise FailureError(f"the sandbox exited at start (code {process.returncode}); see {log}")
        if _reachable(endpoint):
            info = SandboxInfo(
                process.pid, _HOST, port, endpoint, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), str(log)
            )
            _state_file(home).write_text(json.dumps(asdict(info), indent=2), encoding="utf-8")
            return info, True
        time.sleep(0.2)
    process.kill()
    raise FailureError(f"the sandbox did not answer on {endpoint} within {timeout:.0f} s; see {log}")


def stop_sandbox(home: Path) -> SandboxInfo | None:
    """Stop the recorded sandbox; returns what was stopped, or None when nothing ran."""
    path = _state_file(home)
    if not path.is_file():
        return None
    info = SandboxInfo(**json.loads(path.read_text(encoding="utf-8")))
    if _alive(info.pid):
        os.kill(info.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while _alive(info.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _alive(info.pid):
            os.kill(info.pid, signal.SIGKILL)
    path.unlink(missing_ok=True)
    return info


def reset_sandbox(home: Path) -> SandboxInfo:
    """Forget every emulated resource (the process keeps running)."""
    info = sandbox_status(home)
    if info is None:
        raise RefusedError("the sandbox is not running: start it with `infraplane sandbox start`")
    status = _request(info.endpoint, "POST", "/moto-api/reset", 10.0)
    if status >= 400:
        raise FailureError(f"the sandbox refused the reset (HTTP {status})")
    return info
