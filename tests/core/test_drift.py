"""Drift items from refresh-only plans that real Terraform made against the sandbox (tests/core/fixtures/drift).

The fixtures were written by `drift check` right after `env up` of tests/e2e/test_drift.py's environment
(Terraform 1.11, AWS provider 5.x), and `after_apply_bucket.json` / `after_apply_postgres.json` by
`terraform plan -refresh-only` + `show -json` right after applying the example bucket and postgres modules
on the sandbox (sensitive values scrubbed): every difference they hold is provider noise, so no item may
come out.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from infraplane.core.drift import NORMALIZATION_RULES, drift_items
from infraplane.core.plan import normalize_plan

FIXTURES = Path(__file__).parent / "fixtures" / "drift"


def _plan(name: str):  # type: ignore[no-untyped-def]
    return normalize_plan(json.loads((FIXTURES / name).read_text()))


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.glob("after_apply_*.json")))
def test_a_refresh_right_after_apply_reports_no_drift(fixture: str) -> None:
    assert drift_items("drifty", "c", _plan(fixture)) == []


def test_without_the_rules_the_security_group_fixture_reports_its_noise() -> None:
    """The fixture really holds what the rules remove: with no rules, it is reported."""
    items = drift_items("drifty", "ssh", _plan("after_apply_security_group.json"), rules=())
    assert {(i.address, i.attribute) for i in items} == {
        ("aws_security_group.ssh", "ingress"),
        ("aws_security_group.ssh", "tags"),
    }


@pytest.mark.parametrize(
    "rule", [r.id for r in NORMALIZATION_RULES if r.id in ("null-equals-empty", "rules-as-resources")]
)
def test_each_rule_is_needed_on_the_real_fixture(rule: str) -> None:
    others = tuple(r for r in NORMALIZATION_RULES if r.id != rule)
    assert drift_items("drifty", "ssh", _plan("after_apply_security_group.json"), rules=others) != []


def test_an_out_of_band_rule_beside_the_managed_one_is_reported() -> None:
    plan = _plan("after_apply_security_group.json")
    drift = plan.resource_drift[0]
    opened = {
        "cidr_blocks": ["0.0.0.0/0"],
        "description": "",
        "from_port": 22,
        "ipv6_cidr_blocks": [],
        "prefix_list_ids": [],
        "protocol": "tcp",
        "security_groups": [],
        "self": False,
        "to_port": 22,
    }
    after = {**drift.after, "ingress": [*drift.after["ingress"], opened]}
    changed = replace(plan, resource_drift=(replace(drift, after=after),))
    items = drift_items("drifty", "ssh", changed)
    assert [(i.attribute, i.kind) for i in items] == [("ingress", "added")]  # the state had no inline rule
    assert opened in items[0].after


@pytest.mark.parametrize(
    ("fixture", "rule", "noise"),
    [
        (
            "after_apply_bucket.json",
            "settings-as-resources",
            {
                ("aws_s3_bucket.this", "server_side_encryption_configuration"),
                ("aws_s3_bucket.this", "versioning"),
            },
        ),
        ("after_apply_postgres.json", "computed-timestamps", {("aws_db_instance.this", "latest_restorable_time")}),
    ],
)
def test_the_example_modules_noise_is_what_its_rule_removes(
    fixture: str, rule: str, noise: set[tuple[str, str]]
) -> None:
    others = tuple(r for r in NORMALIZATION_RULES if r.id != rule)
    assert {
        (i.address, i.attribute) for i in drift_items("payments-staging", "c", _plan(fixture), rules=others)
    } == noise


def test_a_setting_a_separate_resource_manages_drifts_on_that_resource() -> None:
    """Versioning suspended out of band shows on aws_s3_bucket_versioning, which the bucket's inline copy hides."""
    plan = _plan("after_apply_bucket.json")
    drift = next(c for c in plan.resource_drift if c.address == "aws_s3_bucket.this")
    versioning = next(r for r in plan.prior_resources if r.type == "aws_s3_bucket_versioning")
    suspended = {**versioning.values, "versioning_configuration": [{"mfa_delete": "", "status": "Suspended"}]}
    child = replace(
        drift,
        address="aws_s3_bucket_versioning.this",
        type="aws_s3_bucket_versioning",
        before=versioning.values,
        after=suspended,
    )
    changed = replace(plan, resource_drift=(drift, child))
    assert [(i.address, i.attribute) for i in drift_items("payments-staging", "bucket", changed)] == [
        ("aws_s3_bucket_versioning.this", "versioning_configuration")
    ]
