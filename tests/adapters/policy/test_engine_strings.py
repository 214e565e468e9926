"""Strings with quotes reach the rules and come back intact (a `for_each` address: `x.y["10.0.0.0/16"]`)."""

from __future__ import annotations

import json
from datetime import date
from enum import IntEnum, StrEnum
from pathlib import Path
from types import MappingProxyType

import pytest

from infraplane.adapters.policy.bundles import load_bundle
from infraplane.adapters.policy.engine import RegoEngine
from infraplane.adapters.policy.input import to_input
from infraplane.core.plan import normalize_plan
from infraplane.core.policy import BundleManifest, plan_input
from infraplane.core.policy_bundles import LoadedBundle
from infraplane.errors import InputError
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


def test_every_kind_of_value_reaches_the_rules_as_its_json_counterpart() -> None:
    class Colour(StrEnum):
        RED = "red"

    class Size(IntEnum):
        BIG = 3

    rule = """package probe
import rego.v1
deny contains {"rule": "P-2"} if input.v == {
    "tuple": ["a", 1],
    "proxy": {"k": [true, null, 1.5]},
    "keys": {"1": "one"},
    "enums": ["red", 3],
    "same": ["create", "create", {"create": "create"}],
}
"""
    probe = LoadedBundle(BundleManifest(name="probe", version="1.0.0"), {"probe.rego": rule}, "sha256:probe2", b"")
    value = {
        "tuple": ("a", 1),
        "proxy": MappingProxyType({"k": [True, None, 1.5]}),
        "keys": {1: "one"},
        "enums": [Colour.RED, Size.BIG],
        "same": ["create", "create", {"create": "create"}],
    }
    found = RegoEngine([probe]).evaluate_bundle(probe, "plan", {"v": value, "params": {}})
    assert [f.rule for f in found] == ["P-2"]
    changed = RegoEngine([probe]).evaluate_bundle(probe, "plan", {"v": {**value, "keys": {2: "one"}}, "params": {}})
    assert changed == []


def test_a_value_json_has_no_counterpart_for_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot hand a set"):
        to_input({"v": {1, 2}})


def test_numbers_past_64_bits_dates_and_non_numbers() -> None:
    rule = """package probe
import rego.v1
deny contains {"rule": "P-3"} if {
    input.big > 1e29
    input.negative < -1e19
    input.day == "2024-01-01"
}
"""
    probe = LoadedBundle(BundleManifest(name="probe", version="1.0.0"), {"probe.rego": rule}, "sha256:probe3", b"")
    engine = RegoEngine([probe])
    document = {"big": 123456789012345678901234567890, "negative": -(2**64) - 5, "day": date(2024, 1, 1), "params": {}}
    # Past 64 bits as the nearest float, as JSON readers do (it was cut to its low 64 bits: a negative number).
    assert [f.rule for f in engine.evaluate_bundle(probe, "plan", document)] == ["P-3"]
    for bad, reason in ((float("nan"), "NaN or infinity"), (10**400, "too large"), ({1, 2}, "cannot hand a set")):
        with pytest.raises(InputError, match=reason):
            engine.evaluate_bundle(probe, "plan", {**document, "big": bad})
