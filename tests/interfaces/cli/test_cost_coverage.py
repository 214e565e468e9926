"""Every cost says what it covers; nothing unknown reads as $0.00; small CLI messages that say what to do."""

from __future__ import annotations

import re
import shlex
from decimal import Decimal
from pathlib import Path

import pytest

from infraplane.core.cost import CostReport, Free, Priced, ResourceCost, Unpriced
from infraplane.core.proposals import CostDelta
from infraplane.interfaces.cli import output
from infraplane.interfaces.cli.cost_commands import _print_report
from infraplane.interfaces.mcp.views import proposal_view
from infraplane.interfaces.views import cost_delta_text, environment_cost
from tests.conftest import EXAMPLE_CATALOG
from tests.interfaces.cli.test_tables_keep_names import _components, _proposal
from tests.support.cli import run_cli

STAGING = CostDelta(
    0.0,
    15.44,
    6,
    ("network", "queue", "bucket"),
    (
        ("cache", "not planned yet: waits on outputs"),
        ("postgres", "not planned yet: waits on outputs"),
        ("app-config", "no cost estimate for its runner"),
    ),
)


def test_a_partial_cost_names_what_it_leaves_out() -> None:
    assert cost_delta_text(STAGING) == (
        "cost: $0.00 -> $15.44/month (+15.44) for 3 of 6 components; 3 unpriced: "
        "cache (not planned yet: waits on outputs), postgres (not planned yet: waits on outputs), "
        "app-config (no cost estimate for its runner)"
    )
    assert cost_delta_text(CostDelta(0.0, 28.25, 6, tuple("abcdef"), ())).endswith("for 6 of 6 components")


def test_nothing_priced_is_not_known_rather_than_zero() -> None:
    waiting = CostDelta(0.0, 0.0, 2, (), (("db", "not planned yet: waits on outputs"), ("app", "x")))
    text = cost_delta_text(waiting)
    assert "$0.00" not in text and text.startswith("cost: not known yet; 2 unpriced: db")


def test_coverage_is_kept_in_json_and_old_proposals_still_read() -> None:
    data = STAGING.as_dict()
    assert {k: data[k] for k in ("before", "after", "delta")} == {"before": 0.0, "after": 15.44, "delta": 15.44}
    assert data["components"] == 6 and data["priced"] == ["network", "queue", "bucket"]
    assert data["unpriced"][0] == {"component": "cache", "reason": "not planned yet: waits on outputs"}
    assert CostDelta.from_dict(data) == STAGING
    old = CostDelta.from_dict({"before": 1.0, "after": 2.0, "delta": 1.0})
    assert "not recorded" in cost_delta_text(old)


def test_mcp_proposal_view_says_what_the_cost_covers() -> None:
    view = proposal_view(_proposal("p-1", 1), [], "")
    assert view["summary"]["monthly_cost"] == "$0.00 -> $28.25/month (+28.25) for 3 of 3 components"
    assert view["cost"]["components"] == 3


def _report(*resources: ResourceCost) -> CostReport:
    return CostReport("USD", "us-east-1", "2026-11-01", resources)


def test_environment_cost_counts_components_not_resources() -> None:
    network, postgres, config = _components()
    reports = {
        network.name: _report(ResourceCost("aws_vpc.this", "aws_vpc", ("no-op",), None, Free())),
        postgres.name: _report(
            ResourceCost("aws_db_instance.this", "aws_db_instance", ("no-op",), None, Unpriced("no price for db.x9"))
        ),
        config.name: _report(
            ResourceCost("aws_nat_gateway.this", "aws_nat_gateway", ("no-op",), None, Priced(Decimal("32.85"), "nat"))
        ),
    }
    cost = environment_cost(reports, [network, postgres, config])
    assert cost["text"] == "$32.85/month for 2 of 3 components; 1 unpriced: postgres (1 of 1 resources unpriced)"


def test_a_component_with_nothing_priced_prints_no_empty_table(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(output.console, "width", 80)
    _print_report("shop/network", _report(ResourceCost("aws_subnet.a", "aws_subnet", ("create",), None, Free())))
    out = capsys.readouterr().out
    assert out.strip() == "shop/network: nothing priced (1 free resource(s), no charge of their own)"


def test_cost_of_an_unknown_environment_lists_the_known_ones(home: Path) -> None:
    result = run_cli(home, "cost", "nope")
    assert result.exit_code == 2
    assert "no environment named 'nope' (environments: none)" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_empty_env_list_gives_a_hint(home: Path) -> None:
    result = run_cli(home, "env", "list")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("no environments yet; create one with `infraplane env up FILE`")


@pytest.mark.parametrize(
    "command",
    [["env", "up"], ["env", "plan"], ["env", "destroy"], ["env", "upgrade"], ["proposal", "apply"], ["ask"], ["cost"]],
)
def test_help_shows_boolean_flags_without_a_placeholder(home: Path, command: list[str]) -> None:
    result = run_cli(home, *command, "--help")
    assert result.exit_code == 0, result.stderr
    flags = [line for line in result.stdout.splitlines() if re.match(r"\s+(-\w, )?--(json|yes|quiet|dry-run)\b", line)]
    assert flags, result.stdout
    for line in flags:
        assert not re.search(r"--[\w-]+ <[a-z]+>|BOOLEAN|<bool", line), line


def test_ask_dry_run_says_how_to_go_ahead_for_real(home: Path) -> None:
    assert run_cli(home, "catalog", "publish", str(EXAMPLE_CATALOG)).exit_code == 0
    result = run_cli(home, "--as", "ann", "ask", "a fifo queue", "--dry-run", "--team", "orders")
    assert result.exit_code == 0, result.stderr
    [line] = [line for line in result.stdout.splitlines() if line.startswith("dry run:")]
    command = line.split("to propose it for real: ", 1)[1]
    assert shlex.split(command) == ["infraplane", "--as", "ann", "ask", "a fifo queue", "--team", "orders"]


def test_a_cost_table_keeps_long_addresses_whole(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(output.console, "width", 80)
    address = 'module.payments_database.aws_db_instance.primary["eu-central-1a"]'
    _print_report(
        "payments-staging/postgres",
        _report(ResourceCost(address, "aws_db_instance", ("create",), None, Priced(Decimal("190.44"), "db.r6g.large"))),
    )
    out = capsys.readouterr().out
    assert address in out and "$190.44" in out and "db.r6g.large" in out
