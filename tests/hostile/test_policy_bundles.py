"""Hostile policy bundles: `policy publish` refuses a bad `bundle.yaml` naming it, before storing anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.conftest import StoreView, assert_refused, store_view
from tests.support.cli import run_cli

RULES = (Path(__file__).resolve().parents[1] / "fixtures" / "bundles" / "retention-v1" / "queues.rego").read_text()
HEAD = "name: retention\nversion: 9.0.0\n"
LAUGHS = "".join(
    f"  {name}: &{name} [{', '.join([f'*{below}'] * 9)}]\n" for below, name in zip("abcdefgh", "bcdefghi", strict=True)
)

CASES = {
    "alias bomb": (HEAD + "params:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + LAUGHS, "aliases"),
    "duplicate key": (HEAD + "params: {min_retention_days: 7}\nparams: {min_retention_days: 0}\n", "duplicate key"),
    "not YAML": (HEAD + "params: [unclosed\n", "not valid YAML"),
    "a list": ("- retention\n", "expected a mapping"),
}


ARITY = {
    "a.rego": 'package hunt.a\nimport rego.v1\nf(x) := x\ndeny contains "a" if f(1) == 1\n',
    "b.rego": 'package hunt.b\nimport rego.v1\nf(x, y) := x\ndeny contains "b" if f(1, 2) == 1\n',
}


@pytest.mark.parametrize("command", [["policy", "publish"], ["policy", "replay"], ["policy", "test"]])
def test_a_bundle_that_crashes_the_rego_engine_is_refused_and_the_command_lives(
    published_home: Path, baseline: StoreView, tmp_path: Path, command: list[str]
) -> None:
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "bundle.yaml").write_text(HEAD)
    for name, text in ARITY.items():
        (bundle / name).write_text(text)
    assert_refused(run_cli(published_home, *command, str(bundle)), "retention@9.0.0", "the Rego engine crashed")
    assert store_view(published_home) == baseline


@pytest.mark.parametrize("case", list(CASES))
def test_a_hostile_bundle_manifest_is_refused(
    published_home: Path, baseline: StoreView, tmp_path: Path, case: str
) -> None:
    text, needle = CASES[case]
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "queues.rego").write_text(RULES)
    (bundle / "bundle.yaml").write_text(text)
    assert_refused(run_cli(published_home, "policy", "publish", str(bundle), "--yes"), "bundle.yaml", needle)
    assert store_view(published_home) == baseline


@pytest.mark.parametrize("target", ["elsewhere", "nothere"], ids=["a link to a file outside", "a broken link"])
def test_a_linked_module_is_refused_since_the_archive_leaves_links_out(
    published_home: Path, baseline: StoreView, tmp_path: Path, target: str
) -> None:
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "bundle.yaml").write_text(HEAD)
    (bundle / "queues.rego").write_text(RULES)
    (tmp_path / "elsewhere").write_text("package shared\n")
    (bundle / "shared.rego").symlink_to(tmp_path / target)
    result = run_cli(published_home, "policy", "publish", str(bundle), "--yes")
    assert_refused(result, "shared.rego", "a symbolic link: copy the file into the bundle")
    assert store_view(published_home) == baseline
