"""Unmanaged resources: the inventory compared with real Terraform states (tests/fixtures/states/drifty-*)."""

from __future__ import annotations

from pathlib import Path

from infraplane.core.inventory import CloudResource, managed_by, unmanaged
from infraplane.core.state import parse_state

STATES = Path(__file__).parent.parent / "fixtures" / "states"
QUEUE_URL = "http://127.0.0.1:48059/123456789012/"


def _queue(name: str, tags: dict[str, str] | None = None) -> CloudResource:
    url = QUEUE_URL + name
    return CloudResource("sqs-queue", "aws_sqs_queue", url, url, "us-east-1", "id", tags or {}, name)


def test_what_no_state_manages_is_listed_and_what_one_does_is_not() -> None:
    states = [parse_state((STATES / f"drifty-{n}.tfstate.json").read_bytes()) for n in ("ssh", "jobs")]
    found = [
        _queue("drifty-jobs"),
        _queue("drifty-jobs-dlq"),
        _queue("stray", {"managed-by": "cdk"}),
        CloudResource(
            "security-group", "aws_security_group", "sg-4f5b85e83520531c7", "sg-4f5b85e83520531c7", "us-east-1", "id"
        ),
        CloudResource("security-group", "aws_security_group", "sg-0stray", "sg-0stray", "us-east-1", "id"),
        # The same id as a managed queue, of another type: not managed by it.
        CloudResource("s3-bucket", "aws_s3_bucket", QUEUE_URL + "drifty-jobs", "x", "us-east-1", "id"),
        # An RDS instance is matched on `identifier`, which no state here has.
        CloudResource("rds-instance", "aws_db_instance", "orders-db", "orders-db", "us-east-1", "identifier"),
    ]
    listed = unmanaged(found, states)
    assert [(r.terraform_type, r.id) for r in listed] == [
        ("aws_db_instance", "orders-db"),
        ("aws_s3_bucket", QUEUE_URL + "drifty-jobs"),
        ("aws_security_group", "sg-0stray"),
        ("aws_sqs_queue", QUEUE_URL + "stray"),
    ]
    stray = listed[-1].as_dict()
    assert set(stray) >= {"id", "type", "terraform_type", "region"} and stray["managed_by"] == "cdk"


def test_the_managed_by_tag_names_the_tool() -> None:
    assert managed_by({"ManagedBy": "terraform"}) == "terraform"
    assert managed_by({"managed-by": "infraplane", "team": "x"}) == "infraplane"
    assert managed_by({"aws:cloudformation:stack-name": "orders"}) == "cloudformation"
    assert managed_by({"team": "x"}) is None
