"""Two approvals or two applies of one proposal at the same moment: exactly one apply runs, the other is 409.

The proposals here destroy an environment with no components on the `aws` target, so an apply
really runs (lifecycle, locks, audit) without Terraform or a cloud.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from infraplane.core.identity import Role
from infraplane.core.proposal_lifecycle import ProposalStatus
from tests.interfaces.api.conftest import Api, follow, serve


def _at_once(*calls: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        results[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _apply_starts(api: Api, proposal_id: str) -> int:
    return sum(
        1 for e in api.container.audit.events(action="proposal.apply.start") if e.subject == f"proposal:{proposal_id}"
    )


@pytest.fixture
def second(published_home: Path, api: Api) -> Iterator[Api]:
    """Another server over the same home (as a second process would be), knowing the same tokens."""
    for other in serve(published_home, make_tokens=False):
        other.secrets = api.secrets
        yield other


def test_two_applies_at_once_on_one_server_run_one(api: Api) -> None:
    api.add_environment("payments-old", "payments", target="aws")
    api.add_proposal("p-destroy0001", "payments-old", "payments", ProposalStatus.APPROVED, kind="destroy")
    path = "/api/v1/proposals/p-destroy0001/apply"
    responses = _at_once(*[lambda: api.client.post(path, headers=api.headers("approver"))] * 2)
    assert sorted(r.status_code for r in responses) == [202, 409], [r.text for r in responses]
    assert follow(api, "p-destroy0001", "approver")[-1]["status"] == "applied"
    assert _apply_starts(api, "p-destroy0001") == 1


def test_two_approvals_at_once_start_one_apply(api: Api) -> None:
    api.token("approver-2", Role.APPROVER, ("payments",))
    api.add_environment("payments-old", "payments", target="aws")
    api.add_proposal("p-destroy0002", "payments-old", "payments", kind="destroy")  # needs one approval
    path = "/api/v1/proposals/p-destroy0002/approve"
    body = {"comment": "go", "apply": True}
    responses = _at_once(
        lambda: api.client.post(path, json=body, headers=api.headers("approver")),
        lambda: api.client.post(path, json=body, headers=api.headers("approver-2")),
    )
    assert sorted(r.status_code for r in responses) == [200, 409], [r.text for r in responses]
    approved = next(r for r in responses if r.status_code == 200).json()
    assert approved["run"]["run"] == "apply"
    assert follow(api, "p-destroy0002", "approver")[-1]["status"] == "applied"
    assert _apply_starts(api, "p-destroy0002") == 1
    assert api.client.get("/api/v1/audit/verify", headers=api.headers("admin")).json()["verified"] is True


def test_two_servers_over_one_store_apply_once(api: Api, second: Api) -> None:
    """Across processes no in-memory flag helps: the store's row lock and the transition table decide."""
    api.add_environment("payments-old", "payments", target="aws")
    api.add_proposal("p-destroy0003", "payments-old", "payments", ProposalStatus.APPROVED, kind="destroy")
    path = "/api/v1/proposals/p-destroy0003/apply"
    responses = _at_once(
        lambda: api.client.post(path, headers=api.headers("approver")),
        lambda: second.client.post(path, headers=second.headers("approver")),
    )
    outcomes = []
    for server, response in zip((api, second), responses, strict=True):
        if response.status_code == 202:
            last = follow(server, "p-destroy0003", "approver")[-1]
            outcomes.append(last.get("status") or last["error"]["code"])
        else:
            assert response.status_code == 409, response.text
            outcomes.append(response.json()["error"]["code"])
    assert sorted(outcomes)[0] == "applied" and sorted(outcomes)[1] in ("illegal_transition", "refused"), outcomes
    assert _apply_starts(api, "p-destroy0003") == 1
