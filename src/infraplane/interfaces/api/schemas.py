"""The API's request and response bodies, so the OpenAPI document says what each route takes and answers.

Responses are the same JSON the CLI's `--json` prints (interfaces/views.py, `Proposal.as_dict`); these
models name the fields clients rely on and let the rest through (`extra="allow"`), so the shapes are
written once, in the views, not again here.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ERRORS",
    "ApplyBody",
    "ApproveBody",
    "AuditEventOut",
    "AuditPage",
    "AuditVerifyOut",
    "BlueprintDetailOut",
    "BlueprintHitOut",
    "BlueprintSearchOut",
    "BundlePublishOut",
    "EnvironmentDetailOut",
    "EnvironmentSummaryOut",
    "ErrorBody",
    "GraphOut",
    "MeOut",
    "ProposalOut",
    "ProposalPage",
    "ProposalRequest",
    "ProposalSummaryOut",
    "PublishOut",
    "RejectBody",
    "ReplayOut",
    "RevisionOut",
    "RunAccepted",
    "StateVersionOut",
    "TokenCreated",
    "TokenOut",
    "TokenRequest",
]

MAX_TEXT = 4000


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(_Open):
    code: str
    message: str
    field: str = ""


class ErrorBody(BaseModel):
    """Every 4xx and 5xx: a stable code (the CLI's), a message, and the field at fault when there is one."""

    error: ErrorDetail


_ERROR_CASES = {
    401: "No token, or one that is unknown, revoked or expired",
    403: "The identity's role or kind does not allow it (refusals are audited)",
    404: "Unknown, or another team's",
    409: "Conflicts with the current state (not approved, being applied, immutable version, stale plan)",
    413: "The request body is over the limit",
    422: "Invalid input; `field` names the field",
}
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text} for status, text in _ERROR_CASES.items()
}


class MeOut(BaseModel):
    name: str
    role: Literal["worker", "viewer", "requester", "approver", "admin"]
    teams: list[str]
    agent: bool
    actor: str
    allowed: list[str] = Field(description="The actions this identity may take (on its teams' things).")


class BlueprintHitOut(_Open):
    name: str
    version: str
    description: str
    score: float
    labels: list[str]
    runner: str


class BlueprintSearchOut(BaseModel):
    query: str
    results: list[BlueprintHitOut]


class BlueprintDetailOut(_Open):
    name: str
    version: str
    digest: str
    runner: str
    inputs: dict[str, Any]
    versions: list[Any]


class PublishOut(BaseModel):
    published: list[dict[str, Any]]


class EnvironmentSummaryOut(_Open):
    name: str
    team: str
    tier: str
    status: str
    blueprint: str
    revision: int
    components: int


class EnvironmentDetailOut(_Open):
    name: str
    team: str
    tier: str
    status: str
    revision: int
    components: list[dict[str, Any]]


class GraphOut(BaseModel):
    environment: str
    nodes: list[dict[str, Any]]
    edges: list[dict[str, str]]


class RevisionOut(_Open):
    revision: int
    current: bool
    created_at: str
    created_by: str


class StateVersionOut(BaseModel):
    serial: int
    created_at: str


class ProposalSummaryOut(_Open):
    id: str
    environment: str
    team: str
    kind: str
    status: str
    tier: str
    actor: str
    created_at: str
    decision: str


class ProposalPage(BaseModel):
    items: list[ProposalSummaryOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class ProposalOut(_Open):
    plain_summary: str = Field(
        description="What the proposal does, in one paragraph made from its structured content (the same text "
        "every time; the audit trail records it with each decision)."
    )
    id: str
    environment: str
    team: str
    kind: str
    status: str
    diff: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    cost: dict[str, Any] | None
    blast_radius: dict[str, Any]
    decision: dict[str, Any]
    missing: list[str] = Field(description="What it still needs before it may be applied, in words.")


class ReplayOut(_Open):
    """A policy replay's report: what publishing the bundle would change, per environment and rule."""

    id: str
    bundle: dict[str, Any]
    replaces: dict[str, Any] | None
    environments: list[str]
    counts: dict[str, int]
    denied_environments: list[str] = Field(description="Running environments the bundle would newly deny.")
    changes: list[dict[str, Any]]


class BundlePublishOut(BaseModel):
    ref: str
    digest: str
    status: str
    replay: ReplayOut


class RunAccepted(BaseModel):
    """A plan or an apply was queued; its progress streams from `events`."""

    id: str
    run: Literal["plan", "apply"]
    status: str
    events: str
    existing: bool = Field(
        default=False, description="A drift revert already open: this is that proposal, and nothing was queued."
    )


class ProposalRequest(_Closed):
    """An environment document (as JSON), or plain words `ask` turns into one; and why."""

    environment: dict[str, Any] | None = Field(
        default=None, description="An Environment document (apiVersion, kind, metadata, spec) as JSON."
    )
    ask: str | None = Field(default=None, max_length=MAX_TEXT, description="What is wanted, in plain words.")
    justification: str = Field(default="", max_length=MAX_TEXT, description="Why the change is wanted.")
    team: str | None = Field(default=None, max_length=64, description="With `ask`: the owning team.")
    tier: str | None = Field(default=None, max_length=64, description="With `ask`: the tier.")


class ApproveBody(_Closed):
    comment: str = Field(default="", max_length=MAX_TEXT)
    apply: bool = Field(default=False, description="Also start the apply when this approval approves it.")


class RejectBody(_Closed):
    reason: str = Field(min_length=1, max_length=MAX_TEXT)


class ApplyBody(_Closed):
    pass


class AuditEventOut(_Open):
    sequence: int
    time: str
    action: str
    subject: str
    hash: str


class AuditPage(BaseModel):
    items: list[AuditEventOut]
    next_cursor: str | None


class AuditVerifyOut(BaseModel):
    verified: bool
    events: int
    head: str = Field(description="SEQUENCE:HASH of the newest event; note it to check later that nothing was cut.")
    broken_at: int | None = Field(default=None, description="The first broken event, when the chain is broken.")
    message: str = ""


class TokenOut(BaseModel):
    name: str
    role: Literal["worker", "viewer", "requester", "approver", "admin"]
    teams: list[str]
    agent: bool
    created_at: str
    created_by: str
    expires_at: str | None
    revoked_at: str | None
    state: Literal["active", "revoked", "expired"]


class TokenCreated(TokenOut):
    token: str = Field(description="The secret: shown in this answer only; the store keeps a digest.")


class TokenRequest(_Closed):
    name: str = Field(max_length=64, description="Who holds it: a person, a team's bot, an agent.")
    role: Literal["worker", "viewer", "requester", "approver", "admin"]
    teams: list[str] = Field(default_factory=list, max_length=100)
    agent: bool = Field(default=False, description="An AI agent: never approves, rejects or applies.")
    expires: str | None = Field(default=None, max_length=16, description="Lifetime such as 12h, 30d or 2w.")


class DriftCheckOut(BaseModel):
    """The environment's last drift check as the audit trail recorded it (None: never checked)."""

    environment: str
    checked_at: str | None
    actor: str | None
    summary: dict[str, Any] | None


class DriftRevertBody(_Closed):
    justification: str = Field(default="", max_length=MAX_TEXT, description="Why; required from agents.")


class DriftAcceptBody(_Closed):
    component: str | None = Field(default=None, max_length=100, description="Only this component's drift.")
    justification: str = Field(default="", max_length=MAX_TEXT, description="Why; required from agents.")


class UnmanagedOut(BaseModel):
    id: str
    type: str
    terraform_type: str
    import_id: str
    region: str
    name: str
    tags: dict[str, str]
    managed_by: str | None


class UnmanagedPage(BaseModel):
    """The server's last scan for unmanaged resources (None and empty: no scan yet)."""

    scanned_at: str | None
    scanned_by: str | None
    count: int = Field(description="How many it found (`items` holds at most 500 of them).")
    items: list[UnmanagedOut]
    problems: list[str] = Field(description="Types or regions the inventory could not list.")


class KpiOut(_Open):
    """The KPIs over the window (docs/kpi.md has every formula)."""

    since: str
    until: str
    drift: dict[str, Any]
    policy: dict[str, Any]
    approval_lead_time: dict[str, Any]
    dora: dict[str, Any]
