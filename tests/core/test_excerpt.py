"""Errors quote the start of an offending value, never all of it."""

from __future__ import annotations

from jsonschema import Draft202012Validator

from infraplane.core.excerpt import bounded, excerpt, schema_message


def test_a_short_value_is_quoted_whole_and_a_long_one_cut_with_its_length() -> None:
    assert excerpt("small") == "'small'"
    cut = excerpt("a" * 5_000_000)
    assert cut.startswith("'" + "a" * 60 + "'…") and "5,000,000 characters" in cut and len(cut) < 100
    assert excerpt(list(range(10_000))).endswith("…")


def test_a_json_schema_message_quotes_an_excerpt_of_the_instance() -> None:
    [error] = Draft202012Validator({"type": "string", "maxLength": 30}).iter_errors("a" * 5_000_000)
    message = schema_message(error.message, error.instance)
    assert message.endswith("is too long") and len(message) < 150
    assert schema_message("'x' is too long", "x") == "'x' is too long"


def test_bounded_cuts_any_message() -> None:
    assert bounded("x" * 1000, 10) == "x" * 10 + "…"
