"""Composite expansion, wiring and fingerprints over the real example catalog's blueprints."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from infraplane.core.blueprint import Blueprint
from infraplane.core.graph import (
    KNOWN_AFTER_APPLY,
    GraphError,
    expand,
    exposed_outputs,
    fingerprint,
    inline_outputs,
    wire_inputs,
)
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


def test_wiring_to_an_output_the_producer_does_not_declare_is_refused() -> None:
    stack = CATALOG["service-stack"].model_dump(by_alias=True)
    stack["spec"]["components"]["postgres"]["inputs"]["vpc_id"] = "${components.network.outputs.vpc}"
    with pytest.raises(GraphError) as error:
        expand(Blueprint.model_validate(stack), "d", {"service": "payments"}, lookup)
    assert error.value.field.endswith("component postgres input vpc_id")
    assert "network@1.1.0 has no output 'vpc'" in error.value.reason and "vpc_id" in error.value.reason


def test_inline_components_are_named_by_their_own_fields() -> None:
    inline = CATALOG["service-stack"].model_dump(by_alias=True)
    inline["spec"]["components"]["app-config"]["inputs"]["queue_url"] = "${components.queue.outputs.url}"
    with pytest.raises(GraphError) as error:
        expand(Blueprint.model_validate(inline), "d", {"service": "payments"}, lookup, inline=True)
    assert error.value.field == "spec.components.app-config.inputs.queue_url"


def test_a_huge_input_value_is_quoted_as_a_short_excerpt() -> None:
    with pytest.raises(GraphError) as error:
        expand(CATALOG["service-stack"], "d", {"service": "a" * 5_000_000}, lookup)
    assert error.value.field == "spec.inputs.service"
    assert len(error.value.reason) < 300 and "…" in error.value.reason


def test_a_blueprint_never_reads_another_environment() -> None:
    stack = CATALOG["service-stack"].model_dump(by_alias=True)
    stack["spec"]["components"]["postgres"]["inputs"]["vpc_id"] = "${environments.shared.outputs.vpc_id}"
    with pytest.raises(GraphError) as error:
        expand(Blueprint.model_validate(stack), "d", {"service": "payments"}, lookup)
    assert error.value.field.endswith("component postgres input vpc_id")
    assert "only an environment file reads another environment's outputs" in error.value.reason


def test_what_an_environment_exposes_to_others() -> None:
    assert exposed_outputs(CATALOG["queue"], lookup) == {
        o: OutputRef("queue", o) for o in CATALOG["queue"].spec.outputs
    }
    stack = exposed_outputs(CATALOG["service-stack"], lookup)
    assert stack["db_endpoint"] == OutputRef("postgres", "endpoint")
    assert stack["vpc_id"] == OutputRef("network", "vpc_id") and len(stack) == 6
    # A composite inside a composite: its outputs are followed to the leaf component (named outer-inner).
    outer = Blueprint.model_validate(
        {
            "apiVersion": "infraplane.dev/v1",
            "kind": "Blueprint",
            "metadata": {"name": "outer", "version": "1.0.0", "description": "d", "owner": "o"},
            "spec": {
                "runner": "composite",
                "components": {"stack": {"blueprint": "service-stack", "inputs": {"service": "x"}}},
                "outputs": {"db": {"value": "${components.stack.outputs.db_endpoint}"}},
            },
        }
    )
    assert exposed_outputs(outer, lookup) == {"db": OutputRef("stack-postgres", "endpoint")}
    # Inline components expose every output whose name only one of them has.
    inline = inline_outputs({"a": CATALOG["postgres"], "b": CATALOG["cache"]})
    assert inline["db_name"] == OutputRef("a", "db_name") and "endpoint" not in inline
