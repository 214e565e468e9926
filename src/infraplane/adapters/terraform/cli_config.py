"""infraplane's own Terraform CLI configuration.

infraplane never relies on the machine's `TF_CLI_CONFIG_FILE` or `~/.terraformrc`:
it writes its own file with a shared plugin cache and, when a provider mirror is
configured or found on the machine, a `filesystem_mirror` block for exactly the
providers the mirror holds (everything else installs directly).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from pathlib import Path

__all__ = ["IacTool", "discover_mirror", "find_tool", "mirror_providers", "write_cli_config"]

REGISTRY_HOSTS = ("registry.terraform.io", "registry.opentofu.org")
# Where provider mirrors are usually installed; searched in order when none is configured.
_MIRROR_CANDIDATES = (
    "/opt/*",
    "/opt/*/*",
    "/usr/share/terraform/plugins",
    "/usr/local/share/terraform/plugins",
    "~/.terraform.d/plugins",
    "~/.local/share/terraform/plugins",
)


def _is_mirror(path: Path) -> bool:
    return any((path / host).is_dir() for host in REGISTRY_HOSTS)


def discover_mirror(configured: Path | None = None, candidates: Iterable[str] = _MIRROR_CANDIDATES) -> Path | None:
    """The configured mirror, or the first directory on this machine that looks like one."""
    if configured is not None:
        return configured if _is_mirror(configured) else None
    for pattern in candidates:
        base = Path(pattern).expanduser()
        matches = sorted(Path(base.anchor).glob(str(base.relative_to(base.anchor)))) if "*" in pattern else [base]
        for candidate in matches:
            if candidate.is_dir() and _is_mirror(candidate):
                return candidate
    return None


def mirror_providers(mirror: Path) -> list[str]:
    """`host/namespace/type` of every provider in the mirror."""
    found = []
    for host in REGISTRY_HOSTS:
        for provider in sorted((mirror / host).glob("*/*")):
            if provider.is_dir():
                found.append(f"{host}/{provider.parent.name}/{provider.name}")
    return found


def write_cli_config(target: Path, plugin_cache: Path, mirror: Path | None) -> Path:
    """Write the CLI configuration file and return its path."""
    plugin_cache.mkdir(parents=True, exist_ok=True)
    lines = [f"plugin_cache_dir = {json.dumps(str(plugin_cache))}", "provider_installation {"]
    providers = mirror_providers(mirror) if mirror else []
    if mirror and providers:
        lines += [
            "  filesystem_mirror {",
            f"    path    = {json.dumps(str(mirror))}",
            f"    include = {json.dumps(providers)}",
            "  }",
            "  direct {",
            f"    exclude = {json.dumps(providers)}",
            "  }",
        ]
    else:
        lines.append("  direct {}")
    lines.append("}")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


class IacTool:
    """Which binary runs Terraform configurations: `terraform` or `tofu`."""

    def __init__(self, binary: str, path: str) -> None:
        self.binary = binary
        self.path = path


def find_tool(binary: str) -> IacTool | None:
    """The tool on PATH, or None."""
    path = shutil.which(binary)
    return IacTool(binary, path) if path else None
