"""Strings with quotes reach the rules and come back intact (a `for_each` address: `x.y["10.0.0.0/16"]`)."""

from __future__ import annotations

import json
from pathlib import Path

from infraplane.adapters.policy.bundles import load_bundle
from infraplane.adapters.policy.engine import RegoEngine
from infraplane.core.plan import normalize_plan
from infraplane.core.policy import BundleManifest, plan_input
from infraplane.core.policy_bundles import LoadedBundle
from infraplane.services.policy import BUILTIN_POLICIES

PLAN = Path(__file__).resolve().parents[2] / "fixtures" / "plans" / "postgres-create.json"
KEYED = 'aws_vpc_security_group_ingress_rule.postgres["10.0.0.0/16"]'


def test_a_finding_on_a_for_each_resource_names_it_whole() -> None:
    # Real Terraform plan; asking for one more tag than the module sets makes TAG-001 name every resource.
    plan = normalize_plan(json.loads(PLAN.read_text()))
    document = plan_input(plan, {"name": "payments-staging", "tier": "staging"}, {"name": "postgres"}, {})
    bundle = load_bundle(BUILTIN_POLICIES / "infraplane-baseline")
    params = {**bundle.manifest.params, "required_tags": ["owner", "data-class"]}
    findings = RegoEngine([bundle]).evaluate_bundle(bundle, "plan", {**document, "params": params})
    keyed = [f for f in findings if f.address == KEYED]
    assert [f.rule for f in keyed] == ["TAG-001"]
    assert keyed[0].message.startswith(KEYED + " is missing required tag(s) data-class")
    assert 'Add data-class = "..."' in keyed[0].remediation


def test_input_strings_compare_equal_to_rego_literals() -> None:
    rule = r"""package probe
import rego.v1
deny contains {"rule": "P-1", "address": input.a} if input.a == "x[\"k\"]\\n"
"""
    probe = LoadedBundle(BundleManifest(name="probe", version="1.0.0"), {"probe.rego": rule}, "sha256:probe", b"")
    found = RegoEngine([probe]).evaluate_bundle(probe, "plan", {"a": 'x["k"]\\n', "params": {}})
    assert [(f.rule, f.address) for f in found] == [("P-1", 'x["k"]\\n')]
