"""Catalog pages: search and filter by label, one blueprint, and the request form its inputs generate."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from infraplane.core.blueprint import API_VERSION
from infraplane.core.identity import Action
from infraplane.errors import InputError
from infraplane.interfaces.api.deps import require
from infraplane.interfaces.api.routes_proposals import propose_document
from infraplane.interfaces.mcp.views import blueprint_version, search_hit
from infraplane.interfaces.web.app import CsrfForm, PageIdentity, PageRoute, render
from infraplane.interfaces.web.pages_ask import ask_box
from infraplane.interfaces.web.request_form import (
    META_FIELDS,
    another_teams,
    form_fields,
    parse_inputs,
    problems_by_field,
)

__all__ = ["router"]

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/catalog")
def catalog(request: Request, identity: PageIdentity, q: str = "", label: str = "") -> Response:
    container = request.app.state.container
    require(container, identity, Action.READ)
    q, label = q[:500], label[:100]
    latest = container.catalog.latest()
    labels = sorted({lab for v in latest for lab in v.blueprint.metadata.labels})
    if q.strip():
        rows = [search_hit(hit) for hit in container.catalog.search(q, 50)]
    else:
        rows = [
            {
                "name": v.name,
                "version": v.version,
                "description": v.blueprint.metadata.description,
                "labels": list(v.blueprint.metadata.labels),
                "runner": v.blueprint.spec.runner,
                "deprecated": v.deprecated,
            }
            for v in latest
        ]
    if label:
        rows = [row for row in rows if label in row["labels"]]
    context = {"rows": rows, "q": q, "label": label, "labels": labels, "box": ask_box(identity)}
    return render(request, "catalog.html", context)


def _used_by(request: Request, identity: Any, name: str) -> list[dict[str, str]]:
    container = request.app.state.container
    used = []
    for env, components in container.environments.environments():
        if not identity.sees(env.team):
            continue
        for c in components:
            if c.blueprint.split("@", 1)[0] == name and c.status != "destroyed":
                used.append({"environment": env.name, "component": c.name, "version": c.blueprint.partition("@")[2]})
    return used


def _blueprint_page(
    request: Request,
    identity: Any,
    name: str,
    version: str | None,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    other: list[str] | None = None,
    status: int = 200,
) -> Response:
    container = request.app.state.container
    detail = blueprint_version(container.catalog, name, version)
    fields = form_fields(detail["inputs"], detail["sensitive_inputs"])
    used_by = _used_by(request, identity, name)
    versions = [
        {
            "version": v.version,
            "digest": v.digest,
            "published": f"{v.published_at[:10]} by {v.published_by}",
            "deprecated": f"{(v.deprecated_at or '')[:10]} by {v.deprecated_by}" if v.deprecated else "",
            "current": v.version == detail["version"],
            "used_by": [u["environment"] for u in used_by if u["version"] == v.version],
        }
        for v in reversed(container.catalog.versions(name))
    ]
    teams = sorted(identity.teams)
    defaults = {f"in.{f.name}": f.default for f in fields} | {"team": teams[0] if teams else "", "tier": "dev"}
    context = {
        "bp": detail,
        "fields": fields,
        "values": {**defaults, **(values or {})},
        "errors": errors or {},
        "other_errors": other or [],
        "used_by": used_by,
        "versions": versions,
        "teams": teams,
    }
    return render(request, "blueprint.html", context, status)


@router.get("/catalog/{name}")
def blueprint(request: Request, identity: PageIdentity, name: str, version: str | None = None) -> Response:
    """The blueprint; its request form may come filled from the address (what the ask page understood)."""
    require(request.app.state.container, identity, Action.READ)
    filled = {k: v[:4000] for k, v in request.query_params.items() if k in META_FIELDS or k.startswith("in.")}
    return _blueprint_page(request, identity, name, version, filled)


@router.post("/catalog/{name}/request")
def request_environment(request: Request, identity: PageIdentity, name: str, form: CsrfForm) -> Response:
    """Propose a new environment from the form, through the same checks as `POST /api/v1/proposals`."""
    container = request.app.state.container
    require(container, identity, Action.PROPOSE)
    version = form.get("version") or None
    detail = blueprint_version(container.catalog, name, version)
    inputs, errors = parse_inputs(detail["inputs"], form)
    values = {k: v for k, v in form.items() if k.startswith("in.") or k in META_FIELDS}
    for key in ("name", "team", "tier"):
        if not form.get(key, "").strip():
            errors[key] = "required"
    if identity.agent and not form.get("justification", "").strip():
        errors["justification"] = "agents must say why they propose a change (a sentence or two)"
    if errors:
        keyed = {(k if k in META_FIELDS else f"in.{k}"): v for k, v in errors.items()}
        return _blueprint_page(request, identity, name, version, values, keyed, status=422)
    document = {
        "apiVersion": API_VERSION,
        "kind": "Environment",
        "metadata": {"name": form["name"].strip(), "team": form["team"].strip(), "tier": form["tier"].strip()},
        "spec": {"blueprint": f"{detail['name']}@{detail['version']}", "inputs": inputs},
    }
    try:
        proposal_id = propose_document(
            container, request.app.state.runs, identity, document, form.get("justification", "")
        )
    except InputError as exc:
        if another_teams(exc):
            raise  # another team's environment of that name: "not found", as the API says
        by_field, other = problems_by_field(list(exc.problems))
        return _blueprint_page(request, identity, name, version, values, by_field, other or [exc.message], 422)
    return RedirectResponse(f"/proposals/{proposal_id}", status_code=303)
