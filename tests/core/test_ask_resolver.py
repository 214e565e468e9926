"""`ask`'s resolver against the example catalog: choosing, filling, naming, and asking back instead of guessing."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from infraplane.core.ask import AskResolution, Clarification, Overrides, Suggestion, resolve_request
from infraplane.core.ask.suggestion import catalog_prompt, parse_suggestion
from infraplane.core.blueprint import Blueprint, parse_blueprint
from infraplane.core.environment import parse_environment
from infraplane.errors import InputError
from tests.conftest import EXAMPLE_CATALOG


def _example_catalog() -> list[Blueprint]:
    blueprints = []
    for file in sorted(EXAMPLE_CATALOG.glob("*/blueprint.yaml")):
        blueprint, problems = parse_blueprint(yaml.safe_load(file.read_text()), str(file))
        assert blueprint is not None, problems
        blueprints.append(blueprint)
    return blueprints


CATALOG = _example_catalog()


def _resolve(text: str, taken: set[str] | None = None, **overrides: Any) -> AskResolution | Clarification:
    return resolve_request(text, CATALOG, taken or set(), Overrides(requester="someone", **overrides))


def _resolved(text: str, taken: set[str] | None = None, **overrides: Any) -> AskResolution:
    result = _resolve(text, taken, **overrides)
    assert isinstance(result, AskResolution), result
    return result


def _question(text: str) -> Clarification:
    result = _resolve(text)
    assert isinstance(result, Clarification), result
    return result


def test_a_staging_environment_for_the_payments_service() -> None:
    resolution = _resolved("spin up a staging environment for the payments service")
    assert resolution.as_dict() == {
        "blueprint": "service-stack",
        "version": "1.0.0",
        "environment": {"name": "payments-staging", "team": "payments", "tier": "staging"},
        "inputs": {"service": "payments"},
    }


# None of these sentences is in the eval file: they check that the resolver generalizes.
GENERALIZATION = [
    ("Could you provision a prod stack for the orders service with a big database and a small cache?",
     "service-stack", "prod", {"service": "orders", "db_size": "large", "cache_size": "small"}),
    ("need an sqs queue for the thumbnail workers, fifo, keep messages 3 days",
     "queue", "dev", {"fifo": True, "retention_days": 3}),
    ("bucket for logs in staging without versioning", "bucket", "staging", {"versioning": False}),
    ("a vpc with 10.20.0.0/16 in production", "network", "prod", {"cidr": "10.20.0.0/16"}),
    ("set up the inventory service in pre-prod", "service-stack", "staging", {"service": "inventory"}),
    ("queue with a 2 minute visibility timeout for the reports service in staging",
     "queue", "staging", {"visibility_timeout_seconds": 120}),
    ("Give me a production-ready stack for 'fraud-detection'", "service-stack", "prod", {"service": "fraud-detection"}),
    ("A staging VPC spanning 2 AZs with CIDR 10.1.0.0/20",
     "network", "staging", {"az_count": 2, "cidr": "10.1.0.0/20"}),
    ("a FIFO SQS queue retaining messages for 1 day in qa", "queue", "staging", {"fifo": True, "retention_days": 1}),
    ("unversioned bucket for temp files", "bucket", "dev", {"versioning": False}),
    ("checkout stack in prod", "service-stack", "prod", {"service": "checkout"}),
    ("Hey, could I get a redis cache and postgres db for the booking service in staging?",
     "service-stack", "staging", {"service": "booking"}),
    ("network in eu-west-1 with three zones for prod", "network", "prod", {"region": "eu-west-1", "az_count": 3}),
    ("I need to store build artifacts", "bucket", "dev", {}),
    ("queue for the orders service", "queue", "dev", {}),
    ("a small stack for the blog in dev", "service-stack", "dev", {"service": "blog"}),
    ("Set up prod for billing with a medium cache",
     "service-stack", "prod", {"service": "billing", "cache_size": "medium"}),
    ("dev env, service name: orders", "service-stack", "dev", {"service": "orders"}),
    ("New environment: service=payments, tier=staging", "service-stack", "staging", {"service": "payments"}),
    ("queue for the payments-service", "queue", "dev", {}),
    ("a load-test queue in staging", "queue", "staging", {}),
    ("bucket to hold nightly database backups, prod", "bucket", "prod", {}),
    ("I need a staging environment for the tax service; the database should be large",
     "service-stack", "staging", {"service": "tax", "db_size": "large"}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "blueprint", "tier", "inputs"), GENERALIZATION)
def test_sentences_outside_the_eval_file_resolve(text: str, blueprint: str, tier: str, inputs: dict[str, Any]) -> None:
    resolution = _resolved(text)
    assert (resolution.blueprint, resolution.tier, dict(resolution.inputs)) == (blueprint, tier, inputs)


@pytest.mark.parametrize("text", ["I need some infrastructure", "can you help me?", "hello"])
def test_a_vague_request_asks_back_with_every_blueprint(text: str) -> None:
    question = _question(text)
    assert {o.value for o in question.options} == {b.name for b in CATALOG}


def test_a_missing_required_value_asks_for_it_and_offers_the_composite_that_provides_it() -> None:
    question = _question("I need a postgres database for the orders service")
    assert question.blueprint == "postgres"
    assert "subnet_ids" in question.question and "vpc_id" in question.question
    assert [o.value for o in question.options] == ["subnet_ids", "vpc_id", "service-stack"]


def test_a_stack_without_a_service_asks_which_service() -> None:
    question = _question("a stack in staging")
    assert question.blueprint == "service-stack"
    assert [o.value for o in question.options] == ["service"]


def test_ids_in_the_words_complete_a_blueprint_that_needs_them() -> None:
    resolution = _resolved("a large postgres in vpc-0a1b2c3d with subnets subnet-11aa22bb and subnet-33cc44dd, prod")
    assert resolution.blueprint == "postgres"
    assert dict(resolution.inputs) == {
        "vpc_id": "vpc-0a1b2c3d",
        "subnet_ids": ["subnet-11aa22bb", "subnet-33cc44dd"],
        "size": "large",
    }


def test_words_that_fit_two_blueprints_equally_ask_which_one() -> None:
    question = _question("redis or postgres in vpc-0a1b2c3d")
    assert {o.value for o in question.options} >= {"cache", "postgres"}


@pytest.mark.parametrize(
    ("text", "field", "reason"),
    [
        ("VPC with four availability zones", "az_count", "4 is not one of [2, 3]"),
        ("queue that keeps messages for 30 days", "retention_days", "30 is greater than the maximum of 14"),
        ("a network with cidr 10.0.0.0/8", "cidr", "does not match"),
    ],
)
def test_a_value_the_schema_rejects_asks_back_with_the_reason(text: str, field: str, reason: str) -> None:
    question = _question(text)
    assert field in question.question and reason in question.question
    assert [o.value for o in question.options] == [field]


def test_two_tiers_in_one_request_ask_which() -> None:
    question = _question("a staging environment for payments and a prod one for billing")
    assert [o.value for o in question.options] == ["staging", "prod"]


def test_a_taken_name_gets_the_next_free_number() -> None:
    taken = {"payments-staging", "payments-staging-2"}
    assert _resolved("staging stack for the payments service", taken).name == "payments-staging-3"


def test_without_a_subject_the_environment_is_named_after_the_blueprint_and_owned_by_the_asker() -> None:
    resolution = _resolved("two-AZ VPC in staging")
    assert (resolution.name, resolution.team) == ("network-staging", "someone")


def test_a_purpose_names_the_environment_and_the_team() -> None:
    resolution = _resolved("give me a queue for email jobs in dev")
    assert (resolution.name, resolution.team, dict(resolution.inputs)) == ("email-jobs-dev", "email-jobs", {})


def test_an_environment_named_in_the_words_keeps_that_name() -> None:
    resolution = _resolved("a staging env named blue for the checkout service")
    assert (resolution.name, dict(resolution.inputs)) == ("blue", {"service": "checkout"})


def test_overrides_win_over_the_words() -> None:
    resolution = _resolved("a prod stack for payments", name="pay-blue", team="finance", tier="staging")
    assert (resolution.name, resolution.team, resolution.tier) == ("pay-blue", "finance", "staging")


def test_an_invalid_name_override_is_an_input_error() -> None:
    with pytest.raises(InputError, match="--name"):
        _resolve("a prod stack for payments", name="Not A Name")


def test_the_environment_document_parses_as_an_environment_file() -> None:
    document = _resolved("a versioned bucket for invoices in production").environment_document()
    environment, problems = parse_environment(document, "ask")
    assert environment is not None, problems
    assert environment.spec.blueprint == "bucket@^1.1.0"
    assert environment.spec.inputs == {"versioning": True}
    assert (environment.metadata.name, environment.metadata.tier) == ("invoices-prod", "prod")


def test_a_suggestion_naming_a_blueprint_outside_the_catalog_is_ignored() -> None:
    result = resolve_request(
        "fifo queue for order events, staging",
        CATALOG,
        set(),
        Overrides(requester="someone"),
        Suggestion(blueprint="kafka", inputs={"partitions": 3}),
    )
    assert isinstance(result, AskResolution)
    assert (result.blueprint, result.resolver, dict(result.inputs)) == ("queue", "builtin", {"fifo": True})


def test_a_suggestion_with_inputs_the_schema_rejects_is_ignored() -> None:
    suggestion = Suggestion(blueprint="queue", inputs={"retention_days": 99})
    result = resolve_request("fifo queue, staging", CATALOG, set(), Overrides(requester="x"), suggestion)
    assert isinstance(result, AskResolution)
    assert (result.resolver, dict(result.inputs)) == ("builtin", {"fifo": True})


def test_a_valid_suggestion_is_used() -> None:
    suggestion = Suggestion(blueprint="queue", inputs={"retention_days": 5}, tier="prod", subject="audit")
    result = resolve_request("the thing for audit logs", CATALOG, set(), Overrides(requester="x"), suggestion)
    assert isinstance(result, AskResolution)
    assert (result.blueprint, result.resolver, result.tier, dict(result.inputs)) == (
        "queue",
        "llm",
        "prod",
        {"retention_days": 5},
    )


def test_a_backend_answer_is_read_from_the_first_json_object() -> None:
    answer = 'Sure! {"blueprint": "bucket", "tier": "prod", "service": null, "inputs": {"versioning": false}} Done.'
    assert parse_suggestion(answer) == Suggestion("bucket", {"versioning": False}, "prod", None)
    assert parse_suggestion("no idea") is None
    assert parse_suggestion('{"blueprint": null}') is None


def test_the_prompt_lists_the_catalog_and_the_request() -> None:
    prompt = catalog_prompt("a fifo queue", CATALOG)
    assert '"name": "service-stack"' in prompt and "retention_days" in prompt
    assert prompt.endswith("Request: a fifo queue")
