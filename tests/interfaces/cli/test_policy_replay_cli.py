"""`infraplane policy replay` and `policy publish` as a person runs them, on environments replay finds.

The home's store holds tests/support/replay_store.py's environments (real Terraform states and plans);
bundle `retention` newly denies the queues of orders-dev and payments-staging.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from infraplane.interfaces.container import Container
from infraplane.settings import load_settings
from tests.support.cli import run_cli
from tests.support.replay_store import seed_environments

BUNDLE = Path(__file__).resolve().parents[2] / "fixtures" / "bundles" / "retention-v1"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / ".infraplane"
    container = Container(load_settings(home=home))
    seed_environments(container.store)
    container.close()
    return home


def _published(home: Path) -> list[str]:
    return [f"{b['name']}@{b['version']}" for b in run_cli(home, "policy", "list", "--json").json()]


def _at_a_terminal(home: Path, *args: str, answer: str) -> tuple[int, str]:
    """Run the CLI with a pseudo-terminal as its standard input and output; type `answer` at the prompt."""
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("INFRAPLANE_")}
    env.update(INFRAPLANE_HOME=str(home), COLUMNS="200")
    process = subprocess.Popen(
        [sys.executable, "-m", "infraplane", *args], stdin=follower, stdout=follower, stderr=follower, env=env
    )
    os.close(follower)
    seen, answered, deadline = b"", False, time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            if not answered and b"[y/N]" in seen:
                os.write(leader, answer.encode() + b"\n")
                answered = True
        elif process.poll() is not None:
            break
    os.close(leader)
    return process.wait(timeout=30), seen.decode(errors="replace")


def test_replay_reports_per_environment_and_rule(home: Path) -> None:
    text = run_cli(home, "policy", "replay", str(BUNDLE))
    assert text.exit_code == 0, text.stderr
    lines = [" ".join(line.split()) for line in text.stdout.splitlines()]
    assert "docs-dev: no change" in lines
    assert "orders-dev" in lines and "payments-staging" in lines
    assert "newly denies jobs: aws_sqs_queue.this (message_retention_seconds) from state" in lines
    assert any(
        line.startswith("newly denies queue: aws_sqs_queue.this (message_retention_seconds) from plan of p-")
        for line in lines
    )
    assert (
        lines[-1]
        == "2 newly deny, 0 newly warn, 0 stop firing; would deny running environments: orders-dev, payments-staging"
    )

    shown = run_cli(home, "policy", "replay", str(BUNDLE), "--json").json()
    assert shown["denied_environments"] == ["orders-dev", "payments-staging"]
    assert shown["id"].startswith("r-") and shown["bundle"]["name"] == "retention"


def test_publish_asks_first_and_refuses_without_a_terminal(home: Path) -> None:
    code, seen = _at_a_terminal(home, "policy", "publish", str(BUNDLE), answer="n")
    assert "would deny running environments: orders-dev, payments-staging" in " ".join(seen.split())
    assert "Publish it anyway, newly denying orders-dev, payments-staging? [y/N]" in seen
    assert (
        code == 1
        and "not published" in seen
        and _published(home) == ["infraplane-approval@1.1.0", "infraplane-baseline@1.0.0"]
    )

    refused = run_cli(home, "policy", "publish", str(BUNDLE))  # standard input is not a terminal
    assert refused.exit_code == 2 and "Traceback" not in refused.stderr
    assert "not published: retention@1.0.0 would newly deny running environments (orders-dev, payments-staging)" in (
        " ".join(refused.stderr.split())
    )
    assert "--yes" in refused.stderr and "retention@1.0.0" not in _published(home)

    code, seen = _at_a_terminal(home, "policy", "publish", str(BUNDLE), answer="y")
    assert code == 0 and "published retention@1.0.0" in seen and "retention@1.0.0" in _published(home)


def test_publish_with_yes_goes_on_and_the_audit_names_the_replay(home: Path) -> None:
    published = run_cli(home, "policy", "publish", str(BUNDLE), "--yes", "--json")
    assert published.exit_code == 0, published.stderr
    body = published.json()
    assert body["status"] == "published" and body["replay"]["denied_environments"] == ["orders-dev", "payments-staging"]
    events = run_cli(home, "audit", "log", "--json").json()
    replay = next(e for e in events if e["action"] == "policy.replay")
    publish = next(e for e in events if e["action"] == "policy.publish")
    assert replay["payload"]["digest"] == publish["payload"]["digest"] == body["digest"]
    assert publish["payload"]["replay"]["replay"] == replay["payload"]["replay"] == body["replay"]["id"]
    assert publish["payload"]["replay"]["confirmed"] is True
