"""The ansible runner: `ansible-playbook` with inputs as extra-vars from a JSON file.

`--check --diff` is its plan; outputs come from a JSON file the playbook writes
(`infraplane_outputs_file`); `infraplane_action` is `apply` or `destroy`.
Ansible keeps no state of its own, so its plan counts changed tasks.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from infraplane.adapters.process import ToolResult, run_tool
from infraplane.adapters.workdir import (
    WithoutSavedPlans,
    materialize,
    read_outputs_file,
    tool_environment,
    write_private_json,
)
from infraplane.core.runs import EventSink, OutputValues, PlanSummary, RunEvent, RunRequest
from infraplane.errors import FailureError

__all__ = ["AnsibleRunner"]

_DEFAULT_PLAYBOOK = "playbook.yml"


def _playbook_binary() -> str:
    # Ansible is a dependency of infraplane: its entry point sits beside our interpreter.
    beside = Path(sys.executable).parent / "ansible-playbook"
    return str(beside) if beside.exists() else "ansible-playbook"


def _failure_message(result: ToolResult) -> str:
    try:
        report = json.loads(result.stdout)
    except ValueError:
        tail = [line for line in (result.stderr + result.stdout).splitlines() if line.strip()]
        return " ".join(tail[-3:]) or f"exit code {result.returncode}"
    messages = []
    for play in report.get("plays", []):
        for task in play.get("tasks", []):
            for host in task.get("hosts", {}).values():
                if host.get("failed") or host.get("unreachable"):
                    detail = host.get("msg", "")
                    for item in host.get("results", []):
                        if item.get("failed"):
                            detail = item.get("msg", detail)
                    messages.append(f"{task.get('task', {}).get('name', 'task')}: {detail}")
    return "; ".join(messages[:3]) or f"exit code {result.returncode}"


class AnsibleRunner(WithoutSavedPlans):
    """Runs an Ansible blueprint's playbook against localhost."""

    def _run(self, request: RunRequest, action: str, check: bool, on_event: EventSink) -> tuple[ToolResult, Path]:
        source = materialize(request)
        outputs_file = request.workdir / "outputs.json"
        outputs_file.unlink(missing_ok=True)
        variables = {
            **request.inputs,
            "context": dict(request.context),
            "infraplane_action": action,
            "infraplane_outputs_file": str(outputs_file),
            "ansible_python_interpreter": "{{ ansible_playbook_python }}",
        }
        vars_file = write_private_json(request.workdir / "vars.json", variables)
        playbook = request.blueprint.spec.playbook or _DEFAULT_PLAYBOOK
        args = [_playbook_binary(), "-i", "localhost,", "-c", "local", playbook, "-e", f"@{vars_file}"]
        if check:
            args += ["--check", "--diff"]
        settings = {
            "ANSIBLE_STDOUT_CALLBACK": "json",
            "ANSIBLE_LOCALHOST_WARNING": "False",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "False",
            "ANSIBLE_LOCAL_TEMP": str(request.workdir / ".ansible-tmp"),
        }
        env = tool_environment(request, settings)

        def on_start(pid: int) -> None:
            on_event(RunEvent(request.component, "tool-started", action, pid=pid))

        try:
            result = run_tool(args, source, env, f"ansible-{action}{'-check' if check else ''}", None, on_start)
        finally:
            vars_file.unlink(missing_ok=True)  # it holds the inputs in clear; the next run writes it again
        if result.returncode != 0:
            raise FailureError(f"{request.component}: ansible-playbook {action} failed: {_failure_message(result)}")
        return result, outputs_file

    @staticmethod
    def _changed(result: ToolResult) -> int:
        stats = json.loads(result.stdout).get("stats", {})
        return sum(int(host.get("changed", 0)) for host in stats.values())

    # -- reading --
    def plan(self, request: RunRequest, on_event: EventSink, destroy: bool = False) -> PlanSummary:
        result, _ = self._run(request, "destroy" if destroy else "apply", True, on_event)
        changed = self._changed(result)
        if destroy:
            return PlanSummary(request.component, 0, 0, changed, note="tasks that would change", destroying=True)
        return PlanSummary(request.component, 0, changed, 0, note="tasks that would change")

    def outputs(self, request: RunRequest) -> OutputValues:
        return read_outputs_file(request, request.workdir / "outputs.json")

    def refresh(self, request: RunRequest, on_event: EventSink) -> PlanSummary:
        return self.plan(request, on_event)

    # -- changing --
    def apply(self, request: RunRequest, plan: PlanSummary, on_event: EventSink) -> OutputValues:
        _, outputs_file = self._run(request, "apply", False, on_event)
        return read_outputs_file(request, outputs_file)

    def destroy(self, request: RunRequest, on_event: EventSink) -> None:
        self._run(request, "destroy", False, on_event)
