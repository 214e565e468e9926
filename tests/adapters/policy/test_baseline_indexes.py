"""The baseline decides alike with and without the normalized plan's indexes.

infraplane's normalized plan carries indexes (`changing_by_type`, `remaining_by_type`, `constants_by_path`, each
change's `constants`) so a rule reads only the changes it is about; a document without them (made by hand, or by
an older infraplane) is scanned instead. Every real Terraform plan among the fixtures is evaluated both ways.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from infraplane.adapters.policy.bundles import load_bundle
from infraplane.adapters.policy.engine import RegoEngine
from infraplane.core.plan import normalize_plan
from infraplane.core.policy import plan_input
from infraplane.services.policy import BUILTIN_POLICIES

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
PLANS = sorted([*FIXTURES.glob("policies/*/*/plan.json"), *FIXTURES.glob("plans/*.json")])
INDEXES = ("changing_by_type", "remaining_by_type", "constants_by_path")


@pytest.fixture(scope="module")
def engine() -> RegoEngine:
    return RegoEngine([load_bundle(BUILTIN_POLICIES / "infraplane-baseline")])


def test_the_normalized_plan_indexes_literal_paths() -> None:
    plan = normalize_plan(json.loads((FIXTURES / "policies" / "SEC-001" / "bad" / "plan.json").read_text()))
    document = plan.as_dict()
    by_path = document["constants_by_path"]
    changes = document["resource_changes"]
    assert "password" in by_path
    assert by_path == {
        path: [i for i, change in enumerate(changes) if path in change["constants"]]
        for path in {p for change in changes for p in change["constants"]}
    }


@pytest.mark.parametrize("tier", ["dev", "prod"])
@pytest.mark.parametrize("plan", PLANS, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_indexed_and_scanned_documents_give_the_same_findings(engine: RegoEngine, plan: Path, tier: str) -> None:
    document = plan_input(normalize_plan(json.loads(plan.read_text())), {"tier": tier}, {}, {})
    scanned = copy.deepcopy(document)
    for index in INDEXES:
        del scanned["plan"][index]
    for change in scanned["plan"]["resource_changes"]:
        del change["constants"]
    indexed_findings = [f.as_dict() for f in engine.evaluate("plan", document, tier, "", "").findings]
    assert indexed_findings == [f.as_dict() for f in engine.evaluate("plan", scanned, tier, "", "").findings]
