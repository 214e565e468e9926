"""Policy replay on environments real Terraform applied to the sandbox: it names exactly what a new rule breaks.

Two environments of one queue each: `replay-keeps` keeps messages 7 days, `replay-breaks` the default 4.
Bundle `retention` (tests/fixtures/bundles/retention-v1) denies a queue keeping them under 7 days.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.support.cli import run_cli

BUNDLE = Path(__file__).resolve().parents[1] / "fixtures" / "bundles" / "retention-v1"


def _queue(tmp_path: Path, name: str, inputs: str) -> Path:
    file = tmp_path / f"{name}.yaml"
    file.write_text(
        "apiVersion: infraplane.dev/v1\nkind: Environment\n"
        f"metadata: {{name: {name}, team: shop, tier: dev}}\nspec:\n  blueprint: queue\n  inputs: {inputs}\n"
    )
    return file


@pytest.mark.slow
def test_replay_names_the_running_environment_a_new_rule_breaks_and_publishing_asks(
    cloud_home: Path, tmp_path: Path
) -> None:
    keeps = _queue(tmp_path, "replay-keeps", "{retention_days: 7}")
    breaks = _queue(tmp_path, "replay-breaks", "{}")
    # Both at once: each queue waits ~60 s in the AWS provider for its attributes to settle.
    with ThreadPoolExecutor(2) as pool:
        ups = list(
            pool.map(lambda file: run_cli(cloud_home, "env", "up", str(file), "--yes", "--quiet"), (keeps, breaks))
        )
    for up in ups:
        assert up.exit_code == 0, up.stdout + up.stderr

    replayed = run_cli(cloud_home, "policy", "replay", str(BUNDLE), "--json")
    assert replayed.exit_code == 0, replayed.stderr
    report = replayed.json()
    assert {"replay-keeps", "replay-breaks"} <= set(report["environments"])
    assert report["denied_environments"] == ["replay-breaks"]
    changes = {(c["change"], c["environment"], c["component"], c["rule"], c["address"]) for c in report["changes"]}
    assert changes == {("newly-denies", "replay-breaks", "queue", "RET-001", "aws_sqs_queue.this")}
    (change,) = report["changes"]
    # Judged on what runs (the state) and on the plan that was applied (kept with its proposal).
    assert change["sources"][0] == "state" and change["sources"][1].endswith("(applied)")
    assert change["message"] == "aws_sqs_queue.this keeps messages 4 days"

    refused = run_cli(cloud_home, "policy", "publish", str(BUNDLE))
    assert refused.exit_code == 2 and "would newly deny running environments (replay-breaks)" in refused.stderr
    assert "newly denies queue: aws_sqs_queue.this" in " ".join(refused.stdout.split())

    published = run_cli(cloud_home, "policy", "publish", str(BUNDLE), "--yes")
    assert published.exit_code == 0 and "published retention@1.0.0" in published.stdout, published.stderr

    # What the replay foretold: the next change to the queue it named is denied (a rule judges what a plan
    # creates or updates; the replay judged what runs as if it were updated).
    changed = _queue(tmp_path, "replay-breaks", "{visibility_timeout_seconds: 45}")
    planned = run_cli(cloud_home, "env", "plan", str(changed), "--json")
    assert planned.exit_code == 1, planned.stdout + planned.stderr
    denies = [f for f in planned.json()["policy"]["findings"] if f["severity"] == "deny"]
    assert [(f["rule"], f["address"]) for f in denies] == [("RET-001", "aws_sqs_queue.this")]
