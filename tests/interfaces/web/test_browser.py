"""The web page in a real browser (Playwright driving Debian's Chromium) over a live server and the sandbox cloud.

One story, marked slow: a requester signs in (the skip link is the first stop), asks in plain words and
sees what was understood, finds `postgres`, gets a field error, then requests an environment (of the
quick `marker` blueprint); an approver in another browser context reviews and approves it, and watches
the apply finish without reloading; the audit page shows it. XSS canaries stay inert and no secret shows
anywhere; no page is wider than the window at 1280 or 390 px. Screenshots of every page at both widths:
`make screenshots` puts them in docs/screenshots/.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import uvicorn

from infraplane.core.audit import Actor
from infraplane.core.identity import Role
from infraplane.interfaces.api import create_app
from infraplane.interfaces.container import Container
from infraplane.settings import load_settings
from tests.support.sandbox import free_port

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# `make screenshots` renews docs/screenshots/ (SCREENSHOTS_DIR); a plain test run keeps its shots in its own tmp dir,
# so running the suite never rewrites tracked files.
SCREENSHOTS = Path(os.environ["SCREENSHOTS_DIR"]) if os.environ.get("SCREENSHOTS_DIR") else None
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "catalog"
CANARY = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
ROOT = Actor("human", "root")


class LiveServer:
    def __init__(self, home: Path) -> None:
        self.container = Container(load_settings(home=home))
        self.app = create_app(self.container)
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(30)
        self.app.state.runs.shutdown(wait=True)
        self.container.close()


@pytest.fixture
def live(cloud_home: Path, tmp_path: Path) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    # A blueprint whose description is the XSS canary, published like any other.
    catalog = tmp_path / "canary-catalog"
    shutil.copytree(FIXTURES / "marker", catalog / "canary")
    spec = catalog / "canary" / "blueprint.yaml"
    text = spec.read_text().replace("name: marker", "name: canary")
    text = text.replace(
        "description: Test blueprint run by the script runner; stores a value as an SSM parameter, with a dry-run.",
        f"description: '{CANARY}'",
    )
    spec.write_text(text)
    with LiveServer(cloud_home) as server:
        server.container.catalog.publish(catalog, ROOT)
        secrets = {}
        for name, role in (("rita", Role.REQUESTER), ("alex", Role.APPROVER)):
            _, secrets[name] = server.container.tokens.create(name, role, ("payments",), False, timedelta(days=1), ROOT)
        yield server, secrets


def _shoot(page: object, name: str, into: Path) -> None:
    """Screenshots at 1280 and 390 px; at both the page is no wider than the window (wide tables scroll in a box)."""
    folder = SCREENSHOTS or into
    folder.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})  # type: ignore[attr-defined]
        wide = page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
        assert wide <= width, f"{name} is {wide} px wide at {width} px"
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)  # type: ignore[attr-defined]
    page.set_viewport_size({"width": 1280, "height": 900})  # type: ignore[attr-defined]


def _inert(page: object, secrets: dict[str, str]) -> None:
    assert page.evaluate("window.__pwned") is None  # type: ignore[attr-defined]
    # The canary is shown as text: no script element and no element with an onerror attribute came of it.
    assert page.evaluate("document.querySelectorAll('script, [onerror]').length") == 0  # type: ignore[attr-defined]
    html = page.content()  # type: ignore[attr-defined]
    for secret in secrets.values():
        assert secret not in html


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_request_review_approve_apply_and_audit_in_a_browser(
    live: tuple[LiveServer, dict[str, str]], tmp_path: Path
) -> None:
    shots = tmp_path / "screenshots"
    server, secrets = live
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            requester = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            requester.goto(f"{server.url}/catalog")
            assert requester.url.startswith(f"{server.url}/login")
            requester.keyboard.press("Tab")  # the first stop is the skip link, and it shows when focused
            assert requester.evaluate("document.activeElement.className") == "skip"
            assert requester.locator("a.skip").bounding_box()["x"] >= 0  # type: ignore[index]
            _shoot(requester, "login", shots)
            requester.fill("#token", secrets["rita"])
            requester.click("button[type=submit]")
            requester.fill("#q", "postgres")
            requester.click("form.filters button")
            _shoot(requester, "catalog", shots)
            _inert(requester, secrets)
            # Plain words: what they were understood as shows first; nothing is proposed here.
            requester.fill("#ask-words", "a queue for the payments service that keeps messages a week")
            requester.click("#ask-submit")
            requester.wait_for_selector("#understood")
            assert "retention_days" in requester.inner_text("#understood-inputs")
            _shoot(requester, "ask", shots)
            requester.goto(f"{server.url}/catalog?q=postgres")
            requester.click("a[href='/catalog/postgres']")
            requester.fill("#f-name", "pay-db")
            requester.fill("#in-vpc_id", "not-a-vpc")
            requester.fill("#in-subnet_ids", "subnet-a\nsubnet-b")
            requester.click("form.form button[type=submit]")
            error = requester.locator("#in-vpc_id-error")
            assert error.is_visible() and "vpc" in error.inner_text().lower()
            _shoot(requester, "blueprint-form-error", shots)

            requester.goto(f"{server.url}/catalog/canary")
            _inert(requester, secrets)
            requester.fill("#f-name", "pay-marker")
            requester.fill("#in-value", "hello")
            requester.select_option("#f-tier", "staging")  # a tier that needs a person to approve
            requester.fill("#f-justification", CANARY)
            requester.click("form.form button[type=submit]")
            requester.wait_for_url("**/proposals/p-*")
            requester.wait_for_selector("#status, .planning-ended", timeout=120_000)
            assert requester.locator("#status").count() == 1, requester.inner_text("main")
            proposal_url = requester.url
            assert requester.locator("#approve").count() == 0  # a requester never sees it
            _inert(requester, secrets)

            approver = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            approver.goto(f"{server.url}/login")
            approver.fill("#token", secrets["alex"])
            approver.click("button[type=submit]")
            approver.goto(proposal_url)
            assert "pending" in approver.inner_text("#status")
            body = approver.inner_text("main")
            for part in ("Decision:", "Findings", "Cost (monthly USD)", "Blast radius", "Diff", "Justification"):
                assert part in body, part
            _inert(approver, secrets)
            _shoot(approver, "proposal-review", shots)
            assert approver.locator("#approve").count() == 1, approver.inner_text("main")
            loads: list[str] = []
            approver.on("load", lambda page: loads.append(page.url))
            approver.click("#approve")
            # The apply's lines stream onto the page; when it ends the page shows `applied` by itself, once.
            playwright_api.expect(approver.locator("#status")).to_have_text("applied", timeout=180_000)
            assert len(loads) <= 2, loads  # the approve's answer and the one reload at the end, no polling
            assert "Last run" in approver.inner_text("main")
            _shoot(approver, "proposal-applied", shots)

            approver.goto(f"{server.url}/audit")
            assert "verified" in approver.inner_text("#chain")
            audit = approver.inner_text("main")
            assert "proposal.approved" in audit or "proposal.approve" in audit
            _inert(approver, secrets)
            _shoot(approver, "audit", shots)
            for name, path in (
                ("proposals", "/proposals"),
                ("environments", "/environments"),
                ("environment", "/environments/pay-marker"),
                ("dashboard", "/dashboard"),
            ):
                approver.goto(f"{server.url}{path}")
                _inert(approver, secrets)
                _shoot(approver, name, shots)
                if name == "environment":
                    assert approver.locator("svg.graph .node").count() == 1
        finally:
            browser.close()
