"""Running an external tool (terraform, ansible-playbook, a script) so that it outlives us if it must.

The tool writes to log files, not pipes, and runs in its own session: if the
infraplane process is killed, the tool is not killed by a broken pipe or by
the signal, finishes its step, and leaves its state for the next run to
recover (Terraform writes `errored.tfstate` when it cannot reach the backend).
A server that stops on purpose calls `interrupt_running_tools()`, so none is left behind.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ToolResult", "interrupt_running_tools", "run_tool"]

_POLL_SECONDS = 0.1
_running: set[subprocess.Popen[bytes]] = set()
_running_guard = threading.Lock()


def interrupt_running_tools(grace_seconds: float = 20.0) -> int:
    """SIGINT every tool this process runs now, wait up to `grace_seconds`, then SIGKILL; how many there were.

    Terraform stops gracefully on SIGINT and persists its state first (the run's state backend is
    still up while its thread waits for the tool), so the next run continues from there.
    """
    with _running_guard:
        tools = list(_running)
    for tool in tools:
        _signal_group(tool, signal.SIGINT)
    deadline = time.monotonic() + grace_seconds
    for tool in tools:
        try:
            tool.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(tool, signal.SIGKILL)
            tool.wait()
    return len(tools)


def _interruptible() -> None:
    """In the tool's process before exec: SIGINT does its default again.

    A process started with SIGINT ignored (a background job of a non-interactive shell, `nohup`) passes
    that on, and a shell script or Ansible cannot trap a signal ignored on entry: the graceful stop
    above would then always end in SIGKILL after the grace period.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)  # the tool's own session: its children (providers) too


@dataclass(frozen=True)
class ToolResult:
    returncode: int
    stdout: str
    stderr: str


def _new_lines(handle: object, pending: str) -> tuple[list[str], str]:
    chunk = handle.read()  # type: ignore[attr-defined]
    if not chunk:
        return [], pending
    text = pending + chunk
    *lines, rest = text.split("\n")
    return lines, rest


def run_tool(
    args: Sequence[str],
    cwd: Path,
    env: Mapping[str, str],
    log_name: str,
    on_line: Callable[[str], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> ToolResult:
    """Run `args` in `cwd`; stream stdout lines to `on_line`; logs stay in `cwd/<log_name>.{out,err}`."""
    out_path = cwd / f"{log_name}.out"
    err_path = cwd / f"{log_name}.err"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        process = subprocess.Popen(
            list(args),
            cwd=cwd,
            env=dict(env),
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_interruptible,  # resets a signal disposition between fork and exec, nothing more
        )
    with _running_guard:
        _running.add(process)
    try:
        if on_start:
            on_start(process.pid)
        pending = _follow(process, out_path, on_line)
    finally:
        with _running_guard:
            _running.discard(process)
    if pending and on_line:
        on_line(pending)
    return ToolResult(
        process.returncode,
        out_path.read_text(encoding="utf-8", errors="replace"),
        err_path.read_text(encoding="utf-8", errors="replace"),
    )


def _follow(process: subprocess.Popen[bytes], out_path: Path, on_line: Callable[[str], None] | None) -> str:
    """Stream the tool's stdout lines to `on_line` until it exits; returns an unfinished last line."""
    pending = ""
    with out_path.open(encoding="utf-8", errors="replace") as reader:
        try:
            while True:
                finished = process.poll() is not None
                lines, pending = _new_lines(reader, pending)
                for line in lines:
                    if on_line:
                        on_line(line)
                if finished:
                    break
                time.sleep(_POLL_SECONDS)
        except KeyboardInterrupt:
            # Let the tool stop gracefully (Terraform persists its state on SIGINT), then stop too.
            os.killpg(process.pid, signal.SIGINT)
            process.wait()
            raise
    return pending
