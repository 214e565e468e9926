"""A stopping server interrupts the tools its runs started: none outlives it, and each run sees its tool end."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import psutil

from infraplane.adapters.process import ToolResult, interrupt_running_tools, run_tool


def test_running_tools_get_sigint_and_the_runs_waiting_on_them_return(tmp_path: Path) -> None:
    results: list[ToolResult] = []
    started: list[int] = []
    script = "trap 'echo stopped gracefully; exit 130' INT; echo working; while true; do sleep 0.1; done"
    directories = [tmp_path / "a", tmp_path / "b"]
    for directory in directories:
        directory.mkdir()

    def run(directory: Path) -> None:
        results.append(run_tool(["bash", "-c", script], directory, {}, "tool", None, started.append))

    runs = [threading.Thread(target=run, args=(d,)) for d in directories]
    for run in runs:
        run.start()
    deadline = time.monotonic() + 60

    def trapping() -> bool:  # each script says "working" once its trap is set: a SIGINT before that is not the point
        return all((d / "tool.out").is_file() and "working" in (d / "tool.out").read_text() for d in directories)

    while not (len(started) == 2 and trapping()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(started) == 2 and trapping()

    assert interrupt_running_tools(grace_seconds=20) == 2
    for run in runs:
        run.join(10)
    assert sorted(r.returncode for r in results) == [130, 130]
    assert all("stopped gracefully" in r.stdout for r in results)
    assert not [
        pid for pid in started if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    ]
    assert interrupt_running_tools() == 0  # nothing is left to stop


def test_a_tool_is_interruptible_even_when_infraplane_was_started_with_sigint_ignored(tmp_path: Path) -> None:
    """A background job of a non-interactive shell (or `nohup`) starts with SIGINT ignored; a shell script
    cannot trap a signal ignored on entry, so the tool's process must get the default back."""
    import signal

    script = "trap 'echo stopped gracefully; exit 130' INT; echo working; while true; do sleep 0.1; done"
    results: list[ToolResult] = []
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        run = threading.Thread(target=lambda: results.append(run_tool(["bash", "-c", script], tmp_path, {}, "tool")))
        run.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "working" not in (
            (tmp_path / "tool.out").read_text() if (tmp_path / "tool.out").is_file() else ""
        ):
            time.sleep(0.05)
        assert interrupt_running_tools(grace_seconds=20) == 1
        run.join(10)
    finally:
        signal.signal(signal.SIGINT, before)
    assert [r.returncode for r in results] == [130] and "stopped gracefully" in results[0].stdout
