"""The runner reads a plan through the one normalized plan: counts as Terraform prints them, drift from it."""

from __future__ import annotations

import json
from pathlib import Path

from infraplane.adapters.terraform.plan_summary import resource_counts as _counts
from infraplane.core.plan import normalize_plan

PLANS = Path(__file__).resolve().parents[2] / "fixtures" / "plans"


def _plan(name: str):  # type: ignore[no-untyped-def]
    return normalize_plan(json.loads((PLANS / name).read_text()))


def test_counts_match_what_terraform_printed_for_a_replace_and_a_data_source_read() -> None:
    # Terraform printed "Plan: 3 to add, 1 to change, 2 to destroy." for this plan (tests/fixtures/states/README.md).
    plan = _plan("mixed-data-replace.json")
    assert any(c.mode == "data" for c in plan.resource_changes)
    assert _counts(plan) == (3, 1, 2)


def test_counts_of_create_update_and_destroy_plans() -> None:
    assert _counts(_plan("postgres-create.json")) == (7, 0, 0)
    assert _counts(_plan("postgres-update-medium-multi-az.json")) == (0, 1, 0)
    assert _counts(_plan("postgres-destroy.json")) == (0, 0, 7)


def test_drift_comes_from_the_normalized_plan() -> None:
    assert len(_plan("postgres-noop.json").resource_drift) == 3
    assert _plan("postgres-create.json").resource_drift == ()


def test_the_progress_stream_counts_drifted_resources_and_names_the_version() -> None:
    """Lines as `terraform plan -refresh-only -json` (1.11) prints them: a clean refresh has no resource_drift."""
    from infraplane.adapters.terraform.progress import ProgressParser

    lines = [
        '{"@level":"info","@message":"Terraform 1.11.4","type":"version","terraform":"1.11.4","ui":"1.2"}',
        '{"@level":"info","@message":"aws_ssm_parameter.this: Refreshing state...","type":"refresh_start",'
        '"hook":{"resource":{"addr":"aws_ssm_parameter.this"}}}',
        '{"@level":"info","@message":"aws_ssm_parameter.this: Drift detected (update)","type":"resource_drift",'
        '"change":{"resource":{"addr":"aws_ssm_parameter.this"},"action":"update"}}',
        "not json",
    ]
    parser = ProgressParser("c", lambda _event: None)
    for line in lines:
        parser.feed(line)
    assert (parser.drifted, parser.terraform_version) == (1, "1.11.4")
    clean = ProgressParser("c", lambda _event: None)
    for line in lines[:2]:
        clean.feed(line)
    assert clean.drifted == 0
