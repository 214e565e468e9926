"""The plan JSON kept on disk: every value the plan marks sensitive is gone, the plan still reads the same."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infraplane.adapters.terraform.scrub import SCRUBBED, scrubbed_plan
from infraplane.core.plan import normalize_plan

PLANS = sorted((Path(__file__).resolve().parents[2] / "fixtures" / "plans").glob("*.json"))


@pytest.mark.parametrize("path", PLANS, ids=lambda p: p.stem)
def test_a_scrubbed_plan_reads_as_the_same_changes(path: Path) -> None:
    plan = json.loads(path.read_text())
    before, after = normalize_plan(plan), normalize_plan(scrubbed_plan(plan))
    assert [(c.address, c.actions) for c in after.resource_changes] == [
        (c.address, c.actions) for c in before.resource_changes
    ]


def test_the_generated_database_password_is_nowhere_in_the_scrubbed_plan() -> None:
    plan = json.loads(next(p for p in PLANS if p.stem == "postgres-noop").read_text())
    password = next(
        r["values"]["password"]
        for r in plan["prior_state"]["values"]["root_module"]["resources"]
        if r["type"] == "aws_db_instance"
    )
    assert password in json.dumps(plan)
    scrubbed = json.dumps(scrubbed_plan(plan))
    # Nor inside the secret's JSON string, nor in terraform_data that copies it without marking it sensitive.
    assert password not in scrubbed
    assert SCRUBBED in scrubbed and "dbadmin" in scrubbed  # what is not sensitive stays


def test_a_sensitive_variable_is_scrubbed_wherever_it_appears() -> None:
    plan = {
        "format_version": "1.2",
        "variables": {"token": {"value": "tok-123456789"}, "name": {"value": "app"}},
        "configuration": {"root_module": {"variables": {"token": {"sensitive": True}, "name": {}}}},
        "resource_changes": [],
        "planned_values": {"root_module": {"resources": [{"values": {"v": "prefix-tok-123456789"}}]}},
    }
    text = json.dumps(scrubbed_plan(plan))
    assert "tok-123456789" not in text and '"app"' in text
