"""Terraform plan JSON, parsed once into typed resource changes.

Everything downstream (policies, cost, diffs) reads these types or the
document :func:`policy_document` makes of them, never the raw plan JSON. The
configuration's expressions are kept beside each change so a literal constant
(`password = "hunter2"`) can be told from a reference (`password = var.x`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

__all__ = [
    "DocumentFormatError",
    "Expression",
    "NormalizedPlan",
    "PlanFormatError",
    "PriorResource",
    "ResourceChange",
    "normalize_plan",
    "resource_tags",
]


class DocumentFormatError(ValueError):
    """A document a tool wrote (plan, state) is not what it should be; `field` says where, `reason` why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}" if field else reason)
        self.field = field
        self.reason = reason


class PlanFormatError(DocumentFormatError):
    """The document is not a Terraform plan in JSON format."""


@dataclass(frozen=True)
class Expression:
    """One attribute as written in the configuration: a constant, or references to other things."""

    constant: bool
    value: Any = None
    references: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        if self.constant:
            return {"constant": True, "value": self.value}
        return {"constant": False, "references": list(self.references)}


@dataclass(frozen=True)
class ResourceChange:
    """One resource's planned change."""

    address: str
    mode: str
    type: str
    name: str
    provider: str
    actions: tuple[str, ...]
    before: Any
    after: Any
    after_unknown: Any
    sensitive_paths: tuple[str, ...] = ()
    expressions: Mapping[str, Expression] = field(default_factory=dict)
    module_address: str = ""
    tags: Mapping[str, str] | None = None
    tags_known: bool = True

    @property
    def is_delete(self) -> bool:
        return "delete" in self.actions

    @property
    def is_create(self) -> bool:
        return "create" in self.actions

    @property
    def is_noop(self) -> bool:
        return self.actions in (("no-op",), ("read",))

    @property
    def is_replace(self) -> bool:
        return "create" in self.actions and "delete" in self.actions

    def constants(self) -> dict[str, str]:
        """The configuration's literal non-empty strings by path, so secret rules need not scan every entry."""
        return {
            path: e.value for path, e in self.expressions.items() if e.constant and isinstance(e.value, str) and e.value
        }

    def as_dict(self) -> dict[str, Any]:
        # The fields rules read most come first: rego-cpp finds a field by comparing it with every
        # field before it, for each change a rule looks at.
        return {
            "taggable": self.tags is not None,
            "tags": dict(self.tags) if self.tags is not None else None,
            "mode": self.mode,
            "actions": list(self.actions),
            "type": self.type,
            "after": self.after,
            "address": self.address,
            "after_unknown": self.after_unknown,
            "config": {path: e.as_dict() for path, e in self.expressions.items()},
            "constants": self.constants(),
            "tags_known": self.tags_known,
            "module_address": self.module_address,
            "name": self.name,
            "provider": self.provider,
            "before": self.before,
            "sensitive_paths": list(self.sensitive_paths),
        }


@dataclass(frozen=True)
class PriorResource:
    """One managed resource of the plan's `prior_state` (the state as refreshed), with its values."""

    address: str
    type: str
    values: Mapping[str, Any]


def _prior_resources(module: Any) -> Iterator[PriorResource]:
    if not isinstance(module, Mapping):
        return
    for resource in module.get("resources") or []:
        if isinstance(resource, Mapping) and resource.get("mode", "managed") == "managed":
            values = resource.get("values")
            yield PriorResource(
                str(resource.get("address", "")),
                str(resource.get("type", "")),
                values if isinstance(values, Mapping) else {},
            )
    for child in module.get("child_modules") or []:
        yield from _prior_resources(child)


@dataclass(frozen=True)
class NormalizedPlan:
    terraform_version: str
    resource_changes: tuple[ResourceChange, ...]
    providers: Mapping[str, Mapping[str, Any]]
    output_changes: Mapping[str, tuple[str, ...]]
    resource_drift: tuple[ResourceChange, ...] = ()
    prior_resources: tuple[PriorResource, ...] = ()
    # Root outputs after the plan: the values Terraform knows (sensitive ones left out) and the names it
    # knows only after apply. What another environment reading them is told (core/upstream.py).
    planned_outputs: Mapping[str, Any] = field(default_factory=dict)
    unknown_outputs: frozenset[str] = frozenset()

    def managed_changes(self) -> Iterator[ResourceChange]:
        return (c for c in self.resource_changes if c.mode == "managed")

    def _index(self, keep: Any) -> dict[str, list[int]]:
        index: dict[str, list[int]] = {}
        for position, change in enumerate(self.resource_changes):
            if change.mode == "managed" and keep(change):
                index.setdefault(change.type, []).append(position)
        return index

    def as_dict(self) -> dict[str, Any]:
        changes = [c.as_dict() for c in self.resource_changes]
        constants_by_path: dict[str, list[int]] = {}
        for position, change in enumerate(changes):
            for path in change["constants"]:
                constants_by_path.setdefault(path, []).append(position)
        return {
            "terraform_version": self.terraform_version,
            # Positions in resource_changes by type, so a rule about one type never scans the whole plan.
            "changing_by_type": self._index(lambda c: "create" in c.actions or "update" in c.actions),
            "remaining_by_type": self._index(lambda c: not ("delete" in c.actions and "create" not in c.actions)),
            # Positions in resource_changes by path of a literal string (the keys of each change's `constants`).
            "constants_by_path": constants_by_path,
            "providers": {k: dict(v) for k, v in self.providers.items()},
            "resource_changes": changes,
            "output_changes": {k: list(v) for k, v in self.output_changes.items()},
            "resource_drift": [c.as_dict() for c in self.resource_drift],
        }


def _sensitive_paths(marks: Any, prefix: str = "") -> Iterator[str]:
    if marks is True:
        yield prefix or "*"
    elif isinstance(marks, Mapping):
        for key, value in marks.items():
            yield from _sensitive_paths(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(marks, list):
        for index, value in enumerate(marks):
            yield from _sensitive_paths(value, f"{prefix}[{index}]")


def _expressions(raw: Any, prefix: str = "") -> Iterator[tuple[str, Expression]]:
    """Flatten a configuration `expressions` object: attribute paths to constants or references."""
    if not isinstance(raw, Mapping):
        return
    if "constant_value" in raw or "references" in raw:
        if "constant_value" in raw:
            yield prefix, Expression(True, raw["constant_value"])
        else:
            yield prefix, Expression(False, references=tuple(str(r) for r in raw.get("references", [])))
        return
    for key, value in raw.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, list):  # nested blocks: a list of expression objects
            for index, block in enumerate(value):
                yield from _expressions(block, f"{path}[{index}]")
        else:
            yield from _expressions(value, path)


def _config_resources(module: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Mapping[str, Any]]]:
    for resource in module.get("resources", []):
        yield f"{prefix}{resource.get('address', '')}", resource
    for name, call in (module.get("module_calls") or {}).items():
        yield from _config_resources(call.get("module", {}), f"{prefix}module.{name}.")


def _provider_settings(configuration: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    providers: dict[str, dict[str, Any]] = {}
    for key, config in (configuration.get("provider_config") or {}).items():
        expressions = dict(_expressions(config.get("expressions", {})))
        settings: dict[str, Any] = {"name": config.get("name", key)}
        region = expressions.get("region")
        if region is not None and region.constant:
            settings["region"] = region.value
        default_tags = {
            p.split(".", 2)[-1]: e.value for p, e in expressions.items() if p.startswith("default_tags[0].tags")
        }
        if "default_tags[0].tags" in expressions and expressions["default_tags[0].tags"].constant:
            default_tags = dict(expressions["default_tags[0].tags"].value or {})
        settings["default_tags"] = default_tags
        settings["default_tags_known"] = all(e.constant for p, e in expressions.items() if p.startswith("default_tags"))
        providers[key] = settings
    return providers


def resource_tags(after: Any) -> dict[str, str] | None:
    """A resource's tags (`tags_all` overlaid by `tags`), None when it has neither attribute."""
    if not isinstance(after, Mapping) or ("tags" not in after and "tags_all" not in after):
        return None
    merged: dict[str, str] = {}
    for key in ("tags_all", "tags"):
        value = after.get(key)
        if isinstance(value, Mapping):
            merged.update({str(k): str(v) for k, v in value.items()})
    return merged


def _effective_tags(change: ResourceChange, providers: Mapping[str, Mapping[str, Any]]) -> ResourceChange:
    """Resolve a resource's tags when `tags_all` is unknown but the provider's default tags are known.

    The AWS provider leaves `tags_all` unknown at plan time when there are no default tags or
    no tags at all; the effective tags are then the provider's default tags plus `tags`.
    """
    if change.tags is None or not isinstance(change.after_unknown, Mapping) or not change.after_unknown.get("tags_all"):
        return change
    provider = providers.get(change.provider.rsplit("/", 1)[-1]) or {}
    if not provider.get("default_tags_known", False):
        return replace(change, tags_known=False)
    after_tags = change.after.get("tags") if isinstance(change.after, Mapping) else None
    merged = {**{str(k): str(v) for k, v in (provider.get("default_tags") or {}).items()}}
    if isinstance(after_tags, Mapping):
        merged.update({str(k): str(v) for k, v in after_tags.items()})
    return replace(change, tags=merged, tags_known=True)


def _change(raw: Mapping[str, Any], expressions: Mapping[str, Expression]) -> ResourceChange:
    change = raw.get("change")
    if not isinstance(change, Mapping):
        raise PlanFormatError(f"resource_changes[{raw.get('address', '?')}].change", "is missing")
    after = change.get("after")
    sensitive = sorted(
        set(_sensitive_paths(change.get("after_sensitive"))) | set(_sensitive_paths(change.get("before_sensitive")))
    )
    return ResourceChange(
        address=str(raw.get("address", "")),
        module_address=str(raw.get("module_address", "")),
        mode=str(raw.get("mode", "managed")),
        type=str(raw.get("type", "")),
        name=str(raw.get("name", "")),
        provider=str(raw.get("provider_name", "")),
        actions=tuple(str(a) for a in change.get("actions", [])),
        before=change.get("before"),
        after=after,
        after_unknown=change.get("after_unknown") or {},
        sensitive_paths=tuple(sensitive),
        expressions=expressions,
        tags=resource_tags(after),
    )


def normalize_plan(document: Any) -> NormalizedPlan:
    """Parse `terraform show -json` output; raises PlanFormatError naming the field that is wrong."""
    if not isinstance(document, Mapping):
        raise PlanFormatError("", "expected a JSON object (the output of `terraform show -json PLANFILE`)")
    if "format_version" not in document:
        raise PlanFormatError("format_version", "is missing: not a Terraform plan JSON document")
    changes = document.get("resource_changes", [])
    if not isinstance(changes, list):
        raise PlanFormatError("resource_changes", "must be a list")
    configuration = document.get("configuration") or {}
    by_address: dict[str, dict[str, Expression]] = {
        address: dict(_expressions(resource.get("expressions", {})))
        for address, resource in _config_resources(configuration.get("root_module") or {})
    }
    providers = _provider_settings(configuration)
    parsed = []
    for raw in changes:
        if not isinstance(raw, Mapping):
            raise PlanFormatError("resource_changes", "every entry must be an object")
        # Configuration addresses drop instance keys (`aws_subnet.private[0]` -> `aws_subnet.private`).
        config_address = str(raw.get("address", "")).split("[")[0]
        parsed.append(_effective_tags(_change(raw, by_address.get(config_address, {})), providers))
    drift = [_change(raw, {}) for raw in document.get("resource_drift", []) if isinstance(raw, Mapping)]
    outputs = {
        name: tuple(str(a) for a in (value or {}).get("actions", []))
        for name, value in (document.get("output_changes") or {}).items()
    }
    prior = tuple(_prior_resources(((document.get("prior_state") or {}).get("values") or {}).get("root_module")))
    planned, unknown = _planned_outputs(document.get("output_changes") or {})
    return NormalizedPlan(
        str(document.get("terraform_version", "")),
        tuple(parsed),
        providers,
        outputs,
        tuple(drift),
        prior,
        planned,
        unknown,
    )


def _planned_outputs(changes: Mapping[str, Any]) -> tuple[dict[str, Any], frozenset[str]]:
    """Known, non-sensitive output values after the plan, and the outputs known only after apply."""
    known: dict[str, Any] = {}
    unknown: set[str] = set()
    for name, change in changes.items():
        if not isinstance(change, Mapping) or tuple(change.get("actions", ())) == ("delete",):
            continue
        if _marked(change.get("after_unknown")):
            unknown.add(name)
        elif not _marked(change.get("after_sensitive")):
            known[name] = change.get("after")
    return known, frozenset(unknown)


def _marked(marks: Any) -> bool:
    """Whether Terraform's marks (`true`, or lists/objects of them) mark any part of a value."""
    if isinstance(marks, Mapping):
        return any(_marked(v) for v in marks.values())
    if isinstance(marks, list):
        return any(_marked(v) for v in marks)
    return marks is True
