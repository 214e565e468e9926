"""Policy replay: what a bundle version not yet published would change, judged on what environments run.

A replay evaluates the candidate bundle and the version of it that is active now (if any) over the same
documents: each environment's request (its current revision), each component's current state (as the
plan policies judge a plan: `core.state.state_plan` with `update`), and each component's latest plan
stored with a proposal. Findings of the two versions are compared by what they name (component, rule,
address, attribute): a finding only the candidate has *newly denies* or *newly warns*; one only the
active version has *stops firing*; a deny that becomes a warning newly warns (it was a deny).

Only the packages that differ between the versions need evaluating: a package whose Rego text is the
same, that reads no package that changed, under the same params, scope and input projection, finds the
same things in both, so it cannot change the report (`changed_packages`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from infraplane.core.policy import BundleRef, Finding, Hook
from infraplane.core.policy_bundles import LoadedBundle, package_names

__all__ = [
    "ReplayChange",
    "ReplayDocument",
    "ReplayReport",
    "Source",
    "changed_packages",
    "compare",
]

ChangeKind = Literal["newly-denies", "newly-warns", "stops-firing"]
CHANGE_ORDER: tuple[ChangeKind, ...] = ("newly-denies", "newly-warns", "stops-firing")


@dataclass(frozen=True)
class Source:
    """What a replayed document is: `state` (what runs), `plan` (a proposal's stored plan) or `request`."""

    kind: Literal["state", "plan", "request"]
    proposal: str = ""  # the proposal a plan comes from
    status: str = ""  # that proposal's status (a pending plan is a change still to come)
    revision: int | None = None  # the revision a request document comes from

    def describe(self) -> str:
        if self.kind == "plan":
            return f"plan of {self.proposal} ({self.status})"
        if self.kind == "request":
            return f"request of revision {self.revision}" if self.revision is not None else "request"
        return "state"


@dataclass(frozen=True)
class ReplayDocument:
    """One document the policies read, with where it applies (for the bundles' scopes) and where it came from."""

    environment: str
    team: str
    tier: str
    component: str  # "" for an environment's request
    blueprint: str  # the blueprint name a bundle's scope is matched against
    hook: Hook
    source: Source
    document: Mapping[str, Any]


@dataclass(frozen=True)
class ReplayChange:
    """One finding that would appear, change severity or go away once the candidate is published."""

    change: ChangeKind
    environment: str
    component: str
    rule: str
    severity: str  # the candidate's severity; the active one's for a finding that stops firing
    was: str  # the active version's severity ("" when it did not fire)
    address: str
    attribute: str
    message: str
    sources: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "change": self.change,
            "environment": self.environment,
            "component": self.component,
            "rule": self.rule,
            "severity": self.severity,
            "was": self.was or None,
            "address": self.address,
            "attribute": self.attribute,
            "message": self.message,
            "sources": list(self.sources),
        }

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> ReplayChange:
        return ReplayChange(
            data["change"],
            data["environment"],
            data.get("component", ""),
            data["rule"],
            data.get("severity", ""),
            data.get("was") or "",
            data.get("address", ""),
            data.get("attribute", ""),
            data.get("message", ""),
            tuple(data.get("sources", ())),
        )


def _ref(data: Mapping[str, Any] | None) -> BundleRef | None:
    return BundleRef(data["name"], data["version"], data["digest"]) if data else None


@dataclass(frozen=True)
class ReplayReport:
    """A replay's outcome: the candidate, the version it would replace, what was judged, and what changes."""

    bundle: BundleRef
    replaces: BundleRef | None
    environments: tuple[str, ...]
    documents: int
    changes: tuple[ReplayChange, ...]
    # Environments left out, and why (a state that is not Terraform's, a plan that does not parse).
    skipped: tuple[tuple[str, str], ...] = ()
    packages: tuple[str, ...] = ()  # the packages evaluated (the others are the same in both versions)
    extra: Mapping[str, Any] = field(default_factory=dict)

    def of(self, change: ChangeKind) -> tuple[ReplayChange, ...]:
        return tuple(c for c in self.changes if c.change == change)

    @property
    def denied_environments(self) -> tuple[str, ...]:
        """The environments the candidate would newly deny: publishing it blocks their next change."""
        return tuple(sorted({c.environment for c in self.of("newly-denies")}))

    def by_environment(self) -> dict[str, dict[str, list[ReplayChange]]]:
        """environment -> rule -> changes, environments and rules sorted."""
        grouped: dict[str, dict[str, list[ReplayChange]]] = {}
        for change in sorted(self.changes, key=_order):
            grouped.setdefault(change.environment, {}).setdefault(change.rule, []).append(change)
        return grouped

    def counts(self) -> dict[str, int]:
        return {kind: len(self.of(kind)) for kind in CHANGE_ORDER}

    def as_dict(self) -> dict[str, Any]:
        return {
            "bundle": self.bundle.as_dict(),
            "replaces": self.replaces.as_dict() if self.replaces else None,
            "environments": list(self.environments),
            "documents": self.documents,
            "counts": self.counts(),
            "denied_environments": list(self.denied_environments),
            "changes": [c.as_dict() for c in sorted(self.changes, key=_order)],
            "skipped": [{"environment": e, "reason": r} for e, r in self.skipped],
            "packages": list(self.packages),
            **dict(self.extra),
        }

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> ReplayReport:
        bundle = _ref(data["bundle"])
        assert bundle is not None
        known = {"bundle", "replaces", "environments", "documents", "counts", "denied_environments"}
        known |= {"changes", "skipped", "packages"}
        return ReplayReport(
            bundle,
            _ref(data.get("replaces")),
            tuple(data.get("environments", ())),
            int(data.get("documents", 0)),
            tuple(ReplayChange.from_dict(c) for c in data.get("changes", ())),
            tuple((s["environment"], s["reason"]) for s in data.get("skipped", ())),
            tuple(data.get("packages", ())),
            {k: v for k, v in data.items() if k not in known},
        )


def _order(change: ReplayChange) -> tuple[str, int, str, str, str, str]:
    return (
        change.environment,
        CHANGE_ORDER.index(change.change),
        change.rule,
        change.component,
        change.address,
        change.attribute,
    )


_Key = tuple[str, str, str, str, str]  # environment, component, rule, address, attribute


def _key(document: ReplayDocument, finding: Finding) -> _Key:
    return (document.environment, document.component, finding.rule, finding.address, finding.attribute)


def compare(
    judged: Iterable[tuple[ReplayDocument, Sequence[Finding], Sequence[Finding]]],
) -> tuple[ReplayChange, ...]:
    """The changes between the active version's findings and the candidate's on the same documents.

    `judged` holds each document with the active version's findings and the candidate's. A finding found
    on several documents of one component (its state and its plan) is one change naming every source.
    """
    old: dict[_Key, tuple[Finding, list[str]]] = {}
    new: dict[_Key, tuple[Finding, list[str]]] = {}
    for document, before, after in judged:
        source = document.source.describe()
        for findings, seen in ((before, old), (after, new)):
            for finding in findings:
                key = _key(document, finding)
                if key not in seen:
                    seen[key] = (finding, [])
                elif finding.severity == "deny":  # the stronger finding speaks for the component
                    seen[key] = (finding, seen[key][1])
                if source not in seen[key][1]:
                    seen[key][1].append(source)
    changes = []
    for key, (finding, sources) in new.items():
        was = old[key][0].severity if key in old else ""
        if was == finding.severity:
            continue
        kind: ChangeKind = "newly-denies" if finding.severity == "deny" else "newly-warns"
        changes.append(_change(kind, key, finding, was, sources))
    for key, (finding, sources) in old.items():
        if key not in new:
            changes.append(_change("stops-firing", key, finding, finding.severity, sources))
    return tuple(sorted(changes, key=_order))


def _change(kind: ChangeKind, key: _Key, finding: Finding, was: str, sources: list[str]) -> ReplayChange:
    environment, component, rule, address, attribute = key
    severity = finding.severity if kind != "stops-firing" else was
    return ReplayChange(
        kind,
        environment,
        component,
        rule,
        severity,
        was,
        address,
        attribute,
        finding.message,
        tuple(sources),
    )


# -- which packages can change the findings ------------------------------------------------------------

_DATA_REFERENCE = re.compile(r"\bdata\.([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)")


def _package_sources(bundle: LoadedBundle) -> dict[str, str]:
    """Each policy package's Rego text (the modules declaring it, in file order), tests left out."""
    sources: dict[str, list[str]] = {}
    for name in sorted(bundle.modules):
        if name.endswith("_test.rego"):
            continue
        text = bundle.modules[name]
        for package in package_names(text):
            sources.setdefault(package, []).append(text)
    return {package: "\n".join(texts) for package, texts in sources.items()}


def _reads(text: str, packages: Iterable[str]) -> set[str]:
    """The packages among `packages` that a Rego text refers to (`data.pkg`, `data.pkg.rule`, `import data.pkg`)."""
    referenced = _DATA_REFERENCE.findall(text)
    return {p for p in packages if any(r == p or r.startswith(p + ".") or p.startswith(r + ".") for r in referenced)}


def changed_packages(active: LoadedBundle | None, candidate: LoadedBundle) -> tuple[str, ...] | None:
    """The packages to evaluate under both versions; None when every package must be (nothing can be skipped).

    A package is the same in both when its text is the same and it reads (transitively) no package whose
    text differs; then its findings are the same and leave the report as it is. Any difference in params,
    scope or input projection (which every package reads) makes every package count.
    """
    if active is None:
        return None
    before, after = active.manifest, candidate.manifest
    if (before.params, before.scope, before.input) != (after.params, after.scope, after.input):
        return None
    old, new = _package_sources(active), _package_sources(candidate)
    names = set(old) | set(new)
    differing = {p for p in names if old.get(p) != new.get(p)}
    reads = {p: _reads(old.get(p, "") + "\n" + new.get(p, ""), names) for p in names}
    changed = set(differing)
    grew = True
    while grew:
        grew = False
        for package in names - changed:
            if reads[package] & changed:
                changed.add(package)
                grew = True
    return tuple(sorted(changed))
