"""Which failed Terraform runs are worth running again, and the bounded backoff they get.

A failure is *transient* when the same command, run again unchanged a few seconds
later, can succeed: a provider package that a concurrent `init` was re-installing,
the cloud API answering 5xx or throttling, the state lock held by a run that is
still going. Everything else (configuration, validation, permissions, guardrails)
fails the same way every time and is reported at once.

Only reading steps are retried. An `apply` that failed may have changed the cloud
half-way; running it again is a decision for a person (or for crash recovery), not
for a retry loop.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psutil
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_exponential

__all__ = [
    "MAX_ATTEMPTS",
    "RETRYABLE_STEPS",
    "Transient",
    "TransientToolError",
    "classify_failure",
    "retrying",
    "tool_running_in",
]

# Steps that only read (the cloud, the state, the plan file) or install providers into the work dir.
RETRYABLE_STEPS = frozenset({"init", "plan", "show", "refresh", "output", "providers"})
MAX_ATTEMPTS = 4

_PROVIDER_RACE = (
    "there is no package for",
    "required plugins are not installed",
    "failed to install provider",
    "failed to query available provider packages",
    "the cached package for",
    "text file busy",
)
# AWS SDK errors and HTTP statuses that mean "the service is busy", not "your request is wrong".
_CLOUD_BUSY = re.compile(
    r"statuscode:\s*(500|502|503|504)\b"
    r"|\b(throttling(exception)?|throttled|requestlimitexceeded|toomanyrequestsexception|slowdown"
    r"|serviceunavailable(exception)?|internalerror|internalfailure|requesttimeout(exception)?"
    r"|provisionedthroughputexceededexception|ec2throttledexception)\b"
    r"|rate exceeded|connection reset by peer|tls handshake timeout"
    r"|http response code 50[234]",
)
_STATE_LOCK = "error acquiring the state lock"
# Failures that no retry fixes; when one is present the run failed for a real reason.
_PERMANENT = re.compile(
    r"\b(unsupported argument|invalid value for|reference to undeclared|missing required argument"
    r"|invalid reference|unsupported attribute|accessdenied(exception)?|unauthorizedoperation"
    r"|invalidparametervalue|invalidparametercombination|validationexception|validationerror"
    r"|invalidclienttokenid|authfailure|expiredtoken|no valid credential sources)\b"
    r"|error: invalid |syntax error|argument or block definition required|inconsistent dependency lock file"
    r"|incompatible provider version|no available releases match",
)


@dataclass(frozen=True)
class Transient:
    """Why a failure is worth another attempt (recorded as the retry's RunEvent)."""

    kind: str  # provider-install | cloud-busy | state-locked
    reason: str


def _first_line_with(text: str, needle: str) -> str:
    for line in text.splitlines():
        if needle in line.lower():
            return " ".join(line.split())[:200]
    return needle


def classify_failure(step: str, output: str, lock_holder_alive: Callable[[], bool]) -> Transient | None:
    """Transient (with its reason) or None for a real error; `output` is the tool's stdout and stderr.

    `lock_holder_alive` is asked only for a state-lock error: a lock left by a run that
    died stays until someone breaks it, so waiting for it is pointless.
    """
    if step not in RETRYABLE_STEPS:
        return None
    text = output.lower()
    if _PERMANENT.search(text):
        return None
    for needle in _PROVIDER_RACE:
        if needle in text:
            return Transient("provider-install", _first_line_with(output, needle))
    busy = _CLOUD_BUSY.search(text)
    if busy:
        return Transient("cloud-busy", _first_line_with(output, busy.group(0)))
    if _STATE_LOCK in text and lock_holder_alive():
        return Transient("state-locked", "the state lock is held by a run that is still going")
    return None


class TransientToolError(Exception):
    """A failed attempt that `classify_failure` found transient; carries the failure to raise if retries run out."""

    def __init__(self, transient: Transient, failure: Exception) -> None:
        super().__init__(transient.reason)
        self.transient = transient
        self.failure = failure


def retrying(
    on_retry: Callable[[int, Transient], None],
    attempts: int = MAX_ATTEMPTS,
    sleep: Callable[[float], None] = time.sleep,
) -> Retrying:
    """Tenacity's loop for TransientToolError: exponential backoff 1, 2, 4 s (capped at 8), `attempts` tries."""

    def before_sleep(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome is not None else None
        if isinstance(error, TransientToolError):
            on_retry(state.attempt_number, error.transient)

    return Retrying(
        retry=retry_if_exception(lambda error: isinstance(error, TransientToolError)),
        stop=stop_after_attempt(attempts),
        wait=wait_exponential(multiplier=1, min=1, max=8),
        sleep=sleep,
        before_sleep=before_sleep,
        reraise=True,
    )


def tool_running_in(module: Path) -> bool:
    """Whether a process (another run's terraform) is working in `module`: then it holds the state lock."""
    for process in psutil.process_iter(["cwd"]):
        with contextlib.suppress(psutil.Error):
            if process.info.get("cwd") == str(module):
                return True
    return False
