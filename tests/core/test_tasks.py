"""Tasks are plain data: they survive the round trip through the queue's store unchanged."""

from __future__ import annotations

import json

from infraplane.core.audit import Actor
from infraplane.core.identity import Action, Identity, Role, authorize
from infraplane.core.tasks import Task, TaskKind


def test_a_task_survives_json_and_keys_by_what_it_works_on() -> None:
    task = Task(TaskKind.APPLY, "p-1", Actor("human", "ana"), {"attempt": 2}, team="shop")
    again = Task.from_dict(json.loads(json.dumps(task.as_dict())))
    assert again == task
    assert task.key == Task(TaskKind.PLAN, "p-1", Actor("human", "bob")).key == "proposal:p-1"
    assert Task(TaskKind.JOB, "ttl-check", Actor("system", "infraplane")).key == "job:ttl-check"


def test_a_worker_token_reaches_state_and_nothing_else() -> None:
    worker = Identity("runner", Role.WORKER)
    admin = Identity("root", Role.ADMIN)
    assert authorize(worker, Action.STATE).allowed
    assert not any(authorize(worker, action).allowed for action in Action if action is not Action.STATE)
    assert not authorize(admin, Action.STATE).allowed
    assert Role.parse("worker") is Role.WORKER
