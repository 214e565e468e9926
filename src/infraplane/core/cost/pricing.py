"""The price of one resource: the model for its type, or the table's free and usage-based lists."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

from infraplane.core.cost.attributes import CannotPrice
from infraplane.core.cost.compute import price_ebs_volume, price_eks_cluster, price_instance
from infraplane.core.cost.databases import (
    price_cache_cluster,
    price_db_instance,
    price_dynamodb_table,
    price_replication_group,
)
from infraplane.core.cost.model import Price, Unpriced
from infraplane.core.cost.network import (
    price_classic_elb,
    price_eip,
    price_lb,
    price_nat_gateway,
    price_route53_zone,
    price_vpc_endpoint,
)
from infraplane.core.cost.security import price_kms_key, price_secret, price_ssm_parameter
from infraplane.core.cost.table import PriceTable

__all__ = ["price_resource"]

_Model = Callable[[Mapping[str, object], PriceTable], Price]

_MODELS: Final[Mapping[str, _Model]] = {
    "aws_instance": price_instance,
    "aws_ebs_volume": price_ebs_volume,
    "aws_db_instance": price_db_instance,
    "aws_elasticache_replication_group": price_replication_group,
    "aws_elasticache_cluster": price_cache_cluster,
    "aws_nat_gateway": price_nat_gateway,
    "aws_lb": price_lb,
    "aws_alb": price_lb,
    "aws_elb": price_classic_elb,
    "aws_eks_cluster": price_eks_cluster,
    "aws_eip": price_eip,
    "aws_vpc_endpoint": price_vpc_endpoint,
    "aws_secretsmanager_secret": price_secret,
    "aws_kms_key": price_kms_key,
    "aws_kms_replica_key": price_kms_key,
    "aws_kms_external_key": price_kms_key,
    "aws_ssm_parameter": price_ssm_parameter,
    "aws_route53_zone": price_route53_zone,
    "aws_dynamodb_table": price_dynamodb_table,
}


def price_resource(resource_type: str, attributes: Mapping[str, object] | None, table: PriceTable) -> Price:
    """The monthly price of one resource from its attribute values.

    `attributes` are the values of `before` or `after` in a plan; a value known
    only after apply is :data:`UNKNOWN` (see :func:`attributes_after`). Returns
    :class:`Priced` (fixed monthly charge, rounded to the cent), :class:`Free`,
    :class:`UsageBased`, or :class:`Unpriced` with the reason, e.g. "no price for
    db.x9.huge" or "instance_class is known only after apply".
    """
    model = _MODELS.get(resource_type)
    if model is None:
        return table.classify(resource_type) or Unpriced(f"no price model for {resource_type}")
    if attributes is None:
        return Unpriced("no attribute values to price")
    try:
        return model(attributes, table)
    except CannotPrice as cannot:
        return Unpriced(cannot.reason)
