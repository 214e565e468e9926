"""A store holding environments as replay finds them, from real Terraform states and plans (no cloud needed).

- `orders-dev` runs a queue (`jobs`) and a bucket (`files`): their applied states, tests/fixtures/states/orders-dev/;
- `docs-dev` runs only the bucket (the same state);
- `payments-staging` is not applied yet: its pending create proposal keeps the plans of network, queue and
  bucket (tests/fixtures/plans/service-stack/).

Both queues keep messages 4 days; the dead-letter queues 14.
"""

from __future__ import annotations

from infraplane.core.ports import Store
from infraplane.core.records import ComponentRecord, EnvironmentRecord, RevisionRecord, StateVersion
from infraplane.core.state import parse_state
from tests.support.proposals import PLANS, STATES
from tests.support.summary_cases import CASES

__all__ = ["running", "seed_environments"]


def running(store: Store, name: str, team: str, components: dict[str, tuple[str, str]]) -> None:
    """An applied environment: its record, revision 1 and each component's stored state (component -> (ref, file))."""
    with store.transaction() as tx:
        tx.environments.save(
            EnvironmentRecord(name, team, "dev", team, f"{name}@0.0.0", "sandbox", None, "ready", "", 1)
        )
        spec = {"components": {c: {"blueprint": b.split("@")[0]} for c, (b, _) in components.items()}}
        document = {"environment": {"metadata": {"name": name, "team": team, "tier": "dev"}, "spec": spec}}
        tx.environments.add_revision(
            RevisionRecord(name, 1, {**document, "blueprint": f"{name}@0.0.0"}, "t", "human:ana")
        )
        for component, (blueprint, state) in components.items():
            content = (STATES / state).read_bytes()
            parsed = parse_state(content)
            tx.environments.save_component(
                ComponentRecord(name, component, blueprint, "sha256:x", "terraform", "applied")
            )
            tx.environments.add_state(StateVersion(name, component, parsed.serial, parsed.lineage, content, "t"))


def seed_environments(store: Store) -> str:
    """The three environments above; the id of payments-staging's pending proposal."""
    running(
        store,
        "orders-dev",
        "orders",
        {
            "jobs": ("queue@1.1.0", "orders-dev/jobs.tfstate.json"),
            "files": ("bucket@1.1.0", "orders-dev/files.tfstate.json"),
        },
    )
    running(store, "docs-dev", "docs", {"files": ("bucket@1.1.0", "orders-dev/files.tfstate.json")})
    proposed = CASES["service-stack-create"]()
    documents = {c: (PLANS / "service-stack" / f"{c}-create.json").read_bytes() for c in ("network", "queue", "bucket")}
    with store.transaction() as tx:
        tx.proposals.save(proposed)
        tx.proposals.put_plan_documents(proposed.id, documents)
    return proposed.id
