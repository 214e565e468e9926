"""What a Terraform plan comes to: the `show -json` document read once, normalized, and counted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from infraplane.core.plan import NormalizedPlan, PlanFormatError, normalize_plan
from infraplane.core.runs import PlanSummary, RunRequest
from infraplane.errors import FailureError

__all__ = ["normalized_plan", "plan_document", "plan_summary", "resource_counts"]


def plan_document(request: RunRequest, shown: str) -> dict[str, Any]:
    try:
        document = json.loads(shown)
    except ValueError as exc:
        raise FailureError(f"{request.component}: `show -json` did not print a plan: {exc}") from None
    if not isinstance(document, dict):
        raise FailureError(f"{request.component}: `show -json` did not print a plan: not a JSON object")
    return document


def normalized_plan(request: RunRequest, document: dict[str, Any]) -> NormalizedPlan:
    try:
        return normalize_plan(document)
    except PlanFormatError as exc:
        raise FailureError(f"{request.component}: `show -json` did not print a plan: {exc}") from None


def resource_counts(plan: NormalizedPlan) -> tuple[int, int, int]:
    """Resources to add, change and destroy, as Terraform counts them (data sources are only read)."""
    add = change = remove = 0
    for resource in plan.managed_changes():
        if resource.is_replace:
            add += 1
            remove += 1
        elif resource.actions == ("create",):
            add += 1
        elif resource.actions == ("update",):
            change += 1
        elif resource.actions == ("delete",):
            remove += 1
    return add, change, remove


def plan_summary(
    request: RunRequest,
    document: dict[str, Any],
    plan_file: Path | None,
    plan_json: Path,
    destroying: bool = False,
    note: str = "",
) -> PlanSummary:
    """What a plan comes to: counts of its normalized changes, its files, and how many outputs change."""
    normalized = normalized_plan(request, document)
    add, change, remove = resource_counts(normalized)
    outputs_changing = sum(1 for actions in normalized.output_changes.values() if actions not in (("no-op",), ()))
    return PlanSummary(
        request.component,
        add,
        change,
        remove,
        plan_file,
        plan_json,
        destroying=destroying,
        note=note,
        output_changes=outputs_changing,
        plan=normalized,
    )
