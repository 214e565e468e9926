"""bench/api: the server under 100 concurrent clients: requests per second, p50 and p99 latency, errors.

    python -m bench.api [--clients 100] [--seconds 30] [--blueprints 200] [--proposals 1000]

A throw-away home is filled with `--blueprints` published blueprints and `--proposals` stored
proposals, then `infraplane serve` runs on it as a real process. Each route is hit by `--clients`
concurrent HTTP clients for `--seconds`: catalog search, proposal list and proposal show, and the
peer measured in the same run, `/healthz` on the same server (the cost of HTTP, uvicorn and the
middleware alone), so each route's p99 is also printed as a ratio to it.

The load comes from `wrk` (Debian's package; `make bench-api` installs it) when it is on PATH: a
Python client on the same 2 cores as the server saturates first (about 170 req/s against /healthz,
where wrk measures over 1,000), and the bench would measure the client. Without wrk it falls back
to httpx and says so. Aim: p99 < 50 ms, 0 errors.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from bench.common import free_port, home_environment, publish
from infraplane.core.approval import decide
from infraplane.core.audit import Actor, utc_timestamp
from infraplane.core.proposal_lifecycle import ProposalStatus
from infraplane.core.proposals import BlastRadius, Proposal
from infraplane.interfaces.container import Container
from infraplane.settings import load_settings

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "tests" / "fixtures" / "catalog" / "marker"
WORDS = ["database", "queue", "cache", "bucket", "network", "secrets", "search", "events", "storage", "metrics"]


def _catalog(directory: Path, count: int) -> Path:
    """`count` small script blueprints with varied names, descriptions and labels."""
    root = directory / "catalog"
    text = (TEMPLATE / "blueprint.yaml").read_text(encoding="utf-8")
    for i in range(count):
        words = [WORDS[i % len(WORDS)], WORDS[(i * 7 + 3) % len(WORDS)]]
        target = root / f"bench-{i:03d}"
        shutil.copytree(TEMPLATE, target)
        described = text.replace("name: marker", f"name: bench-{i:03d}").replace(
            "description: Test blueprint", f"description: Bench blueprint for {words[0]} and {words[1]}"
        )
        (target / "blueprint.yaml").write_text(described.replace("labels: [test,", f"labels: [{words[0]},"))
    return root


def _proposals(home: Path, count: int) -> list[str]:
    """`count` stored proposals over 20 environments of team bench (as a server's store holds them)."""
    container = Container(load_settings(home=home))
    rules = ({"rule": "T-1", "count": 1, "group": "", "reason": "one person looks"},)
    start = datetime(2026, 12, 1, tzinfo=UTC)
    base = Proposal(
        id="",
        environment="",
        team="bench",
        tier="dev",
        kind="create",
        status=ProposalStatus.PENDING,
        actor=Actor("human", "bench"),
        justification="bench proposal",
        created_at=utc_timestamp(start),
        expires_at=utc_timestamp(start + timedelta(days=3650)),
        base_revision=0,
        document={},
        components=(),
        diff=(),
        findings=(),
        cost=None,
        blast_radius=BlastRadius(),
        warnings=(),
        decision=decide(rules, [], ["infraplane-approval@1.0.0"]),
        plan_digest="sha256:bench",
    )
    ids = [f"p-{i:010d}" for i in range(count)]
    with container.store.transaction() as tx:
        for i, proposal_id in enumerate(ids):
            created = utc_timestamp(start + timedelta(seconds=i))
            tx.proposals.save(replace(base, id=proposal_id, environment=f"bench-{i % 20:02d}", created_at=created))
    container.close()
    return ids


@dataclass
class Result:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies: list[float]
    p50_ms: float | None = None  # as wrk measured them (then `latencies` is empty)
    p99_ms: float | None = None

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile(self, q: float) -> float:
        measured = {0.5: self.p50_ms, 0.99: self.p99_ms}.get(q)
        if measured is not None:
            return measured
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


_WRK_SCRIPT = """
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local counter = 0
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  local errors = e.status + e.connect + e.read + e.write + e.timeout
  io.write(string.format("RESULT %d %d %d %d %d\\n", summary.requests, errors,
    summary.duration, latency:percentile(50), latency:percentile(99)))
end
"""


def _wrk(url: str, paths: list[str], token: str, clients: int, seconds: float, name: str, scratch: Path) -> Result:
    """One route under `wrk`: its own summary (requests, errors, µs duration, p50 and p99 in µs)."""
    script, listed = scratch / "bench.lua", scratch / f"paths-{abs(hash(name))}.txt"
    script.write_text(_WRK_SCRIPT, encoding="utf-8")
    listed.write_text("\n".join(paths) + "\n", encoding="utf-8")
    done = subprocess.run(
        ["wrk", "-t2", f"-c{clients}", f"-d{max(1, round(seconds))}s", "--timeout", "30s", "-s", str(script), url],
        env={"BENCH_PATHS": str(listed), "BENCH_TOKEN": token, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    [line] = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    requests, errors, duration_us, p50_us, p99_us = (int(float(v)) for v in line.split()[1:])
    return Result(name, requests, errors, duration_us / 1e6, [], p50_us / 1000, p99_us / 1000)


async def _hammer(url: str, paths: list[str], token: str, clients: int, seconds: float, name: str) -> Result:
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=30) as client:

        async def one_client(seed: int) -> None:
            nonlocal errors
            chooser = random.Random(seed)
            while time.monotonic() < deadline:
                started = time.monotonic()
                try:
                    response = await client.get(chooser.choice(paths))
                    if response.status_code != 200:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                latencies.append(time.monotonic() - started)

        started = time.monotonic()
        await asyncio.gather(*(one_client(i) for i in range(clients)))
        elapsed = time.monotonic() - started
    return Result(name, len(latencies), errors, elapsed, latencies)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.api", description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--blueprints", type=int, default=200)
    parser.add_argument("--proposals", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="infraplane-bench-api-") as scratch:
        home = Path(scratch) / ".infraplane"
        publish(home, _catalog(Path(scratch), args.blueprints))
        ids = _proposals(home, args.proposals)
        port = free_port()
        log = Path(scratch) / "serve.log"
        with log.open("w") as out:
            server = subprocess.Popen(
                [sys.executable, "-m", "infraplane", "serve", "--port", str(port)],
                env=home_environment(home),
                stdout=out,
                stderr=subprocess.STDOUT,
                text=True,
            )
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):
                try:
                    if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.2)
            else:
                raise SystemExit(f"the server did not get ready:\n{log.read_text()}")
            token = (home / "admin-token").read_text().strip()
            cases = {
                "healthz (peer)": ["/healthz"],
                "catalog search": [f"/api/v1/blueprints?q={w}" for w in WORDS],
                "proposal list": ["/api/v1/proposals?limit=50", "/api/v1/proposals?environment=bench-03&limit=50"],
                "proposal show": [f"/api/v1/proposals/{i}" for i in random.Random(7).sample(ids, min(200, len(ids)))],
            }
            wrk = shutil.which("wrk") is not None
            results = [
                _wrk(url, paths, token, args.clients, args.seconds, name, Path(scratch))
                if wrk
                else asyncio.run(_hammer(url, paths, token, args.clients, args.seconds, name))
                for name, paths in cases.items()
            ]
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(120)
    peer = results[0].percentile(0.99)
    print(
        f"bench/api: {args.clients} clients x {args.seconds:.0f} s per route; "
        f"{args.blueprints} blueprints, {args.proposals} proposals; load from "
        + ("wrk" if wrk else "httpx (wrk is not on PATH; the Python client saturates first)")
    )
    print(f"{'route':<16} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'p99 / peer':>11}")
    for result in results:
        print(
            f"{result.name:<16} {result.rps:>8.1f} {result.percentile(0.5):>8.1f} {result.percentile(0.99):>8.1f}"
            f" {result.errors:>7} {result.percentile(0.99) / peer:>10.1f}x"
        )
    median = statistics.median(result.percentile(0.99) for result in results[1:])
    print(f"median p99 of the routes: {median:.1f} ms (aim: < 50 ms); errors: {sum(r.errors for r in results[1:])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
