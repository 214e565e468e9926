"""`infraplane ask` as a user drives it: the resolution on --dry-run, and a question back (exit 3) when unsure."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_CATALOG
from tests.support.cli import CliResult, run_cli


@pytest.fixture
def published(home: Path) -> Path:
    result = run_cli(home, "catalog", "publish", str(EXAMPLE_CATALOG))
    assert result.exit_code == 0, result.stderr
    return home


def _ask(home: Path, *args: str) -> CliResult:
    return run_cli(home, "--as", "ann", "ask", *args)


def test_dry_run_json_prints_the_resolution(published: Path) -> None:
    result = _ask(published, "spin up a staging environment for the payments service", "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json() == {
        "blueprint": "service-stack",
        "version": "1.0.0",
        "environment": {"name": "payments-staging", "team": "payments", "tier": "staging"},
        "inputs": {"service": "payments"},
    }


def test_dry_run_prints_a_readable_resolution(published: Path) -> None:
    result = _ask(published, "An S3 bucket for ML training data in staging, no versioning please", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "bucket@1.1.0 as environment ml-training-data-staging" in result.stdout
    assert "versioning=false" in result.stdout


def test_options_override_the_words(published: Path) -> None:
    result = _ask(
        published, "a fifo queue", "--dry-run", "--json", "--name", "orders-q", "--team", "orders", "--tier", "prod"
    )
    assert result.exit_code == 0, result.stderr
    assert result.json()["environment"] == {"name": "orders-q", "team": "orders", "tier": "prod"}
    assert result.json()["inputs"] == {"fifo": True}


def test_a_vague_request_asks_back_on_stdout_with_exit_3(published: Path) -> None:
    result = _ask(published, "I need some infrastructure", "--dry-run")
    assert result.exit_code == 3, result.stderr
    assert "Which of these do you need?" in result.stdout
    for name in ("service-stack", "queue", "bucket", "network"):
        assert f"- {name}:" in result.stdout
    assert "Traceback" not in result.stderr


def test_a_question_back_in_json(published: Path) -> None:
    result = _ask(published, "a stack in staging", "--dry-run", "--json")
    assert result.exit_code == 3
    question = result.json()
    assert question["clarify"] is True and question["blueprint"] == "service-stack"
    assert [o["value"] for o in question["options"]] == ["service"]


def test_a_bad_name_is_an_input_error(published: Path) -> None:
    result = _ask(published, "a fifo queue", "--dry-run", "--name", "Bad Name")
    assert result.exit_code == 2
    assert "--name" in result.stderr and "Traceback" not in result.stderr
