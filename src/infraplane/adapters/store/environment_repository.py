"""Environments, components, revisions and encrypted state versions in SQL."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session

from infraplane.adapters.secrets import SecretBox
from infraplane.adapters.store.tables import (
    ComponentRow,
    EnvironmentDependencyRow,
    EnvironmentRow,
    RevisionRow,
    StateVersionRow,
)
from infraplane.core.records import ComponentRecord, EnvironmentRecord, RevisionRecord, StateVersion
from infraplane.core.upstream import Dependency, UpstreamRead

__all__ = ["SqlEnvironmentRepository"]


class SqlEnvironmentRepository:
    def __init__(self, session: Session, box: SecretBox) -> None:
        self._session = session
        self._box = box

    # -- environments --------------------------------------------------------------------------

    def get(self, name: str) -> EnvironmentRecord | None:
        row = self._session.get(EnvironmentRow, name)
        return _environment(row) if row else None

    def all(self) -> list[EnvironmentRecord]:
        rows = self._session.execute(select(EnvironmentRow).order_by(EnvironmentRow.name)).scalars()
        return [_environment(row) for row in rows]

    def save(self, record: EnvironmentRecord) -> None:
        self._session.merge(EnvironmentRow(**asdict(record)))
        self._session.flush()

    # -- components ----------------------------------------------------------------------------

    def _component_row(self, environment: str, name: str) -> ComponentRow | None:
        query = select(ComponentRow).where(ComponentRow.environment == environment, ComponentRow.name == name)
        return self._session.execute(query).scalar_one_or_none()

    def components(self, environment: str) -> list[ComponentRecord]:
        query = select(ComponentRow).where(ComponentRow.environment == environment).order_by(ComponentRow.id)
        return [self._component(row) for row in self._session.execute(query).scalars()]

    def save_component(self, record: ComponentRecord) -> None:
        row = self._component_row(record.environment, record.name) or ComponentRow(
            environment=record.environment, name=record.name
        )
        row.blueprint = record.blueprint
        row.digest = record.digest
        row.runner = record.runner
        row.status = record.status
        row.applied_fingerprint = record.applied_fingerprint
        # Inputs, context and outputs travel together, encrypted: any of them may hold a secret.
        secret = {"inputs": dict(record.inputs), "context": dict(record.context), "outputs": dict(record.outputs)}
        row.outputs = self._box.encrypt(json.dumps(secret, sort_keys=True).encode("utf-8"))
        row.sensitive_outputs = json.dumps(sorted(record.sensitive_outputs))
        row.depends_on = json.dumps(list(record.depends_on))
        row.error = record.error
        row.updated_at = record.updated_at
        self._session.add(row)
        self._session.flush()

    def delete_component(self, environment: str, name: str) -> None:
        self._session.execute(
            delete(ComponentRow).where(ComponentRow.environment == environment, ComponentRow.name == name)
        )

    def _component(self, row: ComponentRow) -> ComponentRecord:
        secret = json.loads(self._box.decrypt(row.outputs)) if row.outputs else {}
        return ComponentRecord(
            environment=row.environment,
            name=row.name,
            blueprint=row.blueprint,
            digest=row.digest,
            runner=row.runner,
            status=row.status,  # type: ignore[arg-type]
            applied_fingerprint=row.applied_fingerprint,
            inputs=secret.get("inputs", {}),
            context=secret.get("context", {}),
            outputs=secret.get("outputs", {}),
            sensitive_outputs=frozenset(json.loads(row.sensitive_outputs)),
            depends_on=tuple(json.loads(row.depends_on)),
            error=row.error,
            updated_at=row.updated_at,
        )

    # -- revisions -----------------------------------------------------------------------------

    def add_revision(self, record: RevisionRecord) -> None:
        self._session.add(
            RevisionRow(
                environment=record.environment,
                number=record.number,
                document=json.dumps(dict(record.document), sort_keys=True),
                created_at=record.created_at,
                created_by=record.created_by,
            )
        )
        self._session.flush()

    def revisions(self, environment: str) -> list[RevisionRecord]:
        query = select(RevisionRow).where(RevisionRow.environment == environment).order_by(RevisionRow.number)
        return [
            RevisionRecord(row.environment, row.number, json.loads(row.document), row.created_at, row.created_by)
            for row in self._session.execute(query).scalars()
        ]

    # -- dependencies between environments -------------------------------------------------------

    def set_dependencies(self, consumer: str, dependencies: Sequence[Dependency]) -> None:
        self._session.execute(delete(EnvironmentDependencyRow).where(EnvironmentDependencyRow.consumer == consumer))
        self._session.flush()
        for dependency in dependencies:
            read = dependency.read
            self._session.add(
                EnvironmentDependencyRow(
                    consumer=consumer,
                    producer=read.environment,
                    output=read.output,
                    field=read.field,
                    digest=read.digest,
                    value_type=read.type,
                    revision=dependency.revision,
                    recorded_at=dependency.recorded_at,
                )
            )
        self._session.flush()

    def dependencies(self, consumer: str) -> list[Dependency]:
        return self._dependencies(EnvironmentDependencyRow.consumer == consumer)

    def dependents(self, producer: str) -> list[Dependency]:
        return self._dependencies(EnvironmentDependencyRow.producer == producer)

    def _dependencies(self, where: ColumnElement[bool]) -> list[Dependency]:
        query = select(EnvironmentDependencyRow).where(where).order_by(EnvironmentDependencyRow.id)
        return [_dependency(row) for row in self._session.execute(query).scalars()]

    # -- Terraform state -----------------------------------------------------------------------

    def add_state(self, version: StateVersion) -> None:
        self._session.add(
            StateVersionRow(
                environment=version.environment,
                component=version.component,
                serial=version.serial,
                lineage=version.lineage,
                ciphertext=self._box.encrypt(version.content),
                created_at=version.created_at,
            )
        )
        self._session.flush()

    def _states(self, environment: str, component: str) -> list[StateVersionRow]:
        query = (
            select(StateVersionRow)
            .where(StateVersionRow.environment == environment, StateVersionRow.component == component)
            .order_by(StateVersionRow.id)
        )
        return list(self._session.execute(query).scalars())

    def latest_state(self, environment: str, component: str) -> StateVersion | None:
        rows = self._states(environment, component)
        return self._state(rows[-1]) if rows else None

    def state_history(self, environment: str, component: str) -> list[StateVersion]:
        return [self._state(row) for row in self._states(environment, component)]

    def _state(self, row: StateVersionRow) -> StateVersion:
        return StateVersion(
            row.environment, row.component, row.serial, row.lineage, self._box.decrypt(row.ciphertext), row.created_at
        )


def _dependency(row: EnvironmentDependencyRow) -> Dependency:
    read = UpstreamRead(row.field, row.producer, row.output, row.digest, row.value_type)
    return Dependency(row.consumer, read, row.revision, row.recorded_at)


def _environment(row: EnvironmentRow) -> EnvironmentRecord:
    return EnvironmentRecord(
        name=row.name,
        team=row.team,
        tier=row.tier,
        owner=row.owner,
        blueprint=row.blueprint,
        target=row.target,
        ttl=row.ttl,
        status=row.status,  # type: ignore[arg-type]
        error=row.error,
        current_revision=row.current_revision,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
