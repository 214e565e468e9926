"""Progress off a terminal: one plain line per component event, no escape codes; `--quiet` for none."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from infraplane.interfaces.cli.progress import JsonProgress, LiveProgress, PlainProgress, plain_line, progress_for
from tests.support.cli import run_cli


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_line_names_the_component_its_state_elapsed_seconds_and_counts() -> None:
    assert (
        plain_line("vpc", "applied", 12.4, {"add": 3, "change": 0, "destroy": None})
        == "vpc: applied after 12s (+3 ~0 -?)"
    )
    line = plain_line("db", "planning", None, {"note": "new\x1b[2J component\n"})
    assert line.startswith("db: planning; new") and line.endswith("[2J component") and "\x1b" not in line


def test_plain_progress_writes_and_flushes_one_line_per_state_change() -> None:
    stream, clock = io.StringIO(), _Clock()
    progress = PlainProgress("applying p-1", stream, clock)
    progress.component("network", status="planning", started=0.0, note="new component")
    progress.component("network", note="only a note: no line")
    clock.now += 4
    progress.component("network", status="planned", add=3, change=0, destroy=0)
    progress.component("app", status="waits", note="waits on network.vpc_id")
    progress.component("network", status="applying", started=0.0)
    clock.now += 7.6
    progress.component("network", status="applied")
    progress.message("a stale lock was taken over")
    assert stream.getvalue().splitlines() == [
        "applying p-1",
        "network: planning; new component",
        "network: planned after 4s (+3 ~0 -0)",
        "app: waits; waits on network.vpc_id",
        "network: applying",
        "network: applied after 8s",
        "- a stale lock was taken over",
    ]


def test_the_output_decides_which_progress() -> None:
    pipe = Console(file=io.StringIO())
    terminal = Console(file=io.StringIO(), force_terminal=True)
    with progress_for(pipe, "t") as progress:
        assert isinstance(progress, PlainProgress)
    with progress_for(terminal, "t") as progress:
        assert isinstance(progress, LiveProgress)
    with progress_for(terminal, "t", json_out=True) as progress:
        assert isinstance(progress, JsonProgress)
    with progress_for(pipe, "t", quiet=True) as progress:
        progress.component("x", status="applied")
    assert pipe.file.getvalue() == ""  # type: ignore[attr-defined]


def _infraplane(home: Path, *args: str, log: Path) -> int:
    """`infraplane ARGS > log 2>&1`, as CI or a cron job would run it."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("INFRAPLANE_")}
    environment.update({"INFRAPLANE_HOME": str(home), "COLUMNS": "80"})
    with log.open("w") as out:
        return subprocess.run(
            [sys.executable, "-m", "infraplane", *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=environment,
            timeout=600,
        ).returncode


@pytest.mark.slow  # a real env up on the sandbox: make test runs it, quick-test does not
def test_env_up_into_a_log_file_writes_plain_lines(cloud_home: Path, tmp_path: Path) -> None:
    file = tmp_path / "disk-log.yaml"
    file.write_text(
        "apiVersion: infraplane.dev/v1\nkind: Environment\n"
        "metadata: {name: disk-log, team: shop, tier: dev}\nspec:\n  blueprint: volume\n  inputs: {size_gb: 10}\n"
    )
    log = tmp_path / "up.log"
    assert _infraplane(cloud_home, "env", "up", str(file), "--yes", log=log) == 0, log.read_text()
    text = log.read_text()
    assert "\x1b" not in text
    lines = text.splitlines()
    for event in ("planning", "planned", "applying", "applied"):
        assert any(re.fullmatch(rf"volume: {event}( after \d+s)?( \(.*\))?(; .*)?", line) for line in lines), event
    assert any(re.fullmatch(r"volume: applied after \d+s.*", line) for line in lines)
    assert "cost: $0.00 -> $0.80/month (+0.80) for 1 of 1 component" in text
    assert lines[-1].startswith("applied disk-log (revision 1;")

    # Not confirmed (standard input is no terminal): the destroy proposal waits, approved, for `proposal apply`.
    assert _infraplane(cloud_home, "env", "destroy", "disk-log", log=tmp_path / "destroy.log") == 2
    [destroy] = [p for p in run_cli(cloud_home, "proposal", "list", "--json").json() if p["kind"] == "destroy"]
    applied = tmp_path / "apply.log"
    assert _infraplane(cloud_home, "proposal", "apply", destroy["id"], log=applied) == 0, applied.read_text()
    text = applied.read_text()
    assert "\x1b" not in text
    lines = text.splitlines()
    for event in ("destroying", "destroyed"):
        assert any(re.fullmatch(rf"volume: {event}( after \d+s)?( \(.*\))?(; .*)?", line) for line in lines), text
    assert lines[-1].startswith(f"applied {destroy['id']}: destroy disk-log"), text
