"""The dashboard: proposals by status, the rules that deny most (from the KPI report, with lead time and hit rate),
cost by team and tier, environments by tier and TTL; only of the teams one acts for."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from infraplane.core.approval import Approval
from infraplane.core.audit import utc_timestamp
from infraplane.core.identity import Identity, Role
from infraplane.core.policy import Finding
from infraplane.core.proposal_lifecycle import ProposalStatus
from infraplane.core.proposals import CostDelta
from infraplane.interfaces.web.dashboard_figures import dashboard_figures, duration_text
from tests.interfaces.api.conftest import Api
from tests.interfaces.web.conftest import sign_in

# Now, not a fixed date: the rules that deny most come from the KPI report of the last 30 days.
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def _finding(rule: str, severity: str) -> Finding:
    return Finding(rule=rule, severity=severity, message="m", address="aws_s3_bucket.b")  # type: ignore[arg-type]


def _seed(api: Api) -> None:
    """payments: pay-1 (dev, TTL 48h) and pay-2 (prod); shop: shop-1. Four proposals of payments, one of shop."""
    for name, team, tier, ttl in (("pay-1", "payments", "dev", "48h"), ("pay-2", "payments", "prod", None)):
        env = replace(api.add_environment(name, team), tier=tier, ttl=ttl, created_at=utc_timestamp(NOW))
        with api.container.store.transaction() as tx:
            tx.environments.save(env)
    api.add_environment("shop-1", "shop")
    made = utc_timestamp(NOW - timedelta(hours=3))
    for pid, env, status, findings, cost in (
        ("p-a", "pay-1", ProposalStatus.APPLIED, (_finding("S3-001", "deny"),), CostDelta(0, 12.5, 12.5)),
        ("p-b", "pay-2", ProposalStatus.APPLIED, (_finding("S3-001", "deny"), _finding("TAG-1", "warn")), None),
        ("p-c", "pay-2", ProposalStatus.PENDING, (), None),
        ("p-d", "pay-2", ProposalStatus.APPLIED, (_finding("NET-2", "deny"),), CostDelta(0, 100.0, 100.0)),
    ):
        proposal = api.add_proposal(pid, env, "payments", ProposalStatus.PENDING)
        tier = "dev" if env == "pay-1" else "prod"
        updated = replace(proposal, status=status, findings=findings, cost=cost, created_at=made, tier=tier)
        with api.container.store.transaction() as tx:
            tx.proposals.save(updated)
            if status is ProposalStatus.APPLIED:
                minutes = {"p-a": 30, "p-b": 90, "p-d": 150}[pid]
                at = utc_timestamp(NOW - timedelta(hours=3) + timedelta(minutes=minutes))
                tx.proposals.add_approval(pid, Approval("dave", at, updated.plan_digest, ""))
    shop = api.add_proposal("p-s", "shop-1", "shop")
    with api.container.store.transaction() as tx:
        tx.proposals.save(replace(shop, findings=(_finding("SHOP-9", "deny"),)))


def test_the_figures_count_only_ones_teams(web: Api) -> None:
    _seed(web)
    payments = Identity("approver", Role.APPROVER, frozenset({"payments"}))
    figures = dashboard_figures(web.container, payments, NOW + timedelta(hours=12))
    assert figures["by_status"] == [("applied", 3), ("pending", 1)] and figures["total"] == 4
    assert not {"lead", "hit_rate", "top_denying"} & set(figures)  # KPIs: one home, the KPI report
    assert figures["cost"] == [("payments", "dev", 12.5), ("payments", "prod", 100.0)]  # p-d is pay-2's last applied
    assert figures["env_tiers"] == [("dev", {"total": 1, "ttl": 1}), ("prod", {"total": 1, "ttl": 0})]
    assert [(e["name"], e["left"]) for e in figures["env_ending"]] == [("pay-1", "36.0 h")]
    admin = dashboard_figures(web.container, Identity("root", Role.ADMIN), NOW)
    assert admin["total"] == 5


def test_the_page_shows_them(web: Api) -> None:
    _seed(web)
    page = sign_in(web, "approver").get("/dashboard").text
    for shown in ("Proposals by status", "<code>S3-001</code>: 2 proposals", "$100.00", "TTLs ending"):
        assert shown in page, shown
    assert page.index("<code>S3-001</code>") < page.index("<code>NET-2</code>")  # most first
    assert "SHOP-9" not in page and 'href="/proposals?status=pending"' in page


def test_a_span_reads_in_the_unit_that_fits() -> None:
    assert [duration_text(s) for s in (12, 600, 3 * 3600, 5 * 86400)] == ["12 s", "10 min", "3.0 h", "5.0 d"]
