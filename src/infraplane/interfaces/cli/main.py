"""`infraplane`: the root command, global options and error mapping.

The commands are listed here by module and help line and imported only when one runs (see
`lazy_group.py`), so `infraplane --help` and a single command pay only for what they use.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from infraplane.errors import FailureError, InfraplaneError
from infraplane.interfaces.cli.lazy_group import LazyCommand, LazyGroup
from infraplane.interfaces.cli.state import cli_state

__all__ = ["COMMANDS", "app", "main"]

_CLI = "infraplane.interfaces.cli."
# In the order `--help` lists them. `help` is the first paragraph of each command's own help.
COMMANDS: dict[str, LazyCommand] = {
    "cost": LazyCommand(
        _CLI + "cost_commands",
        "cost",
        "Estimated monthly cost per resource, total and delta (on-demand, us-east-1, 730 h a month).",
    ),
    "ask": LazyCommand(
        _CLI + "ask_commands",
        "ask",
        "Turn plain words into a proposal: the catalog entry they ask for, with the inputs they give.",
    ),
    "mcp": LazyCommand(
        _CLI + "mcp_commands",
        "mcp",
        "Serve infraplane to an AI agent over MCP on stdin/stdout: it reads and proposes; people approve and apply.",
    ),
    "catalog": LazyCommand(
        _CLI + "catalog_commands", "app", "The blueprint catalog: versioned, immutable, searchable."
    ),
    "env": LazyCommand(
        _CLI + "env_commands", "app", "Environments: plan and apply component graphs on the sandbox or AWS."
    ),
    "drift": LazyCommand(_CLI + "drift_commands", "app", "Drift: what changed in the cloud behind infraplane's back."),
    "unmanaged": LazyCommand(
        _CLI + "unmanaged_commands", "app", "Unmanaged resources: in the cloud, in no component's state."
    ),
    "kpi": LazyCommand(
        _CLI + "kpi_commands",
        "kpi",
        "Drift rate, time to detect and remediate, policy hit rate, approval lead time and the DORA four.",
    ),
    "advise": LazyCommand(
        _CLI + "advise_commands",
        "advise",
        "Recommendations from cloud metrics: right-size, scale out, give idle environments a TTL.",
    ),
    "sandbox": LazyCommand(_CLI + "sandbox_commands", "app", "The sandbox cloud: a local AWS emulator on 127.0.0.1."),
    "policy": LazyCommand(_CLI + "policy_commands", "app", "Guardrails: policy as code (Rego) on requests and plans."),
    "audit": LazyCommand(_CLI + "audit_commands", "app", "The audit trail: who did what, when, and why."),
    "proposal": LazyCommand(_CLI + "proposal_commands", "app", "Proposals: review, approve, reject and apply changes."),
    "serve": LazyCommand(
        _CLI + "serve_commands",
        "serve",
        "Run the control plane server: REST API, web page, MCP over HTTP, the scheduler (Ctrl-C stops it).",
    ),
    "worker": LazyCommand(
        _CLI + "worker_commands",
        "worker",
        "Run tasks from the team-mode queue (needs `execution: team` and a PostgreSQL `database_url`).",
    ),
    "db": LazyCommand(_CLI + "db_commands", "app", "The store: migrations."),
    "token": LazyCommand(
        _CLI + "token_commands", "app", "API tokens of the server: who may read, propose, approve and administer."
    ),
    "info": LazyCommand(
        _CLI + "info_commands",
        "info",
        "Which home, store, sandbox, Terraform (or OpenTofu) and providers this command line uses.",
    ),
    "doctor": LazyCommand(
        _CLI + "doctor_commands",
        "doctor",
        "Check that nothing in the home is readable or writable by group or others. Exit 1 when something is.",
    ),
}


class _Commands(LazyGroup):
    lazy_commands = COMMANDS


app = typer.Typer(
    name="infraplane",
    help="Environment-orchestration control plane: a catalog of immutable blueprints, guardrails, audited changes.",
    cls=_Commands,
    # Plain Click help and usage errors: Rich's help renderer costs more to import (~0.15 s) than all
    # of `--help` otherwise does. The commands' own output still goes through Rich.
    rich_markup_mode=None,
    context_settings={"max_content_width": 120},  # wide terminals: fewer help lines cut short
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def root(
    as_user: Annotated[
        str | None, typer.Option("--as", help="Act as this person (default: INFRAPLANE_USER or your login name).")
    ] = None,
) -> None:
    """infraplane: blueprints people and agents can choose from, applied through reviewed changes."""
    cli_state.user = as_user


def _loaded(module: str, name: str) -> type[BaseException] | None:
    """An exception class, if its module was imported; one that was not cannot have been raised."""
    found = sys.modules.get(module)
    return getattr(found, name, None) if found is not None else None


def main() -> None:
    """Entry point: run the app; map infraplane errors to exit codes, never show a traceback for them."""
    try:
        app()
    except InfraplaneError as exc:
        from infraplane.interfaces.cli.output import print_error

        denied = _loaded("infraplane.services.orchestration.plan_checks", "PolicyDeniedError")
        if denied is not None and isinstance(exc, denied):
            from infraplane.interfaces.cli.policy_commands import print_findings

            print_findings(exc.decision, "guardrails")  # type: ignore[attr-defined]
        print_error(exc)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        from infraplane.interfaces.cli.output import err_console

        err_console.print("interrupted")
        sys.exit(130)
    except Exception as exc:
        store_error = _loaded("sqlalchemy.exc", "SQLAlchemyError")
        if store_error is None or not isinstance(exc, store_error):
            raise
        from infraplane.interfaces.cli.output import print_error

        print_error(FailureError(f"store error: {exc.__class__.__name__}: {str(exc).splitlines()[0]}"))
        sys.exit(1)
    finally:
        cli_state.close()


if __name__ == "__main__":
    main()
