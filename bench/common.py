"""What the benchmarks share: a free loopback port, publishing a catalog into a throw-away home, and how a peer's
plain Terraform reaches the sandbox (the way infraplane's runner does, so that only the orchestration differs)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from infraplane.adapters.sandbox.provider import SANDBOX_PROVIDER_SETTINGS, sandbox_environment
from infraplane.adapters.terraform.provider import aws_provider_override_hcl

__all__ = [
    "free_port",
    "home_environment",
    "plain_terraform_environment",
    "publish",
    "run_or_exit",
    "sandbox_override_hcl",
]


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


def sandbox_override_hcl() -> str:
    """The provider override infraplane's runner writes for a module on the sandbox: its settings, no `endpoints`
    block (the endpoint is in Terraform's environment, see `plain_terraform_environment`)."""
    return aws_provider_override_hcl(SANDBOX_PROVIDER_SETTINGS, {})


def plain_terraform_environment(cli_config: Path, sandbox_endpoint: str) -> dict[str, str]:
    """What a peer's plain `terraform` runs with: PATH, HOME, a CLI configuration (the provider mirror) and the
    sandbox's endpoint and test credentials, as infraplane's runner gives them."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/root"),
        "TF_CLI_CONFIG_FILE": str(cli_config),
        "TF_IN_AUTOMATION": "1",
        **sandbox_environment(sandbox_endpoint),
    }


def run_or_exit(args: list[str], cwd: Path, env: Mapping[str, str]) -> str:
    """Run a peer's tool; its stdout, or exit with the ends of its output when it fails."""
    result = subprocess.run(args, cwd=cwd, env=dict(env), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args[:2])} failed in {cwd}:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return result.stdout
