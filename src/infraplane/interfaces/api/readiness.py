"""`/readyz`: whether the server can do its work now, the store answers and (on the sandbox) the sandbox does."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Protocol

from fastapi.responses import JSONResponse

from infraplane.adapters.sandbox.control import sandbox_status
from infraplane.core.ports import QueueStatus
from infraplane.interfaces.container import Container

__all__ = ["readiness", "readiness_response"]


def _store(container: Container) -> str:
    try:
        with container.store.transaction() as tx:
            tx.audit.head()
    except Exception as exc:  # noqa: BLE001 - any failure to answer means not ready; the reason names its kind only
        return f"the store does not answer ({exc.__class__.__name__})"
    return ""


def _sandbox(container: Container) -> str:
    if sandbox_status(container.home) is None:
        return "the sandbox cloud does not answer"
    return ""


class _Runs(Protocol):
    def status(self) -> QueueStatus: ...


def _queue(container: Container, runs: _Runs | None) -> tuple[str, dict[str, Any]]:
    """Why the queue is not ready ("" when it is) and what it holds: waiting, running, workers seen."""
    if runs is None:
        return "", {}
    try:
        status = runs.status()
    except Exception as exc:  # noqa: BLE001 - the queue's tables may be unreachable; say so, never a 500
        return f"the task queue does not answer ({exc.__class__.__name__})", {}
    shown = {"mode": container.settings.execution, **asdict(status)}
    if container.settings.team_mode and status.workers == 0:
        return "no worker seen alive (start `infraplane worker`)", shown
    return "", shown


def readiness(container: Container) -> dict[str, str]:
    """Each check by name: "" when it is ready, else why not."""
    checks = {"store": _store(container)}
    if container.settings.default_target == "sandbox":
        checks["sandbox"] = _sandbox(container)
    return checks


def readiness_response(container: Container, runs: _Runs | None = None) -> JSONResponse:
    checks = readiness(container)
    checks["queue"], queue = _queue(container, runs)
    if runs is None:
        del checks["queue"]
    failing = [name for name, why in checks.items() if why]
    shown = {name: why or "ok" for name, why in checks.items()}
    extra = {"queue": queue} if queue else {}
    if not failing:
        return JSONResponse({"status": "ready", "checks": shown, **extra})
    message = "not ready: " + "; ".join(f"{name}: {checks[name]}" for name in failing)
    error = {"code": "not_ready", "message": message, "field": failing[0]}
    body = {"error": error, "status": "not ready", "not_ready": failing, "checks": shown, **extra}
    return JSONResponse(body, 503)
