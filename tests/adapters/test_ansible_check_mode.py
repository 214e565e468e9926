"""Ansible's check mode read task by task, on a real `ansible-playbook --check --diff` run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from infraplane.adapters.ansible.runner import checked_tasks
from infraplane.core.runs import CheckedTask

PLAYBOOK = """- hosts: localhost
  gather_facts: false
  tasks:
    - name: Run the hook
      ansible.builtin.command: "true"
    - name: Only when asked
      ansible.builtin.debug: {msg: skipped}
      when: false
    - name: Write the note
      ansible.builtin.copy: {dest: "{{ out }}/note.txt", content: "hello"}
    - name: Write the items
      ansible.builtin.copy: {dest: "{{ out }}/{{ item }}.txt", content: "x"}
      loop: [a, b]
    - name: Nothing to remove
      ansible.builtin.file: {path: "{{ out }}/{{ item }}", state: absent}
      loop: []
    - name: A script
      ansible.builtin.script: /bin/true
"""


def test_changed_tasks_and_tasks_check_mode_cannot_run_are_named(tmp_path: Path) -> None:
    (tmp_path / "playbook.yml").write_text(PLAYBOOK)
    (tmp_path / "a.txt").write_text("x")  # already as wanted: no change
    env = {
        **os.environ,
        "ANSIBLE_STDOUT_CALLBACK": "json",
        "ANSIBLE_LOCALHOST_WARNING": "False",
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / ".tmp"),
    }
    run = subprocess.run(
        [
            str(Path(sys.executable).parent / "ansible-playbook"),
            "-i",
            "localhost,",
            "-c",
            "local",
            "playbook.yml",
            "--check",
            "--diff",
            "-e",
            f"out={tmp_path}",
            "-e",
            "ansible_python_interpreter={{ ansible_playbook_python }}",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    tasks = checked_tasks(json.loads(run.stdout))
    assert [(t.task, t.outcome, t.item) for t in tasks] == [
        ("Run the hook", "not-checkable", None),
        ("Write the note", "would-change", None),
        ("Write the items", "would-change", "b"),
        ("A script", "not-checkable", None),
    ]
    assert tasks[0] == CheckedTask("Run the hook", "not-checkable", None, "Command would have run if not in check mode")
    assert not (tmp_path / "note.txt").exists()  # check mode changed nothing
