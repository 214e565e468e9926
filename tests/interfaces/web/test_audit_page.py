"""The audit page: filters by actor, environment, action and time, the chain's state, and export of what it shows."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from infraplane.core.audit import Actor
from infraplane.services.audit import record
from tests.interfaces.api.conftest import Api
from tests.interfaces.web.conftest import sign_in


def _seed(api: Api) -> None:
    api.add_environment("pay-1", "payments")
    api.add_environment("shop-1", "shop")
    with api.container.store.transaction() as tx:
        record(tx, Actor("human", "carol"), "test.poke", "environment:pay-1", {"n": 1})
        record(tx, Actor("agent", "bot"), "test.prod", "component:pay-1/queue", {"n": 2})
        record(tx, Actor("human", "carol"), "other.thing", "environment:pay-1", {"n": 3})
        record(tx, Actor("human", "sam"), "test.poke", "environment:shop-1", {"n": 4})


def _sequences(page: str) -> list[int]:
    return [int(n) for n in re.findall(r"<tr><td>(\d+)</td>", page)]


def _numbers(page: str) -> set[int]:
    return {int(n) for n in re.findall(r"&#34;n&#34;: (\d)", page)}


def test_each_filter_narrows_the_trail_of_ones_own_teams(web: Api) -> None:
    _seed(web)
    browser = sign_in(web, "viewer")
    everything = browser.get("/audit").text
    assert _numbers(everything) == {1, 2, 3} and 'id="chain"' in everything and "Hash chain verified" in everything
    assert _sequences(everything) == sorted(_sequences(everything), reverse=True)  # newest first
    for params, expected in (
        ({"actor": "carol"}, {1, 3}),
        ({"environment": "pay-1", "action": "test."}, {1, 2}),
        ({"action": "other"}, {3}),
        ({"environment": "shop-1"}, set()),  # another team's: nothing, however asked
    ):
        assert _numbers(browser.get("/audit", params=params).text) == expected, params
    assert '<option value="carol">' in everything and '<option value="pay-1">' in everything  # suggestions
    assert 'href="/environments/pay-1"' in everything  # subjects link to their pages


def test_a_time_range_includes_the_day_or_minute_it_names_and_a_bad_time_is_shown(web: Api) -> None:
    _seed(web)
    browser = sign_in(web, "viewer")
    now = datetime.now(UTC)
    today, tomorrow = now.strftime("%Y-%m-%d"), (now + timedelta(days=1)).strftime("%Y-%m-%d")
    assert _numbers(browser.get("/audit", params={"since": today, "until": today}).text) == {1, 2, 3}
    assert _numbers(browser.get("/audit", params={"since": tomorrow}).text) == set()
    minute = now.strftime("%Y-%m-%dT%H:%M")
    earlier = (now - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    assert _numbers(browser.get("/audit", params={"since": earlier, "until": minute}).text) == {1, 2, 3}
    assert _numbers(browser.get("/audit", params={"until": earlier}).text) == set()
    bad = browser.get("/audit", params={"since": "last tuesday"})
    assert bad.status_code == 422 and 'id="since-error"' in bad.text and 'aria-invalid="true"' in bad.text
    assert web.client.get("/audit", params={"since": "9999-12-31"}, follow_redirects=False).status_code == 303


def test_export_has_what_the_filters_select_and_is_linked_with_them(web: Api) -> None:
    _seed(web)
    browser = sign_in(web, "viewer")
    page = browser.get("/audit", params={"actor": "carol", "since": "2020-01-01"}).text
    link = re.search(r'<a id="export" href="([^"]+)"', page)
    assert link and link.group(1).replace("&amp;", "&") == (
        "/audit/export?actor=carol&environment=&action=&since=2020-01-01&until="
    )
    exported = browser.get(link.group(1).replace("&amp;", "&"))
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("application/x-ndjson")
    events = [json.loads(line) for line in exported.text.splitlines()]
    assert [e["payload"]["n"] for e in events] == [1, 3] and all(e["hash"] for e in events)
    assert browser.get("/audit/export", params={"until": "soon"}).status_code == 422


def test_a_broken_chain_is_said_on_the_page(web: Api) -> None:
    _seed(web)
    with web.container.store.engine.begin() as connection:  # type: ignore[attr-defined]
        connection.execute(text("UPDATE audit_events SET payload = '{\"n\": 9}' WHERE sequence = 2"))
    page = sign_in(web, "viewer").get("/audit").text
    assert "Hash chain broken" in page and 'class="notice bad"' in page
