"""`infraplane sandbox ...`: the local AWS emulator that makes the whole loop real on one machine."""

from __future__ import annotations

from typing import Annotated

import typer

from infraplane.adapters.sandbox.control import reset_sandbox, sandbox_status, start_sandbox, stop_sandbox
from infraplane.interfaces.cli.output import console, print_json
from infraplane.interfaces.cli.state import cli_state

__all__ = ["app"]

app = typer.Typer(help="The sandbox cloud: a local AWS emulator on 127.0.0.1.", no_args_is_help=True)


@app.command("start")
def start(
    port: Annotated[int | None, typer.Option(help="Loopback port (default: sandbox_port, 4566).")] = None,
) -> None:
    """Start the sandbox (no-op when it already runs)."""
    settings = cli_state.container.settings
    info, started = start_sandbox(settings.home, port or settings.sandbox_port)
    verb = "started" if started else "already running"
    console.print(f"[green]sandbox {verb}[/] at {info.endpoint} (pid {info.pid})", highlight=False)


@app.command("stop")
def stop() -> None:
    """Stop the sandbox; everything in it is forgotten."""
    info = stop_sandbox(cli_state.container.settings.home)
    console.print(f"sandbox stopped (pid {info.pid})" if info else "the sandbox was not running", highlight=False)


@app.command("status")
def status(json_out: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Whether the sandbox runs, and where. Exit 1 when it does not."""
    info = sandbox_status(cli_state.container.settings.home)
    if json_out:
        print_json({"running": info is not None, **(info.__dict__ if info else {})})
    elif info:
        console.print(f"sandbox running at {info.endpoint} (pid {info.pid}, since {info.started_at})", highlight=False)
    else:
        console.print("the sandbox is not running; start it with `infraplane sandbox start`")
    if info is None:
        raise typer.Exit(1)


@app.command("reset")
def reset() -> None:
    """Forget every resource in the sandbox (the process keeps running)."""
    info = reset_sandbox(cli_state.container.settings.home)
    console.print(f"sandbox at {info.endpoint} reset", highlight=False)
