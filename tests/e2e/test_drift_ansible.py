"""An Ansible component's drift check: check mode where the playbook allows it, "not checkable" where it cannot.

A `command` task cannot run in check mode, so what it would do is unknown: the check reports it as not
checkable (also in `--json`), never as clean, and exits 1.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import run_cli

BLUEPRINT = """apiVersion: infraplane.dev/v1
kind: Blueprint
metadata: {name: local-note, version: 1.0.0, description: A note in the work directory and a hook., owner: test}
spec:
  runner: ansible
  source: ./playbook
  playbook: playbook.yml
  inputs:
    note: {type: string, default: hello}
  outputs:
    path: {description: Where the note is}
"""
PLAYBOOK = """- hosts: localhost
  gather_facts: false
  vars:
    note_path: "{{ infraplane_outputs_file | dirname }}/note.txt"
  tasks:
    - name: Write the note
      ansible.builtin.copy: {dest: "{{ note_path }}", content: "{{ note }}", mode: "0600"}
    - name: Run the hook
      ansible.builtin.command: "true"
    - name: Write the outputs for infraplane
      ansible.builtin.copy:
        dest: "{{ infraplane_outputs_file }}"
        content: "{{ {'path': note_path} | to_json }}"
        mode: "0600"
      changed_when: false
      when: not ansible_check_mode
"""
ENVIRONMENT = """apiVersion: infraplane.dev/v1
kind: Environment
metadata: {name: noted, team: shop, tier: dev}
spec:
  components:
    note: {blueprint: local-note}
"""


@pytest.mark.slow
def test_a_task_check_mode_cannot_run_is_reported_not_checkable(cloud_home: Path, tmp_path: Path) -> None:
    blueprint = tmp_path / "local-note"
    (blueprint / "playbook").mkdir(parents=True)
    (blueprint / "blueprint.yaml").write_text(BLUEPRINT)
    (blueprint / "playbook" / "playbook.yml").write_text(PLAYBOOK)
    published = run_cli(cloud_home, "catalog", "publish", str(blueprint))
    assert published.exit_code == 0, published.stderr
    (tmp_path / "noted.yaml").write_text(ENVIRONMENT)
    up = run_cli(cloud_home, "env", "up", str(tmp_path / "noted.yaml"), "--yes")
    assert up.exit_code == 0, up.stdout + up.stderr

    checked = run_cli(cloud_home, "drift", "check", "noted", "--json")
    assert checked.exit_code == 1, checked.stdout + checked.stderr
    [item] = checked.json()  # the note is as written: only the hook is unknown
    assert item["component"] == "note" and item["address"] == "Run the hook"
    assert item["kind"] == "not-checkable" and "Command would have run if not in check mode" in item["message"]
    assert set(item) >= {"environment", "component", "address", "attribute", "kind", "severity", "rule"}

    (cloud_home / "work" / "noted" / "note" / "note.txt").write_text("changed by hand")
    drifted = run_cli(cloud_home, "drift", "check", "noted", "--json").json()
    assert {(i["address"], i["kind"]) for i in drifted} == {
        ("Write the note", "changed"),
        ("Run the hook", "not-checkable"),
    }
