"""The environment page: outputs masked, revisions with their proposals and approvers, rollback and destroy proposals.

The buttons show only to those who may propose for the environment's team; the POSTs refuse the others
anyway (403, audited), refuse a form without its CSRF token, and answer "not found" to another team.
"""

from __future__ import annotations

from infraplane.core.audit import Actor
from tests.interfaces.api.conftest import Api
from tests.interfaces.web.conftest import SECRET_OUTPUT, applied_environment, csrf_of, sign_in


def test_outputs_are_masked_and_revisions_name_their_proposals_and_approvers(web: Api) -> None:
    applied_environment(web, "pay-1")
    page = sign_in(web, "viewer").get("/environments/pay-1")
    assert page.status_code == 200
    assert SECRET_OUTPUT not in page.text and "sensitive, hidden" in page.text and "/markers/pay-1/marker" in page.text
    revisions = page.text[page.text.index('id="revisions"') :]
    assert revisions.index("<td>2 <span") < revisions.index("<td>1</td>")  # newest first, the current one marked
    assert 'href="/proposals/p-pay-1-2"' in revisions and "carol" in revisions and "dave, erin" in revisions
    assert "two" in revisions


def test_rollback_and_destroy_show_only_to_those_who_may_propose(web: Api) -> None:
    applied_environment(web, "pay-1")
    for who, shown in (("viewer", False), ("requester", True), ("approver", True), ("agent", True), ("admin", True)):
        page = sign_in(web, who).get("/environments/pay-1").text
        assert ('id="rollback"' in page, 'id="destroy"' in page) == (shown, shown), who
    viewer = sign_in(web, "viewer")
    csrf = csrf_of(viewer.get("/catalog").text)
    for action, data in (("rollback", {"revision": "1"}), ("destroy", {})):
        forged = viewer.post(f"/environments/pay-1/{action}", data={**data, "csrf": csrf, "justification": "x"})
        assert forged.status_code == 403 and "requester role" in forged.text, action
        outsider = sign_in(web, "shop-approver")
        hidden = outsider.post(f"/environments/pay-1/{action}", data={**data, "csrf": csrf_of(outsider.get("/").text)})
        assert hidden.status_code == 404 and "unknown or not yours" in hidden.text, action
        bare = sign_in(web, "requester").post(f"/environments/pay-1/{action}", data={**data, "justification": "x"})
        assert bare.status_code == 403 and "CSRF" in bare.text, action
    assert sign_in(web, "shop-approver").get("/environments/pay-1").status_code == 404
    assert [p.id for p in web.container.proposals.proposals("pay-1")] == ["p-pay-1-2"]
    refused = [e for e in web.container.audit.events(action="api.refused") if e.subject == "environment:pay-1"]
    assert len(refused) == 2 and {e.actor.id for e in refused} == {"viewer"}


def test_destroy_proposes_and_goes_to_the_new_proposal(web: Api) -> None:
    applied_environment(web, "pay-1")
    agent = sign_in(web, "agent")
    unexplained = agent.post("/environments/pay-1/destroy", data={"csrf": csrf_of(agent.get("/").text)})
    assert unexplained.status_code == 422 and 'id="destroy-justification-error"' in unexplained.text
    browser = sign_in(web, "requester")
    page = browser.get("/environments/pay-1")
    done = browser.post(
        "/environments/pay-1/destroy",
        data={"csrf": csrf_of(page.text), "justification": "the trial is over"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    proposal_id = done.headers["location"].removeprefix("/proposals/")
    proposal = web.container.proposals.get(proposal_id)
    assert (proposal.kind, proposal.environment, proposal.justification) == ("destroy", "pay-1", "the trial is over")
    assert proposal.actor == Actor("human", "requester")
    review = browser.get(done.headers["location"])
    assert review.status_code == 200 and '<p class="lead">Destroys pay-1 (' in review.text  # the plain summary


def test_nothing_left_to_destroy_is_not_offered_and_is_refused(web: Api) -> None:
    web.add_environment("pay-empty", "payments")
    browser = sign_in(web, "requester")
    page = browser.get("/environments/pay-empty")
    assert 'id="destroy"' not in page.text and 'id="rollback"' not in page.text
    refused = browser.post("/environments/pay-empty/destroy", data={"csrf": csrf_of(page.text), "justification": "x"})
    assert refused.status_code == 409 and "already destroyed" in refused.text and 'id="destroy-error"' in refused.text


def test_rollback_checks_the_revision_then_plans_it_in_the_background(web: Api) -> None:
    applied_environment(web, "pay-1")
    browser = sign_in(web, "requester")
    page = browser.get("/environments/pay-1")
    assert '<option value="1"' in page.text and '<option value="2"' not in page.text  # not the current one
    data = {"csrf": csrf_of(page.text), "justification": "two broke it"}
    wrong = browser.post("/environments/pay-1/rollback", data={**data, "revision": "7"})
    assert wrong.status_code == 422 and 'id="rollback-revision-error"' in wrong.text and "1, 2" in wrong.text
    started = browser.post("/environments/pay-1/rollback", data={**data, "revision": "1"}, follow_redirects=False)
    assert started.status_code == 303 and started.headers["location"].startswith("/proposals/p-")
    channel = web.client.app.state.runs.channel(started.headers["location"].removeprefix("/proposals/"))  # type: ignore[attr-defined]
    assert channel is not None and (channel.run, channel.team) == ("plan", "payments")


def test_a_justification_holding_markup_stays_text_in_the_revisions(web: Api) -> None:
    from dataclasses import replace

    applied_environment(web, "pay-1")
    canary = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    proposal = web.container.proposals.get("p-pay-1-2")
    with web.container.store.transaction() as tx:
        tx.proposals.save(replace(proposal, justification=canary))
    page = sign_in(web, "viewer").get("/environments/pay-1").text
    assert "<script>alert" not in page and "<img src=x onerror" not in page and "&lt;script&gt;" in page
