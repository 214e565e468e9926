"""The server's HTTP interface: the REST API under /api/v1, health, metrics and MCP over HTTP."""

from infraplane.interfaces.api.app import create_app

__all__ = ["create_app"]
