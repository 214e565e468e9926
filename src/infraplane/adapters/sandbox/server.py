"""The sandbox cloud: moto's multi-service AWS emulator with infraplane's fidelity patches.

Run it with `python -m infraplane.adapters.sandbox.server --host 127.0.0.1 --port 4566`. Once the
socket is bound it prints exactly one line, `sandbox listening on http://HOST:PORT`, to stdout
(with `--port 0` the port is the one the system picked), so a parent process can wait for it.
Diagnostics go to stderr at warning level; requests are not logged. SIGTERM and SIGINT stop it.
`POST /moto-api/reset` forgets every resource.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from typing import Any

from infraplane.adapters.sandbox.control import HEALTH_PATH
from infraplane.adapters.sandbox.elasticache import apply_elasticache_patches
from infraplane.adapters.sandbox.sqs import apply_sqs_patches

__all__ = ["apply_fidelity_patches", "build_app", "main"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4566


def apply_fidelity_patches() -> None:
    """Patch moto where it differs from AWS in ways Terraform's AWS provider trips over (idempotent)."""
    apply_elasticache_patches()
    apply_sqs_patches()


def build_app() -> Any:
    """moto's WSGI app serving every service, dispatched on the request's SigV4 scope like `moto_server`."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    return one_request_at_a_time(DomainDispatcherApplication(create_backend_app))


def one_request_at_a_time(app: Any) -> Any:
    """Serve requests one at a time, as AWS applies each call atomically.

    moto's backends are plain dictionaries without locks: a call that mutates them while another
    thread reads or mutates the same ones can fail halfway with a 500 after part of its change is
    stored (seen: DescribeSecurityGroups failing while groups were created). The AWS SDK retries a
    500, and the retry of a create whose first attempt had landed fails with "already exists"
    (ParameterAlreadyExists, InvalidGroup.Duplicate): a spurious failure of a valid apply. Calls are
    milliseconds each, so one at a time costs little. SQS long polls (ReceiveMessage) are left out:
    they wait for messages and would hold every other call up.

    `GET /_infraplane/health` is answered here, outside the lock and without moto: whether the sandbox
    runs must not depend on how busy it is (an unmanaged-resource scan holds the lock for seconds, and
    a plan that asked meanwhile was told the sandbox was not running).
    """
    lock = threading.Lock()

    def serve(environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") == HEALTH_PATH:
            start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
            return [b"ok"]
        if "ReceiveMessage" in environ.get("HTTP_X_AMZ_TARGET", "") + environ.get("QUERY_STRING", ""):
            return app(environ, start_response)
        with lock:
            response = app(environ, start_response)
            try:
                return [b"".join(response)]  # the body is made under the lock too
            finally:
                close = getattr(response, "close", None)
                if close is not None:
                    close()

    return serve


def _quiet_logging() -> None:
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    # werkzeug logs every request at INFO; moto's boto/botocore chatter is just as noisy.
    for name in ("werkzeug", "moto", "botocore", "boto3", "urllib3"):
        logging.getLogger(name).setLevel(logging.WARNING)


def _stop(signum: int, frame: FrameType | None) -> None:
    # Raised in the main thread, it unwinds serve_forever() so the socket is closed in `finally`.
    raise SystemExit(0)


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the patched sandbox until SIGTERM/SIGINT; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m infraplane.adapters.sandbox.server", description=__doc__)
    parser.add_argument("--host", default=DEFAULT_HOST, help="address to bind (default %(default)s)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port to bind, 0 for any (default %(default)s)")
    args = parser.parse_args(argv)

    _quiet_logging()
    apply_fidelity_patches()

    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import make_server

    server = make_server(args.host, args.port, build_app(), threaded=True, request_handler=MotoRequestHandler)
    port = server.server_port
    # moto hands MOTO_PORT to the Lambda and Batch containers it starts so they can call back in.
    os.environ["MOTO_PORT"] = str(port)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    print(f"sandbox listening on http://{args.host}:{port}", flush=True)  # noqa: T201 - the readiness line
    try:
        server.serve_forever()
    except SystemExit:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
