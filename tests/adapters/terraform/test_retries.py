"""Which Terraform failures are retried, on error texts real Terraform 1.11 printed.

The texts in failures/ were made with terraform 1.11.4 and the AWS provider 5.100.0:
a local HTTP server answered the EC2 API with the given status and AWS error code
(`max_retries = 1`), or answered the http backend's LOCK with 423; the missing-package
text is a plan after the plugin-cache entry its work dir links to was removed (what a
concurrent `init` re-installing it looks like); the unsupported argument is a typo'd
resource argument; the lock held over the local state file is an fcntl lock taken by
another process.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from infraplane.adapters.terraform.retries import (
    MAX_ATTEMPTS,
    Transient,
    TransientToolError,
    classify_failure,
    retrying,
)
from infraplane.errors import FailureError

FAILURES = Path(__file__).parent / "failures"


def text(name: str) -> str:
    return (FAILURES / name).read_text(encoding="utf-8")


def alive() -> bool:
    return True


def dead() -> bool:
    return False


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("provider_missing_from_cache.txt", "provider-install"),
        ("ec2_503_unavailable.txt", "cloud-busy"),
        ("ec2_request_limit_exceeded.txt", "cloud-busy"),
        ("ec2_throttling.json.txt", "cloud-busy"),
        ("state_locked_http.txt", "state-locked"),
        ("state_locked_http.json.txt", "state-locked"),
    ],
)
def test_transient_failures_are_retried_in_reading_steps(name: str, kind: str) -> None:
    for step in ("init", "plan", "show", "refresh", "output"):
        found = classify_failure(step, text(name), alive)
        assert found is not None, (name, step)
        assert found.kind == kind
        assert found.reason


@pytest.mark.parametrize("name", ["unsupported_argument.txt", "ec2_unauthorized.txt"])
def test_configuration_and_permission_errors_are_not_retried(name: str) -> None:
    assert classify_failure("plan", text(name), alive) is None


def test_an_apply_is_never_retried_whatever_failed() -> None:
    for name in ("ec2_503_unavailable.txt", "ec2_throttling.json.txt", "state_locked_http.txt"):
        assert classify_failure("apply", text(name), alive) is None


def test_a_lock_left_by_a_dead_run_is_not_waited_for() -> None:
    assert classify_failure("plan", text("state_locked_http.txt"), dead) is None


def test_the_lock_holder_is_only_looked_for_on_a_lock_error() -> None:
    def must_not_be_called() -> bool:
        raise AssertionError("asked about the lock holder for a throttled call")

    assert classify_failure("plan", text("ec2_throttling.json.txt"), must_not_be_called) is not None


def test_a_real_error_beside_a_transient_one_is_not_retried() -> None:
    both = text("ec2_503_unavailable.txt") + text("unsupported_argument.txt")
    assert classify_failure("plan", both, alive) is None


def test_retries_are_bounded_reported_and_end_with_the_real_failure() -> None:
    reported: list[tuple[int, str]] = []
    slept: list[float] = []
    calls = 0

    def always_throttled() -> None:
        nonlocal calls
        calls += 1
        raise TransientToolError(Transient("cloud-busy", "Throttling"), FailureError("plan failed: Throttling"))

    with pytest.raises(TransientToolError) as raised:
        retrying(lambda attempt, why: reported.append((attempt, why.kind)), sleep=slept.append)(always_throttled)
    assert calls == MAX_ATTEMPTS
    assert reported == [(n, "cloud-busy") for n in range(1, MAX_ATTEMPTS)]
    assert slept == sorted(slept) and all(0 < s <= 8 for s in slept)
    assert str(raised.value.failure) == "plan failed: Throttling"


def test_a_real_error_stops_the_loop_at_once() -> None:
    calls = 0

    def broken() -> None:
        nonlocal calls
        calls += 1
        raise FailureError("plan failed: Unsupported argument")

    with pytest.raises(FailureError):
        retrying(lambda _a, _w: None, sleep=lambda _s: None)(broken)
    assert calls == 1


def test_a_transient_failure_that_clears_returns_the_result() -> None:
    attempts = iter([True, False])

    def flaky() -> str:
        if next(attempts):
            raise TransientToolError(Transient("provider-install", "no package"), FailureError("x"))
        return "planned"

    assert retrying(lambda _a, _w: None, sleep=lambda _s: None)(flaky) == "planned"
