"""Per-invocation state shared by the commands: who is acting and the container."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from infraplane.interfaces.container import Container

__all__ = ["cli_state"]


class CliState:
    def __init__(self) -> None:
        self.user: str | None = None
        self._container: Container | None = None

    @property
    def container(self) -> Container:
        if self._container is None:
            # Imported on first use: it wires every service, which `--help` must not pay for.
            from infraplane.interfaces.container import Container

            self._container = Container(user=self.user)
        return self._container

    def close(self) -> None:
        if self._container is not None:
            self._container.close()
            self._container = None


cli_state = CliState()
