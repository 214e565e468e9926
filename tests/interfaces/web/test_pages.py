"""The web page over TestClient: sign-in, the same authorization as the API, forms, and what pages show."""

from __future__ import annotations

from infraplane.core.proposal_lifecycle import ProposalStatus
from tests.interfaces.api.conftest import Api
from tests.interfaces.web.conftest import csrf_of, sign_in

PAGES = ("/catalog", "/catalog/postgres", "/proposals", "/environments", "/audit", "/dashboard")


def test_pages_need_a_sign_in_and_a_bad_token_is_told_so(web: Api) -> None:
    for path in (*PAGES, "/"):
        response = web.client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next="), path
    form = web.client.get("/login")
    response = web.client.post("/login", data={"token": "ipl_nope", "csrf": csrf_of(form.text), "next": "/"})
    assert response.status_code == 401 and "that token is not valid" in response.text


def test_the_session_cookie_is_httponly_and_strict_and_sign_out_ends_it(web: Api) -> None:
    browser = web.client.__class__(web.client.app, raise_server_exceptions=False)
    form = browser.get("/login")
    response = browser.post(
        "/login", data={"token": web.secrets["viewer"], "csrf": csrf_of(form.text)}, follow_redirects=False
    )
    cookie = next(v for k, v in response.headers.multi_items() if k == "set-cookie" and "ipl_session" in v)
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and web.secrets["viewer"] not in cookie
    for path in PAGES:
        assert browser.get(path).status_code == 200, path
    page = browser.get("/catalog")
    browser.post("/logout", data={"csrf": csrf_of(page.text)})
    assert browser.get("/catalog", follow_redirects=False).status_code == 303


def test_a_post_without_the_csrf_token_is_refused(web: Api) -> None:
    web.add_environment("pay-1", "payments")
    web.add_proposal("p-0000000001", "pay-1", "payments")
    browser = sign_in(web, "approver")
    for data in ({}, {"csrf": "forged"}):
        response = browser.post("/proposals/p-0000000001/approve", data=data)
        assert response.status_code == 403 and "CSRF" in response.text
    assert web.container.proposals.get("p-0000000001").status is ProposalStatus.PENDING
    login = web.client.post("/login", data={"token": web.secrets["admin"]})
    assert login.status_code == 403


def test_only_those_who_may_approve_see_the_button_and_a_forged_post_is_refused(web: Api) -> None:
    web.add_environment("pay-1", "payments")
    web.add_proposal("p-0000000001", "pay-1", "payments")
    for who in ("viewer", "requester", "agent", "agent-admin"):
        browser = sign_in(web, who)
        page = browser.get("/proposals/p-0000000001")
        assert page.status_code == 200 and 'id="approve"' not in page.text and 'id="reject"' not in page.text, who
        forged = browser.post("/proposals/p-0000000001/approve", data={"csrf": csrf_of(page.text)})
        assert forged.status_code == 403, who
        assert "Not allowed" in forged.text
    assert web.container.proposals.get("p-0000000001").status is ProposalStatus.PENDING
    approver = sign_in(web, "approver")
    page = approver.get("/proposals/p-0000000001")
    assert 'id="approve"' in page.text and 'id="reject"' in page.text
    rejected = approver.post("/proposals/p-0000000001/reject", data={"csrf": csrf_of(page.text), "reason": "no"})
    assert rejected.status_code == 200
    assert web.container.proposals.get("p-0000000001").status is ProposalStatus.REJECTED
    actions = [e.action for e in web.container.audit.events()]
    assert "api.refused" in actions


def test_another_teams_things_are_not_found(web: Api) -> None:
    web.add_environment("shop-1", "shop")
    web.add_proposal("p-0000000002", "shop-1", "shop")
    browser = sign_in(web, "approver")
    for path in ("/environments/shop-1", "/proposals/p-0000000002"):
        response = browser.get(path)
        assert response.status_code == 404 and "unknown or not yours" in response.text, path
    assert "shop-1" not in browser.get("/environments").text
    assert "p-0000000002" not in browser.get("/proposals").text
    page = browser.get("/catalog")
    refused = browser.post("/proposals/p-0000000002/approve", data={"csrf": csrf_of(page.text)})
    assert refused.status_code == 404


def test_the_request_form_shows_field_errors_beside_the_field(web: Api) -> None:
    browser = sign_in(web, "requester")
    page = browser.get("/catalog/postgres")
    assert page.status_code == 200
    assert '<select id="in-size" name="in.size"' in page.text and "<option selected>small</option>" in page.text
    data = {
        "csrf": csrf_of(page.text),
        "version": "",
        "name": "pay-db",
        "team": "payments",
        "tier": "dev",
        "in.size": "huge",
        "in.vpc_id": "vpc-1",
        "in.subnet_ids": "subnet-a\nsubnet-b",
    }
    response = browser.post("/catalog/postgres/request", data=data)
    assert response.status_code == 422, response.text
    assert 'id="in-size-error"' in response.text and "huge" in response.text
    missing = browser.post("/catalog/postgres/request", data={**data, "in.size": "small", "name": ""})
    assert missing.status_code == 422 and 'id="name-error"' in missing.text
    other_team = browser.post("/catalog/postgres/request", data={**data, "in.size": "small", "team": "shop"})
    assert other_team.status_code == 403 and "does not act for team shop" in other_team.text
    viewer = sign_in(web, "viewer")
    assert "Request an environment" not in viewer.get("/catalog/postgres").text
    refused = viewer.post("/catalog/postgres/request", data={**data, "csrf": csrf_of(viewer.get("/catalog").text)})
    assert refused.status_code == 403


def test_a_justification_canary_is_inert_and_a_secret_canary_never_shown(web: Api) -> None:
    from dataclasses import replace

    canary = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    web.add_environment("pay-1", "payments")
    proposal = web.add_proposal("p-0000000003", "pay-1", "payments")
    with web.container.store.transaction() as tx:
        tx.proposals.save(replace(proposal, justification=canary))
    browser = sign_in(web, "approver")
    for path in ("/proposals/p-0000000003", "/proposals", "/audit", "/dashboard"):
        text = browser.get(path).text
        assert "<script>alert" not in text and "<img src=x onerror" not in text, path
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in browser.get("/proposals/p-0000000003").text
    for path in PAGES:
        assert web.secrets["approver"] not in browser.get(path).text


def test_the_dashboard_shows_drift_and_the_kpis_of_the_callers_teams(web: Api) -> None:
    from infraplane.core.audit import SYSTEM
    from infraplane.services.audit import record

    web.add_environment("pay-1", "payments")
    web.add_environment("shop-1", "shop")
    with web.container.store.transaction() as tx:
        for name, drifted in (("pay-1", 0), ("pay-1", 2), ("shop-1", 1)):
            record(tx, SYSTEM, "drift.check", f"environment:{name}", {"drifted": drifted})
    page = sign_in(web, "approver").get("/dashboard").text
    drift = page.split('id="drift"')[1].split("</section>")[0]
    assert "50%" in drift and "of 2 checks found drift" in drift  # shop-1's check is not the approver's
    assert '<a href="/environments/pay-1">pay-1</a>' in drift and "shop-1" not in drift
    kpis = page.split('id="kpis"')[1].split("</section>")[0]
    for figure in ("drift rate", "mean time to detect", "time to remediation", "policy hit rate"):
        assert f'<th scope="row">{figure}</th>' in kpis, figure
    for figure in ("approval lead time", "deployment frequency", "lead time for changes", "change failure rate"):
        assert f'<th scope="row">{figure}</th>' in kpis, figure
    assert '<th scope="row">time to restore</th>' in kpis
    admin = sign_in(web, "admin").get("/dashboard").text
    assert "of 3 checks found drift" in admin and '<a href="/environments/shop-1">shop-1</a>' in admin


def test_the_environment_page_says_upstream_changed_and_counts_readers_it_may_not_name(web: Api) -> None:
    from dataclasses import replace

    from infraplane.core.records import ComponentRecord
    from infraplane.core.upstream import Dependency, UpstreamRead, value_digest

    web.add_environment("pay-net", "payments")
    web.add_environment("pay-app", "payments")
    web.add_environment("shop-app", "shop")
    with web.container.store.transaction() as tx:
        tx.environments.save(replace(tx.environments.get("pay-net"), current_revision=1))
        component = ComponentRecord("pay-net", "marker", "marker@1.0.0", "sha256:x", "script", "applied")
        tx.environments.save_component(replace(component, outputs={"parameter_name": "/new"}))
        read = UpstreamRead("spec.inputs.value", "pay-net", "parameter_name", value_digest("/old"), "string")
        tx.environments.set_dependencies("pay-app", [Dependency("pay-app", read, 1)])
        tx.environments.set_dependencies("shop-app", [Dependency("shop-app", read, 1)])
    browser = sign_in(web, "viewer")
    reader = browser.get("/environments/pay-app")
    assert reader.status_code == 200 and 'id="upstream-changed"' in reader.text
    assert "pay-net.parameter_name (value-changed)" in reader.text
    producer = browser.get("/environments/pay-net").text
    assert "pay-app" in producer and "shop-app" not in producer and "1 environment(s) of other teams" in producer
