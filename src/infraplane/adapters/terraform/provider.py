"""The `provider "aws"` override a target's data becomes (endpoints and settings such as the sandbox's).

The HCL is written into `_infraplane_override.tf` next to a module (with the http backend block), or into
`_infraplane_provider.tf` when the module has no `provider "aws"` block of its own. Terraform merges an
override file's `provider "aws"` block into the module's own one argument by argument, so
the module keeps its `region` and `default_tags` and gains only the target's settings.
Values are written with `json.dumps`: a JSON string or boolean is the same HCL literal, so
nothing from the target is spliced into HCL unquoted.

The `endpoints` block is written only when it is needed (`override_endpoints`): the AWS provider
validates that block (about 400 service arguments) every time it is configured, ~2 CPU-s each, twice
per plan and once per apply: more than everything else a small plan costs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

from infraplane.core.module_interface import ModuleInterface
from infraplane.core.runs import Target

__all__ = ["OVERRIDE_FILE", "PROVIDER_FILE", "aws_provider_override_hcl", "override_endpoints", "write_override"]

OVERRIDE_FILE = "_infraplane_override.tf"
PROVIDER_FILE = "_infraplane_provider.tf"

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def _name(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"not an AWS provider argument name: {name!r}")
    return name


def aws_provider_override_hcl(settings: Mapping[str, str | bool], endpoints: Mapping[str, str]) -> str:
    """HCL of a `provider "aws"` block setting `settings` and sending each service in `endpoints` to its URL."""
    lines = ["# Written by infraplane: points the AWS provider at the run's target. Do not edit.", 'provider "aws" {']
    if settings:
        width = max(len(name) for name in settings)
        lines += [f"  {_name(name).ljust(width)} = {json.dumps(value)}" for name, value in settings.items()]
    if endpoints:
        width = max(len(name) for name in endpoints)
        lines += ["", "  endpoints {"]
        lines += [
            f"    {_name(name).ljust(width)} = {json.dumps(url.rstrip('/'))}" for name, url in sorted(endpoints.items())
        ]
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def override_endpoints(target: Target, module_sets_endpoints: bool) -> Mapping[str, str]:
    """The endpoints the override's `endpoints` block must name for `target`: none when its environment does it.

    The provider reads `AWS_ENDPOINT_URL` (every service) from its environment, below any `endpoints` block.
    So when the target's environment sets it to the URL of every one of the target's endpoints, the block is
    left out, unless `module_sets_endpoints`: the module names endpoints of its own (only an override's block
    replaces those, and the target's calls must not go anywhere else), or its provider is older than the one
    known to read the variable.
    """
    url = target.environment.get("AWS_ENDPOINT_URL", "").rstrip("/")
    covered = bool(url) and all(u.rstrip("/") == url for u in target.provider_endpoints.values())
    return {} if covered and not module_sets_endpoints else target.provider_endpoints


def write_override(
    module: Path, target: Target, interface: ModuleInterface, backend: bool, provider_predates_endpoint_url: bool
) -> None:
    """Write the generated override (the http backend, the target's provider settings) and provider files.

    The target's endpoints go into the provider block when the module names `endpoints` itself, or when the AWS
    provider installed for it is older than the one known to read `AWS_ENDPOINT_URL`.
    """
    (module / PROVIDER_FILE).unlink(missing_ok=True)  # generated files are not the blueprint's
    override = ['terraform {\n  backend "http" {}\n}\n'] if backend else []
    endpoints = override_endpoints(target, interface.names_endpoints or provider_predates_endpoint_url)
    if endpoints or target.provider_settings:
        provider = aws_provider_override_hcl(target.provider_settings, endpoints)
        if "aws" in interface.providers:
            override.append(provider)
        else:
            (module / PROVIDER_FILE).write_text(provider, encoding="utf-8")
    (module / OVERRIDE_FILE).unlink(missing_ok=True)
    if override:
        (module / OVERRIDE_FILE).write_text("\n".join(override), encoding="utf-8")
