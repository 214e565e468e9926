"""A policy that fails while it runs must stop the check, never read as "no findings"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infraplane.adapters.policy.bundles import load_bundle
from infraplane.adapters.policy.engine import RegoEngine
from infraplane.core.plan import normalize_plan
from infraplane.core.policy import BundleManifest, plan_input
from infraplane.core.policy_bundles import LoadedBundle
from infraplane.errors import FailureError, InputError
from infraplane.services.policy import BUILTIN_POLICIES

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
ENVIRONMENT = {"name": "docs-dev", "team": "docs", "tier": "dev", "owner": "docs"}


def _document() -> dict[str, object]:
    # Made by Terraform: an S3 bucket update, whose prior state carries `policy: ""` (not JSON).
    plan = normalize_plan(json.loads((FIXTURES / "plans" / "bucket-update-tags.json").read_text()))
    return plan_input(plan, ENVIRONMENT, {"name": "bucket"}, {})


def test_a_runtime_error_in_a_bundle_is_an_error() -> None:
    bundle = load_bundle(FIXTURES / "bundles" / "erroring")
    with pytest.raises(FailureError, match=r"erroring@1\.0\.0 failed to evaluate: Invalid"):
        RegoEngine([bundle]).evaluate_bundle(bundle, "plan", _document())


def test_the_baseline_judges_a_bucket_update_whose_state_has_an_empty_policy() -> None:
    bundle = load_bundle(BUILTIN_POLICIES / "infraplane-baseline")
    engine = RegoEngine([bundle])
    findings = engine.evaluate_bundle(bundle, "plan", {**_document(), "params": {}})
    # The bucket is private, encrypted and tagged: nothing to report.
    assert [f.as_dict() for f in findings] == []
    # And the rules did judge it: asked for a tag it lacks, TAG-001 names the bucket, and no rule failed on its
    # empty `policy` on the way.
    strict = {**_document(), "params": {"required_tags": ["owner", "data-classification"]}}
    findings = engine.evaluate_bundle(bundle, "plan", strict)
    assert [(f.rule, f.severity, f.address) for f in findings] == [("TAG-001", "deny", "aws_s3_bucket.this")]
    assert "data-classification" in findings[0].message


@pytest.mark.parametrize(
    ("rules", "reason"),
    [
        ("a if b\nb if a\ndeny contains 'x' if a\n".replace("'", '"'), "Recursion detected in rule body"),
        ('deny contains "x" if strings.repeat("a", 3) == "aaa"\n', "Function not found"),
    ],
    ids=["rules that recurse", "a function rego-cpp does not have"],
)
def test_an_error_rego_cpp_reports_as_an_answer_is_named(rules: str, reason: str) -> None:
    # rego-cpp answers these with an error where the result should be, which regopy fails to parse as JSON.
    modules = {"odd.rego": "package odd\nimport rego.v1\n" + rules}
    bundle = LoadedBundle(BundleManifest(name="odd", version="1.0.0"), modules, "sha256:o", b"")
    with pytest.raises(InputError, match=reason) as raised:
        RegoEngine([bundle]).evaluate_bundle(bundle, "plan", _document())
    assert raised.value.problems[0].file == "odd@1.0.0"


def test_a_test_whose_input_is_a_local_variable_fails_alone() -> None:
    policy = 'package odd\nimport rego.v1\ndeny contains "x" if input.x == 1\n'
    tests = """package odd_test
import rego.v1
import data.odd
one := {"x": 1}
test_literal if { count(odd.deny) == 1 with input as {"x": 1} }
test_rule if { count(odd.deny) == 1 with input as one }
test_local if {
    local := {"x": 1}
    count(odd.deny) == 1 with input as local
}
"""
    modules = {"odd.rego": policy, "odd_test.rego": tests}
    bundle = LoadedBundle(BundleManifest(name="odd", version="1.0.0"), modules, "sha256:t", b"")
    results = {r.name: r for r in RegoEngine([bundle]).run_tests(bundle)}
    # The local variable made every test's input undefined, so all three failed.
    assert (results["test_literal"].passed, results["test_rule"].passed, results["test_local"].passed) == (
        True,
        True,
        False,
    )
    assert "`with input as local` is undefined on its own" in results["test_local"].note
