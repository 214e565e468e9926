"""The ansible runner: `ansible-playbook` with inputs as extra-vars from a JSON file.

`--check --diff` is its plan; outputs come from a JSON file the playbook writes
(`infraplane_outputs_file`); `infraplane_action` is `apply` or `destroy`.
Ansible keeps no state of its own, so its plan counts changed tasks, and names each task
that would change something or that check mode skips (a `command`, a module without check
mode support): a drift check reports those "not checkable", never clean.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from infraplane.adapters.process import ToolResult, run_tool
from infraplane.adapters.workdir import (
    WithoutSavedPlans,
    materialize,
    read_outputs_file,
    tool_environment,
    write_private_json,
)
from infraplane.core.runs import CheckedTask, EventSink, OutputValues, PlanSummary, RunEvent, RunRequest
from infraplane.errors import FailureError

__all__ = ["AnsibleRunner", "checked_tasks"]

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


def _checked(task: str, result: dict[str, Any], item: str | None) -> CheckedTask | None:
    """What one host result of a check-mode run says: would change, cannot be checked, or nothing."""
    if result.get("changed"):
        return CheckedTask(task, "would-change", item)
    # Skipped by its own `when` (skip_reason) or for an empty loop (skipped_reason) is not a check-mode gap;
    # skipped with neither is check mode refusing the task ("Command would have run if not in check mode",
    # "Check mode is not supported for this task").
    if result.get("skipped") and "skip_reason" not in result and "skipped_reason" not in result:
        return CheckedTask(task, "not-checkable", item, str(result.get("msg") or "check mode skipped it"))
    return None


def checked_tasks(report: dict[str, Any]) -> tuple[CheckedTask, ...]:
    """Every task of a `--check` run (the json callback's report) that would change or could not be checked."""
    found: list[CheckedTask] = []
    for play in report.get("plays", []):
        for task in play.get("tasks", []):
            name = str(task.get("task", {}).get("name") or "task")
            for host in task.get("hosts", {}).values():
                items = host.get("results")
                if isinstance(items, list) and items:
                    for result in items:
                        label = result.get("_ansible_item_label", result.get("item"))
                        checked = _checked(name, result, None if label is None else str(label))
                        if checked is not None:
                            found.append(checked)
                    continue
                checked = _checked(name, host, None)
                if checked is not None:
                    found.append(checked)
    return tuple(found)


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

    # -- reading --
    def plan(
        self, request: RunRequest, on_event: EventSink, destroy: bool = False, replace: Sequence[str] = ()
    ) -> PlanSummary:
        del replace  # no resources of its own to replace
        result, _ = self._run(request, "destroy" if destroy else "apply", True, on_event)
        report = json.loads(result.stdout)
        changed = sum(int(host.get("changed", 0)) for host in report.get("stats", {}).values())
        tasks = checked_tasks(report)
        if destroy:
            return PlanSummary(
                request.component, 0, 0, changed, note="tasks that would change", destroying=True, tasks=tasks
            )
        return PlanSummary(request.component, 0, changed, 0, note="tasks that would change", tasks=tasks)

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
