"""A bundle nobody has compiled yet is first compiled in a child process, so rego-cpp cannot take ours down.

rego-cpp (through regopy) evaluates in our own process, and some Rego it is handed ends that process: two
functions of one name with different numbers of arguments, or a value nested 20,000 levels deep, crash
it (SIGSEGV, or an abort from a C++ exception), and a backtracking regex or `numbers.range(1, 1e9)` can
run for minutes or take gigabytes before a single finding. On the server that is every user's outage.
So before infraplane compiles a bundle it was handed (a directory checked, replayed, tested or published;
an upload), a child process loads its modules, tests included, compiles its rules and asks each one on an
empty plan, under a time and a memory limit. A child that crashes, runs out of time or takes too much
memory refuses the bundle, naming why; a child that finds a Rego error lets the engine report it with
file and line. A bundle that passed is remembered by its digest (a file in the compiled-bundle cache).

Rules that hang only on some plans (a regex over a resource's name) are not caught here: they would hang
a check of that plan. Compiling rego-cpp with a deadline is not possible from Python.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from infraplane.core.policy_bundles import LoadedBundle
from infraplane.errors import InputError, Problem

__all__ = ["MAX_RSS_BYTES", "TIMEOUT_SECONDS", "vet"]

TIMEOUT_SECONDS = 60.0
MAX_RSS_BYTES = 2 * 1024**3
_POLL_SECONDS = 0.02


def _rss_bytes(pid: int) -> int:
    try:
        with Path(f"/proc/{pid}/status").open(encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _refused(bundle: LoadedBundle, reason: str) -> InputError:
    return InputError.from_problems([Problem(bundle.manifest.ref, "", f"refused: {reason}; nothing was stored")])


def vet(
    bundle: LoadedBundle,
    vetted: Path | None,
    timeout: float = TIMEOUT_SECONDS,
    max_rss: int = MAX_RSS_BYTES,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Compile and try `bundle` in a child process; InputError when rego-cpp crashes, hangs or swells on it.

    `vetted` is a directory remembering the digests that passed (None: always try). The child is looked at
    every `_POLL_SECONDS` of `sleep`, and its time measured by `clock`.
    """
    marker = vetted / f"{bundle.digest.removeprefix('sha256:')}.vetted" if vetted is not None else None
    if marker is not None and marker.is_file():
        return
    payload = json.dumps(
        {
            "modules": bundle.modules,
            "entrypoints": [name for _, name in bundle.entrypoints()],
            "params": bundle.manifest.params,
        },
        default=str,
    ).encode()
    child = subprocess.Popen(
        [sys.executable, "-m", "infraplane.adapters.policy.vetting_child"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert child.stdin is not None
    try:
        child.stdin.write(payload)
        child.stdin.close()
    except BrokenPipeError:
        pass
    started = clock()
    trying = "compiling it and asking its rules about an empty plan took over"
    try:
        while child.poll() is None:
            if clock() - started > timeout:
                raise _refused(bundle, f"{trying} {timeout:.0f} s")
            if _rss_bytes(child.pid) > max_rss:
                raise _refused(bundle, f"{trying} {max_rss:,} bytes of memory")
            sleep(_POLL_SECONDS)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    if child.returncode < 0:
        name = signal.Signals(-child.returncode).name
        raise _refused(
            bundle,
            f"the Rego engine crashed ({name}) compiling it. Known causes: two functions of one name with "
            "different numbers of arguments (in one package or two), a value nested thousands of levels deep",
        )
    if marker is not None and child.returncode == 0:
        try:
            marker.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            marker.touch()
        except OSError:
            pass  # the next use tries it again
