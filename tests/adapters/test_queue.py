"""The queue adapters: cron lines for the scheduler's intervals; `db upgrade` run by two processes at once."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from infraplane.adapters.queue.procrastinate_worker import cron_for
from infraplane.adapters.store.revision import head_revision
from tests.support.cli import run_cli
from tests.support.postgres import ThrowawayPostgres


def test_intervals_become_cron_lines_with_seconds() -> None:
    """Each line fires once per interval (croniter reads procrastinate's lines: the seconds column is last)."""
    import croniter

    start = datetime(2026, 1, 1, tzinfo=UTC)
    for every, expected in ((10, 10), (60, 60), (300, 300), (6 * 3600, 6 * 3600), (2 * 86400, 86400)):
        line = cron_for(every)
        ticks = croniter.croniter(line, start)
        first, second = ticks.get_next(float), ticks.get_next(float)
        assert second - first == expected, (every, line)


@pytest.mark.postgres
def test_two_db_upgrades_at_once_both_succeed(postgres_server: ThrowawayPostgres, tmp_path: Path) -> None:
    url = postgres_server.create_database("upgrade_race")
    homes = []
    for name in ("one", "two"):
        home = tmp_path / name
        home.mkdir()
        (home / "config.yaml").write_text(f"database_url: {url}\nexecution: team\n")
        homes.append(home)
    environment = {"PATH": "/usr/bin:/bin"}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "infraplane", "db", "upgrade"],
            env={**environment, "INFRAPLANE_HOME": str(home), "HOME": str(tmp_path)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for home in homes
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert sum("task queue tables created" in out for out, _ in outputs) == 1
    with psycopg.connect(url) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [(head_revision(),)]
        assert connection.execute("SELECT to_regclass('public.procrastinate_jobs') IS NOT NULL").fetchone() == (True,)
    again = run_cli(homes[0], "db", "upgrade")
    assert again.exit_code == 0 and "task queue tables present" in again.stdout


def test_team_mode_needs_postgresql(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("execution: team\n")
    refused = run_cli(tmp_path, "db", "upgrade")
    assert refused.exit_code == 2
    assert "execution: team needs a PostgreSQL database_url" in refused.stderr
