"""At 80 columns, `env list`, `env show`, `env history`, `proposal list` and `audit log` keep every identifier whole."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from rich.console import Console

from infraplane.core.approval import Approval, ApprovalDecision, Requirement
from infraplane.core.audit import Actor
from infraplane.core.proposal_lifecycle import ProposalStatus
from infraplane.core.proposals import BlastRadius, CostDelta, Proposal
from infraplane.core.records import ComponentRecord, EnvironmentRecord, RevisionRecord
from infraplane.interfaces.cli import env_commands, output, proposal_commands
from infraplane.interfaces.cli.output import Column, print_records
from infraplane.interfaces.cli.state import cli_state

ENV = "payments-staging-eu-central-1-canary"
BLUEPRINT = "service-stack@2.14.0-rc.3"
COMPONENTS = {
    "network": ("vpc@1.2.0", {"vpc_id": "vpc-0a1b2c3d4e5f67890", "private_subnet_ids": "subnet-0123456789abcdef0"}),
    "postgres": ("postgres@1.4.0", {"endpoint": "payments-staging-db.cluster-c9akciq32.us-east-1.rds.amazonaws.com"}),
    "app-config": ("parameter-store@0.9.12", {"url": "https://payments-staging.internal.example.com/config/v2/app"}),
}
PROPOSAL_IDS = ["p-20261202-054701-3f9a2c", "p-20261202-061512-9b0e1d"]
PEOPLE = ["alice.wonderland-smith", "bartholomew.okonkwo"]


def _environment() -> EnvironmentRecord:
    return EnvironmentRecord(
        name=ENV,
        team="payments-platform",
        tier="staging",
        owner=PEOPLE[0],
        blueprint=BLUEPRINT,
        target="sandbox",
        ttl="72h",
        status="ready",
        current_revision=2,
    )


def _components() -> list[ComponentRecord]:
    return [
        ComponentRecord(ENV, name, blueprint, "sha256:" + "ab" * 32, "terraform", "applied", outputs=outputs)
        for name, (blueprint, outputs) in COMPONENTS.items()
    ]


def _proposal(pid: str, number: int) -> Proposal:
    decision = ApprovalDecision(
        "needs-approval", (Requirement("APR-002", 2, "platform-team", "staging needs the platform team"),), (), ()
    )
    return Proposal(
        id=pid,
        environment=ENV,
        team="payments-platform",
        tier="staging",
        kind="create" if number == 1 else "upgrade",
        status=ProposalStatus.APPLIED,
        actor=Actor("human", PEOPLE[0]),
        justification="the payments team needs a staging copy with the new settlement service before the audit",
        created_at=f"2026-12-0{number}T05:47:01Z",
        expires_at="2026-12-09T05:47:01Z",
        base_revision=number - 1,
        document={"blueprint": BLUEPRINT},
        components=(),
        diff=(),
        findings=(),
        cost=CostDelta(0.0, 28.25, 3, tuple(COMPONENTS), ()),
        blast_radius=BlastRadius(),
        warnings=(),
        decision=decision,
        plan_digest="sha256:plan",
        approvals=(Approval(PEOPLE[1], "2026-12-02T06:00:00Z", "sha256:plan"),),
        applied_revision=number,
    )


def _container() -> Any:
    env, components = _environment(), _components()
    revisions = [
        RevisionRecord(ENV, n, {"blueprint": BLUEPRINT, "components": []}, f"2026-12-0{n}T05:47:01Z", PEOPLE[0])
        for n in (1, 2)
    ]
    proposals = [_proposal(pid, n) for n, pid in enumerate(PROPOSAL_IDS, start=1)]
    return SimpleNamespace(
        environments=SimpleNamespace(
            environments=lambda: [(env, components)], get=lambda name: (env, components, revisions)
        ),
        costs=SimpleNamespace(estimate_environment=lambda name: {}),
        proposals=SimpleNamespace(proposals=lambda environment=None, status=None: proposals),
    )


@pytest.fixture
def narrow(monkeypatch: pytest.MonkeyPatch) -> Iterator[Console]:
    """The commands' console at 80 columns, and a container holding realistic records."""
    monkeypatch.setattr(output.console, "width", 80)
    monkeypatch.setattr(cli_state, "_container", _container())
    yield output.console
    cli_state._container = None


IDENTIFIERS = [ENV, BLUEPRINT, "payments-platform", *COMPONENTS]
IDENTIFIERS += [blueprint for blueprint, _ in COMPONENTS.values()]
URLS = [value for _, outputs in COMPONENTS.values() for value in outputs.values()]


def _lines_wider_than(text: str, width: int) -> list[str]:
    return [line for line in text.splitlines() if len(line) > width]


def test_env_list_keeps_every_name_whole(narrow: Console, capsys: pytest.CaptureFixture[str]) -> None:
    env_commands.list_environments(json_out=False)
    out = capsys.readouterr().out
    for identifier in (ENV, BLUEPRINT, "payments-platform"):
        assert identifier in out
    assert not _lines_wider_than(out, 80)


def test_env_show_keeps_names_versions_and_urls_whole(narrow: Console, capsys: pytest.CaptureFixture[str]) -> None:
    env_commands.show(ENV, json_out=False)
    out = capsys.readouterr().out
    for identifier in IDENTIFIERS + URLS:
        assert identifier in out, identifier
    assert "cost now: $0.00/month for 0 of 3 components; 3 unpriced" in out


def test_env_history_keeps_versions_ids_and_people_whole(narrow: Console, capsys: pytest.CaptureFixture[str]) -> None:
    env_commands.history(ENV, json_out=False)
    out = capsys.readouterr().out
    for identifier in [BLUEPRINT, *PROPOSAL_IDS, *PEOPLE]:
        assert identifier in out, identifier
    # The free text folds at word boundaries instead: every word of it is there, none cut.
    for word in _proposal("p", 1).justification.split():
        assert re.search(rf"(^|\s){re.escape(word)}(\s|$)", out), word


def test_proposal_list_keeps_ids_and_names_whole(narrow: Console, capsys: pytest.CaptureFixture[str]) -> None:
    proposal_commands.list_proposals(environment=None, status=None, json_out=False)
    out = capsys.readouterr().out
    for identifier in [*PROPOSAL_IDS, ENV, f"human:{PEOPLE[0]}"]:
        assert identifier in out, identifier


def test_records_too_wide_for_a_table_become_blocks() -> None:
    console = Console(width=80, record=True, file=io.StringIO())
    url = "https://" + "very-long-host-name." * 5 + "example.com/a/path/that/goes/on"
    print_records([Column("name", whole=True), Column("url", whole=True)], [["edge", url]], target=console)
    text = console.export_text()
    assert text.splitlines()[:2] == ["name: edge", f"  url: {url}"]


def test_a_table_that_fits_stays_a_table_and_folds_free_text() -> None:
    console = Console(width=80, record=True, file=io.StringIO())
    note = "a note " * 30
    print_records(
        [Column("name", whole=True), Column("note")], [["payments-staging-eu-central-1", note]], target=console
    )
    lines = console.export_text().splitlines()
    assert lines[0].split() == ["name", "note"]
    assert "payments-staging-eu-central-1" in lines[1] and len(lines) > 3
    assert not _lines_wider_than("\n".join(lines), 80)


def test_an_empty_env_list_says_so_with_a_hint(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = SimpleNamespace(environments=SimpleNamespace(environments=lambda: []))
    monkeypatch.setattr(cli_state, "_container", empty)
    try:
        env_commands.list_environments(json_out=False)
    finally:
        cli_state._container = None
    out = capsys.readouterr().out
    assert out.startswith("no environments yet") and "infraplane env up" in out and "name" not in out.split()


def test_a_history_that_fits_wraps_free_text_between_words_never_inside_a_name() -> None:
    console = Console(width=80, record=True, file=io.StringIO())
    people = "alice.smith / bob.okonkwo, carol.jones"
    why = "payments needs a staging copy before the audit; see the ticket PAY-2026 for the numbers"
    print_records(
        [
            Column("revision", whole=True),
            Column("applied"),
            Column("blueprint", whole=True),
            Column("proposal"),
            Column("by / approved"),
            Column("why"),
        ],
        [["12 *", "2026-12-02 05:47", "service-stack@2.1.0", "p-b6ea4310a6 (upgrade)", people, why]],
        target=console,
    )
    text = console.export_text()
    assert "revision:" not in text and any(line.startswith("revision  applied") for line in text.splitlines())
    assert not _lines_wider_than(text, 80)
    words = text.split()
    for identifier in ["service-stack@2.1.0", "p-b6ea4310a6", "alice.smith", "bob.okonkwo,", "carol.jones", "PAY-2026"]:
        assert identifier in words, identifier


def test_audit_log_keeps_actions_and_subjects_whole(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from infraplane.core.audit import AuditEvent
    from infraplane.interfaces.cli import audit_commands

    subject = f"component:{ENV}/app-config"
    events = [
        AuditEvent(
            7,
            "2026-12-02T05:47:01.123Z",
            Actor("human", PEOPLE[1]),
            "environments_repository.commit",
            subject,
            {},
            "0" * 64,
            "1" * 64,
        )
    ]
    monkeypatch.setattr(output.console, "width", 80)
    monkeypatch.setattr(cli_state, "_container", SimpleNamespace(audit=SimpleNamespace(events=lambda **_: events)))
    try:
        audit_commands.log(json_out=False, limit=None, action=None)
    finally:
        cli_state._container = None
    out = capsys.readouterr().out
    for identifier in (subject, "environments_repository.commit", f"human:{PEOPLE[1]}"):
        assert identifier in out, out
