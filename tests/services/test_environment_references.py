"""Cross-environment references on records alone (no Terraform): resolution, recorded reads, upstream status, destroy.

The sandbox story (tests/e2e/test_environment_references.py) applies both environments; here the producer is
recorded in the store as an apply would leave it, so every rule that needs no cloud is checked in a second.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from infraplane.core.audit import Actor
from infraplane.core.records import ComponentRecord, EnvironmentRecord, RevisionRecord
from infraplane.core.upstream import Dependency, UpstreamAccess, value_digest
from infraplane.errors import InputError
from infraplane.interfaces.container import Container
from infraplane.settings import load_settings

NINA = Actor("human", "nina")
IDS = ["/shared/net/a", "/shared/net/b"]


def _document(name: str, team: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "infraplane.dev/v1",
        "kind": "Environment",
        "metadata": {"name": name, "team": team},
        "spec": spec,
    }


@pytest.fixture
def container(published_home: Path) -> Iterator[Container]:
    (published_home / "config.yaml").write_text("groups:\n  platform-admins: [carol]\n")
    container = Container(load_settings(home=published_home))
    spec = {"blueprint": "parameter-set@^1", "inputs": {"names": ["a", "b"]}}
    document = {
        "environment": _document("net", "net", spec),
        "blueprint": "parameter-set@1.0.0",
        "pins": {"parameter-set": "1.0.0"},
        "components": [{"name": "parameter-set", "blueprint": "parameter-set@1.0.0"}],
    }
    with container.store.transaction() as tx:
        tx.environments.save(
            EnvironmentRecord(
                "net", "net", "dev", "net", "parameter-set@^1", "sandbox", None, "ready", current_revision=1
            )
        )
        tx.environments.add_revision(RevisionRecord("net", 1, document, "2026-12-01T00:00:00Z", "human:nina"))
        tx.environments.save_component(
            ComponentRecord(
                "net",
                "parameter-set",
                "parameter-set@1.0.0",
                "sha256:x",
                "terraform",
                "applied",
                outputs={"ids": IDS, "token": "t0ken"},
                sensitive_outputs=frozenset({"token"}),
            )
        )
    yield container
    container.close()


def test_a_read_resolves_to_the_producers_value_and_the_revision_keeps_the_reference(container: Container) -> None:
    spec = {"blueprint": "parameter-reader@^1", "inputs": {"ids": "${environments.net.outputs.ids}"}}
    resolution = container.environments.resolve_document(
        _document("app", "shop", spec), "app.yaml", access=UpstreamAccess("alice", frozenset({"net"}))
    )
    assert resolution.graph.components[0].inputs["ids"] == IDS
    revision = resolution.revision_document()
    assert revision["environment"]["spec"]["inputs"]["ids"] == "${environments.net.outputs.ids}"
    assert revision["upstream"] == [
        {
            "field": "spec.inputs.ids",
            "environment": "net",
            "output": "ids",
            "digest": value_digest(IDS),
            "type": "array",
        }
    ]
    with pytest.raises(InputError) as refused:
        container.environments.resolve_document(
            _document("app", "shop", spec), "app.yaml", access=UpstreamAccess("bob", frozenset())
        )
    [problem] = refused.value.problems
    assert (problem.file, problem.field) == ("app.yaml", "spec.inputs.ids")
    assert problem.reason == "${environments.net.outputs.ids}: no environment named 'net' that bob may read"


def test_inline_components_read_too_and_a_stored_revision_reads_again_unchecked(container: Container) -> None:
    spec = {
        "components": {
            "reader": {"blueprint": "parameter-reader@^1", "inputs": {"ids": "${environments.net.outputs.ids}"}}
        }
    }
    with pytest.raises(InputError, match=r"spec\.components\.reader\.inputs\.ids"):
        container.environments.resolve_document(
            _document("app", "shop", spec), "f", access=UpstreamAccess("bob", frozenset())
        )
    resolution = container.environments.resolve_document(_document("app", "shop", spec), "stored revision")
    assert resolution.graph.by_name()["reader"].inputs["ids"] == IDS


def test_the_reader_sees_upstream_changed_and_destroying_the_producer_needs_an_admin(container: Container) -> None:
    spec = {"blueprint": "parameter-reader@^1", "inputs": {"ids": "${environments.net.outputs.ids}"}}
    resolution = container.environments.resolve_document(_document("app", "shop", spec), "app.yaml")
    with container.store.transaction() as tx:
        tx.environments.save(
            EnvironmentRecord(
                "app", "shop", "dev", "shop", "parameter-reader@^1", "sandbox", None, "ready", current_revision=1
            )
        )
        tx.environments.set_dependencies("app", [Dependency("app", r, 1) for r in resolution.upstream])
    assert container.environments.upstream("app").changed is False
    assert [r.dependency.consumer for r in container.environments.upstream("net").readers] == ["app"]

    with container.store.transaction() as tx:
        [component] = [c for c in tx.environments.components("net")]
        tx.environments.save_component(
            replace(component, outputs={**component.outputs, "ids": [*IDS, "/shared/net/c"]})
        )
    [read] = container.environments.upstream("app").reads
    assert read.change == "value-changed" and read.as_dict()["upstream_changed"] is True

    destroy = container.proposals.propose_destroy("net", NINA, "moving to the new network")
    assert destroy.blast_radius.other_environments == ("app",)
    assert [(c.environment, c.change) for c in destroy.blast_radius.consumers] == [("app", "removed")]
    assert destroy.warnings == (
        "environment app reads net's output ids (spec.inputs.ids): output ids would be removed",
    )
    assert destroy.status == "pending" and destroy.decision.rule == "APR-009"
    [requirement] = destroy.decision.requirements
    assert (requirement.group, requirement.count) == ("platform-admins", 1)
    assert container.proposals.missing(destroy) == ["1 more approval from platform-admins (APR-009)"]
    refused = container.proposals.approval_check(destroy, Actor("human", "bob"))
    assert not refused.counts and refused.reason == "outside-every-group"
    approved = container.proposals.approve(destroy.id, Actor("human", "carol"))
    assert approved.status == "approved"
