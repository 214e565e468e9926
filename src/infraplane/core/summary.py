"""A proposal in plain words: one paragraph made from its structured content, the same text every time.

It heads every view of a proposal (the CLI, the API, MCP, the web page) and is what the audit trail
records with each decision (`proposal.decide`). Every sentence is rendered from data: the diff (what
changes where, by kind, the notable resources by name), the components' plans, the cost delta and
what it covers, the findings, the blast radius, and the approval decision with its tally (who must
still approve). Nothing is parsed from other sentences.

The text names components, resources, attribute names and rule ids, never an attribute's value, so it
carries no secret. Names come from plans and bundles, so the paragraph is made inert (`core.text`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from infraplane.core.approval import ApprovalState
from infraplane.core.diff import ResourceDiff
from infraplane.core.policy import Finding
from infraplane.core.proposal_lifecycle import ProposalStatus
from infraplane.core.proposals import CostDelta, Proposal, cost_coverage, unpriced_text
from infraplane.core.text import inert

__all__ = [
    "ACTION_ORDER",
    "REPHRASE_MAX_CHARS",
    "REPHRASE_SYSTEM_PROMPT",
    "dropped_facts",
    "kind_name",
    "plain_summary",
]

# The order actions are told in: what appears, what changes in place, what is rebuilt, what goes.
ACTION_ORDER = ("create", "update", "replace", "delete")
_ACTION_WORDS = {"create": "to create", "update": "to change", "replace": "to replace", "delete": "to destroy"}
_MAX_NAMED = 5  # rules, components or people named in one list before "and N more"
_MAX_ATTRIBUTES = 4


def _plural(count: int, word: str) -> str:
    if count == 1:
        return f"1 {word}"
    if word.endswith(("s", "x", "sh", "ch")):
        return f"{count} {word}es"
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "o", "u"):
        return f"{count} {word[:-1]}ies"
    return f"{count} {word}s"


def _listed(items: Sequence[str], limit: int = _MAX_NAMED) -> str:
    """ "a", "a and b", "a, b and c", "a, b, c, d, e and 3 more" """
    shown = list(items[:limit])
    if len(items) > limit:
        shown.append(f"{len(items) - limit} more")
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def kind_name(resource_type: str) -> str:
    """A resource type in words: the provider's prefix dropped (`aws_db_instance` -> "db instance")."""
    _, _, rest = resource_type.partition("_")
    return (rest or resource_type).replace("_", " ")


def _where(proposal: Proposal) -> str:
    return f"{proposal.environment} ({proposal.tier}, team {proposal.team})"


def _blueprint(proposal: Proposal) -> str:
    """The environment's blueprint ref; "" when there is none, or its file lists components inline (`NAME@0.0.0`)."""
    value = proposal.document.get("blueprint")
    if not isinstance(value, str) or value.partition("@")[0] in ("", proposal.environment):
        return ""
    return value


def _what(proposal: Proposal) -> str:
    """The first sentence: which change, to which environment, from which blueprint."""
    where = _where(proposal)
    blueprint = _blueprint(proposal)
    kind: str = proposal.kind  # any kind, also those added after this was written
    if kind == "create":
        return f"Creates {where}" + (f" from {blueprint}." if blueprint else ".")
    if kind == "update":
        return f"Changes the inputs of {where}" + (f", staying on {blueprint}." if blueprint else ".")
    if kind == "upgrade":
        return f"Upgrades {where}" + (f" to {blueprint}." if blueprint else " to newer blueprint versions.")
    if kind == "rollback":
        to = f" to revision {proposal.rollback_to}" if proposal.rollback_to is not None else ""
        return f"Rolls {where} back{to}" + (f" ({blueprint})." if blueprint else ".")
    if kind == "destroy":
        return f"Destroys {where}" + (f", built from {blueprint}." if blueprint else ".")
    if kind == "drift-revert":
        return f"Reverts drift in {where}: puts back what its configuration says."
    if kind == "drift-accept":
        return f"Accepts drift in {where}: keeps what the cloud has now as the desired state."
    article = "An" if kind[:1].lower() in ("a", "e", "i", "o", "u") else "A"
    return f"{article} {kind} proposal for {where}" + (f" ({blueprint})." if blueprint else ".")


def _top_attributes(diff: ResourceDiff) -> list[str]:
    """The attribute names a change touches (`tags_all.team` and `tags_all.owner` are `tags_all`)."""
    names: list[str] = []
    for attribute in diff.attributes:
        top = attribute.path.split(".", 1)[0].split("[", 1)[0]
        if top and top not in names:
            names.append(top)
    return names


def _resources(proposal: Proposal) -> list[str]:
    """How many resources change, per action and component; by kind; then the notable ones by name."""
    sentences: list[str] = []
    diffs = proposal.diff
    order = [c.name for c in proposal.components]
    by_action: dict[str, Counter[str]] = {a: Counter() for a in ACTION_ORDER}
    other = 0
    for diff in diffs:
        if diff.action in by_action:
            by_action[diff.action][diff.component] += 1
        else:
            other += 1

    def per_component(counts: Counter[str]) -> str:
        named = sorted(counts, key=lambda c: (order.index(c) if c in order else len(order), c))
        return ", ".join(f"{name} {counts[name]}" for name in named)

    actions = [(action, counts) for action, counts in by_action.items() if counts]
    if len(actions) == 1 and not other:
        action, counts = actions[0]
        sentences.append(f"{_plural(len(diffs), 'resource')} {_ACTION_WORDS[action]}: {per_component(counts)}.")
    elif actions or other:
        parts = [f"{sum(c.values())} {_ACTION_WORDS[a]} ({per_component(c)})" for a, c in actions]
        if other:
            parts.append(f"{other} with other actions")
        sentences.append(f"{_plural(len(diffs), 'resource')} change: {'; '.join(parts)}.")
    else:
        sentences.append("No resource changes.")
    if len(diffs) > 1:
        sentences.append(f"By kind: {_kinds(diffs)}.")
    sentences += _notable(diffs)
    sentences += _components(proposal)
    return sentences


def _kinds(diffs: Sequence[ResourceDiff], shown: int = 6) -> str:
    """ "4 subnets, 2 route tables, ... and 9 more resources of 8 other kinds" (most numerous first)."""
    kinds = Counter(kind_name(d.type) for d in diffs)
    ranked = sorted(kinds, key=lambda k: (-kinds[k], k))
    named = [_plural(kinds[k], k) for k in ranked[:shown]]
    rest = ranked[shown:]
    if not rest:
        return _listed(named, len(named))
    more = sum(kinds[k] for k in rest)
    other = "1 other kind" if len(rest) == 1 else f"{len(rest)} other kinds"
    return ", ".join(named) + f" and {more} more resource{'s' if more != 1 else ''} of {other}"


def _money(value: float) -> str:
    return f"${value:,.2f}"


def _charge(diff: ResourceDiff) -> float:
    """The fixed monthly charge a resource has after the change (before it, for one destroyed); 0 when unknown."""
    value = diff.monthly_before if diff.action == "delete" else diff.monthly_after
    return value or 0.0


def _by_charge(diffs: Iterable[ResourceDiff]) -> list[ResourceDiff]:
    return sorted(diffs, key=lambda d: (-_charge(d), d.component, d.address))


def _named(diffs: Sequence[ResourceDiff], per_component: int = 3) -> str:
    """ "jobs: aws_sqs_queue.dlq, aws_sqs_queue.this; files: aws_s3_bucket.this and 4 more", by component.

    Within a component the costliest come first; every component is named, each with at most a few addresses.
    """
    groups: dict[str, list[ResourceDiff]] = {}
    for diff in diffs:
        groups.setdefault(diff.component, []).append(diff)
    parts = []
    for component, found in groups.items():
        ranked = _by_charge(found)
        names = [d.address + (f" ({_money(_charge(d))})" if _charge(d) else "") for d in ranked[:per_component]]
        more = f" and {len(ranked) - per_component} more" if len(ranked) > per_component else ""
        parts.append(f"{component}: {', '.join(names)}{more}")
    return "; ".join(parts)


def _notable(diffs: Sequence[ResourceDiff]) -> list[str]:
    """What a reviewer checks first: what carries a monthly charge, what is rebuilt or goes, what changes how."""
    sentences = []
    created = [d for d in diffs if d.action == "create" and _charge(d)]
    if created:
        sentences.append(f"Created with a fixed monthly charge: {_named(created)}.")
    replaced = [d for d in diffs if d.action == "replace"]
    if replaced:
        sentences.append(f"Replaced (destroyed, then created again): {_named(replaced)}.")
    destroyed = [d for d in diffs if d.action == "delete"]
    if destroyed:
        sentences.append(f"Destroyed: {_named(destroyed)}.")
    changed = [d for d in diffs if d.action == "update"]
    if changed:
        described = []
        for diff in changed:
            names = _top_attributes(diff)
            shown = ", ".join(names[:_MAX_ATTRIBUTES])
            if len(names) > _MAX_ATTRIBUTES:
                shown += f" and {len(names) - _MAX_ATTRIBUTES} more"
            before, after = diff.monthly_before, diff.monthly_after
            if before is not None and after is not None and before != after:
                shown += f"; {_money(before)} -> {_money(after)} a month"
            described.append(f"{diff.component}: {diff.address}" + (f" ({shown})" if shown else ""))
        sentences.append(f"Changed in place: {_listed(described)}.")
    return sentences


def _components(proposal: Proposal) -> list[str]:
    """Components previewed with inputs known only after apply, and those not planned at all yet."""
    sentences = []
    previewed = [c.name for c in proposal.components if c.previewed]
    if previewed:
        sentences.append(
            "Previewed with inputs known only after apply (planned again with the real values before they are"
            f" applied): {_listed(previewed)}."
        )
    waiting = [c.name for c in proposal.components if c.status == "waits" and not c.previewed]
    if waiting:
        sentences.append(f"Not planned yet, waiting on outputs of the others: {_listed(waiting)}.")
    return sentences


def _cost(cost: CostDelta | None) -> str:
    if cost is None:
        return "The monthly cost was not estimated."
    if cost.components and not cost.priced and not cost.before and not cost.after:
        return f"The monthly cost is not known yet ({unpriced_text(cost.unpriced)})."
    change = "no change" if cost.delta == 0 else ("+" if cost.delta > 0 else "-") + _money(abs(cost.delta))
    coverage = cost_coverage(cost.components, cost.priced, cost.unpriced)
    return f"Monthly cost goes from {_money(cost.before)} to {_money(cost.after)} ({change}), {coverage}."


def _finding_place(finding: Finding) -> str:
    return f"{finding.component}: {finding.address}" if finding.component else finding.address


def _by_rule(findings: Sequence[Finding]) -> list[str]:
    """One entry per rule: where it fired (one place), or on how many resources of which components."""
    rules: dict[str, list[Finding]] = {}
    for finding in findings:
        rules.setdefault(finding.rule, []).append(finding)
    entries = []
    for rule, found in rules.items():
        if len(found) == 1:
            entries.append(f"{rule} on {_finding_place(found[0])}")
        else:
            components = sorted({f.component for f in found if f.component})
            within = f" in {_listed(components)}" if components else ""
            entries.append(f"{rule} on {len(found)} resources{within}")
    return entries


def _findings(findings: Sequence[Finding]) -> str:
    denies = [f for f in findings if f.severity == "deny"]
    warnings = [f for f in findings if f.severity == "warn"]
    if not denies and not warnings:
        return "The guardrails found nothing."
    parts = []
    if denies:
        parts.append(f"deny it ({_plural(len(denies), 'finding')}: {_listed(_by_rule(denies))})")
    if warnings:
        parts.append(f"warn ({_plural(len(warnings), 'finding')}: {_listed(_by_rule(warnings))})")
    return f"The guardrails {' and '.join(parts)}."


def _dependents(proposal: Proposal) -> list[str]:
    radius = proposal.blast_radius
    sentences = []
    if radius.downstream_components:
        sentences.append(
            f"Downstream components that depend on what changes: {_listed(list(radius.downstream_components))}."
        )
    if radius.other_environments:
        sentences.append(f"Other environments affected: {_listed(list(radius.other_environments))}.")
    if not radius.downstream_components and not radius.other_environments:
        sentences.append("No other component or environment depends on what changes.")
    if radius.data_at_risk:
        sentences.append(f"Classified data is at risk in {_listed(list(radius.data_at_risk))}.")
    if proposal.warnings:
        sentences.append(f"It carries {_plural(len(proposal.warnings), 'dependency warning')}.")
    return sentences


def _decision(proposal: Proposal, state: ApprovalState) -> list[str]:
    """Why the proposal needs whom: the decision's entries, then what the approvals given still leave."""
    decision = proposal.decision
    if decision.outcome == "blocked":
        blocks = [f"{b.rule} ({b.reason})" if b.reason else b.rule for b in decision.blocks]
        return [f"Blocked by {_listed(blocks)}."]
    if decision.outcome == "auto-approved" or not decision.requirements:
        return ["Auto-approved: no approval rule asks for an approval."]
    needs = [r.describe() for r in decision.requirements]
    sentences = [f"Needs {_listed(needs, len(needs))}."]
    if not any(tally.counted for tally in state.tallies):
        sentences.append("No approval is in yet.")
    elif state.missing:
        sentences.append(f"Still missing: {_listed([m.describe() for m in state.missing], len(state.missing))}.")
    else:
        people = sorted({name for tally in state.tallies for name in tally.counted})
        sentences.append("Every required approval is in" + (f" ({_listed(people)})." if people else "."))
    return sentences


def _status(proposal: Proposal) -> list[str]:
    """Where it stands once it is past deciding; nothing while it waits for people or for its apply."""
    status = proposal.status
    if status == ProposalStatus.APPLIED:
        revision = f" as revision {proposal.applied_revision}" if proposal.applied_revision else ""
        return [f"Applied{revision}."]
    if status == ProposalStatus.APPLYING:
        return ["Being applied now."]
    if status == ProposalStatus.REJECTED:
        return ["Rejected."]
    if status == ProposalStatus.EXPIRED:
        return ["Expired before it was applied."]
    if status == ProposalStatus.FAILED:
        return ["Its apply failed."]
    if status == ProposalStatus.INTERRUPTED:
        return ["Its apply was interrupted; applying it again plans it again first."]
    return []


def plain_summary(proposal: Proposal, state: ApprovalState) -> str:
    """The paragraph a reviewer reads first; `state` is the tally of the proposal's approvals of its current plan."""
    sentences = [
        _what(proposal),
        *_resources(proposal),
        _cost(proposal.cost),
        _findings(proposal.findings),
        *_dependents(proposal),
        *_decision(proposal, state),
        *_status(proposal),
    ]
    return inert(" ".join(sentences))


# -- an optional LLM's rewording, for reading only -------------------------------------------------

REPHRASE_SYSTEM_PROMPT = (
    "You reword a summary of an infrastructure change for the person who must review it. Write the same "
    "facts in plain, friendly English, at most six sentences, as one paragraph. Keep every number, amount, "
    "name, address and rule id exactly as written; add no fact, no advice and no opinion; leave nothing out "
    "that says what is destroyed, replaced, denied or blocked. Answer with the paragraph only."
)
REPHRASE_MAX_CHARS = 3000

# What a rewording must keep: amounts of money and rule ids (APR-001, NET-002, preview.known-after-apply).
_FACTS = re.compile(r"\$[\d,]+\.\d\d|\b[A-Z]{2,}-\d{3}\b")


def dropped_facts(summary: str, rephrased: str) -> list[str]:
    """The amounts and rule ids of `summary` that `rephrased` leaves out, in order, each once."""
    found = []
    for fact in _FACTS.findall(summary):
        if fact not in rephrased and fact not in found:
            found.append(fact)
    return found
