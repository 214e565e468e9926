"""Hostile environment files: `env plan` refuses each before any runner starts, and the store does not move."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.hostile.conftest import CliView, StoreView, assert_refused, cli_view, store_view
from tests.support.cli import run_cli

HEAD = "apiVersion: infraplane.dev/v1\nkind: Environment\nmetadata: {name: shop-dev, team: shop, tier: dev}\nspec:\n"
BOMB = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *[f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(7)],
    ]
)
DEV_BECOMES_PROD = """apiVersion: infraplane.dev/v1
kind: Environment
metadata:
  name: shop-dev
  team: shop
  tier: dev
  tier: prod
spec:
  blueprint: queue
"""
FIVE_MB = 5_000_000

CASES: dict[str, tuple[str | bytes, list[str]]] = {
    "alias bomb": (BOMB, ["refused at line", "aliases repeat content"]),
    "duplicate key: dev becoming prod": (DEV_BECOMES_PROD, ["line 7", "duplicate key 'tier' (first given at line 6)"]),
    "wiring to an undeclared output": (
        HEAD + "  components:\n"
        "    a: {blueprint: marker, inputs: {value: x}}\n"
        "    b: {blueprint: marker, inputs: {value: '${components.a.outputs.nope}'}}\n",
        ["spec.components.b.inputs.value", "marker@1.0.0 has no output 'nope'", "parameter_name"],
    ),
    "wiring to a component that does not exist": (
        HEAD + "  components:\n    a: {blueprint: marker, inputs: {value: '${components.zz.outputs.value}'}}\n",
        ["spec.components.a.inputs.value", "refers to no component"],
    ),
    "TTL of 99999999999999999999 weeks": (
        HEAD + "  blueprint: queue\n  ttl: 99999999999999999999w\n",
        ["spec.ttl", "longer than the maximum of 366 days"],
    ),
    "TTL of a thousand digits": (HEAD + "  blueprint: queue\n  ttl: " + "9" * 1000 + "w\n", ["spec.ttl", "…"]),
    "not UTF-8": (b"apiVersion: infraplane.dev/v1\nkind: \xff\xfe\xfa\n", ["not valid UTF-8"]),
    "empty file": ("", ["the file is empty; expected an Environment document"]),
    "only a comment": ("# nothing here\n", ["the file is empty"]),
    "a list at the top level": (
        "- apiVersion: infraplane.dev/v1\n- kind: Environment\n",
        ["expected a mapping", "list"],
    ),
    "a string at the top level": ("just some words\n", ["expected a mapping", "str"]),
    "unknown top-level key": (HEAD + "  blueprint: queue\nstatus: {approved: true}\n", ["status", "not a known field"]),
    "unknown spec key": (HEAD + "  blueprint: queue\n  approved: true\n", ["spec.approved", "not a known field"]),
    "control character": (HEAD.replace("shop-dev", "shop\x07dev") + "  blueprint: queue\n", ["#x0007"]),
    "two documents in one file": (HEAD + "  blueprint: queue\n---\n" + HEAD + "  blueprint: queue\n", ["document"]),
    "a Python object tag": (HEAD + "  blueprint: !!python/object:os.system ls\n", ["not valid YAML", "line 5"]),
    "a 1000-character input name": (
        HEAD + "  blueprint: queue\n  inputs: {" + "k" * 1000 + ": 1}\n",
        ["spec.inputs", "Additional properties"],
    ),
    "a 5000-character environment name": (
        HEAD.replace("shop-dev", "a" * 5000) + "  blueprint: queue\n",
        ["metadata.name", "at most 40 characters"],
    ),
    "a huge number": (
        HEAD + "  blueprint: network\n  inputs: {az_count: " + "9" * 4000 + "}\n",
        ["spec.inputs.az_count"],
    ),
    "a 5000-digit number": (
        HEAD + "  blueprint: network\n  inputs: {az_count: " + "9" * 5000 + "}\n",
        ["refused at line 6", "a number of 5,000 digits"],
    ),
    "a deeply nested input": (
        HEAD + "  blueprint: queue\n  inputs: {x: " + "[" * 5000 + "]" * 5000 + "}\n",
        ["nested more than 64 levels deep"],
    ),
}


def test_first_the_command_line_view_is_noted(cli_baseline: CliView) -> None:
    assert '"catalog.publish"' in cli_baseline.audit_log and "audit chain verified" in cli_baseline.audit_verify


def _plan(home: Path, file: Path, *needles: str, limit: int = 600) -> str:
    stderr = assert_refused(run_cli(home, "env", "plan", str(file)), *needles, limit=limit)
    assert not (home / "work").exists(), "a runner started"
    return stderr


@pytest.mark.parametrize("case", list(CASES))
def test_a_hostile_environment_file_is_refused(
    published_home: Path, baseline: StoreView, tmp_path: Path, case: str
) -> None:
    content, needles = CASES[case]
    file = tmp_path / "env.yaml"
    if isinstance(content, bytes):
        file.write_bytes(content)
    else:
        file.write_text(content)
    _plan(published_home, file, str(file), *needles)
    assert store_view(published_home) == baseline


@pytest.mark.parametrize(("name", "needle"), [("/dev/null", "not a regular file"), ("directory", "is a directory")])
def test_a_device_or_a_directory_as_environment_file(
    published_home: Path, baseline: StoreView, tmp_path: Path, name: str, needle: str
) -> None:
    file = Path(name) if name.startswith("/") else tmp_path
    _plan(published_home, file, str(file), needle)
    assert store_view(published_home) == baseline


def _five_mb_suffix(directory: Path) -> Path:
    file = directory / "e.yaml"
    file.write_text(HEAD + "  blueprint: bucket\n  inputs:\n    name_suffix: " + "a" * FIVE_MB + "\n")
    return file


def test_a_5_mb_file_is_refused_by_the_document_limit(
    published_home: Path, baseline: StoreView, tmp_path: Path
) -> None:
    file = _five_mb_suffix(tmp_path)
    _plan(published_home, file, str(file), "limit for a document is 1,048,576 bytes", "limits.document_bytes")
    assert store_view(published_home) == baseline


def test_a_5_mb_value_is_quoted_as_a_short_excerpt(
    configured_home: Callable[[str], Path], baseline: StoreView, tmp_path: Path
) -> None:
    home = configured_home("limits: {document_bytes: 8000000}\n")
    file = _five_mb_suffix(tmp_path)
    stderr = _plan(home, file, "spec.inputs.name_suffix", "is too long", limit=300)
    assert "a" * 61 not in stderr
    assert store_view(home) == baseline


def test_last_the_command_line_shows_the_store_unchanged(published_home: Path, cli_baseline: CliView) -> None:
    assert cli_view(published_home) == cli_baseline
