"""Every form of the web page: offered exactly to those the server lets use it, refused without its CSRF token,
and labelled; every page keyboard-navigable (a skip link first, no positive tabindex, unique ids).

The POST routes are read from the app, so a new form without a case here fails these tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser

from fastapi.routing import APIRoute

from infraplane.core.proposal_lifecycle import ProposalStatus
from infraplane.interfaces.web.app import web_routers
from tests.interfaces.api.conftest import IDENTITIES, Api
from tests.interfaces.web.conftest import applied_environment, csrf_of, sign_in


@dataclass(frozen=True)
class Form:
    """A form: the page that offers it, what on that page shows it, and what it posts."""

    route: str  # the POST route's path template
    page: Callable[[str], str]  # fresh id -> the page's path
    shown: str  # in the page's HTML exactly when the form is offered
    post: Callable[[str], str]  # fresh id -> the path it posts to
    data: dict[str, str]


FORMS = [
    Form(
        "/proposals/{proposal_id}/approve",
        lambda fresh: f"/proposals/{fresh}",
        'id="approve"',
        lambda fresh: f"/proposals/{fresh}/approve",
        {"comment": "fine"},
    ),
    Form(
        "/proposals/{proposal_id}/reject",
        lambda fresh: f"/proposals/{fresh}-r",
        'id="reject"',
        lambda fresh: f"/proposals/{fresh}-r/reject",
        {"reason": "no"},
    ),
    Form(
        "/proposals/{proposal_id}/apply",
        lambda fresh: f"/proposals/{fresh}-ok",
        'id="apply"',
        lambda fresh: f"/proposals/{fresh}-ok/apply",
        {},
    ),
    Form(
        "/catalog/{name}/request",
        lambda fresh: "/catalog/marker",
        'action="/catalog/marker/request#request"',
        lambda fresh: "/catalog/marker/request",
        {"name": "pay-new", "team": "payments", "tier": "dev", "in.value": "v", "justification": "j"},
    ),
    Form(
        "/ask",
        lambda fresh: "/catalog",
        'action="/ask"',
        lambda fresh: "/ask",
        {"blueprint": "queue@1.1.0", "name": "pay-q", "team": "payments", "tier": "dev", "inputs": "{}"}
        | {"justification": "j"},
    ),
    Form(
        "/environments/{name}/rollback",
        lambda fresh: "/environments/pay-1",
        'id="rollback"',
        lambda fresh: "/environments/pay-1/rollback",
        {"revision": "1", "justification": "j"},
    ),
    Form(
        "/environments/{name}/destroy",
        lambda fresh: "/environments/pay-1",
        'id="destroy"',
        lambda fresh: "/environments/pay-1/destroy",
        {"justification": "j"},
    ),
]
# Forms every signed-in person (or anyone, for sign-in) may use: no role decides them.
OPEN_FORMS = {"/login", "/logout"}


def _web_posts() -> set[str]:
    return {
        route.path
        for router in web_routers()
        for route in router.routes
        if isinstance(route, APIRoute) and "POST" in route.methods
    }


def _seed(api: Api, who: str) -> str:
    """Proposals of payments for `who` to act on, one per form: `ID` and `ID-r` pending, `ID-ok` approved."""
    fresh = f"p-{who.replace('-', '')[:8]:0<8}"
    api.add_proposal(fresh, "pay-1", "payments")
    api.add_proposal(f"{fresh}-r", "pay-1", "payments")
    api.add_proposal(f"{fresh}-ok", "pay-1", "payments", ProposalStatus.APPROVED)
    return fresh


def test_every_form_of_the_page_has_a_case() -> None:
    assert _web_posts() == {f.route for f in FORMS} | OPEN_FORMS


def test_a_form_is_offered_exactly_to_those_the_server_lets_use_it(web: Api) -> None:
    applied_environment(web, "pay-1")
    for who in IDENTITIES:
        fresh = _seed(web, who)
        browser = sign_in(web, who)
        for form in FORMS:
            page = browser.get(form.page(fresh))
            shown = page.status_code == 200 and form.shown in page.text
            csrf = csrf_of(browser.get("/login").text)
            data = {**form.data, "csrf": csrf}
            if "team" in data:  # what the form offers: one's own team
                data["team"] = (IDENTITIES[who][1] or ("payments",))[0]
            answer = browser.post(form.post(fresh), data=data, follow_redirects=False)
            # Refused: forbidden, not found, or sent back to the page with the reason (`?message=`).
            refused = answer.status_code in (403, 404) or "?message=" in answer.headers.get("location", "")
            assert shown == (not refused), (who, form.route, answer.status_code, answer.text[:300])
            assert answer.status_code < 500, (who, form.route)


def test_every_form_is_refused_without_its_csrf_token(web: Api) -> None:
    applied_environment(web, "pay-1")
    fresh = _seed(web, "admin")
    browser = sign_in(web, "admin")
    before = ([p.status for p in web.container.proposals.proposals()], len(web.container.audit.events()))
    for form in FORMS:
        for csrf in ({}, {"csrf": "forged"}, {"csrf": csrf_of(sign_in(web, "approver").get("/login").text)}):
            answer = browser.post(form.post(fresh), data={**form.data, **csrf}, follow_redirects=False)
            assert answer.status_code == 403 and "CSRF" in answer.text, (form.route, csrf)
    after = ([p.status for p in web.container.proposals.proposals()], len(web.container.audit.events()))
    assert after == before


class _Page(HTMLParser):
    """What accessibility needs of a page: its fields and labels, ids, tab order and the first link."""

    def __init__(self) -> None:
        super().__init__()
        self.labelled: set[str] = set()
        self.fields: list[tuple[str, dict[str, str | None], bool]] = []  # (tag, attributes, inside a label)
        self.ids: list[str] = []
        self.links: list[dict[str, str | None]] = []
        self.tabindex: list[str] = []
        self._labels = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.append(str(attributes["id"]))
        if attributes.get("tabindex") is not None:
            self.tabindex.append(str(attributes["tabindex"]))
        if tag == "label":
            self._labels += 1
            if attributes.get("for"):
                self.labelled.add(str(attributes["for"]))
        elif tag == "a":
            self.links.append(attributes)
        elif tag in ("input", "select", "textarea") and attributes.get("type") not in ("hidden", "submit"):
            self.fields.append((tag, attributes, self._labels > 0))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._labels -= 1


def test_every_field_is_labelled_and_every_page_starts_with_a_skip_link(web: Api) -> None:
    applied_environment(web, "pay-1")
    fresh = _seed(web, "approver")
    pages = {
        "approver": [
            "/catalog",
            "/catalog/postgres",
            "/ask?words=a+queue+for+the+payments+service",
            "/ask?words=something",
            "/proposals",
            f"/proposals/{fresh}",
            f"/proposals/{fresh}-ok",
            "/environments",
            "/environments/pay-1",
            "/audit",
            "/dashboard",
        ],
        "admin": ["/catalog/postgres", "/ask?words=a+queue"],
    }
    checked = 0
    for who, paths in pages.items():
        browser = sign_in(web, who)
        for path in [*paths, "/login"]:
            response = browser.get(path)
            assert response.status_code == 200, (path, response.text[:300])
            page = _Page()
            page.feed(response.text)
            for tag, attributes, wrapped in page.fields:
                named = wrapped or attributes.get("aria-label") or attributes.get("id") in page.labelled
                assert named, (path, tag, attributes)
                checked += 1
            assert len(page.ids) == len(set(page.ids)), (path, sorted(i for i in page.ids if page.ids.count(i) > 1))
            assert page.links[0].get("class") == "skip" and page.links[0].get("href") == "#main", path
            assert 'id="main"' in response.text and all(t in ("0", "-1") for t in page.tabindex), path
    assert checked > 40  # the forms above have fields: a parser that saw none would pass for nothing
