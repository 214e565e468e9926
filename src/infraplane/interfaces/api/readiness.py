"""`/readyz`: whether the server can do its work now, the store answers and (on the sandbox) the sandbox does."""

from __future__ import annotations

from fastapi.responses import JSONResponse

from infraplane.adapters.sandbox.control import sandbox_status
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


def readiness(container: Container) -> dict[str, str]:
    """Each check by name: "" when it is ready, else why not."""
    checks = {"store": _store(container)}
    if container.settings.default_target == "sandbox":
        checks["sandbox"] = _sandbox(container)
    return checks


def readiness_response(container: Container) -> JSONResponse:
    checks = readiness(container)
    failing = [name for name, why in checks.items() if why]
    shown = {name: why or "ok" for name, why in checks.items()}
    if not failing:
        return JSONResponse({"status": "ready", "checks": shown})
    message = "not ready: " + "; ".join(f"{name}: {checks[name]}" for name in failing)
    error = {"code": "not_ready", "message": message, "field": failing[0]}
    return JSONResponse({"error": error, "status": "not ready", "not_ready": failing, "checks": shown}, 503)
