"""Import suggestions: an `import` block per unmanaged resource, and the configuration Terraform generates for it.

In a directory of its own: `main.tf` (the AWS provider in the resource's region), `imports.tf` (one
`import` block each), and, for the sandbox, the same provider override the runners write (the target as
data). Then `init` with infraplane's own CLI configuration, `plan -generate-config-out=generated.tf`,
and `validate`. Terraform's generated configuration is a draft: it may hold a value the provider's own
validation refuses (the cloud allows more than the provider knows); such a line is commented out with
the reason, and validation runs again, until it passes or nothing more can be taken out.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

from infraplane.adapters.process import run_tool
from infraplane.adapters.terraform.cli_config import config_for_module
from infraplane.adapters.terraform.progress import diagnostics_summary
from infraplane.adapters.terraform.provider import aws_provider_override_hcl
from infraplane.core.inventory import CloudResource
from infraplane.core.ports import ImportSuggestionResult
from infraplane.core.runs import Target
from infraplane.errors import FailureError

__all__ = ["TerraformImports", "resource_names"]

GENERATED = "generated.tf"
OVERRIDE = "_infraplane_target_override.tf"
_MAX_ROUNDS = 8
_ATTRIBUTE_LINE = re.compile(r"^(\s*)([A-Za-z0-9_]+)\s*=\s*[^{\[]*$")


def resource_names(resources: Sequence[CloudResource]) -> dict[str, str]:
    """A Terraform address per resource id: `TYPE.NAME` with NAME from its name, unique among them."""
    taken: set[str] = set()
    found: dict[str, str] = {}
    for resource in resources:
        base = re.sub(r"[^a-z0-9_]+", "_", (resource.name or resource.id).lower()).strip("_") or "imported"
        if base[0].isdigit():
            base = f"r_{base}"
        name, number = base[:60], 2
        while f"{resource.terraform_type}.{name}" in taken:
            name, number = f"{base[:56]}_{number}", number + 1
        address = f"{resource.terraform_type}.{name}"
        taken.add(address)
        found[resource.id] = address
    return found


def _main_tf(region: str) -> str:
    return (
        "terraform {\n  required_providers {\n"
        '    aws = { source = "hashicorp/aws", version = "~> 5.0" }\n  }\n}\n\n'
        f'provider "aws" {{\n  region = {json.dumps(region)}\n}}\n'
    )


def _imports_tf(resources: Sequence[CloudResource], addresses: dict[str, str]) -> str:
    blocks = [
        f"# {r.kind} {r.name or r.id} (found unmanaged by infraplane)\n"
        f"import {{\n  to = {addresses[r.id]}\n  id = {json.dumps(r.import_id)}\n}}\n"
        for r in resources
    ]
    return "\n".join(blocks)


class TerraformImports:
    """Writes and checks import suggestions with `binary` and infraplane's CLI configuration."""

    def __init__(self, binary: str, cli_config: Path) -> None:
        self._binary = binary
        self._cli_config = cli_config

    def _environment(self, target: Target, cli_config: Path) -> dict[str, str]:
        return {
            "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/tmp"),  # noqa: S108 - only a fallback for HOME
            "TF_CLI_CONFIG_FILE": str(cli_config),
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "CHECKPOINT_DISABLE": "1",
            **target.environment,
        }

    def suggest(self, resources: Sequence[CloudResource], directory: Path, target: Target) -> ImportSuggestionResult:
        """Write the suggestion for `resources` (one region) into `directory` and validate it."""
        directory = directory.resolve()
        if directory.exists() and any(directory.iterdir()):
            raise FailureError(f"{directory} is not empty: name a new directory for the import suggestion")
        directory.mkdir(parents=True, exist_ok=True)
        regions = {r.region for r in resources if r.region != "global"}
        region = sorted(regions)[0] if regions else target.region
        addresses = resource_names(resources)
        (directory / "main.tf").write_text(_main_tf(region), encoding="utf-8")
        (directory / "imports.tf").write_text(_imports_tf(resources, addresses), encoding="utf-8")
        if target.provider_endpoints or target.provider_settings:
            (directory / OVERRIDE).write_text(
                aws_provider_override_hcl(target.provider_settings, target.provider_endpoints), encoding="utf-8"
            )
        cli_config, _ = config_for_module(self._cli_config, directory)
        env = self._environment(target, cli_config)
        logs = directory / ".infraplane-logs"
        logs.mkdir(exist_ok=True)
        try:
            self._step(["init", "-input=false", "-no-color"], directory, env, logs)
            # The generated file is written even when its own values fail the provider's checks.
            self._step(
                ["plan", "-input=false", "-no-color", f"-generate-config-out={GENERATED}"], directory, env, logs, True
            )
            if not (directory / GENERATED).is_file():
                raise FailureError(f"{self._binary} plan -generate-config-out wrote no configuration")
            removed, problems = self._validated(directory, env, logs)
        finally:
            shutil.rmtree(directory / ".terraform", ignore_errors=True)
            shutil.rmtree(logs, ignore_errors=True)
        return ImportSuggestionResult(directory, addresses, not problems, tuple(removed), tuple(problems))

    def _step(
        self, args: list[str], directory: Path, env: dict[str, str], logs: Path, failure_allowed: bool = False
    ) -> str:
        # Run from the logs directory (-chdir): the tool's logs stay out of the suggestion.
        result = run_tool([self._binary, f"-chdir={directory}", *args], logs, env, args[0])
        if result.returncode != 0 and not failure_allowed:
            reason = diagnostics_summary(result.stdout, result.stderr)
            raise FailureError(f"{self._binary} {args[0]} failed in {directory}: {reason}")
        return result.stdout

    def _validated(self, directory: Path, env: dict[str, str], logs: Path) -> tuple[list[str], list[str]]:
        """Validate; comment out each generated attribute the provider refuses; again until it passes."""
        removed: list[str] = []
        for _ in range(_MAX_ROUNDS):
            report = json.loads(self._step(["validate", "-json", "-no-color"], directory, env, logs, True) or "{}")
            errors = [d for d in report.get("diagnostics", []) if d.get("severity") == "error"]
            if report.get("valid") and not errors:
                return removed, []
            lines = (directory / GENERATED).read_text(encoding="utf-8").split("\n")
            fixed = False
            for diagnostic in errors:
                where = diagnostic.get("range") or {}
                number = int((where.get("start") or {}).get("line", 0))
                if where.get("filename") != GENERATED or not 0 < number <= len(lines):
                    continue
                match = _ATTRIBUTE_LINE.match(lines[number - 1])
                if match is None or lines[number - 1].lstrip().startswith("#"):
                    continue
                reason = str(diagnostic.get("summary", "refused by the provider")).replace("\n", " ")
                lines[number - 1] = f"{match.group(1)}# {lines[number - 1].strip()}  # infraplane: {reason}"
                removed.append(f"{match.group(2)}: {reason}")
                fixed = True
            (directory / GENERATED).write_text("\n".join(lines), encoding="utf-8")
            if not fixed:
                return removed, [str(d.get("summary", "")) + ": " + str(d.get("detail", "")) for d in errors]
        return removed, ["terraform validate still fails after taking out every refused value"]
