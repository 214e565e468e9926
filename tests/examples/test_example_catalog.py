"""Every example blueprint's module passes `terraform validate` with the real provider from the mirror."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from infraplane.adapters.terraform.cli_config import discover_mirror, write_cli_config
from tests.conftest import EXAMPLE_CATALOG

MODULES = sorted(p.parent.parent.name for p in EXAMPLE_CATALOG.glob("*/module/versions.tf"))


@pytest.fixture(scope="module")
def cli_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("terraform") is None:
        pytest.fail("terraform is not on PATH")
    root = tmp_path_factory.mktemp("tf")
    return write_cli_config(root / "terraformrc", root / "plugin-cache", discover_mirror())


def test_every_terraform_blueprint_is_listed() -> None:
    assert MODULES == ["bucket", "cache", "network", "postgres", "queue"]


@pytest.mark.slow
@pytest.mark.parametrize("name", MODULES)
def test_module_passes_terraform_validate(name: str, cli_config: Path, tmp_path: Path) -> None:
    work = tmp_path / name
    shutil.copytree(EXAMPLE_CATALOG / name / "module", work)
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "TF_CLI_CONFIG_FILE": str(cli_config), "TF_IN_AUTOMATION": "1"}
    init = subprocess.run(
        ["terraform", "init", "-backend=false", "-input=false", "-no-color"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert init.returncode == 0, init.stdout + init.stderr
    validate = subprocess.run(
        ["terraform", "validate", "-no-color"], cwd=work, env=env, capture_output=True, text=True, timeout=300
    )
    assert validate.returncode == 0, validate.stdout + validate.stderr
    assert "Success! The configuration is valid." in validate.stdout
    assert "Warning" not in validate.stdout
