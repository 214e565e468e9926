"""Reading Terraform's `-json` machine-readable UI stream: progress events, error diagnostics, outputs."""

from __future__ import annotations

import json
from typing import Any

from infraplane.core.runs import EventSink, OutputValues, RunEvent, RunRequest
from infraplane.errors import FailureError

__all__ = ["ProgressParser", "diagnostics_summary", "output_values"]

_RESOURCE_EVENTS = {
    "planned_change": "planned",
    "apply_start": "applying",
    "apply_complete": "done",
    "apply_errored": "failed",
}


class ProgressParser:
    """Turns `-json` lines into RunEvents; counts the resources the stream says drifted (a refresh).

    An apply's stream ends with its root module's outputs (`"type": "outputs"`), kept in `outputs`: every
    value but a sensitive output's, which the stream leaves out.
    """

    def __init__(self, component: str, on_event: EventSink) -> None:
        self._component = component
        self._on_event = on_event
        self.drifted = 0
        self.terraform_version = ""
        self.outputs: dict[str, Any] | None = None

    def feed(self, line: str) -> None:
        try:
            message: dict[str, Any] = json.loads(line)
        except ValueError:
            return
        kind = message.get("type")
        if kind == "resource_drift":
            self.drifted += 1
        elif kind == "version":
            self.terraform_version = str(message.get("terraform", ""))
        elif kind == "outputs" and isinstance(message.get("outputs"), dict):
            self.outputs = message["outputs"]
        elif kind in _RESOURCE_EVENTS:
            hook = message.get("hook") or message.get("change") or {}
            resource = hook.get("resource", {})
            self._on_event(
                RunEvent(
                    self._component,
                    "resource",
                    _RESOURCE_EVENTS[kind],
                    address=resource.get("addr", ""),
                    action=hook.get("action", ""),
                )
            )
        elif kind == "change_summary":
            self._on_event(RunEvent(self._component, "summary", message.get("@message", "")))


def diagnostics_summary(stdout: str, stderr: str, limit: int = 3) -> str:
    """The first error diagnostics of a failed run, one line each."""
    found: list[str] = []
    for line in stdout.splitlines():
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if message.get("type") == "diagnostic" and message.get("diagnostic", {}).get("severity") == "error":
            diagnostic = message["diagnostic"]
            detail = " ".join(str(diagnostic.get("detail", "")).split())
            address = diagnostic.get("address", "")
            text = f"{address + ': ' if address else ''}{diagnostic.get('summary', '')}"
            found.append(f"{text} ({detail[:300]})" if detail else text)
    if not found:
        lines = [" ".join(line.split()) for line in (stderr + "\n" + stdout).splitlines() if line.strip()]
        errors = [line for line in lines if "Error" in line or "error" in line]
        found = (errors or lines)[-limit:]
    return "; ".join(found[:limit]) or "no diagnostics"


def output_values(request: RunRequest, raw: dict[str, Any]) -> OutputValues:
    """Outputs as `output -json` (or an apply's stream) gives them; every output the blueprint declares is there."""
    missing = sorted(set(request.blueprint.spec.outputs) - set(raw))
    if missing:
        raise FailureError(f"{request.component}: the state has no value for declared outputs {', '.join(missing)}")
    return OutputValues(
        {name: item.get("value") for name, item in raw.items()},
        frozenset(name for name, item in raw.items() if item.get("sensitive")),
    )
