"""Orchestration on the real tools and the sandbox cloud: order, wiring, re-planning, failures, resumption."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infraplane.adapters.sandbox.control import SandboxInfo
from tests.support.cli import run_cli
from tests.support.sandbox import aws

HEADER = """apiVersion: infraplane.dev/v1
kind: Environment
metadata: {{name: {name}, team: {team}, tier: dev}}
spec:
"""


def _env(tmp_path: Path, name: str, spec: str, team: str = "shop") -> Path:
    file = tmp_path / f"{name}.yaml"
    file.write_text(HEADER.format(name=name, team=team) + spec)
    return file


def _events(stdout: str) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


def _parameter(sandbox: SandboxInfo, name: str) -> str | None:
    ssm = aws(sandbox, "ssm")
    try:
        return str(ssm.get_parameter(Name=name)["Parameter"]["Value"])
    except ssm.exceptions.ParameterNotFound:
        return None


MARKERS = """  components:
    first: {{blueprint: marker, inputs: {{value: "{first}"}}}}
    second: {{blueprint: marker, inputs: {{value: "${{components.first.outputs.value}}"}}}}
    third: {{blueprint: marker, inputs: {{value: "${{components.second.outputs.value}}", fail: {fail}}}}}
    fourth: {{blueprint: marker, inputs: {{value: "${{components.third.outputs.value}}"}}}}
    side: {{blueprint: blind-marker, inputs: {{value: "{side}"}}}}
"""


@pytest.mark.slow
def test_wiring_replanning_and_unknown_changes_with_script_runners(
    cloud_home: Path, tmp_path: Path, sandbox: SandboxInfo
) -> None:
    file = _env(tmp_path, "wired", MARKERS.format(first="first-value-17", fail="false", side="s1"))
    planned = run_cli(cloud_home, "env", "plan", str(file), "--json").json()["components"]
    by_name = {c["name"]: c for c in planned}
    assert by_name["first"]["add"] == 1 and by_name["first"]["status"] == "planned"
    assert by_name["second"]["status"] == "waits" and by_name["second"]["known_after_apply"] == ["value"]
    assert by_name["second"]["add"] is None and "first.value" in by_name["second"]["reason"]
    assert by_name["side"]["changes_known"] is False and "changes unknown" in by_name["side"]["note"]

    up = run_cli(cloud_home, "env", "up", str(file), "--yes")
    assert up.exit_code == 0, up.stdout + up.stderr
    assert _parameter(sandbox, "/markers/wired/fourth") == "first-value-17"  # wired through three components
    assert _parameter(sandbox, "/blind/wired") == "s1"

    shown = run_cli(cloud_home, "env", "show", "wired", "--json").json()
    outputs = {c["name"]: c["outputs"] for c in shown["components"]}
    assert outputs["first"] == {"parameter_name": "/markers/wired/first", "value": "(sensitive)"}
    assert "first-value-17" not in json.dumps(shown)

    # Change one input: only the components it reaches are planned; the output says which.
    changed = _env(tmp_path, "wired", MARKERS.format(first="two", fail="false", side="s1"))
    replan = run_cli(cloud_home, "env", "plan", str(changed), "--json").json()["components"]
    statuses = {c["name"]: (c["status"], c["reason"]) for c in replan}
    assert statuses["first"] == ("planned", "inputs changed: value")
    assert statuses["side"][0] == "unchanged"
    up = run_cli(cloud_home, "env", "up", str(changed), "--yes", "--json")
    assert up.exit_code == 0, up.stderr
    applied = {
        e["component"] for e in _events(up.stdout) if e.get("event") == "component" and e.get("status") == "applied"
    }
    assert applied == {"first", "second", "third", "fourth"}
    assert _parameter(sandbox, "/markers/wired/fourth") == "two"

    again = run_cli(cloud_home, "env", "up", str(changed), "--yes")
    assert again.exit_code == 0 and "no changes" in again.stdout

    down = run_cli(cloud_home, "env", "destroy", "wired", "--yes")
    assert down.exit_code == 0, down.stderr
    assert _parameter(sandbox, "/markers/wired/first") is None and _parameter(sandbox, "/blind/wired") is None


@pytest.mark.slow
def test_failed_component_stops_its_dependents_and_a_rerun_converges(
    cloud_home: Path, tmp_path: Path, sandbox: SandboxInfo
) -> None:
    failing = _env(tmp_path, "broken", MARKERS.format(first="v", fail="true", side="s"))
    result = run_cli(cloud_home, "env", "up", str(failing), "--yes", "--json")
    assert result.exit_code == 1
    assert "third" in result.stderr and "failing on purpose" in result.stderr
    assert "not started: fourth (needs third)" in result.stderr
    final = {e["component"]: e["status"] for e in _events(result.stdout) if e.get("event") == "component"}
    assert final["first"] == final["second"] == final["side"] == "applied"
    assert final["third"] == "failed" and final["fourth"] == "skipped"
    assert _parameter(sandbox, "/markers/broken/fourth") is None
    shown = run_cli(cloud_home, "env", "show", "broken", "--json").json()
    assert shown["status"] == "failed" and "third" in shown["error"]

    fixed = _env(tmp_path, "broken", MARKERS.format(first="v", fail="false", side="s"))
    rerun = run_cli(cloud_home, "env", "up", str(fixed), "--yes", "--json")
    assert rerun.exit_code == 0, rerun.stderr
    applied = {
        e["component"] for e in _events(rerun.stdout) if e.get("event") == "component" and e.get("status") == "applied"
    }
    assert applied == {"third", "fourth"}  # continues from where it stopped
    assert _parameter(sandbox, "/markers/broken/fourth") == "v"
    assert run_cli(cloud_home, "env", "destroy", "broken", "--yes").exit_code == 0

    events = [e["action"] for e in run_cli(cloud_home, "audit", "log", "--json").json()]
    for action in (
        "environment.up.start",
        "component.apply.fail",
        "environment.up.fail",
        "environment.up.finish",
        "component.destroy.finish",
    ):
        assert action in events
    assert run_cli(cloud_home, "audit", "verify").exit_code == 0


@pytest.mark.slow
def test_graph_renders_in_three_formats(cloud_home: Path, tmp_path: Path) -> None:
    file = _env(tmp_path, "drawn", MARKERS.format(first="x", fail="false", side="y"))
    assert run_cli(cloud_home, "env", "up", str(file), "--yes").exit_code == 0
    text = run_cli(cloud_home, "env", "graph", "drawn").stdout
    assert "second [applied]  <- first" in text
    assert "first --> second" in run_cli(cloud_home, "env", "graph", "drawn", "--format", "mermaid").stdout
    assert '"third" -> "fourth";' in run_cli(cloud_home, "env", "graph", "drawn", "--format", "dot").stdout
    assert run_cli(cloud_home, "env", "destroy", "drawn", "--yes").exit_code == 0
