"""Hostile plan files: `policy check --plan` and `cost` say what they got instead of a plan, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.hostile.conftest import CliView, StoreView, assert_refused, cli_view, store_view
from tests.support.cli import run_cli

STATE = REPO / "tests" / "fixtures" / "states" / "mixed.tfstate.json"
PLAN = REPO / "tests" / "fixtures" / "plans" / "cache-create.json"
SHOW = "terraform show -json PLANFILE"


def _nested(depth: int) -> str:
    return '{"format_version": "1.2", "resource_changes": [' + "[" * depth + "]" * depth + "]}"


CASES: dict[str, tuple[str | bytes, list[str]]] = {
    "nested 100000 levels deep": (_nested(100_000), ["nested more than 200 levels deep"]),
    "nested 500 levels deep": (_nested(500), ["nested more than 200 levels deep"]),
    "a state file": (STATE.read_text(), ["this is a Terraform state file (version/serial/lineage), not a plan", SHOW]),
    "a shown state": (
        '{"format_version": "1.0", "terraform_version": "1.11.0", "values": {"root_module": {}}}',
        ["`terraform show -json` of a state", SHOW],
    ),
    "streamed plan -json lines": (
        '{"@level": "info", "@message": "Terraform 1.11.0", "type": "version"}\n{"@level": "info"}\n',
        ["several JSON documents", SHOW],
    ),
    "a JSON list": ("[1, 2, 3]", ["got a JSON list", SHOW]),
    "not JSON": ("resource_changes = []\n", ["not JSON"]),
    "empty": ("", ["the file is empty; expected plan JSON"]),
    "not UTF-8": (b'{"format_version": "\xff\xfe"}', ["not valid UTF-8"]),
    "a binary plan file": (b"PK\x03\x04\x14\x00\x08\x08\x08\x00\xff\xfe", ["not valid UTF-8"]),
    "no format_version": ('{"resource_changes": []}', ["format_version", "not a Terraform plan"]),
    "resource_changes not a list": ('{"format_version": "1.2", "resource_changes": {}}', ["resource_changes"]),
}


def _write(tmp_path: Path, content: str | bytes) -> Path:
    file = tmp_path / "plan.json"
    if isinstance(content, bytes):
        file.write_bytes(content)
    else:
        file.write_text(content)
    return file


def test_first_the_command_line_view_is_noted(cli_baseline: CliView) -> None:
    assert "audit chain verified" in cli_baseline.audit_verify


def test_a_real_plan_still_passes(published_home: Path) -> None:
    result = run_cli(published_home, "policy", "check", "--plan", str(PLAN), "--json")
    assert result.exit_code in (0, 1), result.stderr  # 1: the plan has deny findings; it was read
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("case", list(CASES))
def test_policy_check_refuses_what_is_not_a_plan(
    published_home: Path, baseline: StoreView, tmp_path: Path, case: str
) -> None:
    content, needles = CASES[case]
    file = _write(tmp_path, content)
    assert_refused(run_cli(published_home, "policy", "check", "--plan", str(file)), str(file), *needles)
    assert store_view(published_home) == baseline


@pytest.mark.parametrize("case", ["nested 100000 levels deep", "a state file", "a shown state"])
def test_cost_refuses_what_is_not_a_plan(published_home: Path, baseline: StoreView, tmp_path: Path, case: str) -> None:
    content, needles = CASES[case]
    file = _write(tmp_path, content)
    assert_refused(run_cli(published_home, "cost", str(file)), str(file), *needles)
    assert store_view(published_home) == baseline


@pytest.mark.parametrize(("name", "needle"), [("/dev/null", "not a regular file"), ("directory", "is a directory")])
def test_a_device_or_a_directory_as_plan(
    published_home: Path, baseline: StoreView, tmp_path: Path, name: str, needle: str
) -> None:
    file = Path(name) if name.startswith("/") else tmp_path
    assert_refused(run_cli(published_home, "policy", "check", "--plan", str(file)), str(file), needle)
    assert_refused(run_cli(published_home, "cost", str(file)), str(file), needle)  # a path, not an environment name
    assert store_view(published_home) == baseline


def test_a_plan_over_the_size_limit_is_refused_unread(published_home: Path, baseline: StoreView) -> None:
    limit = {"INFRAPLANE_LIMITS": '{"plan_bytes": 4096}'}
    for command in (["policy", "check", "--plan", str(PLAN)], ["cost", str(PLAN)]):
        stderr = assert_refused(run_cli(published_home, *command, env=limit), str(PLAN), "over the limit of 4,096")
        assert "limits.plan_bytes" in stderr
    assert store_view(published_home) == baseline


def test_last_the_command_line_shows_the_store_unchanged(published_home: Path, cli_baseline: CliView) -> None:
    assert cli_view(published_home) == cli_baseline
