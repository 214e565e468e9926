"""`catalog validate` names the file, the field and the reason, exits 2, and never shows a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.support.cli import run_cli


def _edit(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def _expect_problem(home: Path, target: Path, *needles: str) -> str:
    result = run_cli(home, "catalog", "validate", str(target))
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr
    return result.stderr


def test_missing_required_metadata(home: Path, catalog_copy: Path) -> None:
    file = catalog_copy / "queue" / "blueprint.yaml"
    _edit(file, lambda d: d["metadata"].pop("owner"))
    _expect_problem(home, file, str(file), "metadata.owner", "is required")


def test_bad_semver(home: Path, catalog_copy: Path) -> None:
    file = catalog_copy / "queue" / "blueprint.yaml"
    _edit(file, lambda d: d["metadata"].__setitem__("version", "1.2"))
    _expect_problem(home, file, str(file), "metadata.version", "not a semantic version")


def test_default_outside_its_enum(home: Path, catalog_copy: Path) -> None:
    file = catalog_copy / "postgres" / "blueprint.yaml"
    _edit(file, lambda d: d["spec"]["inputs"]["size"].__setitem__("default", "huge"))
    _expect_problem(home, file, str(file), "spec.inputs.size.default", "'huge' is not one of")


def test_input_missing_from_the_module_variables(home: Path, catalog_copy: Path) -> None:
    file = catalog_copy / "bucket" / "blueprint.yaml"
    _edit(file, lambda d: d["spec"]["inputs"].__setitem__("lifecycle_days", {"type": "integer", "default": 30}))
    _expect_problem(home, file, "spec.inputs.lifecycle_days", "the module has no variable 'lifecycle_days'")


def test_undeclared_required_variable_and_type_mismatch(home: Path, catalog_copy: Path) -> None:
    module = catalog_copy / "queue" / "module"
    (module / "extra.tf").write_text('variable "owner_email" {\n  type = string\n}\n')
    file = catalog_copy / "queue" / "blueprint.yaml"
    _edit(file, lambda d: d["spec"]["inputs"]["fifo"].update({"type": "string", "default": "no"}))
    _expect_problem(home, file, "'owner_email'", "no default and is not declared", "spec.inputs.fifo.type", "'bool'")


def test_output_missing_from_the_module(home: Path, catalog_copy: Path) -> None:
    file = catalog_copy / "queue" / "blueprint.yaml"
    _edit(file, lambda d: d["spec"]["outputs"].__setitem__("queue_name", {"description": "x"}))
    _expect_problem(home, file, "spec.outputs.queue_name", "the module has no output 'queue_name'")


def test_composite_wired_to_an_output_that_does_not_exist(home: Path, catalog_copy: Path) -> None:
    file = catalog_copy / "service-stack" / "blueprint.yaml"
    _edit(
        file,
        lambda d: d["spec"]["components"]["postgres"]["inputs"].__setitem__(
            "vpc_id", "${components.network.outputs.vpc}"
        ),
    )
    _expect_problem(
        home, catalog_copy, str(file), "spec.components.postgres.inputs.vpc_id", "network@1.1.0 has no output 'vpc'"
    )


def test_a_composite_may_not_read_another_environment(home: Path, catalog_copy: Path) -> None:
    file = catalog_copy / "service-stack" / "blueprint.yaml"
    _edit(
        file,
        lambda d: d["spec"]["components"]["postgres"]["inputs"].__setitem__(
            "vpc_id", "${environments.shared-network.outputs.vpc_id}"
        ),
    )
    _expect_problem(
        home,
        catalog_copy,
        "spec.components.postgres.inputs.vpc_id",
        "only an environment file reads another environment's outputs",
    )


def test_sizing_and_scaling_declarations_are_checked(home: Path, catalog_copy: Path) -> None:
    file = catalog_copy / "postgres" / "blueprint.yaml"

    def change(d: dict) -> None:  # type: ignore[type-arg]
        sizing = d["spec"]["sizing"]
        sizing["capacity"] = {"small": 1, "medium": 2, "huge": 8}
        sizing["metric"]["output"] = "instance"
        d["spec"]["scaling"] = {"input": "size", "metric": dict(sizing["metric"], output="instance_id")}

    _edit(file, change)
    _expect_problem(
        home,
        file,
        "spec.sizing.capacity.huge: is not an allowed value",
        "spec.sizing.capacity: gives no capacity for large",
        "spec.sizing.metric.output: 'instance' is not a declared output",
        "spec.scaling.input: input 'size' must be an integer with a minimum and a maximum",
    )


def test_component_cycle_is_named(home: Path, catalog_copy: Path) -> None:
    file = catalog_copy / "service-stack" / "blueprint.yaml"

    def make_cycle(data: dict) -> None:  # type: ignore[type-arg]
        data["spec"]["components"]["network"]["inputs"]["cidr"] = "${components.bucket.outputs.bucket_name}"
        data["spec"]["components"]["bucket"]["inputs"]["name_suffix"] = "${components.queue.outputs.queue_url}"
        data["spec"]["components"]["queue"]["depends_on"] = ["postgres"]

    _edit(file, make_cycle)
    stderr = _expect_problem(home, catalog_copy, "spec.components", "component cycle:")
    for name in ("network", "bucket", "queue", "postgres"):
        assert name in stderr.split("component cycle:")[1]


def test_unknown_component_blueprint_suggests_names(home: Path, catalog_copy: Path) -> None:
    file = catalog_copy / "service-stack" / "blueprint.yaml"
    _edit(file, lambda d: d["spec"]["components"]["cache"].__setitem__("blueprint", "cahce@^1.0"))
    _expect_problem(
        home, catalog_copy, "spec.components.cache.blueprint", "no blueprint named 'cahce'", "did you mean cache"
    )


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("", "the file is empty"),
        ("\x00\x01\x02 garbage: [", "not valid YAML"),
        ("{{{{ not yaml", "not valid YAML"),
        ("- just\n- a list\n", "expected a mapping"),
        ("apiVersion: infraplane.dev/v2\nkind: Blueprint\n", "apiVersion"),
        (b"\xff\xfe\x00binary".decode("latin-1"), "not"),
    ],
)
def test_garbage_files_get_a_clear_error(home: Path, tmp_path: Path, content: str, needle: str) -> None:
    file = tmp_path / "blueprint.yaml"
    file.write_text(content, encoding="latin-1")
    _expect_problem(home, file, str(file), needle)


def test_missing_path(home: Path, tmp_path: Path) -> None:
    _expect_problem(home, tmp_path / "nope", "no such file or directory")


def test_source_must_exist(home: Path, catalog_copy: Path) -> None:
    file = catalog_copy / "queue" / "blueprint.yaml"
    _edit(file, lambda d: d["spec"].__setitem__("source", "./modul"))
    _expect_problem(home, file, "spec.source", "does not exist")


def test_broken_hcl_is_reported(home: Path, catalog_copy: Path) -> None:
    (catalog_copy / "queue" / "module" / "broken.tf").write_text('variable "x" {\n  type = \n')
    _expect_problem(home, catalog_copy / "queue", "broken.tf", "cannot parse HCL")


def test_invalid_publish_stores_nothing(home: Path, catalog_copy: Path) -> None:
    file = catalog_copy / "postgres" / "blueprint.yaml"
    _edit(file, lambda d: d["spec"]["inputs"]["size"].__setitem__("default", "huge"))
    result = run_cli(home, "catalog", "publish", str(catalog_copy))
    assert result.exit_code == 2
    assert run_cli(home, "catalog", "list", "--json").json() == []
    assert run_cli(home, "audit", "log", "--json").json() == []
