"""Per-component work directories: the unpacked archive and the files a run exchanges with its tool."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from infraplane.adapters.archive import unpack_archive
from infraplane.core.runs import EventSink, OutputValues, PlanSummary, RunRequest
from infraplane.errors import FailureError

__all__ = [
    "WithoutSavedPlans",
    "materialize",
    "private_directory",
    "read_outputs_file",
    "tool_environment",
    "write_private_bytes",
    "write_private_json",
]

DIGEST_MARKER = ".infraplane-digest"


def private_directory(path: Path) -> Path:
    """`path` and any missing parents, created owner-only (0700): work directories hold inputs and plans."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for directory in reversed(missing):  # mkdir(parents=True) would give the parents the default mode
        directory.mkdir(mode=0o700, exist_ok=True)
    return path


def materialize(request: RunRequest) -> Path:
    """Unpack the published archive once per digest; return the blueprint's source directory."""
    workdir = private_directory(request.workdir)
    marker = workdir / DIGEST_MARKER
    if not marker.is_file() or marker.read_text() != request.digest:
        shutil.rmtree(workdir / "blueprint", ignore_errors=True)
        unpack_archive(request.archive, workdir / "blueprint")
        marker.write_text(request.digest)
    return workdir / "blueprint" / (request.blueprint.spec.source or ".")


def write_private_bytes(path: Path, content: bytes) -> Path:
    """Write `content` to a file created readable by its owner only (0600), never wider for a moment."""
    path.unlink(missing_ok=True)  # an older file keeps its mode through O_TRUNC; start afresh
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
    return path


def write_private_json(path: Path, value: Mapping[str, Any]) -> Path:
    """Inputs may hold secrets: the file is readable by its owner only."""
    text = json.dumps(value, indent=2, sort_keys=True, default=str)
    return write_private_bytes(path, text.encode("utf-8"))


def read_outputs_file(request: RunRequest, path: Path) -> OutputValues:
    """The outputs a playbook or script wrote, restricted to those the blueprint declares."""
    if not path.is_file():
        raise FailureError(f"{request.component}: the run wrote no outputs file ({path.name})")
    try:
        raw = json.loads(path.read_text(encoding="utf-8") or "{}")
    except ValueError as exc:
        raise FailureError(f"{request.component}: outputs file is not JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise FailureError(f"{request.component}: outputs file must hold a JSON object")
    # Outputs may be secrets; they are kept encrypted in the store, so the plaintext file goes now.
    path.unlink(missing_ok=True)
    declared = request.blueprint.spec.outputs
    missing = sorted(set(declared) - set(raw))
    if missing:
        raise FailureError(f"{request.component}: outputs file lacks declared outputs: {', '.join(missing)}")
    return OutputValues({k: raw[k] for k in declared}, request.blueprint.sensitive_outputs())


def tool_environment(request: RunRequest, extra: Mapping[str, str]) -> dict[str, str]:
    """The environment of an Ansible or script run: a minimal base, the tool's own settings, and AWS access.

    AWS access is the target's environment: the sandbox's dummy credentials and endpoint URL, or
    the credential variables the composition root passed through for real AWS.
    """
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),  # noqa: S108 - only a fallback for HOME
        **extra,
        **request.target.environment,
    }


class WithoutSavedPlans:
    """For runners whose dry run leaves no plan file (Ansible, scripts): apply runs the inputs the dry run checked.

    Nor can their dry run go without a value: they make no preview of a component whose inputs are unknown.
    """

    def preview(self, request: RunRequest, unknown: Sequence[str], on_event: EventSink) -> PlanSummary | None:
        return None

    def saved_plan(self, plan: PlanSummary) -> bytes | None:
        return None

    def restore_plan(
        self, request: RunRequest, plan: PlanSummary, content: bytes | None, on_event: EventSink
    ) -> PlanSummary:
        return plan
