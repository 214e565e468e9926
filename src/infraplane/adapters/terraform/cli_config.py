"""infraplane's own Terraform CLI configuration.

infraplane never relies on the machine's `TF_CLI_CONFIG_FILE` or `~/.terraformrc`:
it writes its own files. When a provider mirror is configured or found on the
machine, a `filesystem_mirror` block names exactly the providers the mirror holds
(everything else installs directly).

Terraform's plugin cache is not safe for concurrent use: an `init` whose work
directory has no lock-file checksum for a cached package re-installs it into the
cache (Terraform >= 1.4), and a `plan` in another work directory that reads that
entry at that moment finds no package. So there are two configurations:

* the *mirror* configuration (`terraformrc`), with no plugin cache at all. From an
  unpacked mirror Terraform installs by symlinking the work directory's
  `.terraform/providers/...` to the mirror's own directory, which nobody writes;
  concurrent inits need no lock. Used for every module whose providers the mirror holds.
* the *cached* configuration (`terraformrc-cached`), for modules that install a
  provider directly: a shared plugin cache with `plugin_cache_may_break_dependency_lock_file`,
  so that an entry, once there, is used as it is and never re-installed (the cache
  only grows). The runner still serializes those inits, so an entry is written once.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

__all__ = [
    "IacTool",
    "config_for_module",
    "discover_mirror",
    "find_tool",
    "mirror_providers",
    "module_provider_sources",
    "write_cli_config",
]

CACHED_SUFFIX = "-cached"
_MANIFEST_SUFFIX = ".providers.json"
# `source = "hashicorp/aws"` (or with a host) inside a required_providers block.
_SOURCE = re.compile(r'\bsource\s*=\s*"([^"]+)"')

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


def _installation(mirror: Path | None, providers: list[str]) -> list[str]:
    lines = ["provider_installation {"]
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
    return lines


def write_cli_config(target: Path, plugin_cache: Path, mirror: Path | None) -> Path:
    """Write the CLI configurations (mirror and cached, see the module docstring); return the mirror one's path.

    Without a mirror both files are the cached configuration: every provider installs directly.
    """
    plugin_cache.mkdir(parents=True, exist_ok=True)
    providers = mirror_providers(mirror) if mirror else []
    installation = _installation(mirror, providers)
    cached = [
        f"plugin_cache_dir = {json.dumps(str(plugin_cache))}",
        "plugin_cache_may_break_dependency_lock_file = true",
        *installation,
    ]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(installation if providers else cached) + "\n", encoding="utf-8")
    _cached_path(target).write_text("\n".join(cached) + "\n", encoding="utf-8")
    _manifest_path(target).write_text(json.dumps({"mirror_providers": providers}), encoding="utf-8")
    return target


def _cached_path(config: Path) -> Path:
    return config.with_name(config.name + CACHED_SUFFIX)


def _manifest_path(config: Path) -> Path:
    return config.with_name(config.name + _MANIFEST_SUFFIX)


def _full_source(source: str) -> str:
    parts = source.lower().split("/")
    if len(parts) == 2:
        parts.insert(0, REGISTRY_HOSTS[0])
    return "/".join(parts)


def _blocks_named(text: str, name: str) -> list[str]:
    """The bodies of every `name { ... }` block (braces matched; good enough for required_providers)."""
    bodies = []
    for match in re.finditer(rf"\b{name}\s*\{{", text):
        depth, start = 1, match.end()
        for index in range(start, len(text)):
            depth += {"{": 1, "}": -1}.get(text[index], 0)
            if depth == 0:
                bodies.append(text[start:index])
                break
    return bodies


def module_provider_sources(module: Path) -> set[str]:
    """`host/namespace/type` of every provider the `.tf` files under `module` declare in `required_providers`."""
    found: set[str] = set()
    for path in module.rglob("*.tf"):
        if ".terraform" in path.parts:
            continue
        for body in _blocks_named(path.read_text(encoding="utf-8", errors="replace"), "required_providers"):
            found.update(_full_source(source) for source in _SOURCE.findall(body))
    return found


def config_for_module(config: Path, module: Path) -> tuple[Path, bool]:
    """The CLI configuration to init `module` with, and whether that init must hold the plugin-cache lock.

    The mirror configuration when the mirror holds every provider the module declares (no
    shared cache, no lock); otherwise the cached one. A provider Terraform infers from a
    resource type alone is installed directly without the cache: slower, never unsafe.
    """
    try:
        mirrored = set(json.loads(_manifest_path(config).read_text(encoding="utf-8"))["mirror_providers"])
    except (OSError, ValueError, KeyError):
        return config, True
    if mirrored and module_provider_sources(module) <= {_full_source(p) for p in mirrored}:
        return config, False
    return _cached_path(config), True


class IacTool:
    """Which binary runs Terraform configurations: `terraform` or `tofu`."""

    def __init__(self, binary: str, path: str) -> None:
        self.binary = binary
        self.path = path


def find_tool(binary: str) -> IacTool | None:
    """The tool on PATH, or None."""
    path = shutil.which(binary)
    return IacTool(binary, path) if path else None
