"""Policy as code: bundles, findings, scoping, and the documents policies read.

A bundle is a directory of Rego files with a `bundle.yaml` (name, semver version,
scope, params). Policies produce findings in `deny` and `warn` sets; any deny
blocks an apply. Every decision names the bundles (name@version and digest) that
made it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from infraplane.core.names import NAME_PATTERN
from infraplane.core.plan import NormalizedPlan
from infraplane.core.versions import is_valid_version

__all__ = [
    "ATTRIBUTE_MAPS",
    "BundleInput",
    "BundleManifest",
    "BundleRef",
    "Finding",
    "Hook",
    "PolicyDecision",
    "Scope",
    "plan_input",
    "project_plan_input",
    "request_input",
]

Hook = Literal["request", "plan", "approval"]
Severity = Literal["deny", "warn"]


class Scope(BaseModel):
    """Where a bundle applies; an empty list means everywhere."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    hooks: tuple[Hook, ...] = ("request", "plan")
    tiers: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    blueprints: tuple[str, ...] = ()

    def applies(self, hook: Hook, tier: str, team: str, blueprint: str) -> bool:
        return (
            hook in self.hooks
            and (not self.tiers or tier in self.tiers)
            and (not self.teams or team in self.teams)
            and (not self.blueprints or blueprint in self.blueprints)
        )


class BundleInput(BaseModel):
    """Which resource attributes a bundle's rules read (`input:` of `bundle.yaml`).

    `all` (the default) hands every attribute of every change to the rules. `referenced` keeps, in each
    change's `before`, `after` and `after_unknown`, only the attributes whose names appear in the bundle's
    Rego source or params: a bundle may declare it when its rules name every attribute they read
    (no iterating over the attributes, no names built at run time). A list keeps those attributes and
    the referenced ones. Nested values of a kept attribute are kept whole. With `referenced` or a list,
    `omit` names attributes left out of `before`, `after`, `after_unknown` and `config` even though their
    names appear in the code (as the name of a change's own field, say): the rules promise never to read
    them there. With `all` nothing is left out.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    attributes: Literal["all", "referenced"] | tuple[str, ...] = "all"
    omit: tuple[str, ...] = ()


class BundleManifest(BaseModel):
    """A parsed `bundle.yaml`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=NAME_PATTERN)
    version: str
    description: str = ""
    scope: Scope = Field(default_factory=Scope)
    params: dict[str, Any] = Field(default_factory=dict)
    input: BundleInput = Field(default_factory=BundleInput)

    @field_validator("version")
    @classmethod
    def _semver(cls, value: str) -> str:
        if not is_valid_version(value):
            raise ValueError(f"{value!r} is not a semantic version (MAJOR.MINOR.PATCH, e.g. 1.0.0)")
        return value

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"


@dataclass(frozen=True)
class BundleRef:
    """Which bundle version decided: recorded with every decision."""

    name: str
    version: str
    digest: str

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "version": self.version, "digest": self.digest}


@dataclass(frozen=True)
class Finding:
    """One problem a policy found, with where it is and how to fix it."""

    rule: str
    severity: Severity
    address: str
    message: str
    remediation: str = ""
    attribute: str = ""
    bundle: str = ""
    component: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "address": self.address,
            "attribute": self.attribute,
            "message": self.message,
            "remediation": self.remediation,
            "bundle": self.bundle,
            "component": self.component,
        }


@dataclass(frozen=True)
class PolicyDecision:
    """All findings of one evaluation and the bundles that produced them."""

    hook: Hook
    findings: tuple[Finding, ...]
    bundles: tuple[BundleRef, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def denied(self) -> bool:
        return any(f.severity == "deny" for f in self.findings)

    def denies(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "deny"]

    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warn"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "hook": self.hook,
            "denied": self.denied,
            "findings": [f.as_dict() for f in self.findings],
            "bundles": [b.as_dict() for b in self.bundles],
            **dict(self.extra),
        }

    @staticmethod
    def merge(hook: Hook, decisions: Iterable[PolicyDecision]) -> PolicyDecision:
        findings: list[Finding] = []
        bundles: dict[str, BundleRef] = {}
        for decision in decisions:
            findings += decision.findings
            bundles.update({b.digest: b for b in decision.bundles})
        return PolicyDecision(hook, tuple(findings), tuple(bundles.values()))


def _environment(name: str, team: str, tier: str, owner: str) -> dict[str, str]:
    return {"name": name, "team": team, "tier": tier, "owner": owner}


def plan_input(
    plan: NormalizedPlan,
    environment: Mapping[str, str],
    component: Mapping[str, str],
    params: Mapping[str, Any],
) -> dict[str, Any]:
    """The document policies read at the `plan` hook (shape documented in docs/policies.md)."""
    return {
        "hook": "plan",
        "environment": _environment(**{k: environment.get(k, "") for k in ("name", "team", "tier", "owner")}),
        "component": dict(component),
        "params": dict(params),
        "plan": plan.as_dict(),
    }


# The attribute objects of a normalized change (ResourceChange.as_dict) that a projection narrows.
ATTRIBUTE_MAPS = ("before", "after", "after_unknown")


def _attribute(path: str, tops: dict[str, str]) -> str:
    """The attribute a flattened configuration path is under: `ingress[0].cidr_blocks` -> `ingress`."""
    top = tops.get(path)
    if top is None:
        top = tops[path] = path.split(".", 1)[0].split("[", 1)[0]
    return top


def _project_change(change: Any, keep: frozenset[str], attributes: frozenset[str], tops: dict[str, str]) -> Any:
    if not isinstance(change, Mapping):
        return change
    projected: dict[str, Any] = {}
    for name, value in change.items():
        if name not in keep:
            continue
        if name in ATTRIBUTE_MAPS and isinstance(value, Mapping):
            value = {k: v for k, v in value.items() if k in attributes}
        elif name == "config" and isinstance(value, Mapping):
            kept = {p: e for p, e in value.items() if not isinstance(p, str) or _attribute(p, tops) in attributes}
            # An empty `config` says the resource could not be matched to its configuration: one path stays
            # when none is named, so a matched configuration never reads as unmatched.
            value = kept or dict(list(value.items())[:1])
        projected[name] = value
    return projected


def project_plan_input(
    document: Mapping[str, Any], keep: frozenset[str], omit: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """`document` with its plan narrowed to the names in `keep` (see BundleInput).

    Each change keeps the fields named in `keep`; its `before`, `after` and `after_unknown` keep the attributes
    named there but not in `omit`, and its `config` the paths under those attributes (or one path, when it has
    paths but none under a kept attribute); the plan keeps the fields named there.
    Evaluation time in the Rego engine grows with the size of the input, so a bundle that reads a few
    attributes of each resource is handed only those. The document itself is not changed.
    """
    plan = document.get("plan")
    if not isinstance(plan, Mapping):
        return dict(document)
    tops: dict[str, str] = {}
    attributes = keep - omit
    narrowed = {key: value for key, value in plan.items() if key in keep}
    for key in ("resource_changes", "resource_drift"):
        changes = narrowed.get(key)
        if isinstance(changes, list):
            narrowed[key] = [_project_change(c, keep, attributes, tops) for c in changes]
    return {**document, "plan": narrowed}


def request_input(
    environment: Mapping[str, str],
    blueprint: Mapping[str, Any],
    inputs: Mapping[str, Any],
    actor: Mapping[str, str],
    params: Mapping[str, Any],
) -> dict[str, Any]:
    """The document policies read at the `request` hook, before anything is planned."""
    return {
        "hook": "request",
        "environment": _environment(**{k: environment.get(k, "") for k in ("name", "team", "tier", "owner")}),
        "blueprint": dict(blueprint),
        "inputs": dict(inputs),
        "actor": dict(actor),
        "params": dict(params),
    }
