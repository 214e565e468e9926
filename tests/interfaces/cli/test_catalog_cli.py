"""The catalog as a user drives it: the real `infraplane` command, its output and exit codes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.conftest import EXAMPLE_CATALOG
from tests.support.cli import run_cli


def _set(blueprint_file: Path, dotted: str, value: object) -> None:
    data = yaml.safe_load(blueprint_file.read_text())
    node = data
    *parents, last = dotted.split(".")
    for key in parents:
        node = node[key]
    node[last] = value
    blueprint_file.write_text(yaml.safe_dump(data, sort_keys=False))


def test_publish_is_idempotent_and_versions_are_immutable(home: Path, catalog_copy: Path) -> None:
    postgres = catalog_copy / "postgres"
    first = run_cli(home, "catalog", "publish", str(postgres))
    assert first.exit_code == 0, first.stderr
    assert "published postgres@1.2.0" in first.stdout

    again = run_cli(home, "catalog", "publish", str(postgres))
    assert again.exit_code == 0
    assert "already published postgres@1.2.0" in again.stdout

    main_tf = postgres / "module" / "main.tf"
    main_tf.write_text(main_tf.read_text() + "\n# a change\n")
    changed = run_cli(home, "catalog", "publish", str(postgres))
    assert changed.exit_code == 2
    assert "postgres@1.2.0 is immutable; publish a new version" in changed.stderr
    assert "Traceback" not in changed.stderr

    _set(postgres / "blueprint.yaml", "metadata.version", "1.3.0")
    bumped = run_cli(home, "catalog", "publish", str(postgres))
    assert bumped.exit_code == 0, bumped.stderr
    assert "published postgres@1.3.0" in bumped.stdout

    shown = run_cli(home, "catalog", "show", "postgres", "--json").json()
    versions = {v["version"]: v for v in shown["versions"]}
    assert set(versions) == {"1.2.0", "1.3.0"}
    assert versions["1.2.0"]["digest"] != versions["1.3.0"]["digest"]
    assert all(v["digest"].startswith("sha256:") for v in versions.values())
    size = next(i for i in versions["1.3.0"]["inputs"] if i["name"] == "size")
    assert size["enum"] == ["small", "medium", "large"] and size["default"] == "small"

    constrained = run_cli(home, "catalog", "show", "postgres@~1.3", "--json").json()
    assert [v["version"] for v in constrained["versions"]] == ["1.3.0"]


def test_same_content_has_the_same_digest_from_any_path(home: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "somewhere" / "else" / "bucket"
    shutil.copytree(EXAMPLE_CATALOG / "bucket", elsewhere)
    (elsewhere / "module" / ".terraform").mkdir()
    (elsewhere / "module" / ".terraform" / "junk").write_text("provider cache")
    (elsewhere / "module" / "terraform.tfstate").write_text("{}")
    elsewhere.joinpath("module", "main.tf").touch()  # a new mtime must not matter
    one = run_cli(home, "catalog", "publish", str(EXAMPLE_CATALOG / "bucket"), "--json").json()
    other_home = tmp_path / "other-home"
    two = run_cli(other_home, "catalog", "publish", str(elsewhere), "--json").json()
    assert one[0]["digest"] == two[0]["digest"]
    assert run_cli(home, "catalog", "publish", str(elsewhere), "--json").json()[0]["status"] == "already published"


def test_example_catalog_validates_and_publishes_in_dependency_order(home: Path) -> None:
    validated = run_cli(home, "catalog", "validate", str(EXAMPLE_CATALOG))
    assert validated.exit_code == 0, validated.stderr
    published = run_cli(home, "catalog", "publish", str(EXAMPLE_CATALOG), "--json")
    assert published.exit_code == 0, published.stderr
    refs = [r["ref"] for r in published.json()]
    assert refs.index("service-stack@1.0.0") > max(
        refs.index(r) for r in ("network@1.1.0", "postgres@1.2.0", "cache@1.2.0")
    )
    listed = {b["name"]: b for b in run_cli(home, "catalog", "list", "--json").json()}
    assert set(listed) == {"network", "postgres", "cache", "queue", "bucket", "service-stack", "app-config"}
    shown = run_cli(home, "catalog", "show", "network", "--json").json()
    assert shown["versions"][0]["used_by"] == [{"composite": "service-stack@1.0.0", "component": "network"}]


@pytest.mark.parametrize(
    ("query", "first"),
    [("postgres database", "postgres"), ("queue for background jobs", "queue"), ("s3 bucket for files", "bucket")],
)
def test_search_ranks_the_obvious_blueprint_first(home: Path, query: str, first: str) -> None:
    run_cli(home, "catalog", "publish", str(EXAMPLE_CATALOG))
    hits = run_cli(home, "catalog", "search", query, "--json").json()
    assert hits[0]["name"] == first


def test_deprecate_hides_a_version_and_is_audited(home: Path, catalog_copy: Path) -> None:
    queue = catalog_copy / "queue"
    run_cli(home, "catalog", "publish", str(queue))
    _set(queue / "blueprint.yaml", "metadata.version", "1.2.0")
    run_cli(home, "catalog", "publish", str(queue))
    result = run_cli(home, "catalog", "deprecate", "queue@1.2.0", "--reason", "broken DLQ")
    assert result.exit_code == 0, result.stderr
    listed = {b["name"]: b["version"] for b in run_cli(home, "catalog", "list", "--json").json()}
    assert listed["queue"] == "1.1.0"
    assert run_cli(home, "catalog", "deprecate", "queue@1.2.0").exit_code == 0
    missing = run_cli(home, "catalog", "deprecate", "queue@9.9.9")
    assert missing.exit_code == 2 and "not published" in missing.stderr

    events = run_cli(home, "audit", "log", "--json").json()
    assert [e["action"] for e in events] == ["catalog.publish", "catalog.publish", "catalog.deprecate"]
    assert events[2]["subject"] == "blueprint:queue@1.2.0" and events[2]["payload"]["reason"] == "broken DLQ"
    assert events[2]["actor"] == {"kind": "human", "id": events[0]["actor"]["id"]}
    verified = run_cli(home, "audit", "verify")
    assert verified.exit_code == 0 and "3 events" in verified.stdout
    exported = home.parent / "audit.jsonl"
    assert run_cli(home, "audit", "export", str(exported)).exit_code == 0
    lines = exported.read_text().splitlines()
    assert len(lines) == 4 and lines[-1].startswith('{"head": {"sequence": 3')
    assert run_cli(home, "audit", "verify", "--file", str(exported)).exit_code == 0


def test_acting_as_someone_is_recorded(home: Path) -> None:
    run_cli(home, "--as", "carol", "catalog", "publish", str(EXAMPLE_CATALOG / "queue"))
    [event] = run_cli(home, "audit", "log", "--json").json()
    assert event["actor"] == {"kind": "human", "id": "carol"}
    [event] = run_cli(home, "audit", "log", "--json", env={"INFRAPLANE_USER": "dave"}).json()
    assert event["actor"]["id"] == "carol"


def test_tampering_with_the_store_is_reported_by_verify(home: Path) -> None:
    import sqlite3

    run_cli(home, "catalog", "publish", str(EXAMPLE_CATALOG))
    with sqlite3.connect(home / "infraplane.db") as db:
        db.execute("UPDATE audit_events SET actor_id = 'mallory' WHERE sequence = 4")
    result = run_cli(home, "audit", "verify")
    assert result.exit_code == 1
    assert "event 4" in result.stderr
