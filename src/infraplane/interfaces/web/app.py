"""Wiring of the web page: templates, static files, sign-in and sign-out, and how pages answer errors.

Pages call the same services and the same `authorize` checks as the API (interfaces/api/deps.py);
a page shows a button only when `can` says the API would accept it. Every POST carries a CSRF token.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from infraplane.core.identity import Action, Identity, authorize
from infraplane.errors import ForbiddenError, InfraplaneError, UnauthenticatedError
from infraplane.interfaces.container import Container
from infraplane.interfaces.web.session import CSRF_COOKIE, CSRF_FIELD, SESSION_COOKIE, Sessions, load_signing_key

__all__ = ["CsrfForm", "PageRoute", "install_web", "page_identity", "render", "web_routers"]

_HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(_HERE / "templates"))


class SignInNeeded(Exception):
    """The page needs a signed-in person; answered with a redirect to /login."""


class CsrfRefused(Exception):
    """A POST without this browser's CSRF token."""


def _sessions(request: Request) -> Sessions:
    sessions: Sessions = request.app.state.web_sessions
    return sessions


def _container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def _nonce(request: Request) -> str:
    """This browser's CSRF nonce (a new one is set on the response when it has none)."""
    nonce = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "csrf_nonce", None)
    if not nonce:
        nonce = Sessions.new_nonce()
    request.state.csrf_nonce = nonce
    return nonce


def page_identity(request: Request) -> Identity:
    """The signed-in identity, re-checked against the token store on every request."""
    sealed = _sessions(request).sealed_token(request.cookies.get(SESSION_COOKIE))
    if sealed is None:
        raise SignInNeeded()
    container = _container(request)
    try:
        secret = container.store.unseal(sealed).decode()
        identity = container.tokens.authenticate(secret)
    except (InfraplaneError, ValueError):
        raise SignInNeeded() from None
    request.state.identity = identity
    return identity


PageIdentity = Annotated[Identity, Depends(page_identity)]


async def _csrf_form(request: Request) -> dict[str, str]:
    form = await request.form()
    token = form.get(CSRF_FIELD)
    if not _sessions(request).csrf_valid(request.cookies.get(CSRF_COOKIE), token if isinstance(token, str) else None):
        raise CsrfRefused()
    return {key: value for key, value in form.items() if isinstance(value, str)}


CsrfForm = Annotated[dict[str, str], Depends(_csrf_form)]


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def render(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    """A page: the template with who is signed in, `can(action, team)` and this browser's CSRF token."""
    identity: Identity | None = getattr(request.state, "identity", None)

    def can(action: str, team: str | None = None) -> bool:
        return identity is not None and authorize(identity, Action(action), team).allowed

    nonce = _nonce(request)
    full = {"identity": identity, "can": can, "csrf": _sessions(request).csrf_token(nonce), **context}
    response = templates.TemplateResponse(request, template, full, status_code=status)
    if request.cookies.get(CSRF_COOKIE) != nonce:
        response.set_cookie(CSRF_COOKIE, nonce, httponly=True, samesite="strict", secure=_secure(request), path="/")
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'"
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def error_page(request: Request, status: int, message: str, problems: list[dict[str, str]] | None = None) -> Response:
    return render(request, "error.html", {"status": status, "message": message, "problems": problems or []}, status)


class PageRoute(APIRoute):
    """A route whose refusals and bad input are answered as a page (never a traceback, never JSON)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInNeeded:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
            except CsrfRefused:
                return error_page(request, 403, "the form had no valid CSRF token: reload the page and try again")
            except InfraplaneError as exc:
                if exc.http_status >= 500:
                    raise
                return error_page(request, exc.http_status, exc.message, [p.as_dict() for p in exc.problems])

        return page


def _safe_next(target: str) -> str:
    """Only a path of this site (no //host, no scheme): an open redirect would help phishing."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


auth = APIRouter(route_class=PageRoute, include_in_schema=False)


@auth.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", {"next": _safe_next(next), "error": ""})


@auth.post("/login")
def login(request: Request, form: CsrfForm) -> Response:
    """Sign in with a token; the session cookie carries it sealed. An agent's token may read and propose, no more."""
    container = _container(request)
    secret = form.get("token", "").strip()
    target = _safe_next(form.get("next", "/"))
    try:
        container.tokens.authenticate(secret)
    except (UnauthenticatedError, ForbiddenError):  # a worker token signs in nowhere
        return render(
            request,
            "login.html",
            {"next": target, "error": "that token is not valid (unknown, revoked or expired)"},
            401,
        )
    response = RedirectResponse(target, status_code=303)
    sealed = container.store.seal(secret.encode())
    secure = _secure(request)
    response.set_cookie(
        SESSION_COOKIE,
        _sessions(request).session_value(sealed),
        max_age=_sessions(request).max_age,
        httponly=True,
        samesite="strict",
        secure=secure,
        path="/",
    )
    # A new CSRF nonce on sign-in, so a token planted before cannot ride the new session.
    response.set_cookie(CSRF_COOKIE, Sessions.new_nonce(), httponly=True, samesite="strict", secure=secure, path="/")
    return response


@auth.post("/logout")
def logout(request: Request, form: CsrfForm) -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@auth.get("/")
def home(request: Request, identity: PageIdentity) -> Response:
    return RedirectResponse("/catalog", status_code=303)


def web_routers() -> tuple[APIRouter, ...]:
    """Every router of the web page, as `install_web` includes them (tests read the forms from here)."""
    from infraplane.interfaces.web import (
        live,
        pages_ask,
        pages_audit,
        pages_catalog,
        pages_environments,
        pages_proposals,
    )

    pages = (pages_catalog, pages_ask, pages_proposals, live, pages_environments, pages_audit)
    return (auth, *(module.router for module in pages))


def install_web(app: FastAPI, container: Container) -> None:
    """Serve the web page from `app`: `/login`, `/catalog`, `/ask`, `/proposals`, `/environments`, `/audit`, ..."""
    from infraplane.interfaces.web.live import event_lines

    templates.env.filters["lines"] = event_lines
    app.state.web_sessions = Sessions(load_signing_key(container.settings.home / "web-session.key"))
    app.mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static")
    for router in web_routers():
        app.include_router(router)
