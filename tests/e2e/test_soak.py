"""The soak at `make test` size: two environments of two independent Terraform components, up and down at once.

Two CLI processes at a time on one home; real terraform, the real AWS provider from the mirror,
the sandbox cloud. Every input is valid, so the only acceptable number of failed runs is zero
(issue 19). Each component run starts the AWS provider three or four times (~3-5 s of CPU each on
this machine; 3 x 2 took 470 s of CPU under load), so the size here is what the suite's time
budget allows; `python -m bench.soak` runs it larger (8 x 3 queues, three rounds, four processes).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.soak import run_soak

from infraplane.adapters.sandbox.control import SandboxInfo
from tests.support.sandbox import aws

ENVIRONMENTS = 2
COMPONENTS = 2


@pytest.mark.slow
def test_environments_up_and_down_at_once_fail_only_for_real_reasons(
    cloud_home: Path, tmp_path: Path, sandbox: SandboxInfo
) -> None:
    ssm = aws(sandbox, "ssm")
    seen: list[str] = []

    def parameters() -> list[str]:
        found = ssm.get_parameters_by_path(Path="/secrets/", Recursive=True)["Parameters"]
        return sorted(p["Name"] for p in found if p["Name"].startswith("/secrets/soak-"))

    report = run_soak(
        cloud_home,
        tmp_path,
        ENVIRONMENTS,
        COMPONENTS,
        rounds=1,
        processes=2,
        after_up=lambda _: seen.extend(parameters()),
        blueprint="secret-parameter",
    )
    failures = "\n".join(f"{r.environment} {r.command}:\n{r.output}" for r in report.failures)
    assert not report.failures, failures
    assert len(report.runs) == 2 * ENVIRONMENTS
    # Every component's parameter was there after the ups ...
    assert seen == [f"/secrets/soak-{e:02d}/c{c}" for e in range(ENVIRONMENTS) for c in range(COMPONENTS)]
    # ... and the destroys removed every one.
    assert parameters() == []
