"""Hostile settings: a bad environment variable or config.yaml value is named, exit 2, nothing is touched."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.hostile.conftest import StoreView, assert_refused, store_view
from tests.support.cli import run_cli


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("abc", "valid integer"),
        ("0", "greater than or equal to 1"),
        ("9" * 5000, "as an integer"),
        ("65", "less than or equal to 64"),
    ],
)
def test_a_bad_concurrency_variable_is_named(
    published_home: Path, baseline: StoreView, value: str, needle: str
) -> None:
    result = run_cli(published_home, "catalog", "list", env={"INFRAPLANE_CONCURRENCY": value})
    assert_refused(result, "INFRAPLANE_CONCURRENCY", needle)
    assert store_view(published_home) == baseline


@pytest.mark.parametrize(
    ("config", "needles"),
    [
        ("limits: {archive_bytes: -5}\n", ["config.yaml", "limits.archive_bytes", "greater than or equal to 1024"]),
        ("limits: {document_bytes: lots}\n", ["config.yaml", "limits.document_bytes"]),
        ("limits: {file_count: 3}\n", ["config.yaml", "limits.file_count"]),
        ("- a list\n", ["config.yaml", "expected a mapping"]),
        ("concurrency: 2\nconcurrency: 64\n", ["config.yaml", "duplicate key 'concurrency'"]),
        (
            "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcde", "bcdef", strict=True)),
            ["config.yaml", "aliases repeat content"],
        ),
    ],
)
def test_a_bad_limits_setting_is_named(
    configured_home: Callable[[str], Path], baseline: StoreView, config: str, needles: list[str]
) -> None:
    home = configured_home(config)
    assert_refused(run_cli(home, "catalog", "list"), *needles)
    (home / "config.yaml").unlink()
    assert store_view(home) == baseline
