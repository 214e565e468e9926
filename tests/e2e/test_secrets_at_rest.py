"""Secrets at rest: a sensitive input applied through the CLI leaves no clear copy under the home.

A canary value goes in as a `sensitive: true` input, ends up in an SSM SecureString parameter on
the sandbox, and afterwards not one copy of it is found in any file under INFRAPLANE_HOME (the
SQLite database and its journal, the work directories, the environments repository with its
compressed objects), nor in anything a person is shown; and nothing there is open to others.
"""

from __future__ import annotations

import contextlib
import stat
import uuid
import zlib
from pathlib import Path

import pytest

from infraplane.adapters.sandbox.control import STATE_FILE, SandboxInfo
from tests.support.cli import run_cli
from tests.support.sandbox import aws

pytestmark = pytest.mark.slow

ENVIRONMENT = """apiVersion: infraplane.dev/v1
kind: Environment
metadata: {{name: vault, team: shop, tier: dev}}
spec:
  blueprint: secret-parameter@^1.0
  inputs: {{secret_value: "{secret}"}}
"""


def _contents(path: Path) -> list[bytes]:
    """The bytes of a file as stored, and as git stores them once inflated (loose objects are zlib streams)."""
    raw = path.read_bytes()
    found = [raw]
    if ".git" in path.parts and "objects" in path.parts:
        with contextlib.suppress(zlib.error):
            found.append(zlib.decompress(raw))
    return found


def _files_holding(home: Path, needle: bytes) -> list[Path]:
    return [
        path
        for path in sorted(home.rglob("*"))
        if path.is_file() and not path.is_symlink() and any(needle in content for content in _contents(path))
    ]


def _open_to_others(home: Path) -> list[str]:
    entries = [home, *home.rglob("*")]
    return [
        f"{p} {stat.filemode(p.lstat().st_mode)}"
        for p in entries
        if not p.is_symlink() and p.lstat().st_mode & (stat.S_IRWXG | stat.S_IRWXO)
    ]


def test_a_sensitive_input_is_nowhere_in_clear_under_the_home(
    cloud_home: Path, tmp_path: Path, sandbox: SandboxInfo
) -> None:
    # The test harness, not infraplane, made the home directory and copied the sandbox record into it.
    cloud_home.chmod(0o700)
    (cloud_home / STATE_FILE).chmod(0o600)
    canary = f"canary-{uuid.uuid4().hex}"
    file = tmp_path / "vault.yaml"
    file.write_text(ENVIRONMENT.format(secret=canary))

    up = run_cli(cloud_home, "env", "up", str(file), "--yes", "--json")
    assert up.exit_code == 0, up.stdout + up.stderr
    parameter = aws(sandbox, "ssm").get_parameter(Name="/secrets/vault/secret-parameter", WithDecryption=True)
    assert parameter["Parameter"]["Value"] == canary  # it really reached the cloud
    assert parameter["Parameter"]["Type"] == "SecureString"

    shown = [
        up,
        run_cli(cloud_home, "env", "show", "vault", "--json"),
        run_cli(cloud_home, "env", "history", "vault", "--json"),
        run_cli(cloud_home, "env", "show", "vault"),
        run_cli(cloud_home, "audit", "log", "--json"),
    ]
    proposals = run_cli(cloud_home, "proposal", "list", "--json")
    assert proposals.exit_code == 0, proposals.stderr
    first = proposals.json()[0]["id"]
    shown += [proposals, run_cli(cloud_home, "proposal", "show", first, "--json")]
    shown.append(run_cli(cloud_home, "proposal", "show", first))
    for result in shown:
        assert canary not in result.stdout + result.stderr

    # Destroying resolves the stored revision again: its sealed input opens for the run.
    down = run_cli(cloud_home, "env", "destroy", "vault", "--yes")
    assert down.exit_code == 0, down.stdout + down.stderr
    ssm = aws(sandbox, "ssm")
    with pytest.raises(ssm.exceptions.ParameterNotFound):
        ssm.get_parameter(Name="/secrets/vault/secret-parameter")

    assert (cloud_home / "infraplane.db").is_file() and any((cloud_home / "work").rglob("*.tf"))
    assert _files_holding(cloud_home, canary.encode()) == []
    assert _open_to_others(cloud_home) == []
    doctor = run_cli(cloud_home, "doctor")
    assert doctor.exit_code == 0, doctor.stdout + doctor.stderr


def test_doctor_names_what_is_open_to_others(home: Path) -> None:
    home.mkdir(parents=True, mode=0o700)
    loose = home / "notes.txt"
    loose.write_text("left by hand")
    loose.chmod(0o644)
    found = run_cli(home, "doctor", "--json")
    assert found.exit_code == 1, found.stdout + found.stderr
    assert [e["path"] for e in found.json()["loose"]] == [str(loose)]
    loose.chmod(0o600)
    assert run_cli(home, "doctor").exit_code == 0
