"""Asking in plain words: `/ask?words=...` shows what `ask` understood (or its question back), then proposes it.

Two steps, so nobody proposes something they have not seen: the GET resolves the words (as
`infraplane ask --dry-run` does) and shows the blueprint, version, environment name, team, tier and
inputs; the form on that page proposes exactly that (POST, CSRF, through `propose_document` like the
API and the request form). Both steps need the requester role; a name or team the caller may not
use is refused by the same checks as everywhere.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from infraplane.core.ask import AskResolution, Clarification
from infraplane.core.identity import Action, Identity
from infraplane.core.versions import is_valid_version
from infraplane.errors import InputError
from infraplane.interfaces.api.deps import require
from infraplane.interfaces.api.routes_proposals import propose_document, resolve_ask
from infraplane.interfaces.web.app import CsrfForm, PageIdentity, PageRoute, render
from infraplane.interfaces.web.request_form import another_teams, problems_by_field
from infraplane.services.ask.service import ClarificationNeeded

__all__ = ["ask_box", "router"]

router = APIRouter(route_class=PageRoute, include_in_schema=False)

MAX_WORDS = 2000
TIERS = ("dev", "staging", "prod")


def ask_box(identity: Identity, words: str = "", team: str = "", tier: str = "") -> dict[str, Any]:
    """What the plain-words box (`ask_box.html`, on the catalog and the ask page) shows."""
    return {"words": words, "team": team, "tier": tier, "teams": sorted(identity.teams), "tiers": TIERS}


def _options(request: Request, clarification: Clarification, words: str, team: str) -> list[dict[str, str]]:
    """The question's options, each with what to do: a blueprint to open, a tier to ask with, an input to say."""
    catalog = {v.name for v in request.app.state.container.catalog.latest()}
    shown = []
    for option in clarification.options:
        entry = {"value": option.value, "description": option.description, "href": "", "hint": ""}
        if option.value in catalog:
            entry["href"] = f"/catalog/{option.value}"
            entry["hint"] = "open its request form"
        elif option.value in TIERS:
            entry["href"] = "/ask?" + urlencode({"words": words, "team": team, "tier": option.value})
            entry["hint"] = f"ask again for {option.value}"
        elif option.value == "--team":
            entry["hint"] = "choose the team above"
        else:
            entry["hint"] = f"add {option.value}=... to your words"
        shown.append(entry)
    return shown


def _form_link(asked: AskResolution, sensitive: set[str]) -> str:
    """The blueprint's request form filled with what was understood, for changing more than the words say."""
    query = {"version": asked.version, "name": asked.name, "team": asked.team, "tier": asked.tier}
    for key, value in asked.inputs.items():
        if key not in sensitive:
            query[f"in.{key}"] = "\n".join(map(str, value)) if isinstance(value, list) else _text(value)
    return f"/catalog/{asked.blueprint}?{urlencode(query)}#request"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)


def _ask_page(
    request: Request,
    identity: Identity,
    words: str,
    team: str,
    tier: str,
    asked: AskResolution | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> Response:
    container = request.app.state.container
    context: dict[str, Any] = {
        "words": words,
        "box": ask_box(identity, words, team, tier),
        "errors": errors or [],
        "question": None,
        "asked": None,
    }
    if asked is None and words.strip() and not errors:
        try:
            asked = resolve_ask(container, identity, words, team or None, tier or None)
        except ClarificationNeeded as exc:
            options = _options(request, exc.clarification, words, team)
            context["question"] = {"text": exc.clarification.question, "options": options}
            return render(request, "ask.html", context)
        except InputError as exc:
            context["errors"] = [exc.message]
            return render(request, "ask.html", context, 422)
    if asked is not None:
        version = container.catalog.resolve(f"{asked.blueprint}@{asked.version}")
        schema = version.blueprint.input_schema().get("properties", {})
        sensitive = set(version.blueprint.sensitive_inputs())
        context["asked"] = {
            **asked.as_dict(),
            "document": asked.environment_document(),
            "inputs_json": json.dumps(dict(asked.inputs), sort_keys=True),
            "defaults": {k: _text(v["default"]) for k, v in schema.items() if "default" in v and k not in asked.inputs},
            "sensitive": sensitive,
            "notes": list(asked.notes),
            "resolver": asked.resolver,
            "allowed": identity.sees(asked.team),
            "form_link": _form_link(asked, sensitive),
        }
    return render(request, "ask.html", context, status)


@router.get("/ask")
def ask(request: Request, identity: PageIdentity, words: str = "", team: str = "", tier: str = "") -> Response:
    """What the words resolve to, or the question back with its options; proposes nothing."""
    require(request.app.state.container, identity, Action.PROPOSE)
    return _ask_page(request, identity, words[:MAX_WORDS], team[:64].strip(), tier[:64].strip())


def _resolution(form: dict[str, str]) -> AskResolution:
    """What the page showed, as the form sends it back; every value is checked again when it is proposed."""
    blueprint, _, version = form.get("blueprint", "").partition("@")
    try:
        inputs = json.loads(form.get("inputs", "{}") or "{}")
    except ValueError:
        inputs = None
    if not blueprint or not is_valid_version(version) or not isinstance(inputs, dict):
        raise InputError("the form does not hold what was understood: ask again", [])
    return AskResolution(
        blueprint,
        version,
        form.get("name", "").strip(),
        form.get("team", "").strip(),
        form.get("tier", "").strip(),
        inputs,
    )


@router.post("/ask")
def propose_asked(request: Request, identity: PageIdentity, form: CsrfForm) -> Response:
    """Propose what the ask page showed (as `POST /api/v1/proposals` with the document it resolved to)."""
    container = request.app.state.container
    require(container, identity, Action.PROPOSE)
    words = form.get("words", "")[:MAX_WORDS]
    asked = _resolution(form)
    justification = form.get("justification", "").strip()[:2000]
    if identity.agent and not justification:
        errors = ["agents must say why they propose a change (a sentence or two)"]
        return _ask_page(request, identity, words, asked.team, asked.tier, asked, errors, 422)
    try:
        proposal_id = propose_document(
            container, request.app.state.runs, identity, asked.environment_document(), justification
        )
    except InputError as exc:
        if another_teams(exc):
            raise  # another team's environment of that name: "not found", as the API says
        by_field, other = problems_by_field(list(exc.problems))
        errors = [f"{key.removeprefix('in.')}: {reason}" for key, reason in by_field.items()] + other
        return _ask_page(request, identity, words, asked.team, asked.tier, asked, errors or [exc.message], 422)
    return RedirectResponse(f"/proposals/{proposal_id}", status_code=303)
