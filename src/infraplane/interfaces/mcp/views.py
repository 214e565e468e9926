"""What agents read: catalog entries, environments and proposals as JSON-ready dicts (secrets masked)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from infraplane.core.catalog import PublishedVersion
from infraplane.core.proposal_lifecycle import OPEN_STATUSES, ProposalStatus
from infraplane.core.proposals import Proposal
from infraplane.core.records import ComponentRecord, EnvironmentRecord, RevisionRecord
from infraplane.core.search import SearchHit
from infraplane.core.versions import is_valid_version
from infraplane.errors import NotFoundError, Problem
from infraplane.interfaces.views import cost_delta_text, environment_detail
from infraplane.services.catalog import CatalogService

__all__ = [
    "BLUEPRINT_URI",
    "OPEN_STATUSES",
    "blueprint_detail",
    "blueprint_uri",
    "blueprint_version",
    "environment_view",
    "proposal_line",
    "proposal_view",
    "search_hit",
]

BLUEPRINT_URI = "infraplane://blueprints/{name}/{version}"


def blueprint_uri(version: PublishedVersion) -> str:
    return BLUEPRINT_URI.format(name=version.name, version=version.version)


def search_hit(hit: SearchHit) -> dict[str, Any]:
    meta = hit.blueprint.metadata
    return {
        "name": meta.name,
        "version": meta.version,
        "description": meta.description,
        "score": round(hit.score, 3),
        "labels": list(meta.labels),
        "runner": hit.blueprint.spec.runner,
    }


def blueprint_detail(version: PublishedVersion, versions: Sequence[PublishedVersion]) -> dict[str, Any]:
    """One version: its inputs as one JSON Schema (defaults, enums, patterns), outputs, compliance, siblings."""
    blueprint = version.blueprint
    spec = blueprint.spec
    return {
        "name": version.name,
        "version": version.version,
        "ref": version.ref,
        "uri": blueprint_uri(version),
        "digest": version.digest,
        "description": blueprint.metadata.description,
        "owner": blueprint.metadata.owner,
        "labels": list(blueprint.metadata.labels),
        "runner": spec.runner,
        "deprecated": version.deprecated,
        "inputs": blueprint.input_schema(),
        "required": list(spec.required),
        "sensitive_inputs": sorted(blueprint.sensitive_inputs()),
        "outputs": {n: {"description": o.description, "sensitive": o.sensitive} for n, o in spec.outputs.items()},
        "compliance": dict(spec.compliance),
        # Which input the advisors size or scale, and the metric behind it (None when not declared).
        "sizing": spec.sizing.model_dump(mode="json") if spec.sizing else None,
        "scaling": spec.scaling.model_dump(mode="json") if spec.scaling else None,
        "components": {n: c.blueprint for n, c in spec.components.items()},
        "versions": [{"version": v.version, "deprecated": v.deprecated} for v in versions],
    }


def environment_view(
    env: EnvironmentRecord,
    components: Sequence[ComponentRecord],
    revisions: Sequence[RevisionRecord],
    open_proposals: Sequence[dict[str, Any]],
) -> dict[str, Any]:
    """As `infraplane env show --json`, with the revisions and the proposals still open."""
    return {
        **environment_detail(env, components),
        "revisions": [
            {
                "number": r.number,
                "current": r.number == env.current_revision,
                "created_at": r.created_at,
                "created_by": r.created_by,
                "blueprint": r.document.get("blueprint"),
            }
            for r in revisions
        ],
        "open_proposals": list(open_proposals),
    }


def proposal_line(proposal: Proposal, missing: list[str]) -> dict[str, Any]:
    """A proposal in one line: enough to know it exists and what it waits for."""
    return {
        "id": proposal.id,
        "kind": proposal.kind,
        "status": proposal.status.value,
        "proposed_by": str(proposal.actor),
        "justification": proposal.justification,
        "created_at": proposal.created_at,
        "decision": proposal.decision.rule,
        "missing": missing,
    }


def _next_step(proposal: Proposal, missing: list[str]) -> str:
    pid = proposal.id
    if proposal.status == ProposalStatus.PENDING:
        return (
            f"{pid} waits for people: {'; '.join(missing)}. Nothing changes until a person approves it "
            f"(`infraplane proposal approve {pid}`) and applies it (`infraplane proposal apply {pid}`); "
            "agents cannot approve or apply. Tell the user the proposal id, what it changes, what it costs "
            "and who must approve it."
        )
    if proposal.status == ProposalStatus.APPROVED:
        return f"{pid} is approved; a person applies it with `infraplane proposal apply {pid}`."
    if proposal.status == ProposalStatus.BLOCKED:
        return f"{pid} is blocked by deny findings; fix what they say (explain_finding) and propose again."
    if proposal.status == ProposalStatus.APPLIED:
        revision = f" as revision {proposal.applied_revision}" if proposal.applied_revision else ""
        return f"{pid} was applied{revision}."
    return f"{pid} is {proposal.status}" + (f": {proposal.result}" if proposal.result else ".")


def proposal_view(proposal: Proposal, missing: list[str], plain_summary: str) -> dict[str, Any]:
    """Everything a reviewer reads: the plain-words summary, `Proposal.as_dict()`, what it still needs, what's next."""
    planned = [c for c in proposal.components if c.status in ("planned", "destroy")]
    return {
        "plain_summary": plain_summary,
        **proposal.as_dict(),
        "missing": missing,
        "summary": {
            "add": sum(c.add or 0 for c in planned),
            "change": sum(c.change or 0 for c in planned),
            "destroy": sum(c.destroy or 0 for c in planned),
            "monthly_cost_delta": proposal.cost.delta if proposal.cost else None,
            "monthly_cost": cost_delta_text(proposal.cost).removeprefix("cost: "),
            "deny_findings": len([f for f in proposal.findings if f.severity == "deny"]),
            "warn_findings": len([f for f in proposal.findings if f.severity == "warn"]),
        },
        "next": _next_step(proposal, missing),
    }


def blueprint_version(catalog: CatalogService, name: str, version: str | None) -> dict[str, Any]:
    """`blueprint_detail` of an exact version, a constraint (^1.0) or, without one, the newest."""
    versions = catalog.versions(name)
    wanted = (version or "").strip()
    if not is_valid_version(wanted):
        return blueprint_detail(catalog.resolve(f"{name}@{wanted}" if wanted else name), versions)
    exact = [v for v in versions if v.version == wanted]
    if not exact:
        known = ", ".join(v.version for v in versions)
        raise NotFoundError(
            f"{name}@{wanted} is not published (versions: {known})",
            [Problem("", "version", f"{wanted} is not published; use one of {known}")],
        )
    return blueprint_detail(exact[0], versions)
