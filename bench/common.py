"""What the benchmarks share: a free loopback port, and publishing a catalog into a throw-away home."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

__all__ = ["free_port", "home_environment", "plain_terraform_environment", "publish", "run_or_exit"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def home_environment(home: Path) -> dict[str, str]:
    """This process's environment with INFRAPLANE_HOME set to `home` and no other INFRAPLANE_ variable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INFRAPLANE_")}
    env["INFRAPLANE_HOME"] = str(home)
    return env


def publish(home: Path, catalog: Path) -> None:
    """`infraplane catalog publish CATALOG` into `home`; exits with its stderr when it fails."""
    published = subprocess.run(
        [sys.executable, "-m", "infraplane", "catalog", "publish", str(catalog)],
        env=home_environment(home),
        capture_output=True,
        text=True,
        check=False,
    )
    if published.returncode != 0:
        raise SystemExit(f"catalog publish {catalog} failed:\n{published.stderr}")


def plain_terraform_environment(cli_config: Path) -> dict[str, str]:
    """What a peer's plain `terraform` runs with: PATH, HOME and a CLI configuration (the provider mirror)."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/root"),
        "TF_CLI_CONFIG_FILE": str(cli_config),
        "TF_IN_AUTOMATION": "1",
    }


def run_or_exit(args: list[str], cwd: Path, env: Mapping[str, str]) -> str:
    """Run a peer's tool; its stdout, or exit with the ends of its output when it fails."""
    result = subprocess.run(args, cwd=cwd, env=dict(env), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args[:2])} failed in {cwd}:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return result.stdout
