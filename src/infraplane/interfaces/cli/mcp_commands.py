"""`infraplane mcp`: serve infraplane to an AI agent over MCP (stdio), as `agent:NAME`."""

from __future__ import annotations

from typing import Annotated

import typer

from infraplane.core.audit import Actor
from infraplane.interfaces.cli.state import cli_state

__all__ = ["mcp"]


def mcp(
    agent: Annotated[
        str,
        typer.Option(
            "--agent",
            envvar="INFRAPLANE_AGENT",
            help="The agent's name in the audit log and on its proposals (agent:NAME).",
            show_envvar=True,
        ),
    ] = "mcp-agent",
) -> None:
    """Serve infraplane to an AI agent over MCP on stdin/stdout: it reads and proposes; people approve and apply.

    Configure it as a stdio server in the agent's client (docs/mcp.md).
    Standard output carries only the protocol; messages go to standard error.
    """
    name = agent.strip()
    if not name:
        raise typer.BadParameter("give the agent a name, e.g. --agent claude-code", param_hint="--agent")
    # Imported here: the MCP SDK takes half a second to import, which no other command should pay.
    from infraplane.interfaces.mcp import serve

    serve(cli_state.container, Actor("agent", name))
