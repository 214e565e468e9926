"""Prices of networking: NAT gateways, load balancers, public IPv4 addresses, VPC endpoints, Route 53 zones."""

from __future__ import annotations

from collections.abc import Mapping

from infraplane.core.cost.attributes import CannotPrice, number_text, rate_for, read_text, read_value
from infraplane.core.cost.model import UNKNOWN, Free, Price, Priced, cents
from infraplane.core.cost.table import PriceTable

__all__ = [
    "price_classic_elb",
    "price_eip",
    "price_lb",
    "price_nat_gateway",
    "price_route53_zone",
    "price_vpc_endpoint",
]


def price_nat_gateway(attributes: Mapping[str, object], table: PriceTable) -> Price:
    kind = read_text(attributes, "connectivity_type", "public")
    return Priced(
        cents(table.monthly(table.nat_gateway_hourly)),
        f"{kind} NAT gateway; data processing (${number_text(table.nat_gateway_data_gb)}/GB) is usage-based",
    )


def _price_load_balancer(load_balancer_type: str, table: PriceTable) -> Price:
    hourly = rate_for(table.load_balancer_hourly, load_balancer_type)
    usage = table.load_balancer_usage.get(load_balancer_type, "capacity units")
    return Priced(cents(table.monthly(hourly)), f"{load_balancer_type} load balancer; {usage} is usage-based")


def price_lb(attributes: Mapping[str, object], table: PriceTable) -> Price:
    return _price_load_balancer(read_text(attributes, "load_balancer_type", "application"), table)


def price_classic_elb(attributes: Mapping[str, object], table: PriceTable) -> Price:
    return _price_load_balancer("classic", table)


def price_eip(attributes: Mapping[str, object], table: PriceTable) -> Price:
    pool = read_value(attributes, "public_ipv4_pool")
    if isinstance(pool, str) and pool not in ("", "amazon"):
        return Free("address from your own IP pool (BYOIP)")
    return Priced(cents(table.monthly(table.public_ipv4_hourly)), "public IPv4 address")


def price_vpc_endpoint(attributes: Mapping[str, object], table: PriceTable) -> Price:
    kind = read_text(attributes, "vpc_endpoint_type", "Gateway")
    if kind == "Gateway":
        return Free("gateway endpoint")
    if kind not in ("Interface", "GatewayLoadBalancer"):
        raise CannotPrice(f"no price for {kind} VPC endpoints")
    subnets = read_value(attributes, "subnet_ids")
    if not isinstance(subnets, list | tuple | set | frozenset) or not subnets or UNKNOWN in subnets:
        raise CannotPrice("subnet_ids is known only after apply" if subnets else "subnet_ids is not set")
    cost = table.monthly(table.vpc_endpoint_hourly_per_az) * len(subnets)
    return Priced(
        cents(cost),
        f"{kind} endpoint x{len(subnets)} AZ; data processing (${number_text(table.vpc_endpoint_data_gb)}/GB) "
        "is usage-based",
    )


def price_route53_zone(attributes: Mapping[str, object], table: PriceTable) -> Price:
    return Priced(cents(table.route53_hosted_zone_month), "hosted zone; queries are usage-based")
