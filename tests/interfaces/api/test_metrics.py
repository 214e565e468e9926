"""`/metrics` on a real app over a real store: HTTP traffic by route template, the store's figures."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from infraplane.core.audit import SYSTEM, Actor
from infraplane.core.policy import Finding
from infraplane.core.proposal_lifecycle import ProposalStatus, TransitionName
from infraplane.core.records import ComponentRecord
from infraplane.interfaces.api import create_app
from infraplane.interfaces.container import Container
from infraplane.services.audit import record
from infraplane.services.proposals.recording import record_created, record_transition
from infraplane.settings import load_settings
from tests.support.proposals import build_proposal

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
ALICE = Actor("human", "alice")


def scrape(client: TestClient) -> Samples:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def series(samples: Samples, name: str) -> list[dict[str, str]]:
    return [dict(labels) for found, labels in samples if found == name]


@pytest.fixture
def container(tmp_path: Path) -> Iterator[Container]:
    made = Container(load_settings(home=tmp_path / "home"))
    yield made
    made.close()


def app_with_a_named_route(container: Container) -> FastAPI:
    app = create_app(container)

    @app.get("/things/{name}")
    def thing(name: str) -> dict[str, str]:
        return {"name": name}

    return app


def test_http_requests_are_counted_by_route_template_not_by_raw_path(container: Container) -> None:
    with TestClient(app_with_a_named_route(container)) as client:
        for name in ("a", "b", "c"):
            assert client.get(f"/things/{name}").status_code == 200
        for junk in ("/x/1", "/x/2?token=abc", "/etc/passwd"):
            assert client.get(junk).status_code == 404
        samples = scrape(client)

    assert value(samples, "infraplane_http_requests_total", method="GET", route="/things/{name}", status="200") == 3
    assert value(samples, "infraplane_http_requests_total", method="GET", route="<unmatched>", status="404") == 3
    routes = {labels["route"] for labels in series(samples, "infraplane_http_requests_total")}
    assert routes == {"/things/{name}", "<unmatched>"}  # no raw path became a label value
    assert value(samples, "infraplane_http_request_duration_seconds_count", method="GET", route="/things/{name}") == 3
    inf = value(
        samples, "infraplane_http_request_duration_seconds_bucket", method="GET", route="/things/{name}", le="+Inf"
    )
    assert inf == 3


def test_the_secret_canary_never_reaches_a_metric(container: Container) -> None:
    canary = "canary-" + secrets.token_hex(16)
    with TestClient(app_with_a_named_route(container)) as client:
        client.get(f"/things/{canary}?token={canary}", headers={"Authorization": f"Bearer {canary}"})
        client.post(f"/{canary}", content=canary.encode(), headers={"X-Request-Id": canary[:40]})
        exposed = client.get("/metrics").text
    assert "/things/{name}" in exposed
    assert canary not in exposed and canary[:40] not in exposed


def fill_store(container: Container) -> None:
    """What the services write for: a create proposal auto-approved then applied by the script runner,
    a pending one with findings, a rejected one, and a terraform apply that failed."""
    finding = Finding(rule="NET-002", severity="deny", address="aws_security_group.ssh", message="open to the world")
    warning = Finding(rule="TAG-001", severity="warn", address="aws_s3_bucket.b", message="no owner tag")
    applied = build_proposal("p-0000000001", ProposalStatus.APPROVED, rules=())
    pending = replace(build_proposal("p-0000000002"), findings=(finding, warning), kind="update")
    rejected = build_proposal("p-0000000003")
    with container.store.transaction() as tx:
        for proposal in (applied, pending, rejected):
            tx.proposals.save(proposal)
            record_created(tx, proposal)
        gone = rejected.transition(TransitionName.REJECT, ProposalStatus.REJECTED, "rejected", rejected.created_at)
        tx.proposals.save(gone)
        record_transition(tx, ALICE, "proposal.reject", TransitionName.REJECT, rejected, gone, {"reason": "no"})
        for name, runner in (("worker", "script"), ("db", "terraform")):
            tx.environments.save_component(
                ComponentRecord("orders-prod", name, "marker@1.0.0", "sha256:x", runner, "applied")
            )
        subject = "component:orders-prod/worker"
        record(tx, SYSTEM, "component.apply.start", subject, {"blueprint": "marker@1.0.0"})
        record(tx, SYSTEM, "component.apply.finish", subject, {"seconds": 2.5})
        record(tx, SYSTEM, "component.apply.start", "component:orders-prod/db", {"blueprint": "db@1.0.0"})
        record(tx, SYSTEM, "component.apply.fail", "component:orders-prod/db", {"error": "boom"})


def test_store_figures_are_read_at_scrape_time_and_agree_across_apps(container: Container, tmp_path: Path) -> None:
    with TestClient(create_app(container)) as client:
        empty = scrape(client)
        assert value(empty, "infraplane_queue_depth", queue="approval") == 0
        fill_store(container)  # after the app started: nothing is counted at start-up
        samples = scrape(client)

    assert value(samples, "infraplane_proposals", kind="create", status="approved") == 1
    assert value(samples, "infraplane_proposals", kind="update", status="pending") == 1
    assert value(samples, "infraplane_proposals", kind="create", status="rejected") == 1
    assert value(samples, "infraplane_queue_depth", queue="approval") == 1
    assert value(samples, "infraplane_queue_depth", queue="apply") == 1
    assert value(samples, "infraplane_policy_findings", rule="NET-002", severity="deny") == 1
    assert value(samples, "infraplane_policy_findings", rule="TAG-001", severity="warn") == 1
    assert value(samples, "infraplane_decisions_total", outcome="auto-approved") == 1
    assert value(samples, "infraplane_decisions_total", outcome="needs-approval") == 2
    assert value(samples, "infraplane_reviews_total", verdict="reject") == 1
    assert value(samples, "infraplane_audit_events_total", action="proposal.create") == 3
    assert value(samples, "infraplane_audit_events_total", action="component.apply.start") == 2
    ok = {"runner": "script", "operation": "apply", "result": "succeeded"}
    assert value(samples, "infraplane_runs_total", **ok) == 1
    assert value(samples, "infraplane_run_duration_seconds_sum", **ok) == 2.5
    assert value(samples, "infraplane_run_duration_seconds_bucket", **ok, le="1") == 0
    assert value(samples, "infraplane_run_duration_seconds_bucket", **ok, le="5") == 1
    assert value(samples, "infraplane_runs_total", runner="terraform", operation="apply", result="failed") == 1
    assert value(samples, "infraplane_runs_in_progress") == 0

    # Another process (a new container and app on the same store, as after a restart) sees the same.
    again = Container(load_settings(home=container.home))
    try:
        with TestClient(create_app(again)) as client:
            restarted = scrape(client)
    finally:
        again.close()
    store_figures = [name for name, _ in samples if not name.startswith("infraplane_http_")]
    assert {k: v for k, v in restarted.items() if k[0] in store_figures} == {
        k: v for k, v in samples.items() if k[0] in store_figures
    }


def test_a_second_scrape_sees_what_changed_and_counts_old_events_once(container: Container) -> None:
    fill_store(container)
    with TestClient(create_app(container)) as client:
        first = scrape(client)
        pending = build_proposal("p-0000000002")
        with container.store.transaction() as tx:
            stored = tx.proposals.get("p-0000000002")
            assert stored is not None
            approved = stored.transition(TransitionName.APPROVE, ProposalStatus.APPROVED, "", "2026-12-01T10:00:00Z")
            tx.proposals.save(replace(approved, findings=()))
            record_transition(tx, ALICE, "proposal.approve", TransitionName.APPROVE, pending, approved)
            record(tx, SYSTEM, "component.apply.start", "component:orders-prod/worker", {})
        second = scrape(client)

    assert value(first, "infraplane_policy_findings", rule="NET-002", severity="deny") == 1
    assert value(second, "infraplane_policy_findings", rule="NET-002", severity="deny") == 0  # re-read: it changed
    assert value(second, "infraplane_queue_depth", queue="apply") == 2
    assert value(second, "infraplane_reviews_total", verdict="approve") == 1
    assert value(second, "infraplane_audit_events_total", action="proposal.create") == 3  # not counted twice
    assert value(second, "infraplane_runs_in_progress") == 1
