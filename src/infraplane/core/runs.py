"""Runs of a runner step (plan, apply, destroy, outputs, refresh) for one component, and their results."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from infraplane.core.plan import NormalizedPlan

if TYPE_CHECKING:  # the blueprint models cost more to import than a run's bookkeeping needs
    from infraplane.core.blueprint import Blueprint

__all__ = ["CheckedTask", "EventSink", "OutputValues", "PlanSummary", "RunEvent", "RunRequest", "Target"]


@dataclass(frozen=True)
class Target:
    """Where resources are created (the sandbox emulator or real AWS), as data the runners apply.

    Runners know nothing of the sandbox: the composition root fills these fields. `provider_endpoints`
    (AWS provider endpoint name -> URL) and `provider_settings` (further `provider "aws"` arguments)
    go into the Terraform provider override; `environment` (credentials, endpoint URLs) is added to
    every tool's process environment. Real AWS leaves the first two empty.
    """

    kind: Literal["sandbox", "aws"]
    endpoint: str | None = None
    region: str = "us-east-1"
    provider_endpoints: Mapping[str, str] = field(default_factory=dict, repr=False)
    provider_settings: Mapping[str, str | bool] = field(default_factory=dict, repr=False)
    # May hold credentials: never printed.
    environment: Mapping[str, str] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class RunEvent:
    """Something a runner reports while it works (for progress displays and JSON event streams)."""

    component: str
    kind: Literal["started", "resource", "summary", "message", "tool-started"]
    message: str = ""
    address: str = ""
    action: str = ""
    pid: int | None = None


EventSink = Callable[[RunEvent], None]


@dataclass(frozen=True)
class RunRequest:
    """Everything a runner needs to act on one component."""

    environment: str
    component: str
    blueprint: Blueprint
    archive: bytes
    digest: str
    workdir: Path
    inputs: Mapping[str, Any]
    context: Mapping[str, str]
    target: Target
    backend: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckedTask:
    """One task of a dry run (Ansible's check mode) that would change something, or that check mode skips.

    `item` is the loop item's label, when the task loops. A task check mode cannot run is "not-checkable":
    what it would do is unknown, so a drift check never reports it as clean.
    """

    task: str
    outcome: Literal["would-change", "not-checkable"]
    item: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class PlanSummary:
    """What a plan would do; counts are None when the runner cannot know (a script without dry-run)."""

    component: str
    add: int | None
    change: int | None
    destroy: int | None
    plan_file: Path | None = None
    plan_json: Path | None = None
    # The plan document parsed once (Terraform); policies, cost and diffs read this, never the JSON file.
    plan: NormalizedPlan | None = field(default=None, compare=False, repr=False)
    note: str = ""
    destroying: bool = False
    output_changes: int = 0
    # A dry run's tasks that would change something or could not be checked (Ansible); empty for Terraform.
    tasks: tuple[CheckedTask, ...] = ()

    @property
    def known(self) -> bool:
        return self.add is not None

    @property
    def has_changes(self) -> bool:
        return not self.known or bool(self.add or self.change or self.destroy or self.output_changes)


@dataclass(frozen=True)
class OutputValues:
    """A component's outputs and which of them are secret."""

    values: Mapping[str, Any]
    sensitive: frozenset[str] = frozenset()
