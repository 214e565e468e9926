"""`infraplane serve` as a user runs it: a real process, the real sandbox, Ctrl-C, `kill -9` and a restart."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from fastapi.testclient import TestClient

from infraplane.adapters.sandbox.control import SandboxInfo
from infraplane.interfaces.api import create_app
from infraplane.interfaces.container import Container
from infraplane.settings import load_settings
from tests.e2e.test_crash_recovery import ENV_FILE  # the environment the CLI's crash test kills, under its own name
from tests.support.cli import run_cli
from tests.support.sandbox import aws, free_port
from tests.support.serve import listening, start_server

CRASHY = "crashy-served"


def _events(home: Path, action: str) -> list[dict[str, object]]:
    listed = run_cli(home, "audit", "log", "--json")
    assert listed.exit_code == 0, listed.stderr
    return [e for e in listed.json() if e["action"] == action]


@pytest.mark.slow
def test_serve_starts_the_sandbox_shows_the_admin_token_once_and_ctrl_c_leaves_nothing_behind(home: Path) -> None:
    home.mkdir(parents=True)
    sandbox_port = free_port()
    (home / "config.yaml").write_text(f"sandbox_port: {sandbox_port}\n")

    server = start_server(home)
    try:
        assert server.get("/healthz").json() == {"status": "ok"}
        ready = server.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == {"store": "ok", "sandbox": "ok", "queue": "ok"}
        sandbox = SandboxInfo(**json.loads((home / "sandbox.json").read_text()))
        assert sandbox.port == sandbox_port and listening(sandbox_port)
        assert sandbox.pid in [c.pid for c in server.children]  # this server started it

        token_file = home / "admin-token"
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        secret = token_file.read_text().strip()
        assert secret.startswith("ipl_")
        out = server.stdout()
        assert out.count(secret) == 1
        for path in ("/", "/docs", "/mcp"):
            assert re.search(rf"{re.escape(server.url + path)}(\s|$)", out), out

        # The sandbox going away makes the server not ready, and says so.
        os.kill(sandbox.pid, signal.SIGKILL)
        not_ready = server.get("/readyz")
        assert not_ready.status_code == 503
        body = not_ready.json()
        assert body["not_ready"] == ["sandbox"] and body["error"]["code"] == "not_ready"
        assert body["checks"]["store"] == "ok" and "sandbox" in body["error"]["message"]
    finally:
        code = server.stop(signal.SIGINT)
    assert code == 0, server.stdout()
    assert "infraplane server stopped" in server.stdout()
    assert not [c.pid for c in server.children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
    assert not listening(server.port) and not listening(sandbox_port)

    # A second start keeps the data: the same token works, none is made or shown again.
    again = start_server(home)
    try:
        assert again.get("/readyz").status_code == 200
        assert secret not in again.stdout() and "ipl_" not in again.stdout()
        assert token_file.read_text().strip() == secret
    finally:
        assert again.stop(signal.SIGKILL) == -signal.SIGKILL
    # Killed, it could not stop its sandbox; the next server adopts that one and stops it with itself.
    assert listening(sandbox_port)
    third = start_server(home)
    try:
        assert "sandbox cloud left by a killed server; adopted" in third.stdout()
    finally:
        assert third.stop(signal.SIGINT) == 0, third.stdout()
    assert not listening(third.port) and not listening(sandbox_port)
    created = _events(home, "token.create")
    assert len(created) == 1 and created[0]["actor"]["kind"] == "system"


def _kill_during_apply(home: Path, file: Path) -> None:
    """`env up` as a subprocess, killed with SIGKILL once Terraform is changing a resource."""
    apply_log = home / "work" / CRASHY / "bucket" / "blueprint" / "module" / "apply.out"
    apply_log.unlink()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("INFRAPLANE_")}
    environment["INFRAPLANE_HOME"] = str(home)
    log = home.parent / "killed-env-up.out"
    with log.open("w") as handle:
        cli = subprocess.Popen(
            [sys.executable, "-m", "infraplane", "env", "up", str(file), "--yes"],
            env=environment,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 300
    while not (apply_log.exists() and '"type":"apply_start"' in apply_log.read_text()):
        assert cli.poll() is None, f"env up ended before it applied:\n{log.read_text()}"
        assert time.monotonic() < deadline, f"terraform never started changing the bucket:\n{log.read_text()}"
        time.sleep(0.1)
    os.kill(cli.pid, signal.SIGKILL)
    cli.wait()


@pytest.mark.slow
def test_a_run_killed_during_apply_is_marked_interrupted_when_the_server_starts_and_applying_again_converges(
    cloud_home: Path, tmp_path: Path, sandbox: SandboxInfo
) -> None:
    (cloud_home / "config.yaml").write_text("lock_lease_seconds: 6\n")
    file = tmp_path / f"{CRASHY}.yaml"
    file.write_text(ENV_FILE.format(name=CRASHY, versioning="true"))
    assert run_cli(cloud_home, "env", "up", str(file), "--yes").exit_code == 0
    file.write_text(ENV_FILE.format(name=CRASHY, versioning="false"))
    # The apply is driven by the CLI on the server's home (the REST apply route comes with the API);
    # the server that starts next finds the run the killed process left.
    _kill_during_apply(cloud_home, file)
    listed = run_cli(cloud_home, "proposal", "list", "--environment", CRASHY, "--json").json()
    [stuck] = [p for p in listed if p["status"] == "applying"]

    server = start_server(cloud_home)
    try:
        shown = run_cli(cloud_home, "proposal", "show", stuck["id"], "--json").json()
        assert shown["status"] == "interrupted"
        environment = run_cli(cloud_home, "env", "show", CRASHY, "--json").json()
        assert environment["status"] == "interrupted"
        assert "stopped while applying" in environment["error"]
        [event] = _events(cloud_home, "proposal.interrupt")
        assert event["actor"] == {"kind": "system", "id": "infraplane"}
        assert event["subject"] == f"proposal:{stuck['id']}" and event["payload"]["to"] == "interrupted"
        assert len(_events(cloud_home, "environment.interrupt")) == 1
        # The sandbox was running before the server: it is used, not started, and not stopped with it.
        assert "sandbox cloud already running" in server.stdout()
    finally:
        assert server.stop(signal.SIGINT) == 0, server.stdout()
    assert listening(sandbox.port)

    # Applying the interrupted proposal again plans it again first (its lock is taken over once the
    # dead run's lease ends). If every change had landed before the kill, that plan finds nothing left
    # and the proposal is applied; else the dev tier auto-approves the new plan and the next apply runs it.
    again = run_cli(cloud_home, "proposal", "apply", stuck["id"])
    assert "stale lock" in again.stdout and "took over" in again.stdout, again.stdout + again.stderr
    if again.exit_code == 2:
        assert "interrupted" in again.stderr and "planned again" in again.stderr
        again = run_cli(cloud_home, "proposal", "apply", stuck["id"])
    assert again.exit_code == 0, again.stdout + again.stderr
    assert run_cli(cloud_home, "proposal", "show", stuck["id"], "--json").json()["status"] == "applied"
    shown = run_cli(cloud_home, "env", "show", CRASHY, "--json").json()
    assert shown["status"] == "ready"
    bucket = shown["components"][0]["outputs"]["bucket_name"]
    assert aws(sandbox, "s3").get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"
    assert run_cli(cloud_home, "audit", "verify").exit_code == 0  # (destroying after a recovery: the CLI's crash test)


def test_a_taken_port_is_refused_before_anything_starts(home: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        refused = run_cli(home, "serve", "--port", str(port))
    assert refused.exit_code == 2, refused.stdout + refused.stderr
    assert f"--port: 127.0.0.1:{port} is already in use" in refused.stderr
    assert "Traceback" not in refused.stdout + refused.stderr
    assert not (home / "sandbox.json").exists()


def test_a_sandbox_that_cannot_start_stops_the_server_with_the_reason_and_no_traceback(home: Path) -> None:
    home.mkdir(parents=True)
    with socket.socket() as taken:  # something that is not the sandbox holds the sandbox's port
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        (home / "config.yaml").write_text(f"sandbox_port: {taken.getsockname()[1]}\n")
        failed = run_cli(home, "serve", "--port", str(free_port()))
    assert failed.exit_code in (1, 2), failed.stdout + failed.stderr
    assert "error (" in failed.stderr and "sandbox" in failed.stderr
    assert "Traceback" not in failed.stdout + failed.stderr
    assert not (home / "sandbox.json").exists()


def test_readiness_names_what_is_not_ready(home: Path) -> None:
    home.mkdir(parents=True)
    (home / "config.yaml").write_text(f"sandbox_port: {free_port()}\n")
    container = Container(load_settings(home=home))
    try:
        client = TestClient(create_app(container))
        answer = client.get("/readyz")  # the sandbox is the target and is not running
        assert answer.status_code == 503
        assert answer.json() == {
            "error": {
                "code": "not_ready",
                "message": "not ready: sandbox: the sandbox cloud does not answer",
                "field": "sandbox",
            },
            "status": "not ready",
            "not_ready": ["sandbox"],
            "checks": {"store": "ok", "sandbox": "the sandbox cloud does not answer", "queue": "ok"},
            "queue": {"mode": "embedded", "waiting": 0, "running": 0, "workers": 1},
        }
        (home / "config.yaml").write_text("default_target: aws\n")
        aws_only = Container(load_settings(home=home))
        try:
            ready = TestClient(create_app(aws_only)).get("/readyz")
            queue = {"mode": "embedded", "waiting": 0, "running": 0, "workers": 1}
            expected = {"status": "ready", "checks": {"store": "ok", "queue": "ok"}, "queue": queue}
            assert (ready.status_code, ready.json()) == (200, expected)
        finally:
            aws_only.close()
    finally:
        container.close()


SLOW_TEARDOWN = """apiVersion: infraplane.dev/v1
kind: Blueprint
metadata:
  name: slow-teardown
  version: 1.0.0
  description: Test blueprint whose destroy runs until it is interrupted.
  owner: platform-team
  labels: [test, script]
spec:
  runner: script
  source: ./scripts
  script:
    apply: echo '{}' > "$INFRAPLANE_OUTPUTS_FILE"
    destroy: trap 'echo interrupted; exit 130' INT; echo $$ > "$INFRAPLANE_INPUT_MARKER"; while true; do sleep 0.1; done
  inputs:
    marker: {type: string, description: A file the destroy writes its pid to}
  required: [marker]
"""


@pytest.mark.slow
def test_ctrl_c_during_a_run_of_the_server_interrupts_its_tool_and_the_proposal(
    cloud_home: Path, tmp_path: Path
) -> None:
    blueprint = tmp_path / "slow-teardown"
    (blueprint / "scripts").mkdir(parents=True)
    (blueprint / "blueprint.yaml").write_text(SLOW_TEARDOWN)
    (blueprint / "scripts" / "README").write_text("the commands are in blueprint.yaml\n")
    assert run_cli(cloud_home, "catalog", "publish", str(blueprint)).exit_code == 0
    marker = tmp_path / "destroying.pid"
    file = tmp_path / "brief.yaml"
    file.write_text(
        "apiVersion: infraplane.dev/v1\nkind: Environment\n"
        "metadata: {name: brief, team: shop, tier: dev}\n"
        f"spec: {{blueprint: slow-teardown, inputs: {{marker: '{marker}'}}, ttl: 1s}}\n"
    )
    up = run_cli(cloud_home, "env", "up", str(file), "--yes")
    assert up.exit_code == 0, up.stdout + up.stderr
    (cloud_home / "config.yaml").write_text("scheduler: {ttl_check_seconds: 1}\n")

    # The TTL has ended: the server's TTL job proposes the destroy (auto-approved in dev) and applies it.
    server = start_server(cloud_home)
    try:
        deadline = time.monotonic() + 120
        while not (marker.exists() and marker.read_text().strip()):
            assert time.monotonic() < deadline, server.stdout()
            time.sleep(0.1)
        tool = int(marker.read_text())
        assert psutil.pid_exists(tool)
    finally:
        code = server.stop(signal.SIGINT)
    assert code == 0, server.stdout()
    assert not psutil.pid_exists(tool) or psutil.Process(tool).status() == psutil.STATUS_ZOMBIE
    [destroy] = [p for p in run_cli(cloud_home, "proposal", "list", "--json").json() if p["kind"] == "destroy"]
    assert destroy["status"] == "interrupted", destroy
    [event] = _events(cloud_home, "proposal.interrupt")
    assert event["actor"]["kind"] == "system" and event["subject"] == f"proposal:{destroy['id']}"
