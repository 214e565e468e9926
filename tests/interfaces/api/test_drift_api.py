"""Drift remediation, unmanaged resources and KPIs over the API: what is answered, and what is refused."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from prometheus_client.parser import text_string_to_metric_families

from infraplane.core.audit import SYSTEM, utc_timestamp
from infraplane.core.inventory import CloudResource
from infraplane.core.policy import Finding
from infraplane.core.proposal_lifecycle import ProposalStatus
from infraplane.services.audit import record
from tests.interfaces.api.conftest import Api


def _gauges(api: Api) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = api.client.get("/metrics")
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def test_an_open_revert_is_answered_instead_of_a_second_one(api: Api) -> None:
    api.add_environment("pay-1", "payments")
    api.add_proposal("p-0000000001", "pay-1", "payments", kind="drift-revert")
    for who, body in (("requester", None), ("agent", {"justification": "the queue moved"})):
        response = api.client.post("/api/v1/environments/pay-1/drift/revert", json=body, headers=api.headers(who))
        assert response.status_code == 202, response.text
        assert response.json() == {
            "id": "p-0000000001",
            "run": "plan",
            "status": "pending",
            "events": "/api/v1/proposals/p-0000000001/events",
            "existing": True,
        }
    assert [p.kind for p in api.container.proposals.proposals("pay-1")] == ["drift-revert"]


def test_agents_say_why_and_a_component_that_is_not_there_is_named(api: Api) -> None:
    api.add_environment("pay-1", "payments")
    quiet = api.client.post("/api/v1/environments/pay-1/drift/revert", json={}, headers=api.headers("agent"))
    assert quiet.status_code == 422 and quiet.json()["error"]["field"] == "justification"
    wrong = api.client.post(
        "/api/v1/environments/pay-1/drift/accept", json={"component": "jobs"}, headers=api.headers("requester")
    )
    assert wrong.status_code == 422 and "no component 'jobs'" in wrong.json()["error"]["message"]


def test_the_last_scan_is_listed_to_admins_only(api: Api) -> None:
    empty = api.client.get("/api/v1/unmanaged", headers=api.headers("admin")).json()
    assert empty == {"scanned_at": None, "scanned_by": None, "count": 0, "items": [], "problems": []}
    stray = CloudResource(
        "s3-bucket", "aws_s3_bucket", "stray", "stray", "us-east-1", "id", {"ManagedBy": "cdk"}, "stray"
    )
    with api.container.store.transaction() as tx:
        record(tx, SYSTEM, "unmanaged.scan", "cloud:inventory", {"unmanaged": 1, "resources": [stray.as_dict()]})
    listed = api.client.get("/api/v1/unmanaged", headers=api.headers("admin")).json()
    assert listed["scanned_by"] == "system:infraplane" and listed["count"] == 1
    assert listed["items"] == [stray.as_dict()] and listed["items"][0]["managed_by"] == "cdk"
    refused = api.client.get("/api/v1/unmanaged", headers=api.headers("approver"))
    assert refused.status_code == 403 and "only admins" in refused.json()["error"]["message"]


def test_kpis_are_scoped_to_the_callers_teams_and_on_metrics(api: Api) -> None:
    api.add_environment("pay-1", "payments")
    api.add_environment("shop-1", "shop")
    for proposal_id, env, team in (("p-0000000001", "pay-1", "payments"), ("p-0000000002", "shop-1", "shop")):
        proposal = api.add_proposal(proposal_id, env, team, ProposalStatus.PENDING)
        finding = Finding("NET-002", "deny", "aws_security_group.x", "open to the world", "close it", "ingress")
        an_hour_ago = utc_timestamp(datetime.now(UTC) - timedelta(hours=1))
        with api.container.store.transaction() as tx:
            tx.proposals.save(replace(proposal, findings=(finding,), created_at=an_hour_ago))
    mine = api.client.get("/api/v1/kpi?since=1d", headers=api.headers("approver")).json()
    everything = api.client.get("/api/v1/kpi?since=1d", headers=api.headers("admin")).json()
    assert (mine["policy"]["proposals"], everything["policy"]["proposals"]) == (1, 2)
    assert everything["policy"]["per_rule"] == {"NET-002": {"deny": 2}} and everything["policy"]["hit_rate"] == 1.0
    bad = api.client.get("/api/v1/kpi?since=forever", headers=api.headers("admin"))
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "since"
    gauges = _gauges(api)  # the last 30 days, every team
    assert gauges[("infraplane_kpi_policy_rule_hits", (("rule", "NET-002"), ("severity", "deny")))] == 2.0
    assert gauges[("infraplane_kpi_policy_hit_rate", ())] == 1.0
