"""Bad environment files are refused with exit 2, naming the problem, before any runner starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import copy_of
from tests.support.cli import run_cli

GOOD = """apiVersion: infraplane.dev/v1
kind: Environment
metadata: {name: shop-dev, team: shop, tier: dev}
spec:
"""


@pytest.fixture(scope="module")
def published_home(tmp_path_factory: pytest.TempPathFactory, published_template: Path) -> Path:
    """One home with both catalogs published, shared by this file's tests (none of them changes it)."""
    return copy_of(published_template, tmp_path_factory.mktemp("published") / ".infraplane")


@pytest.mark.parametrize(
    ("spec", "needles"),
    [
        (
            "  blueprint: servce-stack\n  inputs: {service: shop}\n",
            ["spec.blueprint", "no blueprint named 'servce-stack'", "did you mean service-stack"],
        ),
        (
            "  blueprint: service-stack@^9\n  inputs: {service: shop}\n",
            ["spec.blueprint", "no version of 'service-stack' matches '^9'", "available: 1.0.0"],
        ),
        (
            "  blueprint: service-stack\n  inputs: {service: shop, db_size: huge}\n",
            ["spec.inputs.db_size", "'huge' is not allowed", "small", "large"],
        ),
        ("  blueprint: service-stack\n  inputs: {service: Shop_Service}\n", ["spec.inputs.service", "does not match"]),
        ("  blueprint: service-stack\n  inputs: {}\n", ["spec.inputs", "'service' is a required property"]),
        ("  blueprint: service-stack@newest\n", ["spec.blueprint", "not a valid version constraint"]),
        (
            "  components:\n"
            "    a: {blueprint: marker, inputs: {value: '${components.b.outputs.value}'}}\n"
            "    b: {blueprint: marker, inputs: {value: '${components.a.outputs.value}'}}\n",
            ["component cycle", "a", "b"],
        ),
        (
            "  components:\n    a: {blueprint: marker, inputs: {value: '${components.nope.outputs.value}'}}\n",
            ["spec.components.a.inputs.value", "refers to no component"],
        ),
        (
            "  components:\n"
            "    a: {blueprint: marker, inputs: {value: x}}\n"
            "    b: {blueprint: marker, inputs: {value: '${components.a.outputs.nope}'}}\n",
            ["spec.components.b.inputs.value", "has no output 'nope'"],
        ),
        ("  blueprint: queue\n  components: {}\n", ["either spec.blueprint or spec.components"]),
    ],
)
def test_bad_environment_is_refused_before_any_runner(
    published_home: Path, tmp_path: Path, spec: str, needles: list[str]
) -> None:
    file = tmp_path / "env.yaml"
    file.write_text(GOOD + spec)
    for command in (["env", "plan", str(file)], ["env", "up", str(file), "--yes"]):
        result = run_cli(published_home, *command)
        assert result.exit_code == 2, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        for needle in needles:
            assert needle in result.stderr, result.stderr
    assert not (published_home / "work").exists()
    assert run_cli(published_home, "env", "list", "--json").json() == []


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("", "the file is empty"),
        ("key: [unclosed", "not valid YAML"),
        (GOOD.replace("team: shop, ", "") + "  blueprint: queue\n", "metadata.team"),
    ],
)
def test_malformed_environment_files(published_home: Path, tmp_path: Path, content: str, needle: str) -> None:
    file = tmp_path / "env.yaml"
    file.write_text(content)
    result = run_cli(published_home, "env", "up", str(file), "--yes")
    assert result.exit_code == 2 and needle in result.stderr and str(file) in result.stderr


def test_missing_file_and_unknown_environment(published_home: Path, tmp_path: Path) -> None:
    result = run_cli(published_home, "env", "plan", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2 and "no such file" in result.stderr
    result = run_cli(published_home, "env", "show", "nope")
    assert result.exit_code == 2 and "no environment named 'nope'" in result.stderr


def test_up_without_a_running_sandbox_is_refused(published_home: Path, tmp_path: Path) -> None:
    file = tmp_path / "env.yaml"
    file.write_text(GOOD + "  blueprint: queue\n")
    result = run_cli(published_home, "env", "up", str(file), "--yes")
    assert result.exit_code == 2 and "infraplane sandbox start" in result.stderr
