"""`infraplane policy`: bad input is exit 2 with a clear reason; bundles publish immutably; Rego tests run."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.cli import run_cli

BUNDLES = Path(__file__).resolve().parents[2] / "fixtures" / "bundles"
POLICY_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "policies"


def test_malformed_plan_files_are_refused(home: Path, tmp_path: Path) -> None:
    cases = {"garbage.json": "{not json", "list.json": "[1, 2]", "other.json": '{"hello": "world"}'}
    for name, content in cases.items():
        plan = tmp_path / name
        plan.write_text(content)
        result = run_cli(home, "policy", "check", "--plan", str(plan))
        assert result.exit_code == 2, result.stdout + result.stderr
        assert str(plan) in result.stderr and "Traceback" not in result.stderr
    missing = run_cli(home, "policy", "check", "--plan", str(tmp_path / "nope.json"))
    assert missing.exit_code == 2 and "no such file" in missing.stderr


def test_rego_syntax_error_names_file_and_line(home: Path) -> None:
    result = run_cli(home, "policy", "test", str(BUNDLES / "broken"))
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "rules.rego" in result.stderr and "line 6" in result.stderr and "Rego error" in result.stderr
    assert "Errors:" not in result.stdout  # the engine's own printout is kept off stdout
    published = run_cli(home, "policy", "publish", str(BUNDLES / "broken"))
    assert published.exit_code == 2


def test_unknown_bundle_and_version(home: Path, tmp_path: Path) -> None:
    plan = next(POLICY_FIXTURES.glob("*/good/plan.json"), None)
    target = str(plan) if plan else str(tmp_path / "x.json")
    result = run_cli(home, "policy", "check", "--plan", target, "--bundle", "infraplane-baseline@9.9.9")
    assert result.exit_code == 2 and "no version of bundle 'infraplane-baseline' matches '9.9.9'" in result.stderr
    result = run_cli(home, "policy", "test", "no-such-bundle")
    assert result.exit_code == 2 and "no policy bundle named 'no-such-bundle'" in result.stderr


def test_bundles_publish_immutably_and_their_tests_run(home: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "team-rules"
    shutil.copytree(BUNDLES / "team-rules", bundle)
    first = run_cli(home, "policy", "publish", str(bundle), "--json")
    assert first.exit_code == 0 and first.json()["status"] == "published"
    assert run_cli(home, "policy", "publish", str(bundle), "--json").json()["status"] == "already published"
    (bundle / "requests.rego").write_text((bundle / "requests.rego").read_text() + "\n# changed\n")
    changed = run_cli(home, "policy", "publish", str(bundle))
    assert changed.exit_code == 2 and "team-rules@1.0.0 is immutable; publish a new version" in changed.stderr

    tests = run_cli(home, "policy", "test", "team-rules@1.0.0")
    assert tests.exit_code == 0, tests.stdout + tests.stderr
    assert "2 passed, 0 failed" in tests.stdout
    listed = {b["name"]: b for b in run_cli(home, "policy", "list", "--json").json()}
    assert listed["team-rules"]["digest"] == first.json()["digest"]
    events = [e for e in run_cli(home, "audit", "log", "--json").json() if e["action"] == "policy.publish"]
    assert events[0]["payload"]["digest"] == first.json()["digest"]


def test_a_failing_rego_test_fails_the_run(home: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "team-rules"
    shutil.copytree(BUNDLES / "team-rules", bundle)
    test_file = bundle / "requests_test.rego"
    test_file.write_text(test_file.read_text().replace("count(requests.deny) == 0", "count(requests.deny) == 5"))
    result = run_cli(home, "policy", "test", str(bundle))
    assert result.exit_code == 1 and "FAIL" in result.stdout and "1 passed, 1 failed" in result.stdout
