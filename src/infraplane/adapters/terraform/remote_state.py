"""Terraform's `http` backend pointed at the server's state API (team mode), instead of a loopback server.

Nothing is served here: the worker's Terraform talks to `{server}/api/v1/state/{environment}/{component}`
with basic auth (user: the run id, password: the worker token), and the server keeps the state
(encrypted, every version) and the lock (services/state_api.py).
"""

from __future__ import annotations

from urllib.parse import quote

from infraplane.adapters.terraform.state_server import http_backend_environment
from infraplane.core.ports import StateBackend, StateBackendFactory, StateCallbacks

__all__ = ["RemoteStateBackend", "remote_state_factory"]


class RemoteStateBackend:
    def __init__(self, server_url: str, token: str, run_id: str) -> None:
        self._base = server_url.rstrip("/")
        self._token = token
        self._run_id = run_id

    def __enter__(self) -> RemoteStateBackend:
        return self

    def __exit__(self, *_exc: object) -> None:
        return None

    def backend_environment(self, environment: str, component: str) -> dict[str, str]:
        address = f"{self._base}/api/v1/state/{quote(environment, safe='')}/{quote(component, safe='')}"
        return {
            **http_backend_environment(address, self._run_id, self._token),
            # The server may restart while a Terraform runs: retry its requests for a while.
            "TF_HTTP_RETRY_MAX": "30",
            "TF_HTTP_RETRY_WAIT_MIN": "1",
            "TF_HTTP_RETRY_WAIT_MAX": "5",
        }


def remote_state_factory(server_url: str, token: str) -> StateBackendFactory:
    """A StateBackendFactory: one RemoteStateBackend per run, named by the run's id."""

    def factory(callbacks: StateCallbacks) -> StateBackend:
        return RemoteStateBackend(server_url, token, callbacks.run_id)

    return factory
