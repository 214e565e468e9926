"""Start-up: `infraplane --help` lists every command without importing the heavy libraries behind them.

Behaviour, not timing: which modules a process imported (`python -X importtime` names every one).
"""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from pathlib import Path

from infraplane.interfaces.cli.main import COMMANDS
from tests.support.cli import run_cli

CLI = Path(__file__).resolve().parents[3] / "src" / "infraplane" / "interfaces" / "cli"
POLICY_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "policies"
# The store, the policy engine, HCL parsing, the cloud SDK and its emulator, the MCP SDK.
HEAVY = ("sqlalchemy", "alembic", "boto3", "botocore", "moto", "regopy", "hcl2", "mcp")


def imported_modules(home: Path, *args: str) -> set[str]:
    """Every module `python -m infraplane ARGS` imported, by its top-level package name."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("INFRAPLANE_")}
    environment.update({"INFRAPLANE_HOME": str(home), "COLUMNS": "200"})
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "infraplane", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
        check=False,
    )
    assert completed.returncode in (0, 1), completed.stdout + completed.stderr
    lines = [line.split("|")[-1].strip() for line in completed.stderr.splitlines() if line.startswith("import time:")]
    assert lines, completed.stderr
    return {name.split(".")[0] for name in lines[1:]}  # the first line is the header


def test_help_imports_no_heavy_library(home: Path) -> None:
    loaded = imported_modules(home, "--help")
    assert "infraplane" in loaded
    assert sorted(loaded & set(HEAVY)) == []


def test_policy_check_loads_only_the_engine(home: Path) -> None:
    plan = next(POLICY_FIXTURES.glob("*/bad/plan.json"))
    first = run_cli(home, "policy", "check", "--plan", str(plan))  # creates the store: migrations run
    assert first.exit_code in (0, 1), first.stdout + first.stderr
    loaded = imported_modules(home, "policy", "check", "--plan", str(plan))
    assert "regopy" in loaded
    # The store is at head: the published bundles are read with sqlite3, without SQLAlchemy or alembic.
    # No Terraform module parsing, no cloud SDK, no MCP.
    assert sorted(loaded & {"sqlalchemy", "alembic", "hcl2", "boto3", "botocore", "moto", "mcp"}) == []


def test_help_lists_every_command_with_its_own_help_line(home: Path) -> None:
    result = run_cli(home, "--help")
    assert result.exit_code == 0, result.stderr
    for name, entry in COMMANDS.items():
        command = entry.load(name, rich_markup_mode=None, suggest_commands=True)
        assert inspect.cleandoc(command.help or "").split("\n\n")[0] == entry.help, name
        assert name in result.stdout and entry.help[:40] in result.stdout, name


def test_every_command_module_is_registered() -> None:
    modules = {path.stem for path in CLI.glob("*_commands.py")}
    assert {entry.module.rsplit(".", 1)[-1] for entry in COMMANDS.values()} == modules


def test_unknown_commands_still_get_suggestions(home: Path) -> None:
    result = run_cli(home, "polic")
    assert result.exit_code == 2 and "Did you mean 'policy'?" in result.stderr
