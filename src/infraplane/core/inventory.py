"""Unmanaged resources: what the cloud holds that no component's Terraform state manages.

The cloud inventory adapter (adapters/cloud/inventory.py) lists resources as :class:`CloudResource`;
every component's state is parsed once (core/state.py); :func:`unmanaged` compares the two by
Terraform type and the state attribute that holds the cloud's id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from infraplane.core.state import TerraformState

__all__ = ["CloudResource", "managed_by", "managed_ids", "unmanaged"]

# Tags naming the tool that made a resource (`managed-by: infraplane`, `ManagedBy: terraform`, ...).
_MANAGED_BY_KEYS = frozenset({"managedby", "managed_by", "managed-by", "createdby", "created-by"})
# Tags that tools set themselves, and the tool they name.
_TOOL_TAGS = {
    "aws:cloudformation:stack-name": "cloudformation",
    "aws:cloudformation:stack-id": "cloudformation",
    "elasticbeanstalk:environment-name": "elasticbeanstalk",
    "kubernetes.io/cluster": "kubernetes",
}


def managed_by(tags: Mapping[str, str]) -> str | None:
    """Which tool a resource's tags say manages it (None when they say nothing)."""
    for key, value in sorted(tags.items()):
        if key.lower() in _MANAGED_BY_KEYS and value:
            return value
    for key in sorted(tags):
        for prefix, tool in _TOOL_TAGS.items():
            if key.startswith(prefix):
                return tool
    return None


@dataclass(frozen=True)
class CloudResource:
    """One resource the cloud inventory found."""

    kind: str  # the inventory's name for its type: vpc, subnet, sqs-queue, ...
    terraform_type: str
    id: str
    import_id: str  # what `terraform import` (an `import` block's `id`) takes
    region: str
    state_attribute: str  # the attribute of a state instance that holds `id`
    tags: Mapping[str, str] = field(default_factory=dict)
    name: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.kind,
            "terraform_type": self.terraform_type,
            "import_id": self.import_id,
            "region": self.region,
            "name": self.name,
            "tags": dict(self.tags),
            "managed_by": managed_by(self.tags),
        }


def managed_ids(states: Iterable[TerraformState], attributes: Mapping[str, str]) -> set[tuple[str, str]]:
    """(Terraform type, id) of every managed instance of the states; `attributes`: type -> the id's attribute."""
    found: set[tuple[str, str]] = set()
    for state in states:
        for resource, instance in state.managed_instances():
            attribute = attributes.get(resource.type)
            value = instance.attributes.get(attribute) if attribute else None
            if isinstance(value, str) and value:
                found.add((resource.type, value))
    return found


def unmanaged(resources: Iterable[CloudResource], states: Iterable[TerraformState]) -> list[CloudResource]:
    """The resources no state manages, ordered by type and id."""
    listed = list(resources)
    managed = managed_ids(states, {r.terraform_type: r.state_attribute for r in listed})
    return sorted(
        (r for r in listed if (r.terraform_type, r.id) not in managed), key=lambda r: (r.terraform_type, r.id)
    )
