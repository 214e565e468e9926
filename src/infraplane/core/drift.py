"""Drift: what a refresh-only plan says changed in the cloud behind Terraform's back, as typed items.

The refresh-only plan is parsed once (core/plan.py, `resource_drift`); this module compares each drifted
resource's `before` (the state) with its `after` (the cloud), drops what the normalization rules say is
provider noise, and names every real difference as a :class:`DriftItem`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from infraplane.core.plan import NormalizedPlan, PriorResource, ResourceChange, resource_tags
from infraplane.core.runs import CheckedTask

__all__ = [
    "MASK",
    "NORMALIZATION_RULES",
    "SETTING_RESOURCES",
    "DriftItem",
    "DriftKind",
    "NormalizationRule",
    "classified",
    "drift_items",
    "drifted_plan",
    "not_checkable",
    "task_items",
]

DriftKind = Literal["changed", "deleted", "added", "not-checkable"]
MASK = "(sensitive)"


@dataclass(frozen=True)
class NormalizationRule:
    """One kind of difference the provider reports that is not drift, with the behaviour it covers."""

    id: str
    covers: str
    # "empty": null, {}, [] and "" are the same; "unordered": lists compare as multisets;
    # "ignore": attributes with these names are never drift.
    treatment: Literal["empty", "unordered", "ignore", "rule-resources", "setting-resources"]
    attributes: frozenset[str] = frozenset()  # for "ignore"; empty means every attribute


NORMALIZATION_RULES: tuple[NormalizationRule, ...] = (
    NormalizationRule(
        "null-equals-empty",
        'the AWS provider reads unset tags, lists and strings back as null, {} , [] or "" (hashicorp/terraform#28803)',
        "empty",
    ),
    NormalizationRule(
        "set-ordering",
        "set-typed attributes (security group rules, CIDR lists) come back in the cloud's order",
        "unordered",
    ),
    NormalizationRule(
        "computed-timestamps",
        "timestamps the cloud computes on every read",
        "ignore",
        frozenset(
            {
                "last_modified_date",
                "last_modified_time",
                "last_modified",
                "updated_at",
                "update_time",
                "latest_restorable_time",  # RDS: the newest point-in-time restore moves forward on every read
            }
        ),
    ),
    NormalizationRule(
        "rules-as-resources",
        "a security group's `ingress`/`egress` read back the rules that separate aws_vpc_security_group_*_rule "
        "resources of the same state manage; with such resources the code declares no inline rule, so the drift "
        "is every rule no resource manages (also once an apply wrote the cloud's rules into the state)",
        "rule-resources",
        frozenset({"ingress", "egress"}),
    ),
    NormalizationRule(
        "settings-as-resources",
        "an S3 bucket's legacy inline settings (versioning, encryption, lifecycle, policy, ...) read back what the "
        "separate aws_s3_bucket_* resources of the same state manage; drift of them is reported on those resources",
        "setting-resources",
    ),
)

# A separate resource that manages a setting of another: child type -> (parent type, the child's attribute
# naming the parent's id, the parent's attributes it manages). Data for the "setting-resources" treatment.
SETTING_RESOURCES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "aws_s3_bucket_versioning": ("aws_s3_bucket", "bucket", ("versioning",)),
    "aws_s3_bucket_server_side_encryption_configuration": (
        "aws_s3_bucket",
        "bucket",
        ("server_side_encryption_configuration",),
    ),
    "aws_s3_bucket_logging": ("aws_s3_bucket", "bucket", ("logging",)),
    "aws_s3_bucket_lifecycle_configuration": ("aws_s3_bucket", "bucket", ("lifecycle_rule",)),
    "aws_s3_bucket_cors_configuration": ("aws_s3_bucket", "bucket", ("cors_rule",)),
    "aws_s3_bucket_website_configuration": (
        "aws_s3_bucket",
        "bucket",
        ("website", "website_endpoint", "website_domain"),
    ),
    "aws_s3_bucket_policy": ("aws_s3_bucket", "bucket", ("policy",)),
    "aws_s3_bucket_acl": ("aws_s3_bucket", "bucket", ("acl", "grant")),
    "aws_s3_bucket_accelerate_configuration": ("aws_s3_bucket", "bucket", ("acceleration_status",)),
    "aws_s3_bucket_request_payment_configuration": ("aws_s3_bucket", "bucket", ("request_payer",)),
    "aws_s3_bucket_object_lock_configuration": ("aws_s3_bucket", "bucket", ("object_lock_configuration",)),
    "aws_s3_bucket_replication_configuration": ("aws_s3_bucket", "bucket", ("replication_configuration",)),
}

# Separate rule resources whose rules a security group's inline attribute reads back.
_RULE_RESOURCES = {"aws_vpc_security_group_ingress_rule": "ingress", "aws_vpc_security_group_egress_rule": "egress"}


@dataclass(frozen=True)
class DriftItem:
    """One drifted attribute (or a whole resource deleted out of band) of one component."""

    environment: str
    component: str
    address: str | None
    attribute: str | None
    kind: DriftKind
    before: Any = None
    after: Any = None
    severity: str | None = None
    rule: str | None = None
    message: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "environment": self.environment,
            "component": self.component,
            "address": self.address,
            "attribute": self.attribute,
            "kind": self.kind,
            "before": self.before,
            "after": self.after,
            "severity": self.severity,
            "rule": self.rule,
            "message": self.message,
        }


def _is_empty(value: Any) -> bool:
    return value is None or value == {} or value == [] or value == ""


def _canonical(value: Any, rules: tuple[NormalizationRule, ...]) -> Any:
    """`value` in the form in which noise the rules describe compares equal."""
    empty = any(r.treatment == "empty" for r in rules)
    unordered = any(r.treatment == "unordered" for r in rules)
    if empty and _is_empty(value):
        return None
    if isinstance(value, Mapping):
        items = {str(k): _canonical(v, rules) for k, v in value.items()}
        return {k: v for k, v in items.items() if not (empty and v is None)}
    if isinstance(value, list):
        items_list = [_canonical(v, rules) for v in value]
        if unordered:
            items_list.sort(key=lambda v: json.dumps(v, sort_keys=True, default=str))
        return items_list
    return value


def _ignored(rules: tuple[NormalizationRule, ...]) -> frozenset[str]:
    return frozenset().union(*(r.attributes for r in rules if r.treatment == "ignore"))


def _sensitive(path: str, sensitive_paths: tuple[str, ...]) -> bool:
    return any(s == "*" or path == s or path.startswith((s + ".", s + "[")) for s in sensitive_paths)


def _differences(
    before: Any, after: Any, path: str, rules: tuple[NormalizationRule, ...]
) -> Iterator[tuple[str, Any, Any]]:
    """(attribute path, before, after) of every difference; maps (tags) are compared key by key."""
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        ignored = _ignored(rules)
        for key in sorted(set(before) | set(after)):
            if str(key) in ignored:
                continue
            child = f"{path}.{key}" if path else str(key)
            yield from _differences(before.get(key), after.get(key), child, rules)
        return
    if _canonical(before, rules) != _canonical(after, rules):
        yield path, before, after


def _managed_rule(entry: Any, rule: Mapping[str, Any]) -> bool:
    """Whether an inline security group rule is the one a separate rule resource manages."""
    if not isinstance(entry, Mapping):
        return False
    cidrs = [rule.get("cidr_ipv4")] if rule.get("cidr_ipv4") else []
    cidrs6 = [rule.get("cidr_ipv6")] if rule.get("cidr_ipv6") else []
    return (
        entry.get("from_port") == (rule.get("from_port") or 0)
        and entry.get("to_port") == (rule.get("to_port") or 0)
        and str(entry.get("protocol")) == str(rule.get("ip_protocol"))
        and list(entry.get("cidr_blocks") or []) == cidrs
        and list(entry.get("ipv6_cidr_blocks") or []) == cidrs6
    )


def _without_rule_resources(
    change: ResourceChange, prior: tuple[PriorResource, ...], rules: tuple[NormalizationRule, ...]
) -> ResourceChange:
    """`change` with the inline rules that separate rule resources manage taken out of its `after`.

    Where such resources manage a group's rules, the code declares no inline rule of that kind: the state's
    inline list (`before`) is taken as empty, since an apply writes whatever the cloud had into it.
    """
    attributes = frozenset().union(*(r.attributes for r in rules if r.treatment == "rule-resources"))
    if change.type != "aws_security_group" or not attributes or not isinstance(change.after, Mapping):
        return change
    group = change.after.get("id")
    after = dict(change.after)
    before = dict(change.before) if isinstance(change.before, Mapping) else change.before
    for resource in prior:
        attribute = _RULE_RESOURCES.get(resource.type)
        if attribute in attributes and resource.values.get("security_group_id") == group:
            entries = after.get(attribute)
            if isinstance(entries, list):
                after[attribute] = [e for e in entries if not _managed_rule(e, resource.values)]
            if isinstance(before, dict):
                before[attribute] = []
    return replace(change, before=before, after=after)


def _managed_elsewhere(
    change: ResourceChange, prior: tuple[PriorResource, ...], rules: tuple[NormalizationRule, ...]
) -> frozenset[str]:
    """Top-level attributes of `change` that separate resources of the same state manage (their own drift counts)."""
    if not any(r.treatment == "setting-resources" for r in rules):
        return frozenset()
    values = change.after if isinstance(change.after, Mapping) else change.before
    parent_id = values.get("id") if isinstance(values, Mapping) else None
    found: set[str] = set()
    for resource in prior:
        parent_type, link, attributes = SETTING_RESOURCES.get(resource.type, ("", "", ()))
        if parent_type == change.type and parent_id is not None and resource.values.get(link) == parent_id:
            found.update(attributes)
    return frozenset(found)


def _resource_items(
    environment: str,
    component: str,
    change: ResourceChange,
    prior: tuple[PriorResource, ...],
    rules: tuple[NormalizationRule, ...],
) -> Iterator[DriftItem]:
    if change.mode != "managed":
        return
    if change.after is not None:
        change = _without_rule_resources(change, prior, rules)
    if change.after is None or change.is_delete:
        yield DriftItem(environment, component, change.address, None, "deleted", message="deleted out of band")
        return
    elsewhere = _managed_elsewhere(change, prior, rules)
    for attribute, before, after in _differences(change.before or {}, change.after, "", rules):
        if attribute.startswith("tags_all"):
            continue  # the same difference is reported on `tags` (tags_all = provider default tags + tags)
        if re.split(r"[.\[]", attribute, maxsplit=1)[0] in elsewhere:
            continue
        secret = _sensitive(attribute, change.sensitive_paths)
        kind: DriftKind = "added" if _is_empty(before) else "changed"
        yield DriftItem(
            environment,
            component,
            change.address,
            attribute,
            kind,
            MASK if secret and before is not None else before,
            MASK if secret and after is not None else after,
        )


def drift_items(
    environment: str, component: str, plan: NormalizedPlan, rules: tuple[NormalizationRule, ...] = NORMALIZATION_RULES
) -> list[DriftItem]:
    """Every real difference a refresh-only plan found for one component, noise dropped by `rules`."""
    items: list[DriftItem] = []
    for change in plan.resource_drift:
        items.extend(_resource_items(environment, component, change, plan.prior_resources, rules))
    return items


def not_checkable(environment: str, component: str, reason: str, address: str | None = None) -> DriftItem:
    """A component (or one task of it) whose runner cannot tell what changed: reported, never counted as clean."""
    return DriftItem(environment, component, address, None, "not-checkable", message=reason)


def task_items(environment: str, component: str, tasks: Sequence[CheckedTask]) -> list[DriftItem]:
    """A dry run's tasks as drift items: each task that would change, and each that check mode could not run.

    The address is the task's name, the attribute its loop item; a dry run says what would change, not the
    values, so before and after stay empty.
    """
    items = []
    for task in tasks:
        if task.outcome == "not-checkable":
            items.append(not_checkable(environment, component, f"not checkable: {task.reason}", task.task))
        else:
            message = "would change in check mode"
            items.append(DriftItem(environment, component, task.task, task.item, "changed", message=message))
    return items


def drifted_plan(plan: NormalizedPlan, rules: tuple[NormalizationRule, ...] = NORMALIZATION_RULES) -> NormalizedPlan:
    """The drifted resources as a plan that would bring the state to what the cloud has: for the plan policies.

    Inline rules that separate rule resources manage are taken out, so a policy judges what drifted only.
    """
    changes = tuple(
        replace(
            _without_rule_resources(c, plan.prior_resources, rules),
            actions=("update",),
            after_unknown={},
            tags=resource_tags(c.after),
        )
        for c in plan.resource_drift
        if c.mode == "managed" and c.after is not None and not c.is_delete
    )
    return replace(plan, resource_changes=changes, resource_drift=())


_SEVERITY = {"deny": "high", "warn": "medium"}


def classified(items: list[DriftItem], findings: Sequence[tuple[str, str, str, str, str]]) -> list[DriftItem]:
    """Items with the severity and rule of the policy findings on their attribute.

    `findings`: (address, attribute, rule, policy severity deny|warn, message) of the drifted plan's findings.
    An item no finding names keeps severity None.
    """
    out = []
    for item in items:
        match = next(
            (
                f
                for f in findings
                if f[0] == item.address
                and f[1]
                and (
                    not item.attribute
                    or f[1] == item.attribute
                    or f[1].startswith((item.attribute + ".", item.attribute + "["))
                )
            ),
            None,
        )
        if match is None:
            out.append(item)
        else:
            out.append(replace(item, severity=_SEVERITY.get(match[3], match[3]), rule=match[2], message=match[4]))
    return out
