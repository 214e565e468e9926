"""The http state backend accepts only Terraform states and hands them on parsed."""

from __future__ import annotations

from pathlib import Path

import httpx

from infraplane.adapters.terraform.state_server import StateCallbacks, StateServer
from infraplane.core.state import TerraformState

MIXED = Path(__file__).resolve().parents[2] / "fixtures" / "states" / "mixed.tfstate.json"


def test_a_state_is_written_parsed_and_a_non_state_is_refused() -> None:
    written: list[tuple[str, str, bytes, TerraformState]] = []
    callbacks = StateCallbacks(
        read=lambda _e, _c: None,
        write=lambda e, c, content, state: written.append((e, c, content, state)),
        holds_lease=lambda _e, _c: True,
    )
    with StateServer(callbacks) as server:
        env = server.backend_environment("shop", "db")
        auth = (env["TF_HTTP_USERNAME"], env["TF_HTTP_PASSWORD"])
        refused = httpx.post(env["TF_HTTP_ADDRESS"], content=b'{"version": 3}', auth=auth)
        assert refused.status_code == 400
        assert "version" in refused.json()["error"]
        accepted = httpx.post(env["TF_HTTP_ADDRESS"], content=MIXED.read_bytes(), auth=auth)
        assert accepted.status_code == 200
    [(environment, component, content, state)] = written
    assert (environment, component, content) == ("shop", "db", MIXED.read_bytes())
    assert len(state.managed_instances()) == 6
