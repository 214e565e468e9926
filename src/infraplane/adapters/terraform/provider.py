"""The `provider "aws"` override a target's data becomes (endpoints and settings such as the sandbox's).

The HCL is written into `_infraplane_override.tf` next to a module. Terraform merges an
override file's `provider "aws"` block into the module's own one argument by argument, so
the module keeps its `region` and `default_tags` and gains only the target's settings.
Values are written with `json.dumps`: a JSON string or boolean is the same HCL literal, so
nothing from the target is spliced into HCL unquoted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

__all__ = ["aws_provider_override_hcl"]

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
