"""The environments the replay bench judges, built in a throw-away home from what real Terraform wrote.

Each environment runs the five Terraform components of the example service-stack (network, postgres,
cache, queue, bucket) and keeps the plans of its last (applied) proposal:

- states: queue and bucket are the states infraplane stored after applying them to the sandbox
  (tests/fixtures/states/orders-dev/); network, postgres and cache are the `prior_state` of real no-op plans
  of applied components (tests/fixtures/plans/*-noop.json), rewritten in Terraform's state format 4;
- plans: the plan JSON infraplane kept when it proposed payments-staging
  (tests/fixtures/plans/service-stack/: network, queue and bucket planned, postgres and cache previewed).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from tests.support.proposals import build_proposal

from infraplane.core.approval import decide
from infraplane.core.ports import Store
from infraplane.core.proposal_lifecycle import ProposalStatus
from infraplane.core.proposals import ComponentChange
from infraplane.core.records import ComponentRecord, EnvironmentRecord, RevisionRecord, StateVersion

__all__ = ["TIERS", "seed"]

REPO = Path(__file__).resolve().parents[2]
PLANS = REPO / "tests" / "fixtures" / "plans"
STATES = REPO / "tests" / "fixtures" / "states"
TIERS = ("dev", "staging", "prod")
COMPONENTS = {
    "network": ("network@1.1.0", "network-noop.json", "service-stack/network-create.json"),
    "postgres": ("postgres@1.1.0", "postgres-noop.json", "service-stack/postgres-preview.json"),
    "cache": ("cache@1.1.0", "cache-noop.json", "service-stack/cache-preview.json"),
    "queue": ("queue@1.1.0", "orders-dev/jobs.tfstate.json", "service-stack/queue-create.json"),
    "bucket": ("bucket@1.1.0", "orders-dev/files.tfstate.json", "service-stack/bucket-create.json"),
}


def _state_from_plan(plan: dict[str, Any]) -> bytes:
    """A no-op plan's `prior_state` (the applied resources, as Terraform refreshed them) as a state document."""
    prior = plan["prior_state"]
    resources = []
    for resource in prior["values"]["root_module"]["resources"]:
        instance: dict[str, Any] = {"schema_version": 0, "attributes": resource.get("values") or {}}
        if resource.get("index") is not None:
            instance["index_key"] = resource["index"]
        resources.append(
            {
                "mode": resource["mode"],
                "type": resource["type"],
                "name": resource["name"],
                "provider": f'provider["{resource["provider_name"]}"]',
                "instances": [instance],
            }
        )
    merged: dict[tuple[str, str, str], dict[str, Any]] = {}
    for resource in resources:  # count/for_each instances of one resource share one entry
        key = (resource["mode"], resource["type"], resource["name"])
        if key in merged:
            merged[key]["instances"] += resource["instances"]
        else:
            merged[key] = resource
    state = {
        "version": 4,
        "terraform_version": prior.get("terraform_version", ""),
        "serial": 3,
        "lineage": "bench",
        "outputs": {},
        "resources": list(merged.values()),
    }
    return json.dumps(state).encode()


def _states() -> dict[str, bytes]:
    states = {}
    for component, (_, source, _) in COMPONENTS.items():
        path = (PLANS if source.endswith("-noop.json") else STATES) / source
        content = path.read_bytes()
        states[component] = _state_from_plan(json.loads(content)) if source.endswith("-noop.json") else content
    return states


def seed(store: Store, count: int) -> list[str]:
    """`count` running environments (tiers and teams spread), each with five states and its last plans."""
    states = _states()
    plans = {c: (PLANS / plan).read_bytes() for c, (_, _, plan) in COMPONENTS.items()}
    names = []
    with store.transaction() as tx:
        for index in range(count):
            name, team, tier = f"bench-{index:03d}", f"team-{index % 7}", TIERS[index % len(TIERS)]
            names.append(name)
            tx.environments.save(
                EnvironmentRecord(name, team, tier, team, "service-stack@1.0.0", "sandbox", None, "ready", "", 1)
            )
            document = {
                "environment": {"metadata": {"name": name, "team": team, "tier": tier}, "spec": {"inputs": {}}},
                "blueprint": "service-stack@1.0.0",
            }
            tx.environments.add_revision(RevisionRecord(name, 1, document, "t", "human:ana"))
            for component, (blueprint, _, _) in COMPONENTS.items():
                tx.environments.save_component(
                    ComponentRecord(name, component, blueprint, "sha256:x", "terraform", "applied")
                )
                tx.environments.add_state(StateVersion(name, component, 3, "bench", states[component], "t"))
            base = build_proposal(f"p-bench{index:05d}", ProposalStatus.APPLIED)
            proposal = replace(
                base,
                environment=name,
                team=team,
                tier=tier,
                decision=decide([], [], []),
                components=tuple(
                    ComponentChange(c, b, "sha256:x", "planned", "new component") for c, (b, _, _) in COMPONENTS.items()
                ),
            )
            tx.proposals.save(proposal)
            tx.proposals.put_plan_documents(proposal.id, plans)
    return names
