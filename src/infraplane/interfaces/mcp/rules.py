"""What a finding's rule means: read from the active Rego bundles, the policy docs, and the budget check.

A rule id (`NET-002`, `APR-003`, `COST-001`) is explained from three places, merged:

- the Rego bundles in force (built-in and published): which set the rule adds to
  (`deny`/`warn` are guardrails, `require`/`block` approval rules) and the comments
  written around it, which say why it exists and how it decides unclear cases;
- the tables of `docs/policies.md` and `docs/proposals.md` when infraplane runs from a
  source checkout: what the rule checks and how to fix it, as the docs state them;
- the budget check (`COST-001`), which is code, not Rego.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infraplane.adapters.policy.bundles import LoadedBundle
from infraplane.core.cost import BUDGET_RULE
from infraplane.errors import NotFoundError, Problem

__all__ = ["RuleBook", "RuleExplanation", "rule_book"]

RULE_ID = re.compile(r"\b[A-Z][A-Z0-9]*-\d{3}\b")
_QUOTED_ID = re.compile(r"\"([A-Z][A-Z0-9]*-\d{3})\"")
# A top-level rule head: `deny contains finding if {`, `require contains {`.
_RULE_HEAD = re.compile(r"^(deny|warn|require|block)\s+contains\b", re.MULTILINE)
# The docs live beside src/ in a source checkout; an installed package has only the Rego.
DOCS = Path(__file__).resolve().parents[4] / "docs"
_DOC_FILES = ("policies.md", "proposals.md")
_KINDS = {"deny": "guardrail", "warn": "guardrail", "require": "approval rule", "block": "approval rule"}


@dataclass
class RuleExplanation:
    """Everything known about one rule id."""

    rule: str
    kind: str = ""
    severities: list[str] = field(default_factory=list)
    bundles: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    how_to_fix: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "rule": self.rule,
            "kind": self.kind or "guardrail",
            "severity": self.severities,
            "bundles": self.bundles,
            "checks": " / ".join(self.checks) or "(not documented; see why)",
            "why": self.notes,
            "how_to_fix": " / ".join(self.how_to_fix) or "follow the remediation the finding gives",
            "sources": self.sources,
        }
        if self.kind == "approval rule":
            body["needs"] = body.pop("how_to_fix")
            body["how_to_fix"] = (
                "fix the deny findings (explain_finding on each of their rules) and propose again"
                if "block" in self.severities
                else "nothing for an agent to fix: the proposal waits until people with the role approve it "
                "(`infraplane proposal approve ID`); agents never approve. Tell the user who must approve."
            )
        return body


def _add(values: list[str], value: str) -> None:
    if value and value not in values:
        values.append(value)


def _comment_blocks(text: str) -> list[tuple[str, int]]:
    """(text of each run of `#` comment lines, the line index where it ends)."""
    blocks: list[tuple[str, int]] = []
    current: list[str] = []
    lines = text.splitlines()
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("#"):
            content = stripped.lstrip("#").strip()
            if not content.startswith("----"):
                current.append(content)
            continue
        if current:
            blocks.append((" ".join(part for part in current if part).strip(), index))
            current = []
    if current:
        blocks.append((" ".join(current).strip(), len(lines)))
    return [(b, i) for b, i in blocks if b]


def _heads(text: str) -> list[tuple[int, int, str]]:
    """(start, end, set name) of each top-level rule body."""
    starts = [(m.start(), m.group(1)) for m in _RULE_HEAD.finditer(text)]
    return [(s, starts[i + 1][0] if i + 1 < len(starts) else len(text), name) for i, (s, name) in enumerate(starts)]


def _from_module(book: dict[str, RuleExplanation], bundle: str, file: str, text: str) -> None:
    blocks = _comment_blocks(text)
    attached = {ends: block for block, ends in blocks}
    named: dict[str, list[str]] = {}
    for start, end, name in _heads(text):
        above = attached.get(text[:start].count("\n"), "")
        for rule in _QUOTED_ID.findall(text[start:end]):
            entry = book.setdefault(rule, RuleExplanation(rule))
            entry.kind = entry.kind or _KINDS[name]
            _add(entry.severities, name)
            # The comment right above a rule body says why that body exists.
            named.setdefault(rule, [])
            if above:
                named[rule].append(above)
    for rule, comments in named.items():
        entry = book[rule]
        _add(entry.bundles, bundle)
        _add(entry.sources, f"{bundle}/{file}")
        for block in [b for b, _ in blocks if rule in RULE_ID.findall(b)] + comments:
            _add(entry.notes, block)


def _table_rows(text: str) -> Iterable[dict[str, str]]:
    """Rows of every markdown table whose first column is a rule id, keyed by the header's names."""
    header: list[str] = []
    for line in text.splitlines():
        if not line.startswith("|"):
            header = []
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if all(set(c) <= {"-", ":", " "} for c in cells):
            continue
        if not header:
            header = [c.lower() for c in cells]
            continue
        if cells and RULE_ID.fullmatch(cells[0]):
            yield dict(zip(header, cells, strict=False))


def _from_docs(book: dict[str, RuleExplanation], docs: Path) -> None:
    for name in _DOC_FILES:
        file = docs / name
        if not file.is_file():
            continue
        for row in _table_rows(file.read_text(encoding="utf-8")):
            rule = next(iter(row.values()))
            entry = book.setdefault(rule, RuleExplanation(rule))
            _add(entry.checks, row.get("what") or row.get("when", ""))
            _add(entry.how_to_fix, row.get("remediation") or row.get("needs", ""))
            severity = row.get("severity", "")
            if severity:
                entry.kind = entry.kind or "guardrail"
                _add(entry.severities, severity)
            _add(entry.sources, f"docs/{name}")


def _budget(book: dict[str, RuleExplanation]) -> None:
    entry = book.setdefault(BUDGET_RULE, RuleExplanation(BUDGET_RULE))
    entry.kind = "guardrail"
    _add(entry.severities, "deny or warn (config.yaml budgets.mode)")
    _add(
        entry.checks,
        "the environment's estimated monthly cost after the change against the budgets of its tier and "
        "team (config.yaml `budgets`)",
    )
    _add(entry.notes, "Budgets keep one request from spending what a tier or team was given for a month.")
    _add(entry.how_to_fix, "choose smaller sizes or fewer nodes (see the finding's largest items), or ask for a budget")
    _add(entry.sources, "infraplane budgets (core/cost/budget.py)")


@dataclass(frozen=True)
class RuleBook:
    """Every rule id the active bundles, the docs and the budget check know."""

    rules: dict[str, RuleExplanation]

    def explain(self, rule: str) -> dict[str, Any]:
        key = rule.strip().upper()
        found = self.rules.get(key)
        if found is None:
            known = ", ".join(sorted(self.rules))
            raise NotFoundError(
                f"unknown rule {rule!r}; known rules: {known}",
                [Problem("", "rule", f"unknown rule {rule!r}; use one of: {known}")],
            )
        return found.as_dict()

    def known(self) -> list[str]:
        return sorted(self.rules)


def rule_book(bundles: Sequence[LoadedBundle], docs: Path = DOCS) -> RuleBook:
    """The rules of these bundles, with what the docs and the budget check add."""
    book: dict[str, RuleExplanation] = {}
    for bundle in bundles:
        for file, text in sorted(bundle.modules.items()):
            if not file.endswith("_test.rego"):
                _from_module(book, bundle.manifest.ref, file, text)
    _from_docs(book, docs)
    _budget(book)
    return RuleBook(book)
