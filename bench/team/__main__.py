"""bench/team: proposals from several teams through team mode, with 1 and with 2 workers, a worker killed on a timer.

    python -m bench.team [--proposals 40] [--teams 5] [--workers 1,2] [--kill-every 60] [--blueprint secret-parameter]

For each worker count: a throw-away PostgreSQL, a private sandbox, one `infraplane serve` in team
mode and N `infraplane worker` processes. Every proposal (one environment of one component each,
`--teams` teams in turn) is planned and applied through the REST API; every `--kill-every` seconds
the worker with a run under way is killed with SIGKILL and a fresh worker (a new home: another
machine) starts in its place. Prints per worker count: wall time and throughput (proposals applied
per minute), kills, how every proposal ended, lost (not ended, or never planned), applied twice
(an apply started twice for one proposal's component, or an SSM parameter written twice), and
whether `infraplane audit verify` passes; then the 2-worker throughput as a ratio of the 1-worker one.
"""

from __future__ import annotations

import argparse
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from tests.support.postgres import ThrowawayPostgres, find_pg_bin
from tests.support.team import RunningWorker, Team, start_team

from bench.common import free_port, home_environment
from infraplane.adapters.sandbox.control import start_sandbox, stop_sandbox

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "catalog"
FINAL = {"applied", "failed", "rejected", "expired"}
_INPUTS = {
    "secret-parameter": lambda name: {"secret_value": f"bench-secret-{name}"},
    "marker": lambda name: {"value": f"bench-{name}"},
}
_PARAMETER = {"secret-parameter": "/secrets/{env}/main", "marker": "/markers/{env}/main"}


@dataclass
class Round:
    workers: int
    proposals: int
    seconds: float = 0.0
    kills: int = 0
    ended: dict[str, int] = field(default_factory=dict)
    lost: list[str] = field(default_factory=list)
    twice: list[str] = field(default_factory=list)
    reapplied: int = 0  # applied again after a cut-short apply sent it back to decision
    audit_ok: bool = False
    failures: list[str] = field(default_factory=list)

    @property
    def applied(self) -> int:
        return self.ended.get("applied", 0)

    @property
    def per_minute(self) -> float:
        return self.applied / (self.seconds / 60) if self.seconds else 0.0


def _document(name: str, team: str, blueprint: str) -> dict[str, Any]:
    return {
        "apiVersion": "infraplane.dev/v1",
        "kind": "Environment",
        "metadata": {"name": name, "team": team, "tier": "dev"},
        "spec": {"components": {"main": {"blueprint": f"{blueprint}@1.0.0", "inputs": _INPUTS[blueprint](name)}}},
    }


def _busy_worker(team: Team) -> RunningWorker | None:
    """A live worker with a Terraform (or script) under way, else any live worker."""
    alive = [w for w in team.workers if w.process.poll() is None]
    busy = [w for w in alive if any(c.name() != "python" for c in _children(w))]
    return random.choice(busy or alive) if alive else None


def _children(worker: RunningWorker) -> list[Any]:
    import psutil

    try:
        return list(psutil.Process(worker.process.pid).children(recursive=True))
    except psutil.NoSuchProcess:
        return []


def run_round(
    workers: int,
    proposals: int,
    teams: int,
    kill_every: float,
    kill_window: float,
    blueprint: str,
    scratch: Path,
    pg: ThrowawayPostgres,
) -> Round:
    result = Round(workers, proposals)
    url = pg.create_database(f"bench_{workers}")
    sandbox_home = scratch / f"sandbox-{workers}"
    sandbox, _ = start_sandbox(sandbox_home, free_port())
    team = start_team(scratch / f"team-{workers}", url, sandbox_home, [FIXTURES / blueprint], lease_seconds=10)
    spawned = 0
    try:
        for _ in range(workers):
            spawned += 1
            team.start_worker(f"w{spawned}")
        team.wait_ready(workers=workers, timeout=120)
        started = time.monotonic()
        names = {f"bench-t{i % teams}-{i:03d}": f"team{i % teams}" for i in range(proposals)}
        ids = {team.propose(_document(n, t, blueprint), "bench/team"): n for n, t in names.items()}
        applied_once: dict[str, set[str]] = {}
        status: dict[str, str] = {}
        next_kill = started + kill_every
        # Kills stop after `kill_window` (a worker dying more often than a task takes would never let it
        # finish); then the rest must still end: what does not is lost.
        kills_end = started + kill_window
        deadline = kills_end + 30 * 60
        while time.monotonic() < deadline:
            for proposal_id in ids:
                if status.get(proposal_id) in FINAL:
                    continue
                seen = team.proposal(proposal_id)
                if seen is None:
                    continue
                status[proposal_id] = seen["status"]
                if seen["status"] == "approved" and seen["plan_digest"] not in applied_once.get(proposal_id, set()):
                    # Applied once per plan: a queued apply keeps the proposal `approved` until a worker takes it.
                    answer = team.api("POST", f"/api/v1/proposals/{proposal_id}/apply")
                    if answer.status_code == 202:
                        if proposal_id in applied_once:
                            result.reapplied += 1  # its first apply was cut short and it was planned again
                        applied_once.setdefault(proposal_id, set()).add(seen["plan_digest"])
            if all(status.get(p) in FINAL for p in ids):
                break
            if next_kill <= time.monotonic() < kills_end:
                victim = _busy_worker(team)
                if victim is not None:
                    victim.kill()
                    result.kills += 1
                    spawned += 1
                    team.start_worker(f"w{spawned}")  # a new machine takes its place
                next_kill += kill_every
            time.sleep(1.0)
        result.seconds = time.monotonic() - started
        for proposal_id, name in ids.items():
            final = status.get(proposal_id, "never planned")
            result.ended[final] = result.ended.get(final, 0) + 1
            if final not in FINAL:
                result.lost.append(f"{proposal_id} ({name}): {final}")
            if final == "failed":
                seen = team.proposal(proposal_id) or {}
                result.failures.append(f"{proposal_id}: {str(seen.get('result', ''))[:160]}")
        starts = _apply_starts(team)
        ssm = boto3.client(
            "ssm",
            endpoint_url=sandbox.endpoint,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )
        for proposal_id, name in ids.items():
            if starts.get(f"component:{name}/main", 0) > 1:
                result.twice.append(f"{proposal_id}: apply started {starts[f'component:{name}/main']} times")
            if status.get(proposal_id) == "applied":
                parameter = _PARAMETER[blueprint].format(env=name)
                version = ssm.get_parameter(Name=parameter)["Parameter"]["Version"]
                if version != 1:
                    result.twice.append(f"{name}: {parameter} written {version} times")
        verify = subprocess.run(
            [sys.executable, "-m", "infraplane", "audit", "verify"],
            env=home_environment(team.server.home),
            capture_output=True,
            text=True,
            check=False,
        )
        result.audit_ok = verify.returncode == 0
    finally:
        team.stop()
        stop_sandbox(sandbox_home)
    return result


def _apply_starts(team: Team) -> dict[str, int]:
    """How often each component's apply started, by audit subject (each bench environment has one proposal)."""
    import psycopg

    counts: dict[str, int] = {}
    with psycopg.connect(team.database_url) as connection:
        for (subject,) in connection.execute(
            "SELECT subject FROM audit_events WHERE action = 'component.apply.start'"
        ).fetchall():
            counts[subject] = counts.get(subject, 0) + 1
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.team", description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=40)
    parser.add_argument("--teams", type=int, default=5)
    parser.add_argument("--workers", default="1,2", help="worker counts to measure, comma-separated")
    parser.add_argument("--kill-every", type=float, default=60.0, help="seconds between worker kills (0: none)")
    parser.add_argument("--kill-window", type=float, default=3600.0, help="no kills after this many seconds")
    parser.add_argument("--blueprint", choices=sorted(_INPUTS), default="secret-parameter")
    args = parser.parse_args()
    # SIGTERM unwinds like Ctrl-C, so the server, workers, sandbox and PostgreSQL are stopped.
    signal.signal(signal.SIGTERM, lambda _s, _f: (_ for _ in ()).throw(KeyboardInterrupt()))
    bin_dir = find_pg_bin()
    if bin_dir is None:
        raise SystemExit("PostgreSQL binaries not found (Debian's postgresql package)")
    pg = ThrowawayPostgres(bin_dir)
    pg.start()
    rounds = []
    try:
        with tempfile.TemporaryDirectory(prefix="infraplane-bench-team-") as scratch:
            for count in (int(n) for n in args.workers.split(",")):
                kill_every = args.kill_every if args.kill_every > 0 else float("inf")
                done = run_round(
                    count, args.proposals, args.teams, kill_every, args.kill_window, args.blueprint, Path(scratch), pg
                )
                rounds.append(done)
                _print(done)
    finally:
        pg.stop()
    if len(rounds) == 2 and rounds[0].per_minute:
        ratio = rounds[1].per_minute / rounds[0].per_minute
        print(f"throughput {rounds[1].workers} workers / {rounds[0].workers}: {ratio:.2f}x")
    bad = any(r.lost or r.twice or not r.audit_ok for r in rounds)
    return 1 if bad else 0


def _print(r: Round) -> None:
    ended = ", ".join(f"{k} {v}" for k, v in sorted(r.ended.items()))
    print(
        f"{r.workers} worker(s): {r.proposals} proposals in {r.seconds:.0f} s = {r.per_minute:.2f} applied/min; "
        f"{r.kills} kill(s); ended: {ended}; lost {len(r.lost)}; applied twice {len(r.twice)}; "
        f"re-applied after a cut-short apply {r.reapplied}; audit verify {'ok' if r.audit_ok else 'FAILED'}"
    )
    for line in r.lost + r.twice + r.failures:
        print(f"  {line}")


if __name__ == "__main__":
    raise SystemExit(main())
