"""Sensitive inputs are sealed in stored documents, opened only to resolve them for a run, masked when shown."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from infraplane.core.audit import Actor
from infraplane.core.runs import Target
from infraplane.errors import InputError
from infraplane.interfaces.container import Container
from infraplane.services.environments.sealing import MASK, is_sealed, masked, sealed_document, unsealed
from infraplane.settings import load_settings
from tests.conftest import FIXTURE_CATALOG

CANARY = "canary-7f3a9c2e11"


@pytest.fixture
def container(home: Path) -> Container:
    container = Container(load_settings(home=home))
    for name in ("secret-parameter", "volume"):
        container.catalog.publish(FIXTURE_CATALOG / name, Actor("human", "ann"))
    return container


def _document(spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "infraplane.dev/v1",
        "kind": "Environment",
        "metadata": {"name": "vault", "team": "shop", "tier": "dev"},
        "spec": spec,
    }


def test_a_sensitive_input_is_sealed_and_opens_again_for_a_run(container: Container) -> None:
    spec = {"blueprint": "secret-parameter@1.0.0", "inputs": {"secret_value": CANARY}}
    resolution = container.environments.resolve_document(_document(spec), "test")
    sealed = sealed_document(resolution, container.store.seal)

    assert CANARY not in json.dumps(sealed)
    assert is_sealed(sealed["environment"]["spec"]["inputs"]["secret_value"])
    assert is_sealed(sealed["components"][0]["inputs"]["secret_value"])
    assert unsealed(sealed, container.store.unseal) == resolution.revision_document()
    again = container.environments.resolve_document(sealed["environment"], "stored revision")
    assert again.graph.components[0].inputs["secret_value"] == CANARY
    assert masked(sealed)["environment"]["spec"]["inputs"] == {"secret_value": MASK}


def test_inputs_not_declared_sensitive_stay_readable(container: Container) -> None:
    spec = {"blueprint": "volume@1.0.0", "inputs": {"size_gb": 20}}
    resolution = container.environments.resolve_document(_document(spec), "test")
    assert sealed_document(resolution, container.store.seal) == resolution.revision_document()


def test_a_top_level_input_wired_to_a_sensitive_component_input_is_sealed(container: Container) -> None:
    spec = {
        "components": {"keeper": {"blueprint": "secret-parameter", "inputs": {"secret_value": "${inputs.secret}"}}},
        "inputs": {"secret": CANARY, "note": "plain"},
    }
    resolution = container.environments.resolve_document(_document(spec), "test")
    sealed = sealed_document(resolution, container.store.seal)
    assert CANARY not in json.dumps(sealed)
    assert sealed["environment"]["spec"]["inputs"]["note"] == "plain"
    assert sealed["environment"]["spec"]["components"]["keeper"]["inputs"]["secret_value"] == "${inputs.secret}"
    again = container.environments.resolve_document(sealed["environment"], "stored revision")
    assert again.graph.components[0].inputs["secret_value"] == CANARY


def test_a_sealed_value_this_key_cannot_open_is_refused_naming_the_field(container: Container) -> None:
    spec = {"blueprint": "secret-parameter@1.0.0", "inputs": {"secret_value": {"$secret": "not-a-token"}}}
    with pytest.raises(InputError) as caught:
        container.environments.resolve_document(_document(spec), "request")
    assert "spec.inputs.secret_value" in str(caught.value.problems[0].field)


def test_a_stored_revision_holds_no_clear_copy_and_is_not_repeated(container: Container) -> None:
    spec = {"blueprint": "secret-parameter@1.0.0", "inputs": {"secret_value": CANARY}}
    resolution = container.environments.resolve_document(_document(spec), "test")
    records = container.environments._records_db  # what a run registers before it plans
    ann = Actor("human", "ann")
    first = records.register(resolution, Target("sandbox"), ann)
    # The same desired state again is the same revision, although every seal is a fresh token.
    assert records.register(resolution, Target("sandbox"), ann) == first
    with container.store.transaction() as tx:
        stored = [r.document for r in tx.environments.revisions("vault")]
        payloads = [e.payload for e in tx.audit.events()]
    assert len(stored) == 1
    assert CANARY not in json.dumps(stored) + json.dumps(payloads)
