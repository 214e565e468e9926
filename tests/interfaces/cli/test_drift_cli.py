"""`drift check` input errors: exit 2 naming what is wrong, before any tool runs."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import run_cli


def test_an_unknown_environment_is_exit_2_naming_it(home: Path) -> None:
    result = run_cli(home, "drift", "check", "nosuch", "--json")
    assert result.exit_code == 2
    assert "nosuch" in result.stderr and "Traceback" not in result.stderr


def test_no_environments_is_no_drift(home: Path) -> None:
    result = run_cli(home, "drift", "check", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json() == []
