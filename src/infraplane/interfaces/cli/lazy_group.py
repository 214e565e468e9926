"""A Typer command group whose commands are imported only when one of them runs.

Each command module pulls in what its command needs (the store, the policy engine, the cloud SDKs,
the MCP SDK); importing them all costs more than a second, which `infraplane --help` and every single
command would pay. The group knows its commands by name, module and help line instead: listing them
(`--help`) imports nothing, and running one imports only its own module.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import typer
from typer import _click as click
from typer.core import TyperCommand, TyperGroup
from typer.main import get_command_from_info, get_group_from_info
from typer.models import CommandInfo, TyperInfo

__all__ = ["LazyCommand", "LazyGroup"]


@dataclass(frozen=True)
class LazyCommand:
    """Where a command lives: `module`'s `attribute`, a `typer.Typer` sub-app or a command function.

    `help` is what the group's `--help` lists for it: the first paragraph of the command's own help
    (a test keeps the two equal).
    """

    module: str
    attribute: str
    help: str

    def load(self, name: str, rich_markup_mode: Any, suggest_commands: bool) -> click.Command:
        """Import the module and build the command exactly as `add_typer` / `command` would."""
        target = getattr(importlib.import_module(self.module), self.attribute)
        if isinstance(target, typer.Typer):
            return get_group_from_info(
                TyperInfo(target, name=name),
                pretty_exceptions_short=True,
                rich_markup_mode=rich_markup_mode,
                suggest_commands=suggest_commands,
            )
        return get_command_from_info(
            CommandInfo(name=name, callback=target), pretty_exceptions_short=True, rich_markup_mode=rich_markup_mode
        )


class LazyGroup(TyperGroup):
    """Subclass with `lazy_commands` set, and pass it as `typer.Typer(cls=...)`."""

    lazy_commands: ClassVar[Mapping[str, LazyCommand]] = {}

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self._listing = False
        self._loaded: dict[str, click.Command] = {}
        # Stand-ins carrying the name and help line: what listing and "did you mean" read.
        for name, entry in self.lazy_commands.items():
            self.commands[name] = TyperCommand(name, help=entry.help, rich_markup_mode=self.rich_markup_mode)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = self.lazy_commands.get(cmd_name)
        if entry is None or self._listing:
            return super().get_command(ctx, cmd_name)
        if cmd_name not in self._loaded:
            self._loaded[cmd_name] = entry.load(cmd_name, self.rich_markup_mode, self.suggest_commands)
        return self._loaded[cmd_name]

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False
