"""The plain-words box: what `ask` understood is shown first; a second step proposes exactly that, or says why not."""

from __future__ import annotations

import html
import re

from infraplane.core.identity import Role
from tests.interfaces.api.conftest import Api
from tests.interfaces.web.conftest import csrf_of, sign_in

WORDS = "a queue for the payments service that keeps messages a week"


def _hidden(page: str) -> dict[str, str]:
    """The hidden fields of the propose form on the ask page."""
    form = page[page.index('id="propose-asked"') :]
    return {k: html.unescape(v) for k, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)}


def test_the_catalog_has_the_box_for_those_who_may_propose(web: Api) -> None:
    catalog = sign_in(web, "requester").get("/catalog").text
    assert '<form method="get" action="/ask"' in catalog and '<label for="ask-words">' in catalog
    viewer = sign_in(web, "viewer")
    assert 'action="/ask"' not in viewer.get("/catalog").text
    refused = viewer.get("/ask", params={"words": WORDS})
    assert refused.status_code == 403 and "propose needs the requester role" in refused.text


def test_the_page_shows_what_it_understood_and_proposes_nothing_yet(web: Api) -> None:
    browser = sign_in(web, "requester")
    page = browser.get("/ask", params={"words": WORDS})
    assert page.status_code == 200, page.text
    understood = page.text[page.text.index('id="understood"') :]
    for shown in ('<a href="/catalog/queue?version=1.1.0">queue</a> 1.1.0', "<code>payments-dev</code>", "payments"):
        assert shown in understood, shown
    assert '<code>retention_days</code></th><td><code>7</code></td><td class="muted">from your words' in understood
    assert '<code>fifo</code></th><td><code>false</code></td><td class="muted">default' in understood
    assert _hidden(page.text)["blueprint"] == "queue@1.1.0" and _hidden(page.text)["inputs"] == '{"retention_days": 7}'
    assert "ask: " + WORDS in page.text  # the justification it proposes with, as the CLI does
    assert web.container.proposals.proposals() == []
    # The request form, filled with the same, for changing more than the words say.
    link = html.unescape(re.search(r'href="([^"]+)" id="to-form"', page.text).group(1))  # type: ignore[union-attr]
    form = browser.get(link).text
    assert 'id="f-name" name="name" value="payments-dev"' in form and 'name="in.retention_days" ' in form
    assert 'value="7"' in form[form.index('id="in-retention_days"') - 20 :][:400]


def test_a_question_back_is_shown_with_its_options(web: Api) -> None:
    browser = sign_in(web, "requester")
    vague = browser.get("/ask", params={"words": "something"})
    assert vague.status_code == 200 and 'id="question"' in vague.text and 'id="propose-asked"' not in vague.text
    assert 'href="/catalog/queue"' in vague.text and "open its request form" in vague.text
    tiers = browser.get("/ask", params={"words": "a dev queue in prod"})
    assert "Which tier do you mean: dev or prod?" in tiers.text
    assert html.escape("/ask?words=a+dev+queue+in+prod&team=&tier=prod") in tiers.text
    needs = browser.get("/ask", params={"words": "a postgres database"})
    assert "add vpc_id=... to your words" in needs.text and 'href="/catalog/service-stack"' in needs.text
    bad_tier = browser.get("/ask", params={"words": WORDS, "tier": "Not A Tier"})
    assert bad_tier.status_code == 422 and "--tier" in bad_tier.text


def test_proposing_what_was_shown_goes_to_the_new_proposal(web: Api) -> None:
    browser = sign_in(web, "requester")
    page = browser.get("/ask", params={"words": WORDS})
    form = {**_hidden(page.text), "justification": "ask: " + WORDS}
    without_csrf = browser.post("/ask", data={k: v for k, v in form.items() if k != "csrf"})
    assert without_csrf.status_code == 403 and "CSRF" in without_csrf.text
    proposed = browser.post("/ask", data=form, follow_redirects=False)
    assert proposed.status_code == 303 and proposed.headers["location"].startswith("/proposals/p-")
    channel = web.client.app.state.runs.channel(proposed.headers["location"].rsplit("/", 1)[1])  # type: ignore[attr-defined]
    assert channel is not None and channel.run == "plan" and channel.team == "payments"


def test_the_second_step_refuses_what_the_api_refuses(web: Api) -> None:
    web.add_environment("shop-q", "shop")
    browser = sign_in(web, "requester")
    form = {**_hidden(browser.get("/ask", params={"words": WORDS}).text), "justification": "j"}
    other_team = browser.post("/ask", data={**form, "team": "shop"})
    assert other_team.status_code == 403 and "does not act for team shop" in other_team.text
    taken = browser.post("/ask", data={**form, "name": "shop-q"})
    assert taken.status_code == 404 and "unknown or not yours" in taken.text
    bad = browser.post("/ask", data={**form, "inputs": '{"retention_days": 99}'})
    assert bad.status_code == 422 and "retention_days" in bad.text and 'id="ask-errors"' in bad.text
    forged = browser.post("/ask", data={**form, "inputs": "[1, 2]"})
    assert forged.status_code == 422 and "ask again" in forged.text
    viewer = sign_in(web, "viewer")
    refused = viewer.post("/ask", data={**form, "csrf": csrf_of(viewer.get("/catalog").text)})
    assert refused.status_code == 403
    agent = sign_in(web, "agent")
    agent_form = {**_hidden(agent.get("/ask", params={"words": WORDS}).text), "justification": " "}
    assert agent.post("/ask", data=agent_form).status_code == 422
    assert web.container.proposals.proposals() == []


def test_words_naming_another_team_are_not_offered_to_someone_of_two_teams(web: Api) -> None:
    web.token("two-teams", Role.REQUESTER, ("payments", "orders"))
    browser = sign_in(web, "two-teams")
    page = browser.get("/ask", params={"words": "a bucket for invoices for the shop team"})
    assert "You do not act for team shop" in page.text and 'id="propose-asked"' not in page.text
    chosen = browser.get("/ask", params={"words": "a bucket for invoices for the shop team", "team": "orders"})
    assert 'id="propose-asked"' in chosen.text and _hidden(chosen.text)["team"] == "orders"


def test_words_holding_markup_stay_text(web: Api) -> None:
    canary = '<script>alert(1)</script><img src=x onerror="alert(2)"> a queue for payments'
    page = sign_in(web, "requester").get("/ask", params={"words": canary}).text
    assert "<script>alert" not in page and "<img src=x onerror" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
