"""`infraplane worker`: runs plans, applies, drift checks and scheduled jobs from the team-mode queue.

Start any number, on any machine that reaches the PostgreSQL store and the server (for Terraform
state). Logs are the server's (JSON lines unless on a terminal); `team.metrics_port` serves
Prometheus metrics. SIGTERM or Ctrl-C: no new tasks; runs under way get `team.shutdown_grace_seconds`
to finish, then their tools are interrupted and the run is handed back to the queue.
"""

from __future__ import annotations

import logging
import socket
from typing import Annotated

import typer

from infraplane.errors import ConfigError, Problem
from infraplane.interfaces.cli.output import console
from infraplane.interfaces.cli.state import cli_state

__all__ = ["worker"]

log = logging.getLogger("infraplane.worker")


def worker(
    concurrency: Annotated[
        int | None, typer.Option("--concurrency", min=1, max=64, help="Tasks run at once (default: `concurrency`).")
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="How logs and metrics name this worker.")] = None,
) -> None:
    """Run tasks from the team-mode queue (needs `execution: team` and a PostgreSQL `database_url`)."""
    from infraplane.interfaces.container import Container
    from infraplane.interfaces.logging_setup import configure_logging
    from infraplane.interfaces.worker import WorkerProcess

    configure_logging()
    settings = cli_state.container.settings
    if not settings.team_mode:
        raise ConfigError(
            "execution is embedded: workers run tasks of team mode only (set `execution: team`)",
            [Problem(str(settings.config_file), "execution", "must be team for `infraplane worker`")],
        )
    container = Container(settings, cli_state.user, worker=True)
    process = WorkerProcess(container, concurrency or settings.concurrency, name or f"{socket.gethostname()}")
    console.print(f"infraplane worker {process.name} on queue {settings.team.queue}", highlight=False)
    process.run()
    console.print("infraplane worker stopped", highlight=False)
