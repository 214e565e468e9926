"""Prices of secrets and keys: Secrets Manager secrets, KMS keys, SSM parameters."""

from __future__ import annotations

from collections.abc import Mapping

from infraplane.core.cost.attributes import CannotPrice, read_blocks, read_text
from infraplane.core.cost.model import Free, Price, Priced, cents
from infraplane.core.cost.table import PriceTable

__all__ = ["price_kms_key", "price_secret", "price_ssm_parameter"]


def price_secret(attributes: Mapping[str, object], table: PriceTable) -> Price:
    replicas = len(read_blocks(attributes, "replica"))
    copies = 1 + replicas
    detail = "secret" if not replicas else f"secret + {replicas} replica{'s' if replicas > 1 else ''}"
    return Priced(cents(table.secret_month * copies), f"{detail}; API calls are usage-based")


def price_kms_key(attributes: Mapping[str, object], table: PriceTable) -> Price:
    return Priced(cents(table.kms_key_month), "customer managed key; requests are usage-based")


def price_ssm_parameter(attributes: Mapping[str, object], table: PriceTable) -> Price:
    tier = read_text(attributes, "tier", "Standard")
    if tier == "Standard":
        return Free("standard parameter")
    if tier == "Advanced":
        return Priced(cents(table.ssm_advanced_parameter_month), "advanced parameter")
    raise CannotPrice(f"the {tier} tier is chosen by AWS when the value is written")
