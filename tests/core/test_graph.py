"""Composite expansion, wiring and fingerprints over the real example catalog's blueprints."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from infraplane.core.blueprint import Blueprint
from infraplane.core.graph import KNOWN_AFTER_APPLY, GraphError, expand, fingerprint, wire_inputs
from infraplane.core.wiring import OutputRef
from tests.conftest import EXAMPLE_CATALOG


def _load(name: str) -> Blueprint:
    return Blueprint.model_validate(yaml.safe_load((EXAMPLE_CATALOG / name / "blueprint.yaml").read_text()))


CATALOG = {p.parent.name: _load(p.parent.name) for p in Path(EXAMPLE_CATALOG).glob("*/blueprint.yaml")}


def lookup(name: str, constraint: str | None) -> tuple[Blueprint, str]:
    if name not in CATALOG:
        raise LookupError(f"no blueprint named {name!r}")
    return CATALOG[name], f"sha256:{name}"


def test_service_stack_expands_in_dependency_order() -> None:
    graph = expand(CATALOG["service-stack"], "sha256:top", {"service": "payments"}, lookup)
    order = [c.name for c in graph.components]
    assert order.index("network") < order.index("postgres") < order.index("app-config")
    assert order[-1] == "app-config"
    by_name = graph.by_name()
    assert by_name["postgres"].inputs["subnet_ids"] == OutputRef("network", "private_subnet_ids")
    assert by_name["postgres"].inputs["size"] == "small"  # the composite's default flows through ${inputs.db_size}
    assert by_name["postgres"].depends_on == {"network"}
    assert by_name["app-config"].depends_on == {"postgres", "cache", "queue", "bucket"}
    assert by_name["queue"].depends_on == frozenset()


def test_inputs_are_checked_against_the_schema_with_allowed_values() -> None:
    with pytest.raises(GraphError) as error:
        expand(CATALOG["service-stack"], "d", {"service": "payments", "db_size": "huge"}, lookup)
    assert error.value.field == "spec.inputs.db_size"
    assert "allowed values: ['small', 'medium', 'large']" in error.value.reason
    with pytest.raises(GraphError, match="service"):
        expand(CATALOG["service-stack"], "d", {}, lookup)
    with pytest.raises(GraphError, match="Additional properties"):
        expand(CATALOG["service-stack"], "d", {"service": "payments", "colour": "red"}, lookup)


def test_unknown_outputs_are_known_after_apply() -> None:
    graph = expand(CATALOG["service-stack"], "d", {"service": "payments"}, lookup)
    postgres = graph.by_name()["postgres"]
    values, unknown = wire_inputs(postgres, {})
    assert sorted(unknown) == ["subnet_ids", "vpc_id"] and values["vpc_id"] == KNOWN_AFTER_APPLY
    values, unknown = wire_inputs(postgres, {"network": {"vpc_id": "vpc-1", "private_subnet_ids": ["a", "b"]}})
    assert unknown == [] and values["subnet_ids"] == ["a", "b"]


def test_fingerprint_changes_with_inputs_digest_and_context() -> None:
    bucket = expand(CATALOG["bucket"], "sha256:b", {}, lookup).components[0]
    context = {"environment": "e", "team": "t", "tier": "dev", "owner": "o", "component": "bucket"}
    base = fingerprint(bucket, {"versioning": True}, context)
    assert base == fingerprint(bucket, {"versioning": True}, dict(context))
    assert base != fingerprint(bucket, {"versioning": False}, context)
    assert base != fingerprint(bucket, {"versioning": True}, {**context, "tier": "prod"})
