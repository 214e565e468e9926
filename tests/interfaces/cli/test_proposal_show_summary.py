"""`infraplane proposal show` begins with the plain-words summary: golden files of the whole review.

The four proposals are made from real Terraform plans and states (tests/support/summary_cases.py), stored
in a fresh home's store, and shown by the real command. `UPDATE_GOLDEN=1` rewrites the files in
tests/interfaces/cli/goldens/; read the difference before committing it.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from infraplane.core.approval import approval_state
from infraplane.core.proposals import Proposal
from infraplane.core.summary import plain_summary
from infraplane.interfaces.container import Container
from infraplane.settings import load_settings
from tests.support.chat_api import ChatApi, openai_reply
from tests.support.cli import run_cli
from tests.support.summary_cases import CASES

GOLDEN = Path(__file__).parent / "goldens"
IDS = {name: f"p-{index:010d}" for index, name in enumerate(sorted(CASES), start=1)}


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Proposal]]:
    """A home whose store holds the four proposals (not expiring while the tests read them)."""
    home = tmp_path_factory.mktemp("summary") / ".infraplane"
    container = Container(load_settings(home=home))
    proposals = {
        name: replace(make(), id=IDS[name], expires_at="2099-01-01T00:00:00.000000Z") for name, make in CASES.items()
    }
    with container.store.transaction() as tx:
        for proposal in proposals.values():
            tx.proposals.save(proposal)
    container.close()
    return home, proposals


@pytest.mark.parametrize("name", sorted(CASES))
def test_proposal_show_begins_with_the_summary(stored: tuple[Path, dict[str, Proposal]], name: str) -> None:
    home, proposals = stored
    proposal = proposals[name]
    result = run_cli(home, "proposal", "show", proposal.id)
    assert result.exit_code == 0, result.stderr
    golden = GOLDEN / f"proposal-show-{name}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8")
    title, rest = result.stdout.split("\n", 1)
    assert title.startswith(f"proposal {proposal.id}: {proposal.kind} {proposal.environment}")
    paragraph = rest.split("\n\n", 1)[0]
    expected = plain_summary(proposal, approval_state(proposal.decision, (), proposal.plan_digest, {}))
    assert " ".join(paragraph.split()) == expected  # the same words, wrapped to the terminal


def test_proposal_show_json_carries_the_summary(stored: tuple[Path, dict[str, Proposal]]) -> None:
    home, proposals = stored
    proposal = proposals["service-stack-upgrade"]
    shown = run_cli(home, "proposal", "show", proposal.id, "--json").json()
    assert shown["plain_summary"] == plain_summary(
        proposal, approval_state(proposal.decision, (), proposal.plan_digest, {})
    )
    assert shown["diff"][0]["monthly_before"] == 12.41 and shown["diff"][0]["monthly_after"] == 49.64


def test_an_llm_may_reword_the_summary_beside_it_never_instead(stored: tuple[Path, dict[str, Proposal]]) -> None:
    home, proposals = stored
    proposal = proposals["service-stack-upgrade"]
    reworded = (
        "This moves payments-staging's database and cache to bigger sizes, raising the bill to $159.76 a month;"
        " one person must approve it (APR-001)."
    )
    api = ChatApi(openai_reply(reworded))
    try:
        env = {"INFRAPLANE_ASK": json.dumps({"llm": "openai", "llm_url": api.url, "llm_model": "small-model"})}
        text = run_cli(home, "proposal", "show", proposal.id, "--rephrase", env=env)
        shown = run_cli(home, "proposal", "show", proposal.id, "--rephrase", "--json", env=env).json()
    finally:
        api.close()
    assert text.exit_code == 0, text.stderr
    summary = plain_summary(proposal, approval_state(proposal.decision, (), proposal.plan_digest, {}))
    assert " ".join(text.stdout.split("\n\n", 1)[0].split("\n", 1)[1].split()) == summary  # still first
    tail = " ".join(text.stdout.rsplit("pending: needs", 1)[1].split())
    assert "rephrased by openai small-model (for reading only; the summary at the top is what was decided" in tail
    assert reworded in tail
    assert "the rephrasing leaves out $12.41, $49.64, $15.44, $109.72, $28.25, $131.51" in tail
    assert shown["plain_summary"] == summary
    assert shown["plain_summary_rephrased"]["text"] == reworded and shown["plain_summary_rephrased"]["by"] == (
        "openai small-model"
    )
    (request,) = [body for _, body in api.requests[:1]]
    assert request["messages"][1]["content"] == summary


def test_rephrase_without_an_llm_says_what_to_configure(stored: tuple[Path, dict[str, Proposal]]) -> None:
    home, proposals = stored
    result = run_cli(home, "proposal", "show", proposals["orders-dev-destroy"].id, "--rephrase")
    assert result.exit_code == 2
    assert "ask.llm" in result.stderr and "--rephrase needs an LLM backend" in result.stderr
    assert "Traceback" not in result.stderr
