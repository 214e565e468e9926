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


def test_revert_and_accept_of_an_unknown_environment_are_exit_2(home: Path) -> None:
    for args in (("drift", "revert", "nosuch"), ("drift", "accept", "nosuch", "--component", "jobs")):
        result = run_cli(home, *args, "--json")
        assert result.exit_code == 2, result.stdout + result.stderr
        assert "nosuch" in result.stderr and "Traceback" not in result.stderr


def test_kpi_of_an_empty_home_measures_nothing_and_a_bad_window_is_exit_2(home: Path) -> None:
    result = run_cli(home, "kpi", "--json")
    assert result.exit_code == 0, result.stderr
    figures = result.json()
    assert figures["drift"]["checks"] == 0 and figures["drift"]["drift_rate"] is None
    assert figures["dora"]["deployments"] == 0 and figures["policy"]["hit_rate"] is None
    bad = run_cli(home, "kpi", "--since", "a month")
    assert bad.exit_code == 2 and "--since" in bad.stderr and "Traceback" not in bad.stderr


def test_unmanaged_without_a_running_sandbox_says_so_with_exit_2(home: Path) -> None:
    for args in (("unmanaged", "list"), ("unmanaged", "suggest", "sg-1")):
        result = run_cli(home, *args)
        assert result.exit_code == 2, result.stdout + result.stderr
        assert "sandbox" in result.stderr and "Traceback" not in result.stderr
