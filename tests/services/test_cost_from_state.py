"""What an environment costs now is priced from its parsed state: managed instances only, never data sources."""

from __future__ import annotations

from pathlib import Path

from infraplane.core.state import parse_state, state_plan

MIXED = Path(__file__).resolve().parents[1] / "fixtures" / "states" / "mixed.tfstate.json"


def test_every_managed_instance_and_no_data_source_is_priced() -> None:
    changes = list(state_plan(parse_state(MIXED.read_bytes())).resource_changes)
    assert len(changes) == 6
    assert {c.mode for c in changes} == {"managed"}
    assert all(c.type == "terraform_data" and c.actions == ("no-op",) for c in changes)
    assert "module.child.terraform_data.inner" in {c.address for c in changes}
