"""The input projection (`input: {attributes: referenced}` in bundle.yaml) never drops an attribute a rule reads.

Every real Terraform plan among the fixtures is evaluated by the built-in bundle twice, once as it declares
(projected) and once handed every attribute; the findings must be the same. A bundle without the declaration
is handed every attribute, so a rule that reads attributes by names built at run time still sees them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infraplane.adapters.policy.bundles import load_bundle
from infraplane.adapters.policy.engine import RegoEngine
from infraplane.adapters.policy.projection import attribute_names
from infraplane.core.plan import normalize_plan
from infraplane.core.policy import BundleInput, plan_input, project_plan_input
from infraplane.services.policy import BUILTIN_POLICIES

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
PLANS = sorted([*FIXTURES.glob("policies/*/*/plan.json"), *FIXTURES.glob("plans/*.json")])
BASELINE = load_bundle(BUILTIN_POLICIES / "infraplane-baseline")
UNPROJECTED = BASELINE.__class__(
    BASELINE.manifest.model_copy(update={"input": BundleInput()}), BASELINE.modules, BASELINE.digest + "-all", b""
)


@pytest.fixture(scope="module")
def engines() -> tuple[RegoEngine, RegoEngine]:
    return RegoEngine([BASELINE]), RegoEngine([UNPROJECTED])


def test_the_baseline_declares_the_projection() -> None:
    assert BASELINE.manifest.input.attributes == "referenced"
    keep = attribute_names(BASELINE, BASELINE.manifest.params)
    assert keep is not None and {"storage_encrypted", "publicly_accessible", "ingress", "policy"} <= keep


@pytest.mark.parametrize("tier", ["dev", "prod"])
@pytest.mark.parametrize("plan", PLANS, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_projected_and_full_inputs_give_the_same_findings(
    engines: tuple[RegoEngine, RegoEngine], plan: Path, tier: str
) -> None:
    document = plan_input(normalize_plan(json.loads(plan.read_text())), {"tier": tier}, {}, {})
    projected, full = engines
    keep = attribute_names(BASELINE, BASELINE.manifest.params)
    assert keep is not None
    narrowed = project_plan_input(document, keep)
    # The projection must really narrow something, or this test proves nothing.
    if any(rc["after"] for rc in document["plan"]["resource_changes"] if isinstance(rc["after"], dict)):
        assert json.dumps(narrowed, sort_keys=True) != json.dumps(document, sort_keys=True)
    assert [f.as_dict() for f in projected.evaluate("plan", document, tier, "", "").findings] == [
        f.as_dict() for f in full.evaluate("plan", document, tier, "", "").findings
    ]


def _bundle(tmp_path: Path, manifest: str, rego: str) -> RegoEngine:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "bundle.yaml").write_text(manifest)
    (tmp_path / "p.rego").write_text(rego)
    return RegoEngine([load_bundle(tmp_path)])


_DYNAMIC = """package dyn
import rego.v1
deny contains {"rule": "DYN-001", "address": rc.address, "message": k} if {
	some rc in input.plan.resource_changes
	some k, v in rc.after
	startswith(k, concat("", ["sec", "ret"]))
}
"""
_DOCUMENT = {
    "hook": "plan",
    "plan": {"resource_changes": [{"address": "a.b", "after": {"secret_x": 1, "name": "n"}, "after_unknown": {}}]},
}


def test_a_bundle_without_the_declaration_sees_every_attribute(tmp_path: Path) -> None:
    engine = _bundle(tmp_path, "name: dyn\nversion: 1.0.0\n", _DYNAMIC)
    assert [f.message for f in engine.evaluate("plan", _DOCUMENT, "dev", "", "").findings] == ["secret_x"]


def test_referenced_keeps_only_named_attributes_and_a_list_adds_more(tmp_path: Path) -> None:
    referenced = _bundle(tmp_path / "r", "name: dyn\nversion: 1.0.0\ninput: {attributes: referenced}\n", _DYNAMIC)
    assert referenced.evaluate("plan", _DOCUMENT, "dev", "", "").findings == ()
    listed = _bundle(tmp_path / "l", "name: dyn\nversion: 1.0.0\ninput: {attributes: [secret_x]}\n", _DYNAMIC)
    assert [f.message for f in listed.evaluate("plan", _DOCUMENT, "dev", "", "").findings] == ["secret_x"]


def test_a_bad_declaration_names_the_field(tmp_path: Path) -> None:
    from infraplane.errors import InputError

    with pytest.raises(InputError, match="input"):
        _bundle(tmp_path, "name: dyn\nversion: 1.0.0\ninput: {attributes: some}\n", _DYNAMIC)


_NAMED = """package named
import rego.v1
# A comment naming comment_word is not code.
deny contains {"rule": "N-001", "address": rc.address, "message": "prose naming prose_word"} if {
	some rc in input.plan.resource_changes
	rc.after.dotted_attribute
	object.get(rc.after, "string_attribute", false)
	some local_variable in ["listed_attribute"]
}
"""


def test_names_come_from_fields_read_and_names_in_strings_not_from_comments_or_prose(tmp_path: Path) -> None:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "bundle.yaml").write_text("name: named\nversion: 1.0.0\ninput: {attributes: referenced}\n")
    (tmp_path / "p.rego").write_text(_NAMED)
    keep = attribute_names(load_bundle(tmp_path), {"param_key": ["param_value"]})
    assert keep is not None
    assert {"dotted_attribute", "string_attribute", "listed_attribute", "address", "after", "resource_changes"} <= keep
    assert {"param_key", "param_value"} <= keep
    assert not {"comment_word", "prose_word", "local_variable", "rc", "deny"} & keep


def test_the_projection_leaves_out_fields_and_configuration_no_rule_names() -> None:
    change = {
        "address": "aws_db_instance.a",
        "after": {"storage_encrypted": False, "engine": "postgres"},
        "before": {"storage_encrypted": True},
        "config": {
            "storage_encrypted": {"constant": True, "value": False},
            "ingress[0].cidr_blocks": {"constant": True, "value": ["0.0.0.0/0"]},
            "engine": {"constant": True, "value": "postgres"},
        },
        "sensitive_paths": ["password"],
    }
    document = {"hook": "plan", "plan": {"resource_changes": [change], "output_changes": {}, "resource_drift": []}}
    keep = frozenset(
        {"address", "after", "config", "resource_changes", "resource_drift", "storage_encrypted", "ingress"}
    )
    narrowed = project_plan_input(document, keep)
    assert narrowed["plan"] == {
        "resource_changes": [
            {
                "address": "aws_db_instance.a",
                "after": {"storage_encrypted": False},
                "config": {
                    "storage_encrypted": {"constant": True, "value": False},
                    "ingress[0].cidr_blocks": {"constant": True, "value": ["0.0.0.0/0"]},
                },
            }
        ],
        "resource_drift": [],
    }
    assert document["plan"]["resource_changes"][0] is change and "before" in change  # the document is not changed


def test_omitted_attributes_leave_the_attribute_maps_but_not_the_change() -> None:
    # The baseline reads a change's effective `tags` (computed by infraplane), never the resource's own maps.
    assert BASELINE.manifest.input.omit == ("tags", "tags_all")
    tags = {"owner": "a"}
    change = {
        "address": "aws_sqs_queue.q",
        "tags": tags,
        "after": {"name": "q", "tags": tags, "tags_all": tags},
        "after_unknown": {"tags": {}, "tags_all": {}},
        "config": {"name": {"constant": True, "value": "q"}, "tags": {"constant": True, "value": tags}},
    }
    keep = frozenset({"address", "tags", "tags_all", "after", "after_unknown", "config", "name", "resource_changes"})
    narrowed = project_plan_input({"plan": {"resource_changes": [change]}}, keep, frozenset({"tags", "tags_all"}))
    assert narrowed["plan"]["resource_changes"] == [
        {
            "address": "aws_sqs_queue.q",
            "tags": tags,
            "after": {"name": "q"},
            "after_unknown": {},
            "config": {"name": {"constant": True, "value": "q"}},
        }
    ]


def test_a_configuration_without_named_paths_still_reads_as_matched(engines: tuple[RegoEngine, RegoEngine]) -> None:
    # An encrypted-by-default question: a provisioned cluster that leaves storage_encrypted out of its
    # configuration is unencrypted, but only when the configuration was matched at all (`config` not empty).
    cluster = {
        "taggable": False, "tags": None, "mode": "managed", "actions": ["create"], "type": "aws_rds_cluster",
        "address": "aws_rds_cluster.main", "module_address": "", "name": "main", "provider": "aws",
        "after": {"engine": "aurora-postgresql"}, "after_unknown": {"storage_encrypted": True},
        "before": None, "sensitive_paths": [], "constants": {}, "tags_known": True,
        "config": {
            "cluster_identifier": {"constant": True, "value": "main"},
            "master_username": {"constant": True, "value": "admin"},
        },
    }  # fmt: skip
    document = {
        "hook": "plan",
        "environment": {"tier": "dev"},
        "plan": {"resource_changes": [cluster], "providers": {}},
    }
    keep = attribute_names(BASELINE, BASELINE.manifest.params)
    assert keep is not None and not {"cluster_identifier", "master_username"} & keep
    assert project_plan_input(document, keep)["plan"]["resource_changes"][0]["config"] != {}
    projected, full = engines
    findings = [f.as_dict() for f in projected.evaluate("plan", document, "dev", "", "").findings]
    assert [(f["rule"], f["address"]) for f in findings] == [("ENC-001", "aws_rds_cluster.main")]
    assert findings == [f.as_dict() for f in full.evaluate("plan", document, "dev", "", "").findings]
