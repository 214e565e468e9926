"""SQLAlchemy table definitions. Schema changes go through Alembic migrations, never create_all."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy import Float as sa_Float
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["AuditEventRow", "AuditHeadRow", "Base", "BlobRow", "BlueprintDeprecationRow", "BlueprintVersionRow"]


class Base(DeclarativeBase):
    pass


class BlobRow(Base):
    """Content-addressed archives; the key is the digest of the content."""

    __tablename__ = "blobs"
    digest: Mapped[str] = mapped_column(String(80), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class _Published:
    """`name@version` bound to a content digest, who published it and when; inserted once, never updated."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(80), ForeignKey("blobs.digest"))
    manifest: Mapped[str] = mapped_column(Text)
    published_at: Mapped[str] = mapped_column(String(32))
    published_by: Mapped[str] = mapped_column(String(200))


class BlueprintVersionRow(_Published, Base):
    """A published `name@version`; rows are inserted once and never updated."""

    __tablename__ = "blueprint_versions"
    __table_args__ = (UniqueConstraint("name", "version", name="uq_blueprint_versions_name_version"),)


class BlueprintDeprecationRow(Base):
    """Deprecation is a fact recorded beside a version, so version rows stay untouched."""

    __tablename__ = "blueprint_deprecations"
    __table_args__ = (UniqueConstraint("name", "version", name="uq_blueprint_deprecations_name_version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(64))
    deprecated_at: Mapped[str] = mapped_column(String(32))
    deprecated_by: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text, default="")


class AuditEventRow(Base):
    """Append-only audit log; `sequence` and `previous_hash` are unique, so the chain cannot fork."""

    __tablename__ = "audit_events"
    sequence: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    time: Mapped[str] = mapped_column(String(32))
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100), index=True)
    subject: Mapped[str] = mapped_column(String(400), index=True)
    payload: Mapped[str] = mapped_column(Text)
    previous_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHeadRow(Base):
    """The single row naming the chain's last event; appenders lock it to serialize."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class EnvironmentRow(Base):
    """An environment's current record; its history is in revisions and the audit log."""

    __tablename__ = "environments"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    team: Mapped[str] = mapped_column(String(64))
    tier: Mapped[str] = mapped_column(String(32))
    owner: Mapped[str] = mapped_column(String(200))
    blueprint: Mapped[str] = mapped_column(String(200))
    target: Mapped[str] = mapped_column(String(16))
    ttl: Mapped[str | None] = mapped_column(String(16), nullable=True)
    status: Mapped[str] = mapped_column(String(32))
    error: Mapped[str] = mapped_column(Text, default="")
    current_revision: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))


class RevisionRow(Base):
    """One desired state of an environment (exact digests + inputs); numbered, kept forever."""

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("environment", "number", name="uq_revisions_environment_number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    environment: Mapped[str] = mapped_column(String(64), index=True)
    number: Mapped[int] = mapped_column(Integer)
    document: Mapped[str] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(200))


class ComponentRow(Base):
    """A component's last known condition; outputs are encrypted because some are secrets."""

    __tablename__ = "components"
    __table_args__ = (UniqueConstraint("environment", "name", name="uq_components_environment_name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    environment: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(64))
    blueprint: Mapped[str] = mapped_column(String(200))
    digest: Mapped[str] = mapped_column(String(80))
    runner: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(32))
    applied_fingerprint: Mapped[str] = mapped_column(String(80), default="")
    outputs: Mapped[bytes] = mapped_column(LargeBinary, default=b"")
    sensitive_outputs: Mapped[str] = mapped_column(Text, default="[]")
    depends_on: Mapped[str] = mapped_column(Text, default="[]")
    error: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[str] = mapped_column(String(32))


class EnvironmentDependencyRow(Base):
    """One read of another environment's output by an applied consumer (replaced at each of its applies)."""

    __tablename__ = "environment_dependencies"
    __table_args__ = (UniqueConstraint("consumer", "field", name="uq_environment_dependencies_consumer_field"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    consumer: Mapped[str] = mapped_column(String(64), index=True)
    producer: Mapped[str] = mapped_column(String(64), index=True)
    output: Mapped[str] = mapped_column(String(200))
    field: Mapped[str] = mapped_column(String(400))
    digest: Mapped[str] = mapped_column(String(80))
    value_type: Mapped[str] = mapped_column(String(16))
    revision: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[str] = mapped_column(String(32))


class StateVersionRow(Base):
    """Every Terraform state version ever written for a component, encrypted."""

    __tablename__ = "state_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    environment: Mapped[str] = mapped_column(String(64), index=True)
    component: Mapped[str] = mapped_column(String(64))
    serial: Mapped[int] = mapped_column(Integer)
    lineage: Mapped[str] = mapped_column(String(64))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[str] = mapped_column(String(32))


class LockRow(Base):
    """A lease-based lock; a holder that stops renewing loses it when the lease runs out."""

    __tablename__ = "locks"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    holder: Mapped[str] = mapped_column(Text)
    acquired_at: Mapped[str] = mapped_column(String(32))
    lease_expires: Mapped[float] = mapped_column(sa_Float)


class PolicyBundleRow(_Published, Base):
    """A published policy bundle version; like blueprint versions, never updated."""

    __tablename__ = "policy_bundles"
    __table_args__ = (UniqueConstraint("name", "version", name="uq_policy_bundles_name_version"),)


class ProposalRow(Base):
    """A proposal; `document` is its JSON (diff with secrets already masked), updated as it moves on."""

    __tablename__ = "proposals"
    __table_args__ = (Index("ix_proposals_created_at_id", "created_at", "id"),)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    environment: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))
    team: Mapped[str] = mapped_column(String(64), index=True, default="")
    expires_at: Mapped[str] = mapped_column(String(32), default="")
    document: Mapped[str] = mapped_column(Text)


class ProposalPlanRow(Base):
    """A component's saved plan, encrypted: plan files hold input values and sensitive attributes."""

    __tablename__ = "proposal_plans"
    proposal_id: Mapped[str] = mapped_column(String(40), ForeignKey("proposals.id"), primary_key=True)
    component: Mapped[str] = mapped_column(String(64), primary_key=True)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)


class ProposalPlanDocumentRow(Base):
    """A component's plan JSON (`terraform show -json`, sensitive values scrubbed), encrypted; read by policy replay."""

    __tablename__ = "proposal_plan_documents"
    proposal_id: Mapped[str] = mapped_column(String(40), ForeignKey("proposals.id"), primary_key=True)
    component: Mapped[str] = mapped_column(String(64), primary_key=True)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)


class PolicyReplayRow(Base):
    """One policy replay's report: what a bundle version would change, judged before it was published."""

    __tablename__ = "policy_replays"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(200))
    report: Mapped[str] = mapped_column(Text)


class ProposalApprovalRow(Base):
    """One person's approval of one plan digest; the unique key makes a person count once."""

    __tablename__ = "proposal_approvals"
    __table_args__ = (UniqueConstraint("proposal_id", "approver", "plan_digest", name="uq_proposal_approvals_once"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    proposal_id: Mapped[str] = mapped_column(String(40), ForeignKey("proposals.id"), index=True)
    approver: Mapped[str] = mapped_column(String(200))
    at: Mapped[str] = mapped_column(String(32))
    plan_digest: Mapped[str] = mapped_column(String(80))
    comment: Mapped[str] = mapped_column(Text)


class TokenRow(Base):
    """An API token: its name, role and teams, and a digest of the secret (never the secret)."""

    __tablename__ = "tokens"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    digest: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    teams: Mapped[str] = mapped_column(Text)
    agent: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    revoked_at: Mapped[str | None] = mapped_column(String(32), nullable=True)


class ComponentApplyRow(Base):
    """A component's apply under one proposal's approved plan started (and maybe finished): never twice."""

    __tablename__ = "component_applies"
    proposal_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    component: Mapped[str] = mapped_column(String(200), primary_key=True)
    plan_digest: Mapped[str] = mapped_column(String(80), primary_key=True)
    run_id: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[str] = mapped_column(String(32))
    finished_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    outcome: Mapped[str] = mapped_column(String(32), default="")
