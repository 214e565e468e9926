"""SQS fidelity patches for the sandbox cloud (moto 5.2).

1. `RedrivePolicy` comes back as `json.dumps` output (`{"deadLetterTargetArn": "...", "maxReceiveCount": 5}`,
   with spaces) where AWS answers compact JSON. Terraform's `jsonencode` is compact too, and the
   AWS provider (5.100) compares the strings, so every plan after apply showed an in-place update
   ("whitespace changes") on a queue with a dead-letter queue. -> returned compact, as AWS does.
2. `RedriveAllowPolicy` is stored but never returned by `GetQueueAttributes`, so
   `aws_sqs_queue_redrive_allow_policy` and the queue's `redrive_allow_policy` never read back.
   -> returned, compact.
"""

from __future__ import annotations

import json
from typing import Any

from moto.sqs.models import Queue

__all__ = ["apply_sqs_patches"]

_ORIGINALS: dict[str, Any] = {}


def _compact(policy: Any) -> str:
    value = json.loads(policy) if isinstance(policy, str) else policy
    return json.dumps(value, separators=(",", ":"))


def _attributes(self: Any) -> dict[str, Any]:
    result: dict[str, Any] = _ORIGINALS["Queue.attributes"].fget(self)
    if self.redrive_policy:
        result["RedrivePolicy"] = _compact(self.redrive_policy)
    allow_policy = getattr(self, "redrive_allow_policy", None)
    if allow_policy:
        result["RedriveAllowPolicy"] = _compact(allow_policy)
    return result


def apply_sqs_patches() -> None:
    """Install the SQS patches on moto's Queue model; calling it again does nothing."""
    if _ORIGINALS:
        return
    _ORIGINALS["Queue.attributes"] = Queue.__dict__["attributes"]
    setattr(Queue, "attributes", property(_attributes))  # noqa: B010 - mypy forbids assigning to a property
