"""The script runner: a blueprint's own commands, with inputs in a JSON file and the environment.

A script blueprint declares `spec.script.apply` and optionally `plan` (a dry run)
and `destroy`. Commands run with `sh -c` in the blueprint's source directory and get
`INFRAPLANE_INPUTS_FILE`, `INFRAPLANE_OUTPUTS_FILE`, `INFRAPLANE_PLAN_FILE`,
`INFRAPLANE_ACTION`, `INFRAPLANE_PYTHON` (infraplane's interpreter, which has boto3) and each
input as `INFRAPLANE_INPUT_<NAME>`. Without a dry run
the plan says "changes unknown".
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

from infraplane.adapters.process import run_tool
from infraplane.adapters.workdir import (
    WithoutSavedPlans,
    materialize,
    read_outputs_file,
    tool_environment,
    write_private_json,
)
from infraplane.core.blueprint import ScriptSpec
from infraplane.core.runs import EventSink, OutputValues, PlanSummary, RunEvent, RunRequest
from infraplane.errors import FailureError

__all__ = ["ScriptRunner"]

CHANGES_UNKNOWN = "changes unknown: this script has no dry-run"


class ScriptRunner(WithoutSavedPlans):
    def _run(self, request: RunRequest, action: str, command: str, on_event: EventSink) -> Path:
        source = materialize(request)
        workdir = request.workdir
        inputs_file = write_private_json(workdir / "inputs.json", {**request.inputs, "context": dict(request.context)})
        env = tool_environment(
            request,
            {
                "INFRAPLANE_ACTION": action,
                "INFRAPLANE_PYTHON": sys.executable,
                "INFRAPLANE_INPUTS_FILE": str(inputs_file),
                "INFRAPLANE_OUTPUTS_FILE": str(workdir / "outputs.json"),
                "INFRAPLANE_PLAN_FILE": str(workdir / "plan.json"),
                **{f"INFRAPLANE_CONTEXT_{k.upper()}": str(v) for k, v in request.context.items()},
                **{
                    f"INFRAPLANE_INPUT_{k.upper()}": v if isinstance(v, str) else json.dumps(v)
                    for k, v in request.inputs.items()
                },
            },
        )

        def on_start(pid: int) -> None:
            on_event(RunEvent(request.component, "tool-started", action, pid=pid))

        try:
            result = run_tool(["/bin/sh", "-c", command], source, env, f"script-{action}", None, on_start)
        finally:
            inputs_file.unlink(missing_ok=True)  # it holds the inputs in clear; the next run writes it again
        if result.returncode != 0:
            tail = [line for line in (result.stderr + "\n" + result.stdout).splitlines() if line.strip()]
            raise FailureError(
                f"{request.component}: script {action} failed (exit {result.returncode}): {' '.join(tail[-3:])}"
            )
        return workdir

    def _spec(self, request: RunRequest) -> ScriptSpec:
        spec = request.blueprint.spec.script
        if spec is None:
            raise FailureError(f"{request.component}: {request.blueprint.ref} has no spec.script")
        return spec

    # -- reading --
    def plan(
        self, request: RunRequest, on_event: EventSink, destroy: bool = False, replace: Sequence[str] = ()
    ) -> PlanSummary:
        del replace  # no resources of its own to replace
        spec = self._spec(request)
        if destroy:
            return PlanSummary(request.component, None, None, None, note=CHANGES_UNKNOWN, destroying=True)
        if spec.plan is None:
            return PlanSummary(request.component, None, None, None, note=CHANGES_UNKNOWN)
        workdir = self._run(request, "plan", spec.plan, on_event)
        plan_file = workdir / "plan.json"
        if not plan_file.is_file():
            return PlanSummary(request.component, None, None, None, note="the dry-run wrote no plan.json")
        counts = json.loads(plan_file.read_text(encoding="utf-8"))
        return PlanSummary(
            request.component, int(counts.get("add", 0)), int(counts.get("change", 0)), int(counts.get("destroy", 0))
        )

    def outputs(self, request: RunRequest) -> OutputValues:
        return read_outputs_file(request, request.workdir / "outputs.json")

    def refresh(self, request: RunRequest, on_event: EventSink) -> PlanSummary:
        return self.plan(request, on_event)

    # -- changing --
    def apply(self, request: RunRequest, plan: PlanSummary, on_event: EventSink) -> OutputValues:
        workdir = self._run(request, "apply", self._spec(request).apply, on_event)
        return read_outputs_file(request, workdir / "outputs.json")

    def destroy(self, request: RunRequest, on_event: EventSink) -> None:
        command = self._spec(request).destroy
        if command:
            self._run(request, "destroy", command, on_event)
