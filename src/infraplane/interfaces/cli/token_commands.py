"""`infraplane token ...`: the server's API tokens. Whoever runs the CLI on the server's home manages them."""

from __future__ import annotations

from typing import Annotated

import typer

from infraplane.core.audit import utc_timestamp
from infraplane.core.identity import Role
from infraplane.errors import InputError, Problem
from infraplane.interfaces.cli.output import Column, console, err_console, print_json, print_records
from infraplane.interfaces.cli.state import cli_state

__all__ = ["app"]

app = typer.Typer(help="API tokens of the server: who may read, propose, approve and administer.", no_args_is_help=True)

_ROLES = ", ".join(role.label for role in Role)


def _role(text: str) -> Role:
    try:
        return Role.parse(text)
    except ValueError as exc:
        raise InputError(f"role: {exc}", [Problem("", "role", str(exc))]) from None


@app.command("create")
def create(
    name: Annotated[str, typer.Option("--name", help="Who holds it: a person, a team's bot, an agent.")],
    role: Annotated[str, typer.Option("--role", help=f"One of: {_ROLES}.")],
    team: Annotated[
        list[str] | None, typer.Option("--team", help="A team it acts for (repeat for more; admins act for all).")
    ] = None,
    agent: Annotated[
        bool, typer.Option("--agent", help="An AI agent: it can never approve, reject, apply or destroy.")
    ] = False,
    expires: Annotated[str | None, typer.Option("--expires", help="Lifetime such as 12h, 30d or 2w.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
) -> None:
    """Create a token and print its secret once; only a digest of it is stored."""
    from infraplane.services.tokens import parse_expires

    container = cli_state.container
    lifetime = parse_expires(expires) if expires is not None else None
    token, secret = container.tokens.create(name, _role(role), team or [], agent, lifetime, container.human)
    if json_out:
        print_json({**token.as_dict(utc_timestamp()), "token": secret})
        return
    teams = ", ".join(sorted(token.teams)) or ("all" if token.role is Role.ADMIN else "none")
    kind = "agent " if token.agent else ""
    console.print(f"created {kind}token {token.name} ({token.role.label}; teams: {teams})", highlight=False)
    console.print(secret, highlight=False, soft_wrap=True)
    err_console.print("This is the only time the secret is shown: keep it somewhere safe.", highlight=False)


@app.command("list")
def list_tokens(json_out: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False) -> None:
    """Every token (never its secret): role, teams, agent, state and expiry."""
    now = utc_timestamp()
    tokens = cli_state.container.tokens.list()
    if json_out:
        print_json([token.as_dict(now) for token in tokens])
        return
    columns = [Column("name", whole=True), Column("role"), Column("teams"), Column("agent"), Column("state")]
    columns.append(Column("expires (UTC)", whole=True))
    rows = [
        [
            t.name,
            t.role.label,
            ", ".join(sorted(t.teams)) or "-",
            "yes" if t.agent else "no",
            t.state(now),
            (t.expires_at or "never")[:19].replace("T", " "),
        ]
        for t in tokens
    ]
    print_records(columns, rows)


@app.command("revoke")
def revoke(name: Annotated[str, typer.Argument(help="The token's name.")]) -> None:
    """Revoke a token: it stops working at once. Its name stays taken, so the audit trail stays clear."""
    container = cli_state.container
    token = container.tokens.revoke(name, container.human)
    console.print(f"revoked token {token.name} at {token.revoked_at}", highlight=False)
