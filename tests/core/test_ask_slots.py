"""Filling inputs from words: enum values and their synonyms, numbers and durations, booleans, shaped values."""

from __future__ import annotations

from typing import Any

import pytest

from infraplane.core.ask.names import find_names
from infraplane.core.ask.ranking import CatalogIndex
from infraplane.core.ask.slots import fill_inputs
from infraplane.core.ask.text import fold, parse_request
from tests.core.test_ask_resolver import CATALOG

INDEX = CatalogIndex(CATALOG)


def _fill(blueprint: str, text: str) -> dict[str, Any]:
    request = parse_request(text)
    names = find_names(request, INDEX.concepts, INDEX.vocabulary)
    return fill_inputs(request, INDEX.by_name[blueprint], names).inputs


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a large database", {"db_size": "large"}),
        ("a big db and a tiny redis", {"db_size": "large", "cache_size": "small"}),
        ("medium cache, large postgres", {"cache_size": "medium", "db_size": "large"}),
        ("db large, cache medium", {"db_size": "large", "cache_size": "medium"}),
        ("a large stack", {}),
    ],
)
def test_size_words_go_to_the_enum_input_they_stand_next_to(text: str, expected: dict[str, Any]) -> None:
    inputs = _fill("service-stack", text)
    assert {k: v for k, v in inputs.items() if k != "service"} == expected


def test_a_size_word_goes_to_the_only_input_that_allows_it() -> None:
    assert _fill("postgres", "a huge postgres") == {"size": "large"}


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("keep messages for 14 days", 14),
        ("keeps messages a week", 7),
        ("retain messages for two weeks", 14),
        ("messages kept 48 hours", 2),
        ("3-day retention", 3),
        ("retention 5d", 5),
    ],
)
def test_durations_are_converted_to_the_unit_the_input_name_says(text: str, days: int) -> None:
    assert _fill("queue", text) == {"retention_days": days}


def test_a_duration_goes_to_the_input_its_words_point_at() -> None:
    assert _fill("queue", "visibility timeout of 5 minutes, keep messages 2 days") == {
        "visibility_timeout_seconds": 300,
        "retention_days": 2,
    }


@pytest.mark.parametrize(
    ("text", "az_count"),
    [("across three availability zones", 3), ("two-AZ", 2), ("3 AZs", 3), ("two zone network", 2)],
)
def test_counts_next_to_their_words(text: str, az_count: int) -> None:
    assert _fill("network", text) == {"az_count": az_count}


def test_a_number_without_its_words_fills_nothing() -> None:
    assert _fill("network", "three networks please") == {}


@pytest.mark.parametrize(
    ("text", "versioning"),
    [
        ("a versioned bucket", True),
        ("with versioning", True),
        ("no versioning please", False),
        ("without versioning", False),
        ("versioning off", False),
        ("versioning turned off", False),
        ("unversioned", False),
        ("a non-versioned bucket", False),
        ("I don't want versioning", False),
        ("versioning=false", False),
    ],
)
def test_booleans_and_their_negations(text: str, versioning: bool) -> None:
    assert _fill("bucket", text) == {"versioning": versioning}


def test_booleans_named_by_several_words() -> None:
    assert _fill("postgres", "a highly available postgres") == {"high_availability": True}
    assert _fill("postgres", "multi-az postgres") == {"high_availability": True}
    assert _fill("queue", "fifo queue") == {"fifo": True}


def test_shaped_values_go_to_the_input_whose_name_or_pattern_takes_them() -> None:
    assert _fill("network", "cidr 10.42.0.0/16 in eu-west-1") == {"cidr": "10.42.0.0/16", "region": "eu-west-1"}
    assert _fill("postgres", "in vpc-0a1b2c3d, subnets subnet-aaaaaa01 subnet-aaaaaa02") == {
        "vpc_id": "vpc-0a1b2c3d",
        "subnet_ids": ["subnet-aaaaaa01", "subnet-aaaaaa02"],
    }
    arn = "arn:aws:kms:us-east-1:123456789012:key/abcd"
    assert _fill("bucket", f"encrypted with {arn}") == {"kms_key_arn": arn}


def test_values_the_words_do_not_say_are_left_to_their_defaults() -> None:
    assert _fill("bucket", "an S3 bucket for ML training data in staging") == {}
    assert _fill("queue", "give me a queue for email jobs in dev") == {}


def test_the_service_input_takes_the_named_service() -> None:
    assert _fill("service-stack", 'a dev environment for service "ledger"') == {"service": "ledger"}
    assert _fill("service-stack", "staging stack for the search-api service") == {"service": "search-api"}
    assert _fill("service-stack", "prod environment for billing, medium db") == {
        "service": "billing",
        "db_size": "medium",
    }


def test_word_forms_fold_to_one_root() -> None:
    assert fold("versioned") == fold("versioning") == fold("version")
    assert fold("redis") == fold("caches") == fold("cache")
    assert fold("db") == fold("databases")
    assert fold("stores") == fold("storage")


def test_name_value_settings_set_any_input_with_its_type() -> None:
    assert _fill("queue", "retention_days=3 fifo=yes") == {"retention_days": 3, "fifo": True}
    assert _fill("postgres", "subnet_ids=subnet-a1,subnet-b2, prod") == {"subnet_ids": ["subnet-a1", "subnet-b2"]}
