"""Four proposals made from real Terraform plans and states, as reviewers meet them: the golden summaries' cases.

- `service-stack-create`: payments-staging from service-stack@1.0.0, planned by infraplane against the sandbox
  (tests/fixtures/plans/service-stack/: network, queue and bucket planned, postgres and cache previewed with
  the network's outputs unknown, app-config waiting);
- `service-stack-upgrade`: the same environment moved to bigger database and cache sizes
  (tests/fixtures/plans/postgres-update-medium-multi-az.json, cache-update-medium.json, network-noop.json);
- `orders-dev-destroy`: a dev environment of a queue and a bucket, destroyed from its applied Terraform states
  (tests/fixtures/states/orders-dev/);
- `orders-dev-drift-revert`: the same environment after a hand edit of the queue's visibility timeout and
  tags and of the bucket's tags, planned back (tests/fixtures/plans/orders-dev/).
"""

from __future__ import annotations

from collections.abc import Callable

from infraplane.core.proposals import Proposal
from tests.support.proposals import Planned, destroy_from_states, proposal_from_plans

__all__ = ["CASES"]

WAITS = {"vpc_id": "network.vpc_id", "subnet_ids": "network.private_subnet_ids"}


def service_stack_create() -> Proposal:
    return proposal_from_plans(
        kind="create",
        environment="payments-staging",
        team="payments",
        tier="staging",
        blueprint="service-stack@1.0.0",
        components=(
            Planned("bucket", "bucket@1.1.0", "service-stack/bucket-create.json"),
            Planned("queue", "queue@1.1.0", "service-stack/queue-create.json"),
            Planned("network", "network@1.1.0", "service-stack/network-create.json"),
            Planned("cache", "cache@1.1.0", "service-stack/cache-preview.json", previewed=True, waits_for=WAITS),
            Planned(
                "postgres", "postgres@1.1.0", "service-stack/postgres-preview.json", previewed=True, waits_for=WAITS
            ),
            Planned("app-config", "app-config@1.1.0"),
        ),
        downstream=("app-config",),
    )


def service_stack_upgrade() -> Proposal:
    return proposal_from_plans(
        kind="upgrade",
        environment="payments-staging",
        team="payments",
        tier="staging",
        blueprint="service-stack@1.1.0",
        components=(
            Planned("bucket", "bucket@1.1.0", unchanged=True),
            Planned("queue", "queue@1.1.0", unchanged=True),
            Planned("network", "network@1.1.0", "network-noop.json"),
            Planned("cache", "cache@1.2.0", "cache-update-medium.json", classified=True),
            Planned("postgres", "postgres@1.2.0", "postgres-update-medium-multi-az.json", classified=True),
            Planned("app-config", "app-config@1.1.0", unchanged=True),
        ),
        downstream=("app-config",),
    )


def orders_dev_destroy() -> Proposal:
    return destroy_from_states(
        environment="orders-dev",
        team="orders",
        tier="dev",
        blueprint="orders-dev@0.0.0",  # its file lists components inline
        states={"jobs": "orders-dev/jobs.tfstate.json", "files": "orders-dev/files.tfstate.json"},
    )


def orders_dev_drift_revert() -> Proposal:
    return proposal_from_plans(
        kind="drift-revert",
        environment="orders-dev",
        team="orders",
        tier="dev",
        blueprint="orders-dev@0.0.0",  # its file lists components inline
        components=(
            Planned("jobs", "queue@1.1.0", "orders-dev/jobs-drift-revert.json"),
            Planned("files", "bucket@1.1.0", "orders-dev/files-drift-revert.json"),
        ),
    )


CASES: dict[str, Callable[[], Proposal]] = {
    "service-stack-create": service_stack_create,
    "service-stack-upgrade": service_stack_upgrade,
    "orders-dev-destroy": orders_dev_destroy,
    "orders-dev-drift-revert": orders_dev_drift_revert,
}
