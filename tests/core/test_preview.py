"""What was reviewed of a preview, and every way an apply-time plan can depart from it."""

from __future__ import annotations

from infraplane.core.diff import ResourceDiff
from infraplane.core.policy import Finding
from infraplane.core.preview import UNCHECKED_RULE, Reviewed, departures


def _reviewed(
    resources: dict[str, tuple[str, ...]], findings: tuple[Finding, ...] = (), cost: float | None = 20.0
) -> Reviewed:
    diffs = [ResourceDiff("db", address, address.split(".")[0], actions) for address, actions in resources.items()]
    other = ResourceDiff("cache", "aws_x.other", "aws_x", ("create",))
    return Reviewed.of("db", [*diffs, other], findings, cost)


BASE = {"aws_db_instance.this": ("create",), "aws_security_group.this": ("create",)}
UNCHECKED = Finding(UNCHECKED_RULE, "warn", "aws_security_group.this", "vpc_id unknown", component="db")


def test_the_same_plan_keeps_to_the_preview_and_unchecked_findings_are_not_compared() -> None:
    reviewed = _reviewed(BASE, (UNCHECKED,))
    assert reviewed.resources == (("aws_db_instance.this", "create"), ("aws_security_group.this", "create"))
    assert reviewed.findings == ()  # only this component's, and never the preview's own unchecked notes
    assert departures(reviewed, _reviewed(BASE)) == []


def test_resources_and_actions_that_differ_are_each_named() -> None:
    planned = {"aws_db_instance.this": ("delete", "create"), "aws_db_instance.replica[0]": ("create",)}
    found = departures(_reviewed(BASE), _reviewed(planned))
    assert found == [
        "aws_db_instance.replica[0] would be created, which the preview did not show",
        "aws_security_group.this was to be created in the preview, and is not planned now",
        "aws_db_instance.this: create in the preview, replace now",
    ]


def test_a_new_deny_or_warn_departs_and_a_finding_gone_does_not() -> None:
    deny = Finding("NET-001", "deny", "aws_security_group.this", "open to the world", component="db")
    warn = Finding("TAG-001", "warn", "aws_db_instance.this", "no owner tag", component="db")
    assert departures(_reviewed(BASE, (warn,)), _reviewed(BASE, (warn, deny))) == [
        "new deny finding NET-001 at aws_security_group.this"
    ]
    assert departures(_reviewed(BASE, (warn,)), _reviewed(BASE)) == []


def test_a_cost_above_the_reviewed_one_by_a_dollar_or_one_percent_departs() -> None:
    assert departures(_reviewed(BASE, cost=20.0), _reviewed(BASE, cost=20.19)) == []  # under 1% and under $1
    assert departures(_reviewed(BASE, cost=20.0), _reviewed(BASE, cost=20.21)) == [
        "costs $20.21/month, $20.00 in the preview"
    ]
    assert departures(_reviewed(BASE, cost=500.0), _reviewed(BASE, cost=501.5)) != []  # 0.3%, but over $1
    assert departures(_reviewed(BASE, cost=20.0), _reviewed(BASE, cost=12.0)) == []  # cheaper is no departure
    assert departures(_reviewed(BASE, cost=None), _reviewed(BASE, cost=9.0)) == [
        "costs $9.00/month; the preview could not price it"
    ]
