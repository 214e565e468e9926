"""`kill -9` of the CLI during an apply: the next run reports the stale lock, takes over after the lease, converges."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from infraplane.adapters.sandbox.control import SandboxInfo
from tests.support.cli import run_cli
from tests.support.sandbox import aws

# Each test that kills a run names its own environment: tests on one worker share one sandbox cloud.
ENV_FILE = """apiVersion: infraplane.dev/v1
kind: Environment
metadata: {{name: {name}, team: shop, tier: dev}}
spec:
  blueprint: bucket
  inputs: {{versioning: {versioning}}}
"""


@pytest.mark.slow
def test_killed_apply_is_taken_over_and_converges(cloud_home: Path, tmp_path: Path, sandbox: SandboxInfo) -> None:
    (cloud_home / "config.yaml").write_text("lock_lease_seconds: 6\n")
    file = tmp_path / "crashy.yaml"
    file.write_text(ENV_FILE.format(name="crashy", versioning="true"))
    assert run_cli(cloud_home, "env", "up", str(file), "--yes").exit_code == 0
    before = run_cli(cloud_home, "env", "state-history", "crashy", "bucket", "--json").json()
    assert before

    file.write_text(ENV_FILE.format(name="crashy", versioning="false"))
    apply_log = cloud_home / "work" / "crashy" / "bucket" / "blueprint" / "module" / "apply.out"
    apply_log.unlink()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("INFRAPLANE_")}
    environment["INFRAPLANE_HOME"] = str(cloud_home)
    cli = subprocess.Popen(
        [sys.executable, "-m", "infraplane", "env", "up", str(file), "--yes"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not apply_log.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert apply_log.exists(), "the apply never started"
    # Kill the CLI once Terraform is changing a resource (its JSON log says apply_start), not after a guessed delay.
    while '"type":"apply_start"' not in apply_log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert '"type":"apply_start"' in apply_log.read_text(), "terraform never started changing the bucket"
    os.kill(cli.pid, signal.SIGKILL)
    cli.wait()

    rerun = run_cli(cloud_home, "env", "up", str(file), "--yes")
    assert rerun.exit_code == 0, rerun.stdout + rerun.stderr
    assert "stale lock" in rerun.stdout and "took over" in rerun.stdout
    shown = run_cli(cloud_home, "env", "show", "crashy", "--json").json()
    assert shown["status"] == "ready"
    bucket = shown["components"][0]["outputs"]["bucket_name"]
    assert bucket in [b["Name"] for b in aws(sandbox, "s3").list_buckets()["Buckets"]]
    history = run_cli(cloud_home, "env", "state-history", "crashy", "bucket", "--json").json()
    assert history[: len(before)] == before and len(history) > len(before)  # earlier versions are kept
    status = aws(sandbox, "s3").get_bucket_versioning(Bucket=bucket)["Status"]
    assert status == "Suspended"  # the interrupted change converged
    assert run_cli(cloud_home, "env", "up", str(file), "--yes").stdout.count("no changes") == 1

    assert run_cli(cloud_home, "env", "destroy", "crashy", "--yes").exit_code == 0
    assert bucket not in [b["Name"] for b in aws(sandbox, "s3").list_buckets()["Buckets"]]
    actions = [e["action"] for e in run_cli(cloud_home, "audit", "log", "--json").json()]
    assert "lock.takeover" in actions
