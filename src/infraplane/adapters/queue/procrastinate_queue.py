"""Team mode's queue, server side: tasks are rows in PostgreSQL (procrastinate), run by `infraplane worker`s.

Why procrastinate (docs/team-mode.md): the store is PostgreSQL already, so a task is a row
committed like any other; there is no broker to run, back up or lose, and no visibility timeout
that hands a long apply to a second worker while the first still runs. A task is marked done only
after it returned; a worker that died leaves it `doing` until its heartbeat is stale, and then
it is retried (procrastinate_worker.py) and taken over under the run's leases.
"""

from __future__ import annotations

from typing import Any

import psycopg

from infraplane.core.ports import QueueStatus
from infraplane.core.tasks import Task
from infraplane.errors import FailureError

__all__ = ["RUN_TASK", "ProcrastinateQueue", "ensure_queue_schema", "procrastinate_conninfo"]

RUN_TASK = "infraplane.run"  # the one task: its argument is a core.tasks.Task as a dict
_SCHEMA_LOCK = 0x1F2A_0002  # pg_advisory_lock key: two processes never create the queue's tables at once


def procrastinate_conninfo(database_url: str) -> str:
    """A libpq URL from the store's (SQLAlchemy) URL."""
    for prefix in ("postgresql+psycopg://", "postgresql+psycopg2://"):
        if database_url.startswith(prefix):
            return "postgresql://" + database_url.removeprefix(prefix)
    return database_url


def ensure_queue_schema(database_url: str) -> bool:
    """Create procrastinate's tables when they are missing (under an advisory lock); whether it created them."""
    from procrastinate.schema import SchemaManager

    try:
        with psycopg.connect(procrastinate_conninfo(database_url), autocommit=True) as connection:
            connection.execute("SELECT pg_advisory_lock(%s)", (_SCHEMA_LOCK,))
            try:
                found = connection.execute("SELECT to_regclass('public.procrastinate_jobs') IS NOT NULL").fetchone()
                if found and found[0]:
                    return False
                with connection.transaction():
                    connection.execute(SchemaManager.get_schema())
                return True
            finally:
                connection.execute("SELECT pg_advisory_unlock(%s)", (_SCHEMA_LOCK,))
    except psycopg.Error as exc:
        raise FailureError(f"cannot create the task queue's tables: {exc}") from None


class ProcrastinateQueue:
    """Defers tasks as procrastinate jobs; tasks with one key share a procrastinate `lock` (one at a time)."""

    def __init__(self, database_url: str, queue: str, stalled_seconds: float) -> None:
        from procrastinate import App, SyncPsycopgConnector

        self._queue = queue
        self._stalled = stalled_seconds
        self._connector = SyncPsycopgConnector(conninfo=procrastinate_conninfo(database_url), min_size=1, max_size=4)
        self._app = App(connector=self._connector)
        self._app.open()

    def submit(self, task: Task) -> None:
        deferrer = self._app.configure_task(name=RUN_TASK, queue=self._queue, lock=task.key)
        deferrer.defer(task=task.as_dict())

    def _one(self, query: str, **arguments: Any) -> Any:
        row = self._connector.execute_query_one(query, **arguments)
        return next(iter(row.values())) if row else None

    def pending(self, key: str) -> bool:
        found = self._one(
            "SELECT count(*) AS n FROM procrastinate_jobs WHERE lock = %(key)s AND status IN ('todo', 'doing')",
            key=key,
        )
        return bool(found)

    def status(self) -> QueueStatus:
        row = self._connector.execute_query_one(
            "SELECT"
            " (SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo' AND queue_name = %(queue)s) AS waiting,"
            " (SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing' AND queue_name = %(queue)s) AS running,"
            " (SELECT count(*) FROM procrastinate_workers"
            "   WHERE last_heartbeat > now() - make_interval(secs => %(stalled)s)) AS workers",
            queue=self._queue,
            stalled=self._stalled,
        )
        return QueueStatus(int(row["waiting"]), int(row["running"]), int(row["workers"]))

    def close(self, wait: bool = True) -> None:
        self._app.close()
