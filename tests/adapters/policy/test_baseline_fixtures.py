"""Every rule of the built-in bundle on real Terraform plans: its `bad` module triggers exactly that rule; its
`good` module passes.

The rules are read from the bundle's Rego source (every rule id a policy module writes as a string), never
from a list kept here: a rule added to the bundle without its fixtures fails
`test_every_rule_has_a_deny_and_a_pass_fixture`.
The plans in tests/fixtures/policies/ were made by Terraform (see its README and regenerate.py).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from infraplane.adapters.policy.bundles import LoadedBundle, load_bundle
from infraplane.adapters.policy.engine import RegoEngine
from infraplane.core.plan import normalize_plan
from infraplane.core.policy import PolicyDecision, plan_input
from infraplane.services.policy import BUILTIN_POLICIES

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "policies"
VARIANTS = ("bad", "good")
# A rule id as a Rego string: `lib.finding("NET-001", ...)`. Comments name rules too, but without quotes.
_QUOTED_RULE_ID = re.compile(r"\"([A-Z][A-Z0-9]*-\d{3})\"")


def rules_in(bundle: LoadedBundle) -> list[str]:
    """Every rule id that the bundle's policy modules (not its tests) can report."""
    found = {
        rule
        for name, text in bundle.modules.items()
        if not name.endswith("_test.rego")
        for rule in _QUOTED_RULE_ID.findall(text)
    }
    return sorted(found)


BASELINE = load_bundle(BUILTIN_POLICIES / "infraplane-baseline")
RULES = rules_in(BASELINE)
FIXTURE_DIRECTORIES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and p.name != "__pycache__")


@pytest.fixture(scope="module")
def engine() -> RegoEngine:
    return RegoEngine([BASELINE])


def _case(rule: str) -> dict[str, str]:
    case = FIXTURES / rule / "case.yaml"
    assert case.is_file(), f"{rule} has no fixture: expected {case.relative_to(FIXTURES.parents[2])}"
    meta: dict[str, str] = yaml.safe_load(case.read_text())
    return meta


_DECISIONS: dict[tuple[str, str], PolicyDecision] = {}


def _decide(engine: RegoEngine, rule: str, variant: str) -> PolicyDecision:
    """The baseline's decision on a fixture's plan (each plan is evaluated once per session)."""
    if (rule, variant) not in _DECISIONS:
        _DECISIONS[rule, variant] = _evaluate(engine, rule, variant)
    return _DECISIONS[rule, variant]


def _evaluate(engine: RegoEngine, rule: str, variant: str) -> PolicyDecision:
    meta = _case(rule)
    plan_file = FIXTURES / rule / variant / "plan.json"
    assert plan_file.is_file(), f"{rule} has no {variant} plan: run tests/fixtures/policies/regenerate.py {rule}"
    plan = normalize_plan(json.loads(plan_file.read_text()))
    environment = {"name": "policy-fixture", "team": "platform", "tier": meta["tier"], "owner": "platform-team"}
    document = plan_input(plan, environment, {"name": rule, "blueprint": rule, "version": "0.0.0"}, {})
    return engine.evaluate("plan", document, meta["tier"], "platform", rule)


def test_the_rule_ids_are_read_from_the_rego_source() -> None:
    # The bundle's network module reports NET-001 and NET-002: the reader finds rules where the Rego writes them.
    assert {"NET-001", "NET-002"} <= set(RULES)
    assert rules_in(BASELINE) == RULES and all(re.fullmatch(r"[A-Z]+-\d{3}", r) for r in RULES)
    network = BASELINE.modules["network.rego"]
    assert rules_in(LoadedBundle(BASELINE.manifest, {"network.rego": network}, "", b"")) == ["NET-001", "NET-002"]


@pytest.mark.parametrize("rule", RULES)
def test_every_rule_has_a_deny_and_a_pass_fixture(rule: str) -> None:
    meta = _case(rule)
    assert meta["rule"] == rule
    for variant in VARIANTS:
        for file in ("main.tf", "plan.json"):
            path = FIXTURES / rule / variant / file
            assert path.is_file(), (
                f"{rule} needs {variant}/{file} (the {'deny' if variant == 'bad' else 'pass'} fixture)"
            )


def test_every_fixture_is_a_rule_of_the_bundle() -> None:
    assert [d for d in FIXTURE_DIRECTORIES if d not in RULES] == []


@pytest.mark.parametrize("rule", RULES)
def test_bad_module_triggers_exactly_its_rule(engine: RegoEngine, rule: str) -> None:
    meta = _case(rule)
    decision = _decide(engine, rule, "bad")
    assert {f.rule for f in decision.findings} == {rule}, [f.as_dict() for f in decision.findings]
    finding = decision.findings[0]
    assert finding.severity == meta["severity"]
    assert finding.address and finding.address in finding.message  # the message names the resource
    assert finding.remediation
    assert [b.name for b in decision.bundles] == ["infraplane-baseline"] and decision.bundles[0].digest.startswith(
        "sha256:"
    )


def _judged(rule: str, variant: str) -> set[str]:
    """Addresses the rules judge in a fixture's plan: changing managed resources and the providers."""
    plan = json.loads((FIXTURES / rule / variant / "plan.json").read_text())
    changing = {
        rc["address"]
        for rc in plan.get("resource_changes", [])
        if rc["mode"] == "managed" and {"create", "update"} & set(rc["change"]["actions"])
    }
    providers = {f"provider.{key}" for key in plan.get("configuration", {}).get("provider_config", {})}
    return changing | providers


@pytest.mark.parametrize("rule", RULES)
def test_corrected_module_passes(engine: RegoEngine, rule: str) -> None:
    decision = _decide(engine, rule, "good")
    assert decision.findings == (), [f.as_dict() for f in decision.findings]
    # The pass is about the thing the deny fixture got wrong: the corrected module still has it, now judged clean.
    flagged = {f.address for f in _decide(engine, rule, "bad").findings}
    assert flagged and flagged <= _judged(rule, "good")


def test_the_bundles_own_rego_tests_pass(engine: RegoEngine) -> None:
    bundle = engine.bundles[0]
    results = engine.run_tests(bundle)
    assert len(results) >= 2 * len(RULES)
    assert [r.name for r in results if not r.passed] == []
