"""The request hook judges what will be deployed: the given inputs with the blueprint's defaults applied."""

from __future__ import annotations

from pathlib import Path

import pytest

from infraplane.core.audit import Actor
from infraplane.interfaces.container import Container
from infraplane.settings import load_settings
from tests.conftest import FIXTURE_CATALOG

RULE = """package test.sizes

import rego.v1

deny contains finding if {
	input.inputs.size_gb > 50
	finding := {
		"rule": "SIZE-001",
		"address": sprintf("environment %s", [input.environment.name]),
		"attribute": "inputs.size_gb",
		"message": sprintf("%d GB is more than 50", [input.inputs.size_gb]),
		"remediation": "ask for 50 GB or less",
	}
}
"""


@pytest.fixture
def container(home: Path, tmp_path: Path) -> Container:
    bundle = tmp_path / "sizes"
    bundle.mkdir()
    (bundle / "bundle.yaml").write_text("name: sizes\nversion: 1.0.0\nscope: {hooks: [request]}\n")
    (bundle / "sizes.rego").write_text(RULE)
    container = Container(load_settings(home=home))
    container.catalog.publish(FIXTURE_CATALOG / "volume", Actor("human", "ann"))
    container.policies.publish(bundle, Actor("human", "ann"))
    return container


def _resolution(container: Container, inputs: dict[str, int]):  # type: ignore[no-untyped-def]
    document = {
        "apiVersion": "infraplane.dev/v1",
        "kind": "Environment",
        "metadata": {"name": "disks", "team": "storage", "tier": "dev"},
        "spec": {"blueprint": "volume@1.0.0", "inputs": inputs},
    }
    return container.environments.resolve_document(document, "test")


def test_a_default_the_request_did_not_give_is_judged(container: Container) -> None:
    checks = container.environments.checks
    assert checks is not None
    # volume's size_gb defaults to 100: a request that leaves it out still asks for 100 GB.
    decision = checks.check_request(_resolution(container, {}), Actor("agent", "bot"))
    assert [f.rule for f in decision.denies()] == ["SIZE-001"]
    assert "100 GB" in decision.denies()[0].message


def test_a_given_value_replaces_the_default(container: Container) -> None:
    checks = container.environments.checks
    assert checks is not None
    decision = checks.check_request(_resolution(container, {"size_gb": 20}), Actor("agent", "bot"))
    assert decision.denies() == []
