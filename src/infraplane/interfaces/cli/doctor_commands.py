"""`infraplane doctor`: what in this home other users of the machine could read or change."""

from __future__ import annotations

from typing import Annotated

import typer

from infraplane.interfaces.cli.output import console, print_json
from infraplane.interfaces.cli.state import cli_state

__all__ = ["doctor"]

_SHOWN = 20


def doctor(json_out: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False) -> None:
    """Check that nothing in the home is readable or writable by group or others. Exit 1 when something is.

    Saved plans, inputs files and the store may hold secrets, so every file should be 0600 and every
    directory 0700. Fix what it lists with `chmod -R go-rwx HOME`.
    """
    from infraplane.adapters.permissions import loose_entries

    home = cli_state.container.settings.home
    loose = loose_entries(home)
    if json_out:
        print_json(
            {
                "home": str(home),
                "permissions": "ok" if not loose else "loose",
                "loose": [{"path": str(e.path), "mode": f"{e.mode:04o}", "directory": e.is_dir} for e in loose],
            }
        )
    elif not loose:
        console.print(f"permissions ok: nothing under {home} is open to group or others", highlight=False)
    else:
        console.print(f"{len(loose)} entries under {home} are open to group or others:", highlight=False)
        for entry in loose[:_SHOWN]:
            console.print(f"  {entry}", highlight=False, markup=False, soft_wrap=True)
        if len(loose) > _SHOWN:
            console.print(f"  ... and {len(loose) - _SHOWN} more", highlight=False)
        console.print(f"fix with: chmod -R go-rwx {home}", highlight=False, markup=False)
    if loose:
        raise typer.Exit(1)
