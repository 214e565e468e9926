"""Hostile blueprints and archives: `catalog publish` refuses each before storing anything."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.conftest import EXAMPLE_CATALOG, FIXTURE_CATALOG
from tests.hostile.conftest import CliView, StoreView, assert_refused, cli_view, store_view
from tests.support.cli import run_cli


def _marker(tmp_path: Path, version: str = "9.0.0") -> Path:
    """A copy of the fixture `marker` blueprint (script runner) at a version nobody published."""
    copy = tmp_path / "marker"
    shutil.copytree(FIXTURE_CATALOG / "marker", copy)
    blueprint = copy / "blueprint.yaml"
    blueprint.write_text(blueprint.read_text().replace("version: 1.0.0", f"version: {version}"))
    return copy


def _with_blueprint(tmp_path: Path, text: str) -> Path:
    copy = _marker(tmp_path)
    (copy / "blueprint.yaml").write_text(text)
    return copy


def _stack_wired_to(tmp_path: Path, wiring: str) -> Path:
    catalog = tmp_path / "catalog"
    shutil.copytree(EXAMPLE_CATALOG, catalog)
    file = catalog / "service-stack" / "blueprint.yaml"
    data = yaml.safe_load(file.read_text())
    data["metadata"]["version"] = "9.0.0"
    data["spec"]["components"]["postgres"]["inputs"]["vpc_id"] = wiring
    file.write_text(yaml.safe_dump(data, sort_keys=False))
    return catalog


MARKER = (FIXTURE_CATALOG / "marker" / "blueprint.yaml").read_text().replace("version: 1.0.0", "version: 9.0.0")
BOMB = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *[f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(7)],
    ]
)

CASES: dict[str, tuple[Callable[[Path], Path], list[str]]] = {
    "wiring to an undeclared output": (
        lambda tmp: _stack_wired_to(tmp, "${components.network.outputs.vpc}"),
        ["spec.components.postgres.inputs.vpc_id", "network@1.1.0 has no output 'vpc'", "vpc_id"],
    ),
    "alias bomb": (lambda tmp: _with_blueprint(tmp, BOMB), ["aliases repeat content"]),
    "duplicate key": (
        lambda tmp: _with_blueprint(
            tmp, MARKER.replace("  runner: script\n", "  runner: script\n  runner: terraform\n")
        ),
        ["duplicate key 'runner'"],
    ),
    "a 2 MB description": (
        lambda tmp: _with_blueprint(tmp, MARKER.replace("description: Test", "description: " + "x" * 2_000_000)),
        ["limit for a document is 1,048,576 bytes"],
    ),
    "a default far longer than its own schema allows": (
        lambda tmp: _with_blueprint(
            tmp,
            MARKER.replace(
                "value: {type: string,", "value: {type: string, maxLength: 3, default: " + "d" * 100_000 + ","
            ),
        ),
        ["spec.inputs.value.default", "does not satisfy its own schema", "…"],
    ),
    "a version that is 5000 characters": (
        lambda tmp: _with_blueprint(tmp, MARKER.replace("version: 9.0.0", "version: '" + "1" * 5000 + "'")),
        ["metadata.version", "is not a semantic version", "…"],
    ),
    "a version that is a 5000-digit number": (
        lambda tmp: _with_blueprint(tmp, MARKER.replace("version: 9.0.0", "version: " + "1" * 5000)),
        ["refused at line 5", "a number of 5,000 digits"],
    ),
    "not UTF-8": (
        lambda tmp: _with_blueprint(tmp, "").joinpath("blueprint.yaml").write_bytes(b"kind: \xff\n") and tmp / "marker",
        ["not valid UTF-8"],
    ),
    "empty": (lambda tmp: _with_blueprint(tmp, ""), ["the file is empty; expected a Blueprint document"]),
    "a list at the top level": (lambda tmp: _with_blueprint(tmp, "- a\n- b\n"), ["expected a mapping", "list"]),
    "unknown top-level key": (
        lambda tmp: _with_blueprint(tmp, MARKER + "status: published\n"),
        ["status", "not a known field"],
    ),
}


def test_first_the_command_line_view_is_noted(cli_baseline: CliView) -> None:
    assert '"name": "marker"' in cli_baseline.catalog


@pytest.mark.parametrize("case", list(CASES))
def test_a_hostile_blueprint_is_not_published(
    published_home: Path, baseline: StoreView, tmp_path: Path, case: str
) -> None:
    make, needles = CASES[case]
    path = make(tmp_path)
    assert_refused(run_cli(published_home, "catalog", "publish", str(path)), *needles)
    assert store_view(published_home) == baseline


def test_a_device_is_not_a_catalog(published_home: Path, baseline: StoreView) -> None:
    assert_refused(run_cli(published_home, "catalog", "publish", "/dev/null"), "/dev/null", "not a regular file")
    assert store_view(published_home) == baseline


def test_an_archive_over_the_configured_limit_is_refused_before_storing(
    configured_home: Callable[[str], Path], baseline: StoreView, tmp_path: Path
) -> None:
    home = configured_home("limits: {archive_bytes: 16384}\n")
    marker = _marker(tmp_path)
    (marker / "scripts" / "payload.bin").write_bytes(os.urandom(64 * 1024))  # random: the archive cannot shrink it
    stderr = assert_refused(
        run_cli(home, "catalog", "publish", str(marker)),
        str(marker / "blueprint.yaml"),
        "spec.source",
        "the limit (limits.archive_bytes) is 16,384 bytes",
    )
    assert "bytes" in stderr
    assert store_view(home) == baseline
    (marker / "scripts" / "payload.bin").unlink()
    assert run_cli(home, "catalog", "publish", str(marker)).exit_code == 0  # under the limit it publishes


def test_a_huge_source_is_refused_before_a_byte_of_it_is_read(
    configured_home: Callable[[str], Path], baseline: StoreView, tmp_path: Path
) -> None:
    home = configured_home("")  # the default limit, 200 MB
    marker = _marker(tmp_path)
    with (marker / "scripts" / "huge.bin").open("wb") as huge:
        huge.truncate(3 * 1024**3)  # sparse: 3 GiB that take no disk, and would take minutes and memory to pack
    assert_refused(
        run_cli(home, "catalog", "publish", str(marker)),
        str(marker / "blueprint.yaml"),
        "spec.source",
        "its files are 3,221,",
        "the limit (limits.archive_bytes) is 209,715,200 bytes",
    )
    assert store_view(home) == baseline


def test_last_the_command_line_shows_the_store_unchanged(published_home: Path, cli_baseline: CliView) -> None:
    assert cli_view(published_home) == cli_baseline
