"""`infraplane`: the root command, global options and error mapping."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from sqlalchemy.exc import SQLAlchemyError

from infraplane.errors import FailureError, InfraplaneError
from infraplane.interfaces.cli import (
    ask_commands,
    audit_commands,
    catalog_commands,
    cost_commands,
    env_commands,
    mcp_commands,
    policy_commands,
    proposal_commands,
    sandbox_commands,
)
from infraplane.interfaces.cli.output import err_console, print_error
from infraplane.interfaces.cli.policy_commands import print_findings
from infraplane.interfaces.cli.state import cli_state
from infraplane.services.orchestration.plan_checks import PolicyDeniedError

__all__ = ["app", "main"]

app = typer.Typer(
    name="infraplane",
    help="Environment-orchestration control plane: a catalog of immutable blueprints, guardrails, audited changes.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(catalog_commands.app, name="catalog")
app.add_typer(env_commands.app, name="env")
app.add_typer(sandbox_commands.app, name="sandbox")
app.add_typer(policy_commands.app, name="policy")
app.command("cost")(cost_commands.cost)
app.add_typer(audit_commands.app, name="audit")
app.command("ask")(ask_commands.ask)
app.add_typer(proposal_commands.app, name="proposal")
app.command("mcp")(mcp_commands.mcp)


@app.callback()
def root(
    as_user: Annotated[
        str | None, typer.Option("--as", help="Act as this person (default: INFRAPLANE_USER or your login name).")
    ] = None,
) -> None:
    """infraplane: blueprints people and agents can choose from, applied through reviewed changes."""
    cli_state.user = as_user


def main() -> None:
    """Entry point: run the app; map infraplane errors to exit codes, never show a traceback for them."""
    try:
        app()
    except PolicyDeniedError as exc:
        print_findings(exc.decision, "guardrails")
        print_error(exc)
        sys.exit(exc.exit_code)
    except InfraplaneError as exc:
        print_error(exc)
        sys.exit(exc.exit_code)
    except SQLAlchemyError as exc:
        print_error(FailureError(f"store error: {exc.__class__.__name__}: {str(exc).splitlines()[0]}"))
        sys.exit(1)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
    finally:
        cli_state.close()


if __name__ == "__main__":
    main()
