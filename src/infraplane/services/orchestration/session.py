"""One orchestration command's working set: its leases, the Terraform state server, runners, requests."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from infraplane.core.audit import Actor, utc_timestamp
from infraplane.core.blueprint import Blueprint
from infraplane.core.ports import Runner, StateBackendFactory, StateCallbacks, Store
from infraplane.core.records import StateVersion
from infraplane.core.runs import RunEvent, RunRequest, Target
from infraplane.core.state import StateFormatError, TerraformState, parse_state
from infraplane.errors import FailureError
from infraplane.services.audit import record
from infraplane.services.locks import LeaseManager
from infraplane.services.orchestration.progress import Progress

__all__ = ["RunSession", "component_lock", "environment_lock"]

ERRORED_STATE = "errored.tfstate"


def environment_lock(environment: str) -> str:
    return f"environment:{environment}"


def component_lock(environment: str, component: str) -> str:
    return f"component:{environment}/{component}"


class RunSession:
    """Leases + a loopback state server for the lifetime of one plan/up/destroy command."""

    def __init__(
        self,
        store: Store,
        runners: Mapping[str, Runner],
        work_dir: Path,
        actor: Actor,
        lease_seconds: float,
        progress: Progress,
        archive_for: Callable[[str], bytes],
        state_backend: StateBackendFactory,
        patient: bool = False,
        live_wait: float = 0.0,
    ) -> None:
        self.store = store
        self.runners = runners
        self.work_dir = work_dir
        self.actor = actor
        self.progress = progress
        self.run_id = uuid.uuid4().hex[:12]
        self.leases = LeaseManager(
            store, self.run_id, actor, lease_seconds, progress.message, patient=patient, live_wait=live_wait
        )
        self._archive_for = archive_for
        self._state_server = state_backend(
            StateCallbacks(self._read_state, self._write_state, self._holds, self.run_id)
        )

    def __enter__(self) -> RunSession:
        self._state_server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.leases.release_all()
        finally:
            self._state_server.__exit__(*exc)

    # -- the state backend ---------------------------------------------------------------------

    def _holds(self, environment: str, component: str) -> bool:
        return self.leases.holds(component_lock(environment, component))

    def _read_state(self, environment: str, component: str) -> bytes | None:
        with self.store.transaction() as tx:
            latest = tx.environments.latest_state(environment, component)
        return latest.content if latest else None

    def _write_state(self, environment: str, component: str, content: bytes, state: TerraformState) -> None:
        version = StateVersion(environment, component, state.serial, state.lineage, content, utc_timestamp())
        with self.store.transaction() as tx:
            tx.environments.add_state(version)
            record(
                tx,
                self.actor,
                "state.write",
                f"component:{environment}/{component}",
                {"serial": version.serial, "lineage": version.lineage, "run": self.run_id},
            )

    def recover_errored_state(self, environment: str, component: str, module_dir: Path) -> None:
        """Import the `errored.tfstate` a Terraform left when it could not reach a dead run's backend."""
        errored = module_dir / ERRORED_STATE
        if not errored.is_file():
            return
        content = errored.read_bytes()
        try:
            state = parse_state(content)
        except StateFormatError as exc:
            raise FailureError(f"{component}: {errored} is not a Terraform state ({exc}); move it away") from None
        with self.store.transaction() as tx:
            latest = tx.environments.latest_state(environment, component)
        newer = latest is None or (state.lineage == latest.lineage and state.serial >= latest.serial)
        if newer:
            self._write_state(environment, component, content, state)
            with self.store.transaction() as tx:
                record(
                    tx,
                    self.actor,
                    "state.recover",
                    f"component:{environment}/{component}",
                    {"serial": state.serial},
                )
            self.progress.message(f"{component}: recovered the state an interrupted run left (serial {state.serial})")
        errored.rename(module_dir / f"{ERRORED_STATE}.recovered-{int(time.time())}")

    def recover(self, request: RunRequest) -> None:
        """Before a Terraform component runs: import any state an interrupted run left behind."""
        if request.blueprint.spec.runner == "terraform":
            module = request.workdir / "blueprint" / (request.blueprint.spec.source or ".")
            self.recover_errored_state(request.environment, request.component, module)

    # -- requests ------------------------------------------------------------------------------

    def runner(self, kind: str) -> Runner:
        try:
            return self.runners[kind]
        except KeyError:
            raise FailureError(f"no runner for {kind!r} blueprints") from None

    def request(
        self,
        environment: str,
        component: str,
        blueprint: Blueprint,
        digest: str,
        inputs: Mapping[str, Any],
        context: Mapping[str, str],
        target: Target,
    ) -> RunRequest:
        return RunRequest(
            environment=environment,
            component=component,
            blueprint=blueprint,
            archive=self._archive_for(digest),
            digest=digest,
            workdir=self.work_dir / environment / component,
            inputs=inputs,
            context=context,
            target=target,
            backend=self._state_server.backend_environment(environment, component),
        )

    def on_event(self, environment: str, component: str) -> Callable[[RunEvent], None]:
        """Forward runner events to the progress display; remember tool pids under the lease."""

        def handle(event: RunEvent) -> None:
            if event.kind == "tool-started" and event.pid is not None:
                self.leases.set_child(component_lock(environment, component), event.pid)
            self.progress.event(event)

        return handle
