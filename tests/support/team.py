"""Team mode for end-to-end tests and bench/team: one server and worker processes on a PostgreSQL store.

Each worker gets a home of its own (its own work directories, as on another machine); all share the
database, the store's key (`state_key_file`) and the sandbox cloud, and reach Terraform state only
through the server's state API with a worker token.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

from tests.support.cli import run_cli
from tests.support.sandbox import free_port, use_sandbox
from tests.support.serve import RunningServer, start_server

__all__ = ["RunningWorker", "Team", "start_team"]


@dataclass
class RunningWorker:
    name: str
    home: Path
    process: subprocess.Popen[str]
    output: Path

    def log(self) -> str:
        return self.output.read_text(encoding="utf-8", errors="replace")

    def kill(self) -> None:
        """`kill -9`: the worker dies at once; a Terraform it started runs on (its own session)."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(30)

    def stop(self, timeout: float = 120) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)


@dataclass
class Team:
    root: Path
    database_url: str
    sandbox_home: Path
    server: RunningServer
    admin: str
    worker_token: str
    config: dict[str, Any]
    workers: list[RunningWorker] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.server.url

    def api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.admin}"}
        return httpx.request(method, self.url + path, headers=headers, timeout=30, **kwargs)

    def start_worker(self, name: str, concurrency: int = 1, metrics_port: int | None = None) -> RunningWorker:
        home = self.root / f"worker-{name}"
        config = {
            **self.config,
            "state_key_file": str(self.server.home / "keys" / "state.key"),
            "team": {
                **self.config.get("team", {}),
                "server_url": self.server.url,
                "worker_token": self.worker_token,
                "metrics_port": metrics_port,
            },
        }
        home.mkdir(parents=True, exist_ok=True)
        (home / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
        use_sandbox(self.sandbox_home, home)
        output = self.root / f"worker-{name}.log"
        environment = {k: v for k, v in os.environ.items() if not k.startswith("INFRAPLANE_")}
        environment["INFRAPLANE_HOME"] = str(home)
        with output.open("a", encoding="utf-8") as handle:
            process = subprocess.Popen(
                [sys.executable, "-m", "infraplane", "worker", "--concurrency", str(concurrency), "--name", name],
                env=environment,
                stdout=handle,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                text=True,
            )
        worker = RunningWorker(name, home, process, output)
        self.workers.append(worker)
        return worker

    def restart_server(self) -> None:
        """SIGTERM the server and start it again on the same port (workers keep its address)."""
        self.server.stop(signal.SIGTERM)
        self.server = start_server(self.server.home, port=self.server.port)

    def wait_ready(self, workers: int, timeout: float = 60) -> dict[str, Any]:
        """/readyz until it is ready and has seen `workers` workers alive."""
        deadline = time.monotonic() + timeout
        body: dict[str, Any] = {}
        while time.monotonic() < deadline:
            response = self.server.get("/readyz")
            body = response.json()
            if response.status_code == 200 and body.get("queue", {}).get("workers", 0) >= workers:
                return body
            time.sleep(0.5)
        raise AssertionError(f"not ready with {workers} workers: {body}")

    def propose(self, document: dict[str, Any], why: str = "team mode test") -> str:
        created = self.api("POST", "/api/v1/proposals", json={"environment": document, "justification": why})
        assert created.status_code == 202, created.text
        return str(created.json()["id"])

    def proposal(self, proposal_id: str) -> dict[str, Any] | None:
        """The proposal; None while it is being planned (or the server restarts); fails if it never will be."""
        try:
            response = self.api("GET", f"/api/v1/proposals/{proposal_id}")
        except httpx.HTTPError:
            return None
        if response.status_code == 404 and "no proposal was made" in response.text:
            raise AssertionError(f"{proposal_id}: {response.json()['error']['message']}")  # its plan ended without it
        if response.status_code != 200:
            return None
        found: dict[str, Any] = response.json()
        return found

    def wait_status(self, proposal_id: str, statuses: set[str], timeout: float = 300) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        seen: dict[str, Any] | None = None
        while time.monotonic() < deadline:
            seen = self.proposal(proposal_id) or seen
            if seen is not None and seen["status"] in statuses:
                return seen
            time.sleep(0.5)
        logs = "\n".join(f"--- {w.name}\n{w.log()[-4000:]}" for w in self.workers)
        raise AssertionError(f"{proposal_id} never reached {statuses}: {seen and seen['status']}\n{logs}")

    def stop_workers(self) -> None:
        for worker in self.workers:
            if worker.process.poll() is None:
                worker.process.send_signal(signal.SIGTERM)
        for worker in self.workers:
            try:
                worker.process.wait(60)
            except subprocess.TimeoutExpired:
                worker.process.kill()
        self.workers = []

    def stop(self) -> None:
        self.stop_workers()
        self.server.stop(signal.SIGTERM)


def start_team(
    root: Path,
    database_url: str,
    sandbox_home: Path,
    catalogs: list[Path],
    lease_seconds: float = 6,
    extra: dict[str, Any] | None = None,
) -> Team:
    """A server in team mode on `database_url`, with `catalogs` published and a worker token made."""
    home = root / "server"
    config: dict[str, Any] = {
        "database_url": database_url,
        "execution": "team",
        "lock_lease_seconds": lease_seconds,
        "concurrency": 1,
        "drift": {"schedule": {}},
        "team": {"stalled_seconds": 4, "heartbeat_seconds": 1, "shutdown_grace_seconds": 60},
        **(extra or {}),
    }
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    use_sandbox(sandbox_home, home)
    for catalog in catalogs:  # the first command migrates the store; the server creates the queue's tables
        published = run_cli(home, "catalog", "publish", str(catalog))
        assert published.exit_code == 0, published.stderr
    made = run_cli(home, "token", "create", "--name", "worker", "--role", "worker", "--json")
    assert made.exit_code == 0, made.stderr
    server = start_server(home, port=free_port())
    admin = (home / "admin-token").read_text(encoding="utf-8").strip()
    return Team(root, database_url, sandbox_home, server, admin, str(made.json()["token"]), config)
