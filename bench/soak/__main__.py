"""bench/soak: the soak at a size too big for `make test`, on a private sandbox and a throw-away home.

    python -m bench.soak [--environments 8] [--components 3] [--rounds 3] [--processes 4] [--blueprint queue]

Prints runs, spurious failures (the goal is 0), retries taken and why, and wall time.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench.common import free_port, publish
from bench.soak import INPUTS, run_soak
from infraplane.adapters.sandbox.control import start_sandbox, stop_sandbox

REPO = Path(__file__).resolve().parents[2]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.splitlines()[0])
    parser.add_argument("--environments", type=int, default=8)
    parser.add_argument("--components", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--blueprint", choices=sorted(INPUTS), default="queue")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="infraplane-soak-") as scratch:
        home = Path(scratch) / ".infraplane"
        for catalog in (REPO / "examples" / "catalog", REPO / "tests" / "fixtures" / "catalog"):
            publish(home, catalog)
        start_sandbox(home, free_port())
        try:
            report = run_soak(
                home, Path(scratch), args.environments, args.components, args.rounds, args.processes,
                blueprint=args.blueprint,
            )  # fmt: skip
        finally:
            stop_sandbox(home)
    print(f"soak: {report.summary()}")
    up = [run.seconds for run in report.runs if run.command == "up"]
    down = [run.seconds for run in report.runs if run.command == "destroy"]
    print(f"  env up: mean {sum(up) / len(up):.1f} s, max {max(up):.1f} s")
    print(f"  env destroy: mean {sum(down) / len(down):.1f} s, max {max(down):.1f} s")
    for retry in report.retries:
        print(f"  retry: {retry}")
    for failure in report.failures:
        print(f"  FAILED {failure.environment} {failure.command} (round {failure.round}):\n{failure.output}")
    return 1 if report.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
