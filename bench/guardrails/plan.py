"""The bench's large plan: `terraform plan -out` + `terraform show -json` of `module/` against the sandbox cloud.

The module is copied to a scratch directory and given infraplane's sandbox provider override there
(`_override.tf`), so `module/main.tf` is never edited and nothing reaches the real AWS. Terraform uses a
CLI configuration written by infraplane's own helper: the provider comes from the filesystem mirror
(no internet) through the shared plugin cache.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from infraplane.adapters.sandbox.control import start_sandbox, stop_sandbox
from infraplane.adapters.sandbox.provider import provider_override_hcl
from infraplane.adapters.terraform.cli_config import discover_mirror, write_cli_config

MODULE = Path(__file__).resolve().parent / "module"
PLUGIN_CACHE = Path("~/.cache/infraplane/terraform-plugins").expanduser()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _terraform(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    result = subprocess.run(["terraform", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr.strip() or result.stdout.strip())[-4000:]
        raise SystemExit(f"terraform {args[0]} failed (exit {result.returncode}) in {cwd}:\n{detail}")
    return result.stdout


def make_plan(
    workdir: Path, scale: int, module_source: Path = MODULE, variables: tuple[str, ...] | None = None
) -> tuple[Path, dict[str, float]]:
    """Plan the bench module in `workdir`; returns the plan JSON file and the seconds each step took."""
    if shutil.which("terraform") is None:
        raise SystemExit("terraform is not on PATH: the bench needs it to make its plan")
    mirror = discover_mirror()
    if mirror is None:
        print("  (no provider filesystem mirror found: terraform init will try the registry)")
    cli_config = write_cli_config(workdir / "terraformrc", PLUGIN_CACHE, mirror)
    env = {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(workdir)),
        "TF_CLI_CONFIG_FILE": str(cli_config),
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "CHECKPOINT_DISABLE": "1",
    }
    module = workdir / "module"
    shutil.copytree(module_source, module, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*", "*.tfplan"))
    home = workdir / "infraplane-home"
    steps: dict[str, float] = {}
    started = time.monotonic()
    info, _ = start_sandbox(home, free_port())
    steps["sandbox start"] = time.monotonic() - started
    try:
        (module / "_override.tf").write_text(provider_override_hcl(info.endpoint), encoding="utf-8")
        for name, args in (
            ("terraform init", ["init", "-input=false", "-no-color"]),
            (
                "terraform plan",
                ["plan", "-input=false", "-no-color", *(variables or (f"-var=scale={scale}",)), "-out=p.tfplan"],
            ),
        ):
            started = time.monotonic()
            _terraform(args, module, env)
            steps[name] = time.monotonic() - started
        started = time.monotonic()
        shown = _terraform(["show", "-json", "-no-color", "p.tfplan"], module, env)
        steps["terraform show -json"] = time.monotonic() - started
    finally:
        stop_sandbox(home)
    document = json.loads(shown)
    if document.get("errored"):
        raise SystemExit("terraform recorded the plan as errored")
    plan_file = workdir / "plan.json"
    plan_file.write_text(shown, encoding="utf-8")
    return plan_file, steps
