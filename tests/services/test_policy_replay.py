"""Policy replay on a real store and the real Rego engine, over states and plans real Terraform made.

The environments are those of tests/support/replay_store.py: `orders-dev` runs a queue and a bucket,
`docs-dev` only the bucket, `payments-staging` is only proposed (its pending proposal keeps the plans).
Bundle `retention` (tests/fixtures/bundles/retention-v1) denies a queue keeping messages under 7 days:
both queues keep 4, so it must name exactly orders-dev's and payments-staging's queue and nothing of docs-dev.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from infraplane.adapters.policy.backend import RegoPolicies
from infraplane.adapters.store import SqlStore
from infraplane.core.audit import Actor
from infraplane.errors import ConfirmationRequiredError, InputError
from infraplane.services.policy import PolicyService
from infraplane.services.policy_replay import PolicyReplayService
from tests.support.replay_store import seed_environments

BUNDLES = Path(__file__).resolve().parents[1] / "fixtures" / "bundles"
ROOT = Actor("human", "root")


@pytest.fixture
def replays(tmp_path: Path) -> Iterator[tuple[PolicyReplayService, SqlStore, str]]:
    store = SqlStore(f"sqlite:///{tmp_path / 'infraplane.db'}")
    store.migrate()
    pending = seed_environments(store)
    policies = PolicyService(store, RegoPolicies(), tmp_path / "policies", {})
    yield PolicyReplayService(store, policies), store, pending
    store.dispose()


def test_replay_names_exactly_the_environments_and_resources_a_new_rule_breaks(
    replays: tuple[PolicyReplayService, SqlStore, str],
) -> None:
    service, store, pending = replays
    replayed = service.replay(BUNDLES / "retention-v1", ROOT)
    report = replayed.report
    assert report.replaces is None and report.environments == ("docs-dev", "orders-dev", "payments-staging")
    found = {(c.change, c.environment, c.component, c.rule, c.address, c.sources) for c in report.changes}
    assert found == {
        ("newly-denies", "orders-dev", "jobs", "RET-001", "aws_sqs_queue.this", ("state",)),
        (
            "newly-denies",
            "payments-staging",
            "queue",
            "RET-001",
            "aws_sqs_queue.this",
            (f"plan of {pending} (pending)",),
        ),
    }
    assert report.denied_environments == ("orders-dev", "payments-staging")
    message = next(c.message for c in report.changes if c.environment == "orders-dev")
    assert message == "aws_sqs_queue.this keeps messages 4 days"

    with store.transaction() as tx:
        (stored,) = tx.policies.replays("retention")
        (event,) = list(tx.audit.events(action="policy.replay"))
    assert stored.id == replayed.id and stored.digest == report.bundle.digest
    assert stored.report["denied_environments"] == ["orders-dev", "payments-staging"]
    assert event.subject == "policy-bundle:retention@1.0.0" and event.payload["digest"] == report.bundle.digest
    assert event.payload["replay"] == replayed.id and event.payload["counts"]["newly-denies"] == 2
    assert service.get(replayed.id).report == report


def test_publishing_what_denies_running_environments_needs_a_yes(
    replays: tuple[PolicyReplayService, SqlStore, str],
) -> None:
    service, store, _ = replays
    with pytest.raises(ConfirmationRequiredError) as refused:
        service.publish(BUNDLES / "retention-v1", ROOT, confirmed=False)
    assert "would newly deny 2 running environment(s): orders-dev, payments-staging" in refused.value.message
    assert refused.value.detail["denied_environments"] == ["orders-dev", "payments-staging"]
    with store.transaction() as tx:
        assert tx.policies.all() == [] and list(tx.audit.events(action="policy.publish")) == []

    result, replayed = service.publish(BUNDLES / "retention-v1", ROOT, confirmed=True)
    assert result.status == "published"
    with store.transaction() as tx:
        (event,) = list(tx.audit.events(action="policy.publish"))
    assert event.payload["digest"] == result.digest
    assert event.payload["replay"] == {
        "replay": replayed.id,
        "denied_environments": ["orders-dev", "payments-staging"],
        "confirmed": True,
    }


def test_a_new_version_is_judged_against_the_active_one_package_by_package(
    replays: tuple[PolicyReplayService, SqlStore, str], tmp_path: Path
) -> None:
    service, _, _ = replays
    first, _ = service.publish(BUNDLES / "retention-v1", ROOT, confirmed=True)

    added = service.replay(BUNDLES / "retention-v2", ROOT).report
    assert added.replaces is not None and added.replaces.digest == first.digest
    assert added.packages == ("retention.visibility",)  # the unchanged queues package cannot change anything
    assert {(c.change, c.environment, c.rule, c.address) for c in added.changes} == {
        ("newly-warns", env, "RET-002", address)
        for env in ("orders-dev", "payments-staging")
        for address in ("aws_sqs_queue.dlq", "aws_sqs_queue.this")
    }
    assert added.denied_environments == ()

    relaxed = tmp_path / "retention-v3"
    shutil.copytree(BUNDLES / "retention-v1", relaxed)
    manifest = yaml.safe_load((relaxed / "bundle.yaml").read_text())
    manifest.update(version="1.2.0", params={"min_retention_days": 3})
    (relaxed / "bundle.yaml").write_text(yaml.safe_dump(manifest))
    lowered = service.replay(relaxed, ROOT).report
    assert lowered.packages == ("retention.queues",)
    assert {(c.change, c.environment, c.severity, c.was) for c in lowered.changes} == {
        ("stops-firing", "orders-dev", "deny", "deny"),
        ("stops-firing", "payments-staging", "deny", "deny"),
    }


def test_a_bundle_that_does_not_load_is_named_and_nothing_is_stored(
    replays: tuple[PolicyReplayService, SqlStore, str],
) -> None:
    service, store, _ = replays
    with pytest.raises(InputError) as bad:
        service.replay(BUNDLES / "broken", ROOT)
    assert "broken" in bad.value.message or bad.value.problems
    with store.transaction() as tx:
        assert tx.policies.replays() == []


def test_replaying_the_active_version_changes_nothing(replays: tuple[PolicyReplayService, SqlStore, str]) -> None:
    service, _, _ = replays
    service.publish(BUNDLES / "retention-v1", ROOT, confirmed=True)
    report = service.replay(BUNDLES / "retention-v1", ROOT).report
    assert report.changes == () and report.packages == ()
    # docs-dev: its request and 1 state; orders-dev: its request and 2 states; payments-staging: 3 stored plans
    assert report.documents == 8
