"""Destroying one component: the runner's destroy, then its record and audit events."""

from __future__ import annotations

import time
from dataclasses import replace

from infraplane.core.audit import utc_timestamp
from infraplane.core.ports import Store
from infraplane.core.records import ComponentRecord
from infraplane.core.runs import Target
from infraplane.errors import InfraplaneError
from infraplane.services.audit import record
from infraplane.services.catalog import CatalogService
from infraplane.services.orchestration.session import RunSession, component_lock

__all__ = ["destroy_component"]


def destroy_component(
    store: Store, catalog: CatalogService, session: RunSession, component: ComponentRecord, target: Target
) -> None:
    """Destroy one component and record it; its record is kept, marked destroyed."""
    environment, name = component.environment, component.name
    started = time.monotonic()
    session.progress.component(name, status="destroying", started=started)
    published = catalog.get(component.blueprint)
    session.leases.acquire(component_lock(environment, name))
    request = session.request(
        environment, name, published.blueprint, component.digest, component.inputs, component.context, target
    )
    session.recover(request)
    with store.transaction() as tx:
        record(
            tx,
            session.actor,
            "component.destroy.start",
            f"component:{environment}/{name}",
            {"blueprint": component.blueprint},
        )
    try:
        session.runner(component.runner).destroy(request, session.on_event(environment, name))
    except InfraplaneError as exc:
        with store.transaction() as tx:
            tx.environments.save_component(
                replace(component, status="failed", error=exc.message, updated_at=utc_timestamp())
            )
            record(
                tx,
                session.actor,
                "component.destroy.fail",
                f"component:{environment}/{name}",
                {"error": exc.message},
            )
        session.progress.component(name, status="failed", note=exc.message)
        raise
    with store.transaction() as tx:
        tx.environments.save_component(
            replace(
                component,
                status="destroyed",
                outputs={},
                applied_fingerprint="",
                error="",
                updated_at=utc_timestamp(),
            )
        )
        record(
            tx,
            session.actor,
            "component.destroy.finish",
            f"component:{environment}/{name}",
            {"seconds": round(time.monotonic() - started, 1)},
        )
    session.progress.component(name, status="destroyed")
