"""A fork server that runs `python -m infraplane ARGS` for the tests without paying Python's start-up each time.

Every `run_cli` used to start a new interpreter that imported SQLAlchemy, pydantic, Typer, the services
and the adapters again: about one CPU-second per command, some five hundred commands per suite. Here
one process per test worker imports them once; each command is a fork of it (copy-on-write: a few
milliseconds) that sets its own working directory, environment, standard streams and arguments and runs
the `infraplane` module as `python -m` does. So every command still runs in a process of its own, with
its own exit status, umask, signal handlers, open files and settings read from its own environment;
only the interpreter and the imported modules come ready.

Nothing is pre-imported that reads the environment when imported: the CLI's consoles (which read
COLUMNS) are made in each command's process, after the fork. The server stays single-threaded, since a
fork copies only the thread that calls it.

Protocol, over a Unix socket: the client sends one JSON request (`args`, `env`, `cwd`, `stdout`,
`stderr` file paths) and a newline; the server forks a handler for the connection, which forks the
command, answers `{"pid": N}`, waits for it and answers `{"status": CODE}` (negative: killed by that
signal). Run as `python -m tests.support.forkserver SOCKET`.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import runpy
import signal
import socket
import sys
import traceback
from typing import Any

# What every command needs and costs most to import; none of these reads the environment when imported.
PRELOAD = (
    "sqlalchemy",
    "sqlalchemy.orm",
    "pydantic",
    "pydantic_settings",
    "yaml",
    "typer",
    "rich.console",
    "rich.table",
    "psutil",
    "filelock",
    "tenacity",
    "cryptography.fernet",
    "jsonschema",
    "regopy",
    "infraplane.settings",
    "infraplane.interfaces.container",
    "infraplane.adapters.store.database",
    "infraplane.adapters.terraform.runner",
    "infraplane.adapters.terraform.state_server",
    "infraplane.adapters.policy.engine",
    "infraplane.adapters.sandbox.control",
    "infraplane.services.orchestration.service",
    "infraplane.services.proposals",
    "infraplane.services.policy",
    "infraplane.services.catalog",
    "infraplane.services.catalog.validation",
)


def _preload() -> None:
    import importlib

    for name in PRELOAD:
        with contextlib.suppress(ImportError):  # a module renamed or moved: that command pays for it itself
            importlib.import_module(name)


def _run_command(request: dict[str, Any]) -> None:
    """In the forked child: become `python -m infraplane ARGS` and never return."""
    code = 1
    try:
        os.setpgid(0, 0)  # its own process group, like a new process: the tools it starts can be killed with it
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD, signal.SIGPIPE):
            signal.signal(number, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        stdin = os.open(os.devnull, os.O_RDONLY)
        stdout = os.open(request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        stderr = os.open(request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        for source, target in ((stdin, 0), (stdout, 1), (stderr, 2)):
            os.dup2(source, target)
            os.close(source)
        sys.argv = ["infraplane", *request["args"]]
        try:
            runpy.run_module("infraplane", run_name="__main__", alter_sys=True)
            code = 0
        except SystemExit as stop:
            if stop.code is None:
                code = 0
            elif isinstance(stop.code, int):
                code = stop.code
            else:
                print(stop.code, file=sys.stderr)
                code = 1
        except BaseException:
            traceback.print_exc()
            code = 1
        atexit._run_exitfuncs()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _send(connection: socket.socket, message: dict[str, Any]) -> None:
    connection.sendall(json.dumps(message).encode("utf-8") + b"\n")


def _handle(connection: socket.socket) -> None:
    """In the forked handler: read the request, fork the command, report its pid and then its status."""
    try:
        with connection.makefile("rb") as reader:
            request = json.loads(reader.readline())
        command = os.fork()
        if command == 0:
            connection.close()
            _run_command(request)
        _send(connection, {"pid": command})
        _, status = os.waitpid(command, 0)
        code = os.waitstatus_to_exitcode(status)
        _send(connection, {"status": code})
    finally:
        os._exit(0)


def _reap() -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def serve(path: str) -> None:
    parent = os.getppid()
    _preload()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    listener.settimeout(2.0)
    print("ready", flush=True)
    while os.getppid() == parent:  # the test worker that started it is gone: so is the server
        try:
            connection, _ = listener.accept()
        except TimeoutError:
            _reap()
            continue
        connection.setblocking(True)
        handler = os.fork()
        if handler == 0:
            listener.close()
            _handle(connection)
        connection.close()
        _reap()


if __name__ == "__main__":
    serve(sys.argv[1])
