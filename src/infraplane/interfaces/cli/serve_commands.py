"""`infraplane serve`: the control plane as one long-running process (FastAPI on uvicorn).

It serves the REST API, the web page and MCP over HTTP on one port; its lifespan starts the
sandbox, recovers runs a dead process left and runs the scheduler (interfaces/api/lifespan.py).
On the first start of a home it creates an admin token and shows it once. Ctrl-C (or SIGTERM)
stops it and everything it started.
"""

from __future__ import annotations

import errno
import logging
import socket
from typing import Annotated

import typer

from infraplane.errors import InfraplaneError, InputError, Problem, RefusedError
from infraplane.interfaces.cli.output import console
from infraplane.interfaces.cli.state import cli_state

__all__ = ["ADMIN_TOKEN_FILE", "serve"]

ADMIN_TOKEN_FILE = "admin-token"  # noqa: S105 - a file name, not a secret
_GRACEFUL_SECONDS = 10  # open streams get this long to finish after Ctrl-C


def _check_port(host: str, port: int) -> None:
    """Refuse a taken port before anything starts, instead of after the sandbox came up."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise InputError(
            f"--host: {host!r} is not an address ({exc.strerror})", [Problem("", "host", "not an address")]
        ) from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise RefusedError(f"--port: {host}:{port} is already in use; choose another with --port") from None
            raise InputError(f"--host: cannot listen on {host}:{port} ({exc.strerror})") from None


class _StartupErrorShown(logging.Filter):
    """uvicorn logs a failed start with a traceback; an infraplane error is reported as the CLI does instead."""

    def __init__(self, app: object) -> None:
        super().__init__()
        self._app = app

    def filter(self, record: logging.LogRecord) -> bool:
        failed = getattr(getattr(self._app, "state", None), "startup_error", None) is not None
        return not (failed and record.levelno >= logging.ERROR)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (127.0.0.1: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8080,
) -> None:
    """Run the control plane server: REST API, web page, MCP over HTTP, the scheduler (Ctrl-C stops it)."""
    import uvicorn

    from infraplane.interfaces.api import create_app
    from infraplane.interfaces.logging_setup import UVICORN_LOGGING, configure_logging

    configure_logging()
    _check_port(host, port)
    container = cli_state.container
    token_file = container.home / ADMIN_TOKEN_FILE
    secret = container.tokens.ensure_admin(token_file)
    base = f"http://{host if ':' not in host else f'[{host}]'}:{port}"

    def announce() -> None:
        if secret is not None:
            console.print(
                f"admin token (shown once; also in {token_file}, mode 0600):", highlight=False, soft_wrap=True
            )
            console.print(f"  {secret}", highlight=False, markup=False, soft_wrap=True)
        elif token_file.is_file():
            console.print(f"admin token: in {token_file} (made on the first start)", highlight=False)
        else:
            console.print("admin token: one exists; `infraplane token create --role admin` makes another")
        console.print(f"web page:  {base}/", highlight=False)
        console.print(f"API docs:  {base}/docs", highlight=False)
        console.print(f"MCP:       {base}/mcp", highlight=False)
        console.print("Ctrl-C stops the server and everything it started", highlight=False)

    app = create_app(container, runtime=True)
    app.state.announce = announce
    logging.getLogger("uvicorn.error").addFilter(_StartupErrorShown(app))
    try:
        uvicorn.run(
            app,
            host=host,
            port=port,
            **UVICORN_LOGGING,
            timeout_graceful_shutdown=_GRACEFUL_SECONDS,
        )
    except KeyboardInterrupt:
        pass  # uvicorn re-raises the Ctrl-C it shut down on gracefully; everything it started is stopped
    except SystemExit:  # uvicorn's exit when the start failed
        failed: InfraplaneError | None = getattr(app.state, "startup_error", None)
        if failed is not None:
            raise failed from None
        raise
    console.print("infraplane server stopped", highlight=False)
