"""Terraform state parsed once: managed resources told from data sources, every instance addressed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infraplane.core.diff import state_diff
from infraplane.core.state import StateFormatError, parse_state

MIXED = Path(__file__).resolve().parents[1] / "fixtures" / "states" / "mixed.tfstate.json"


def test_a_real_state_is_parsed_with_its_data_source_apart() -> None:
    state = parse_state(MIXED.read_bytes())
    document = json.loads(MIXED.read_text())
    assert (state.serial, state.lineage) == (document["serial"], document["lineage"])
    assert [r.address for r in state.resources if not r.managed] == ["data.terraform_remote_state.upstream"]
    assert [i.address for _, i in state.managed_instances()] == [
        "terraform_data.counted[0]",
        "terraform_data.counted[1]",
        'terraform_data.keyed["blue"]',
        'terraform_data.keyed["green"]',
        "terraform_data.single",
        "module.child.terraform_data.inner",
    ]


def test_destroying_removes_managed_instances_only() -> None:
    diffs = state_diff("app", parse_state(MIXED.read_bytes()))
    assert len(diffs) == 6
    assert not any("terraform_remote_state" in d.address for d in diffs)
    assert {d.action for d in diffs} == {"delete"}


def test_an_instance_keeps_its_attributes() -> None:
    state = parse_state(MIXED.read_bytes())
    by_address = {i.address: i for _, i in state.managed_instances()}
    assert by_address['terraform_data.keyed["green"]'].attributes["input"]["value"] == "green"


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (b"not json", ""),
        (b"[]", ""),
        (b'{"version": 3}', "version"),
        (b'{"version": 4, "serial": -1}', "serial"),
        (b'{"version": 4, "resources": {}}', "resources"),
        (b'{"version": 4, "resources": [{"mode": "weird", "type": "t", "name": "n"}]}', "resources[0].mode"),
        (b'{"version": 4, "resources": [{"mode": "managed", "type": "", "name": "n"}]}', "resources[0].type"),
        (
            b'{"version": 4, "resources": [{"mode": "managed", "type": "t", "name": "n", "instances": [1]}]}',
            "resources[0].instances[0]",
        ),
    ],
)
def test_bad_state_names_the_field(content: bytes, field: str) -> None:
    with pytest.raises(StateFormatError) as caught:
        parse_state(content)
    assert caught.value.field == field
