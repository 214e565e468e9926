"""Proposals, their encrypted saved plans and plan documents, and their approvals, in SQL."""

from __future__ import annotations

import json
from collections.abc import Mapping

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session

from infraplane.adapters.secrets import SecretBox
from infraplane.adapters.store.tables import (
    ComponentApplyRow,
    ProposalApprovalRow,
    ProposalPlanDocumentRow,
    ProposalPlanRow,
    ProposalRow,
)
from infraplane.core.approval import Approval
from infraplane.core.ports import ProposalQuery
from infraplane.core.proposals import Proposal
from infraplane.core.records import ComponentApply

__all__ = ["SqlProposalRepository"]


class SqlProposalRepository:
    def __init__(self, session: Session, box: SecretBox) -> None:
        self._session = session
        self._box = box

    def _approvals(self, proposal_ids: list[str]) -> dict[str, tuple[Approval, ...]]:
        """Every approval of these proposals, in one query."""
        query = (
            select(ProposalApprovalRow)
            .where(ProposalApprovalRow.proposal_id.in_(proposal_ids))
            .order_by(ProposalApprovalRow.id)
        )
        found: dict[str, list[Approval]] = {}
        for r in self._session.execute(query).scalars():
            found.setdefault(r.proposal_id, []).append(Approval(r.approver, r.at, r.plan_digest, r.comment))
        return {k: tuple(v) for k, v in found.items()}

    def _proposals(self, rows: list[ProposalRow]) -> list[Proposal]:
        approvals = self._approvals([row.id for row in rows]) if rows else {}
        return [Proposal.from_stored(json.loads(row.document), approvals.get(row.id, ())) for row in rows]

    def get(self, proposal_id: str) -> Proposal | None:
        row = self._session.get(ProposalRow, proposal_id)
        return self._proposals([row])[0] if row else None

    def lock(self, proposal_id: str) -> Proposal | None:
        """The proposal, its row locked until the transaction ends (PostgreSQL; SQLite locks the database)."""
        query = select(ProposalRow).where(ProposalRow.id == proposal_id).with_for_update()
        row = self._session.execute(query).scalar_one_or_none()
        return self._proposals([row])[0] if row else None

    def all(self, environment: str | None = None) -> list[Proposal]:
        query = select(ProposalRow).order_by(ProposalRow.created_at, ProposalRow.id)
        if environment is not None:
            query = query.where(ProposalRow.environment == environment)
        return self._proposals(list(self._session.execute(query).scalars()))

    def find(self, query: ProposalQuery, limit: int | None = None) -> list[Proposal]:
        found = select(ProposalRow).order_by(ProposalRow.created_at, ProposalRow.id)
        if query.environment is not None:
            found = found.where(ProposalRow.environment == query.environment)
        if query.statuses is not None:
            found = found.where(ProposalRow.status.in_(sorted(query.statuses)))
        if query.kind is not None:
            found = found.where(ProposalRow.kind == query.kind)
        if query.teams is not None:
            found = found.where(ProposalRow.team.in_(sorted(query.teams)))
        if query.expires_by is not None:
            found = found.where(ProposalRow.expires_at <= query.expires_by)
        if query.after is not None:
            created_at, proposal_id = query.after
            found = found.where(
                or_(
                    ProposalRow.created_at > created_at,
                    and_(ProposalRow.created_at == created_at, ProposalRow.id > proposal_id),
                )
            )
        if limit is not None:
            found = found.limit(limit)
        return self._proposals(list(self._session.execute(found).scalars()))

    def save(self, proposal: Proposal) -> None:
        row = self._session.get(ProposalRow, proposal.id)
        if row is None:
            row = ProposalRow(id=proposal.id, environment=proposal.environment, created_at=proposal.created_at)
            self._session.add(row)
        row.kind = proposal.kind
        row.status = proposal.status.value
        row.updated_at = proposal.updated_at or proposal.created_at
        row.team = proposal.team
        row.expires_at = proposal.expires_at
        row.document = json.dumps(proposal.stored(), sort_keys=True)
        self._session.flush()

    def put_plans(self, proposal_id: str, plans: Mapping[str, bytes]) -> None:
        """Replace the proposal's saved plans (a re-plan replaces them all)."""
        self._session.execute(delete(ProposalPlanRow).where(ProposalPlanRow.proposal_id == proposal_id))
        for component, content in plans.items():
            self._session.add(
                ProposalPlanRow(proposal_id=proposal_id, component=component, ciphertext=self._box.encrypt(content))
            )
        self._session.flush()

    def plans(self, proposal_id: str) -> dict[str, bytes]:
        query = select(ProposalPlanRow).where(ProposalPlanRow.proposal_id == proposal_id)
        return {r.component: self._box.decrypt(r.ciphertext) for r in self._session.execute(query).scalars()}

    def put_plan_documents(self, proposal_id: str, documents: Mapping[str, bytes]) -> None:
        """Replace the proposal's plan JSON documents (a re-plan replaces them all)."""
        self._session.execute(delete(ProposalPlanDocumentRow).where(ProposalPlanDocumentRow.proposal_id == proposal_id))
        for component, content in documents.items():
            self._session.add(
                ProposalPlanDocumentRow(
                    proposal_id=proposal_id, component=component, ciphertext=self._box.encrypt(content)
                )
            )
        self._session.flush()

    def plan_documents(self, proposal_id: str) -> dict[str, bytes]:
        query = select(ProposalPlanDocumentRow).where(ProposalPlanDocumentRow.proposal_id == proposal_id)
        return {r.component: self._box.decrypt(r.ciphertext) for r in self._session.execute(query).scalars()}

    def add_approval(self, proposal_id: str, approval: Approval) -> None:
        self._session.add(
            ProposalApprovalRow(
                proposal_id=proposal_id,
                approver=approval.approver,
                at=approval.at,
                plan_digest=approval.plan_digest,
                comment=approval.comment,
            )
        )
        self._session.flush()

    # -- the idempotency record of component applies ------------------------------------------

    def claim_apply(self, claim: ComponentApply) -> ComponentApply | None:
        key = (claim.proposal_id, claim.component, claim.plan_digest)
        existing = self._session.get(ComponentApplyRow, key, with_for_update=True)
        if existing is not None:
            return _apply(existing)
        # Two runs claiming at once: the primary key lets one insert; the other fails and its run ends.
        self._session.add(
            ComponentApplyRow(
                proposal_id=claim.proposal_id,
                component=claim.component,
                plan_digest=claim.plan_digest,
                run_id=claim.run_id,
                started_at=claim.started_at,
                finished_at=None,
                outcome="",
            )
        )
        self._session.flush()
        return None

    def finish_apply(self, claim: ComponentApply) -> None:
        row = self._session.get(ComponentApplyRow, (claim.proposal_id, claim.component, claim.plan_digest))
        if row is not None:
            row.finished_at = claim.finished_at
            row.outcome = claim.outcome
            self._session.flush()

    def applies(self, proposal_id: str) -> list[ComponentApply]:
        query = (
            select(ComponentApplyRow)
            .where(ComponentApplyRow.proposal_id == proposal_id)
            .order_by(ComponentApplyRow.started_at)
        )
        return [_apply(row) for row in self._session.execute(query).scalars()]


def _apply(row: ComponentApplyRow) -> ComponentApply:
    return ComponentApply(
        row.proposal_id, row.component, row.plan_digest, row.run_id, row.started_at, row.finished_at, row.outcome
    )
