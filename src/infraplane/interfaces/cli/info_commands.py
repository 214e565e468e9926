"""`infraplane info`: which home, store, sandbox, IaC tool and providers this command line uses."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Annotated, Any

import typer

from infraplane.interfaces.cli.output import console, print_json
from infraplane.interfaces.cli.state import cli_state

__all__ = ["info"]


def _store_url(url: str) -> str:
    """The store's URL with any password masked."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return url
    return f"{scheme}{sep}{credentials.split(':', 1)[0]}:***@{host}"


def _tool_version(path: str) -> str:
    try:
        shown = subprocess.run([path, "version", "-json"], capture_output=True, text=True, timeout=20, check=False)
        return str(json.loads(shown.stdout).get("terraform_version", "")) or "unknown"
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return "unknown"


def _mirrored(mirror: Path, providers: list[str]) -> list[str]:
    """`host/namespace/type version` of every provider version the mirror holds."""
    return [f"{p} {v.name}" for p in providers for v in sorted((mirror / p).iterdir()) if v.is_dir()]


def _permissions(loose: list[str]) -> str:
    if not loose:
        return "ok (nothing under the home is open to group or others)"
    return f"{len(loose)} entries open to group or others, e.g. {loose[0]}; see `infraplane doctor`"


def _facts() -> dict[str, Any]:
    from infraplane import __version__
    from infraplane.adapters.permissions import loose_entries
    from infraplane.adapters.sandbox.control import sandbox_status
    from infraplane.adapters.terraform.cli_config import discover_mirror, find_tool, mirror_providers

    settings = cli_state.container.settings
    configured = settings.terraform
    names = ["terraform", "tofu"] if configured.binary == "auto" else [configured.binary]
    tool = next((found for name in names if (found := find_tool(name)) is not None), None)
    mirror = discover_mirror(configured.provider_mirror)
    sandbox = sandbox_status(settings.home)
    return {
        "infraplane": __version__,
        "home": str(settings.home),
        "home_found_by": settings.home_source,
        "home_exists": settings.home.is_dir(),
        "store": _store_url(settings.effective_database_url),
        "sandbox": {"running": sandbox is not None, "endpoint": sandbox.endpoint if sandbox else None},
        "iac_tool": {"binary": tool.binary, "path": tool.path, "version": _tool_version(tool.path)} if tool else None,
        "provider_mirror": str(mirror) if mirror else None,
        "mirror_providers": _mirrored(mirror, mirror_providers(mirror)) if mirror else [],
        "plugin_cache": str(configured.plugin_cache),
        "permissions": {"loose": [str(e.path) for e in loose_entries(settings.home)]},
    }


def info(json_out: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False) -> None:
    """Which home, store, sandbox, Terraform (or OpenTofu) and providers this command line uses."""
    facts = _facts()
    if json_out:
        print_json(facts)
        return
    tool = facts["iac_tool"]
    sandbox = facts["sandbox"]
    rows = [
        ("infraplane", facts["infraplane"]),
        ("home", f"{facts['home']}{'' if facts['home_exists'] else ' (not created yet)'}"),
        ("  found by", facts["home_found_by"]),
        ("store", facts["store"]),
        ("sandbox", f"running at {sandbox['endpoint']}" if sandbox["running"] else "not running"),
        ("iac tool", f"{tool['binary']} {tool['version']} ({tool['path']})" if tool else "none on PATH"),
        ("provider mirror", facts["provider_mirror"] or "none found (providers install from their registry)"),
        *(("  provider", p) for p in facts["mirror_providers"]),
        ("plugin cache", facts["plugin_cache"]),
        ("permissions", _permissions(facts["permissions"]["loose"])),
    ]
    for label, value in rows:
        console.print(f"{label:<16} {value}", highlight=False, markup=False, soft_wrap=True)
