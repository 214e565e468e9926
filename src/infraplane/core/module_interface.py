"""A Terraform module's interface: its variables, outputs and provider blocks, as the catalog and runners need it.

Read once per published version (`adapters/terraform_module.py` parses the HCL and caches by digest).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["ModuleInterface", "ModuleOutput", "ModuleVariable"]


@dataclass(frozen=True)
class ModuleVariable:
    name: str
    type: str | None
    has_default: bool
    default: Any
    sensitive: bool
    file: str


@dataclass(frozen=True)
class ModuleOutput:
    name: str
    sensitive: bool
    file: str


@dataclass(frozen=True)
class ModuleInterface:
    variables: dict[str, ModuleVariable]
    outputs: dict[str, ModuleOutput]
    providers: frozenset[str] = frozenset()
    # `TYPE.NAME.ATTRIBUTE` of a resource attribute the module sets to exactly one variable (`x = var.v`),
    # to that variable: what a drifted attribute's accepted value would become (drift accept).
    attribute_inputs: dict[str, str] = field(default_factory=dict)
    # Whether a file of the module's root names `endpoints` anywhere (a provider's own endpoint block, in HCL or
    # JSON, dynamic or in an override file): a run target's override then writes its endpoints block.
    names_endpoints: bool = False
