"""`infraplane info` says what this command line uses; a command outside any home says which home it makes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.cli import run_cli


def test_info_names_the_home_the_tool_and_the_providers(home: Path) -> None:
    result = run_cli(home, "info", "--json")
    assert result.exit_code == 0, result.stderr
    facts = result.json()
    assert facts["home"] == str(home.resolve()) and facts["home_found_by"] == "INFRAPLANE_HOME"
    assert facts["store"].startswith("sqlite:///")
    assert facts["iac_tool"]["binary"] in {"terraform", "tofu"} and facts["iac_tool"]["version"][0].isdigit()
    assert any(p.startswith("registry.terraform.io/hashicorp/aws ") for p in facts["mirror_providers"])
    text = run_cli(home, "info").stdout
    assert "found by" in text and str(home.resolve()) in text


def _bare(cwd: Path, data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("INFRAPLANE_")}
    environment["XDG_DATA_HOME"] = str(data)
    return subprocess.run(
        [sys.executable, "-m", "infraplane", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_outside_any_home_the_first_command_says_which_home_it_creates(tmp_path: Path) -> None:
    elsewhere = tmp_path / "somewhere" / "deep"
    elsewhere.mkdir(parents=True)
    first = _bare(elsewhere, tmp_path / "data", "env", "list")
    assert first.returncode == 0, first.stderr
    assert f"created a new home at {tmp_path / 'data' / 'infraplane'}" in first.stderr
    assert "per-user default" in first.stderr
    again = _bare(elsewhere, tmp_path / "data", "env", "list")
    assert "created a new home" not in again.stderr


def test_a_home_in_a_parent_directory_is_found(tmp_path: Path) -> None:
    (tmp_path / ".infraplane").mkdir()
    inner = tmp_path / "project" / "sub"
    inner.mkdir(parents=True)
    result = _bare(inner, tmp_path / "data", "info", "--json")
    assert result.returncode == 0, result.stderr
    assert Path(json.loads(result.stdout)["home"]) == (tmp_path / ".infraplane").resolve()
