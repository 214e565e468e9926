"""Every built-in rule on real Terraform plans: its `bad` module triggers exactly that rule; its `good` module passes.

The plans in tests/fixtures/policies/ were made by Terraform (see its README and regenerate.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from infraplane.adapters.policy.bundles import load_bundle
from infraplane.adapters.policy.engine import RegoEngine
from infraplane.core.plan import normalize_plan
from infraplane.core.policy import PolicyDecision, plan_input
from infraplane.services.policy import BUILTIN_POLICIES

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "policies"
CASES = sorted(p.parent.name for p in FIXTURES.glob("*/case.yaml"))
RULES_IN_BUNDLE = set(
    [
        "NET-001",
        "NET-002",
        "STO-001",
        "STO-002",
        "MSG-001",
        "ENC-001",
        "ENC-002",
        "DB-001",
        "RES-001",
        "RES-002",
        "RES-003",
        "SEC-001",
        "SEC-002",
        "TAG-001",
        "GOV-001",
        "GOV-002",
        "API-001",
        "IAM-001",
    ]
)


@pytest.fixture(scope="module")
def engine() -> RegoEngine:
    return RegoEngine([load_bundle(BUILTIN_POLICIES / "infraplane-baseline")])


def _decide(engine: RegoEngine, case: str, variant: str) -> PolicyDecision:
    meta = yaml.safe_load((FIXTURES / case / "case.yaml").read_text())
    plan = normalize_plan(json.loads((FIXTURES / case / variant / "plan.json").read_text()))
    environment = {"name": "policy-fixture", "team": "platform", "tier": meta["tier"], "owner": "platform-team"}
    document = plan_input(plan, environment, {"name": case, "blueprint": case, "version": "0.0.0"}, {})
    return engine.evaluate("plan", document, meta["tier"], "platform", case)


def test_every_rule_has_a_fixture() -> None:
    assert set(CASES) == RULES_IN_BUNDLE


@pytest.mark.parametrize("case", CASES)
def test_bad_module_triggers_exactly_its_rule(engine: RegoEngine, case: str) -> None:
    meta = yaml.safe_load((FIXTURES / case / "case.yaml").read_text())
    decision = _decide(engine, case, "bad")
    assert {f.rule for f in decision.findings} == {case}, [f.as_dict() for f in decision.findings]
    finding = decision.findings[0]
    assert finding.severity == meta["severity"]
    assert finding.address and finding.address in finding.message  # the message names the resource
    assert finding.remediation
    assert [b.name for b in decision.bundles] == ["infraplane-baseline"] and decision.bundles[0].digest.startswith(
        "sha256:"
    )


@pytest.mark.parametrize("case", CASES)
def test_corrected_module_passes(engine: RegoEngine, case: str) -> None:
    decision = _decide(engine, case, "good")
    assert decision.findings == (), [f.as_dict() for f in decision.findings]


def test_the_bundles_own_rego_tests_pass(engine: RegoEngine) -> None:
    bundle = engine.bundles[0]
    results = engine.run_tests(bundle)
    assert len(results) >= 2 * len(RULES_IN_BUNDLE)
    assert [r.name for r in results if not r.passed] == []
