"""`infraplane serve` as a real subprocess on a free port, for tests that need the whole server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from tests.support.sandbox import free_port

__all__ = ["RunningServer", "listening", "start_server"]


def listening(port: int) -> bool:
    """Whether anything on this machine listens on TCP `port`."""
    return any(
        c.laddr and c.laddr.port == port and c.status == psutil.CONN_LISTEN for c in psutil.net_connections("tcp")
    )


@dataclass
class RunningServer:
    process: subprocess.Popen[str]
    port: int
    home: Path
    output: Path
    children: list[psutil.Process] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str) -> httpx.Response:
        return httpx.get(self.url + path, timeout=10)

    def stdout(self) -> str:
        return self.output.read_text(encoding="utf-8")

    def stop(self, sig: signal.Signals = signal.SIGINT, timeout: float = 60) -> int:
        """Send `sig`, wait for the exit; returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout)


def start_server(home: Path, timeout: float = 90, port: int | None = None) -> RunningServer:
    """Start `infraplane serve` on `home` and `port` (a free one by default); returns once /healthz answers."""
    port = port or free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("INFRAPLANE_")}
    environment.update({"INFRAPLANE_HOME": str(home), "COLUMNS": "200"})
    output = home.parent / f"serve-{port}.out"
    home.mkdir(parents=True, exist_ok=True)
    with output.open("a", encoding="utf-8") as handle:  # a server started again on its port adds to its log
        process = subprocess.Popen(
            [sys.executable, "-m", "infraplane", "serve", "--port", str(port)],
            env=environment,
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
        )
    server = RunningServer(process, port, home, output)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"infraplane serve exited with {process.returncode}:\n{server.stdout()}")
        try:
            if server.get("/healthz").status_code == 200:  # uvicorn listens once the lifespan has started
                server.children = psutil.Process(process.pid).children(recursive=True)
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.stop(signal.SIGKILL)
    raise AssertionError(f"infraplane serve did not answer within {timeout:.0f} s:\n{server.stdout()}")
