"""`infraplane db upgrade`: bring the store's schema (and, on PostgreSQL, the task queue's tables) up to date."""

from __future__ import annotations

import typer

from infraplane.interfaces.background_work import upgrade_database
from infraplane.interfaces.cli.output import console
from infraplane.interfaces.cli.state import cli_state

__all__ = ["app"]

app = typer.Typer(help="The store: migrations.", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Run the store's migrations (and create the task queue's tables on PostgreSQL).

    Safe when several processes start at once: each step runs under a PostgreSQL advisory lock,
    and a second run finds nothing to do.
    """
    for done in upgrade_database(cli_state.container):
        console.print(done, highlight=False)
