"""Unmanaged resources: the cloud inventory compared with every component's Terraform state, and imports of them.

The inventory (a port; adapters/cloud) lists what the cloud holds; each component's latest state is
parsed once (core/state.py) and core/inventory.py names what no state manages. For such resources an
import suggestion is written: `import` blocks and the configuration Terraform generates, validated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infraplane.core.audit import Actor
from infraplane.core.inventory import CloudResource, unmanaged
from infraplane.core.ports import CloudInventoryPort, ImportSuggester, ImportSuggestionResult, Store
from infraplane.core.runs import Target
from infraplane.core.state import StateFormatError, TerraformState
from infraplane.errors import InputError, NotFoundError, Problem
from infraplane.services.audit import record

__all__ = ["RecordedScan", "UnmanagedReport", "UnmanagedService"]

_MAX_LISTED = 500  # resources kept in one scan's audit event; the count is always exact


@dataclass(frozen=True)
class UnmanagedReport:
    resources: tuple[CloudResource, ...]
    problems: tuple[str, ...]  # types or regions the inventory could not list


@dataclass(frozen=True)
class RecordedScan:
    """The last scan the audit trail holds: when, by whom, what it found (at most _MAX_LISTED of them)."""

    scanned_at: str | None
    actor: str | None
    count: int
    items: tuple[Mapping[str, Any], ...]
    problems: tuple[str, ...]


class UnmanagedService:
    def __init__(
        self,
        store: Store,
        inventory: Callable[[], CloudInventoryPort],
        suggester: Callable[[], ImportSuggester],
        target: Callable[[], Target],
    ) -> None:
        self._store = store
        self._inventory = inventory
        self._suggester = suggester
        self._target = target

    def _states(self) -> list[TerraformState]:
        states = []
        with self._store.read() as tx:
            for env in tx.environments.all():
                for component in tx.environments.components(env.name):
                    latest = tx.environments.latest_state(env.name, component.name)
                    if latest is None:
                        continue
                    try:
                        states.append(latest.state)
                    except StateFormatError:
                        continue  # not a Terraform state (never written by Terraform): it manages nothing
        return states

    def scan(self) -> UnmanagedReport:
        """What the cloud holds that no component's state manages (cloud defaults left out)."""
        resources, problems = self._inventory().list()
        return UnmanagedReport(tuple(unmanaged(resources, self._states())), tuple(problems))

    def scan_and_record(self, actor: Actor) -> UnmanagedReport:
        """A scan, kept in the audit trail (how many, which ids, what could not be listed)."""
        report = self.scan()
        with self._store.transaction() as tx:
            record(
                tx,
                actor,
                "unmanaged.scan",
                "cloud:inventory",
                {
                    "unmanaged": len(report.resources),
                    "resources": [r.as_dict() for r in report.resources[:_MAX_LISTED]],
                    "problems": list(report.problems),
                },
            )
        return report

    def last_scan(self) -> RecordedScan:
        """The newest recorded scan (the server's scheduled one), read from the audit trail."""
        last = None
        with self._store.read() as tx:
            for event in tx.audit.events(action="unmanaged.scan"):
                last = event
        if last is None:
            return RecordedScan(None, None, 0, (), ())
        payload = last.payload
        return RecordedScan(
            last.time,
            str(last.actor),
            int(payload.get("unmanaged", 0)),
            tuple(payload.get("resources", ())),
            tuple(payload.get("problems", ())),
        )

    def suggest(self, ids: Sequence[str], directory: Path, actor: Actor) -> ImportSuggestionResult:
        """Write an import suggestion for the unmanaged resources `ids` (one region) into `directory`."""
        found = {r.id: r for r in self.scan().resources}
        missing = [i for i in ids if i not in found]
        if missing:
            raise NotFoundError(
                f"not unmanaged: {', '.join(missing)} (`infraplane unmanaged list` names what is)",
                [
                    Problem("", "id", f"{i} is not an unmanaged resource (unknown, or a state manages it)")
                    for i in missing
                ],
            )
        chosen = [found[i] for i in dict.fromkeys(ids)]
        regions = sorted({r.region for r in chosen if r.region != "global"})
        if len(regions) > 1:
            raise InputError.from_problems(
                [Problem("", "id", f"the resources are in several regions ({', '.join(regions)}): one at a time")]
            )
        result = self._suggester().suggest(chosen, directory, self._target())
        with self._store.transaction() as tx:
            record(
                tx,
                actor,
                "unmanaged.suggest",
                "cloud:inventory",
                {"ids": list(dict.fromkeys(ids)), "directory": str(directory), "valid": result.valid},
            )
        return result
