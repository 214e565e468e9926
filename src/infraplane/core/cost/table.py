"""The price table: on-demand list prices of one region, parsed once from its YAML mapping into typed prices."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from infraplane.core.cost.model import ZERO, Free, UsageBased

__all__ = ["EbsPrices", "PriceTable", "PriceTableError", "RdsPrices"]


class PriceTableError(ValueError):
    """The price table mapping is malformed; `field` is the dotted path of the offending entry."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}" if field else reason)
        self.field = field
        self.reason = reason


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _section(data: Mapping[str, object], key: str, path: str = "") -> Mapping[str, object]:
    where = _join(path, key)
    if key not in data:
        raise PriceTableError(where, "is missing")
    value = data[key]
    if not isinstance(value, Mapping):
        raise PriceTableError(where, f"must be a mapping, not {type(value).__name__}")
    return value


def _rate(value: object, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise PriceTableError(where, f"must be a number, not {value!r}")
    try:
        rate = Decimal(str(value))
    except InvalidOperation:
        raise PriceTableError(where, f"must be a number, not {value!r}") from None
    if not rate.is_finite() or rate < 0:
        raise PriceTableError(where, f"must be a non-negative number, not {value!r}")
    return rate


def _number(data: Mapping[str, object], key: str, path: str) -> Decimal:
    where = _join(path, key)
    if key not in data:
        raise PriceTableError(where, "is missing")
    return _rate(data[key], where)


def _text(data: Mapping[str, object], key: str, path: str = "") -> str:
    where = _join(path, key)
    value = data.get(key)
    if isinstance(value, date):  # YAML reads an unquoted 2025-01-01 as a date
        return value.isoformat()
    if not isinstance(value, str) or not value.strip():
        raise PriceTableError(where, "is missing" if value is None else f"must be a non-empty string, not {value!r}")
    return value


def _rates(data: Mapping[str, object], key: str, path: str) -> dict[str, Decimal]:
    where = _join(path, key)
    section = _section(data, key, path)
    if not section:
        raise PriceTableError(where, "must not be empty")
    return {str(name): _rate(value, _join(where, str(name))) for name, value in section.items()}


def _texts(data: Mapping[str, object], key: str, path: str = "") -> dict[str, str]:
    where = _join(path, key)
    return {str(name): _text(_section(data, key, path), str(name), where) for name in _section(data, key, path)}


def _list(data: Mapping[str, object], key: str, path: str = "") -> list[object]:
    where = _join(path, key)
    value = data.get(key)
    if not isinstance(value, list) or not value:
        raise PriceTableError(where, "is missing" if value is None else "must be a non-empty list")
    return value


def _tiers(
    data: Mapping[str, object], key: str, path: str, bound: str
) -> tuple[tuple[Decimal | None, Mapping[str, object]], ...]:
    """A list of `{<bound>: N | null, ...}` entries, bounds rising, the last one open (null)."""
    where = _join(path, key)
    tiers: list[tuple[Decimal | None, Mapping[str, object]]] = []
    for index, entry in enumerate(_list(data, key, path)):
        here = _join(where, index)
        if not isinstance(entry, Mapping):
            raise PriceTableError(here, "must be a mapping")
        if bound not in entry:
            raise PriceTableError(_join(here, bound), "is missing (null for the last, open tier)")
        limit = None if entry[bound] is None else _rate(entry[bound], _join(here, bound))
        previous = tiers[-1][0] if tiers else ZERO
        if previous is None or (limit is not None and limit <= previous):
            raise PriceTableError(here, f"tiers must rise and only the last may have {bound}: null")
        tiers.append((limit, entry))
    if tiers[-1][0] is not None:
        raise PriceTableError(where, f"the last tier must have {bound}: null")
    return tuple(tiers)


@dataclass(frozen=True)
class EbsPrices:
    """EBS volume prices: storage per GB-month by volume type, provisioned IOPS and throughput."""

    storage_gb_month: Mapping[str, Decimal]
    default_volume_type: str
    gp3_included_iops: Decimal
    gp3_included_throughput_mibps: Decimal
    gp3_iops_month: Decimal
    gp3_throughput_mibps_month: Decimal
    io1_iops_month: Decimal
    io2_iops_month_tiers: tuple[tuple[Decimal | None, Decimal], ...]

    @classmethod
    def from_mapping(cls, data: Mapping[str, object], path: str) -> EbsPrices:
        storage = _rates(data, "storage_gb_month", path)
        default = _text(data, "default_volume_type", path)
        if default not in storage:
            raise PriceTableError(_join(path, "default_volume_type"), f"{default!r} has no storage price")
        tiers = tuple(
            (limit, _number(entry, "price", _join(_join(path, "io2_iops_month_tiers"), index)))
            for index, (limit, entry) in enumerate(_tiers(data, "io2_iops_month_tiers", path, "up_to"))
        )
        return cls(
            storage_gb_month=storage,
            default_volume_type=default,
            gp3_included_iops=_number(data, "gp3_included_iops", path),
            gp3_included_throughput_mibps=_number(data, "gp3_included_throughput_mibps", path),
            gp3_iops_month=_number(data, "gp3_iops_month", path),
            gp3_throughput_mibps_month=_number(data, "gp3_throughput_mibps_month", path),
            io1_iops_month=_number(data, "io1_iops_month", path),
            io2_iops_month_tiers=tiers,
        )


@dataclass(frozen=True)
class RdsPrices:
    """RDS prices: single-AZ instance hours by price list (engine family), storage and IOPS."""

    engine_price_list: Mapping[str, str]
    instance_hourly: Mapping[str, Mapping[str, Decimal]]
    multi_az_factor: Decimal
    storage_gb_month: Mapping[str, Decimal]
    default_storage_type: str
    io1_iops_month: Decimal
    gp3_iops_month: Decimal
    gp3_throughput_mibps_month: Decimal
    # (storage below this many GB, or None for any size; included IOPS; included MiB/s)
    gp3_baseline: tuple[tuple[Decimal | None, Decimal, Decimal], ...]

    @classmethod
    def from_mapping(cls, data: Mapping[str, object], path: str) -> RdsPrices:
        lists_path = _join(path, "instance_hourly")
        sections = _section(data, "instance_hourly", path)
        lists = {str(name): _rates(sections, str(name), lists_path) for name in sections}
        engines = _texts(data, "engine_price_list", path)
        for engine, price_list in engines.items():
            if price_list not in lists:
                raise PriceTableError(
                    _join(_join(path, "engine_price_list"), engine),
                    f"names {price_list!r}, not a list under {lists_path}",
                )
        storage = _rates(data, "storage_gb_month", path)
        default = _text(data, "default_storage_type", path)
        if default not in storage:
            raise PriceTableError(_join(path, "default_storage_type"), f"{default!r} has no storage price")
        baseline_path = _join(path, "gp3_baseline")
        baseline = tuple(
            (
                limit,
                _number(entry, "iops", _join(baseline_path, index)),
                _number(entry, "throughput_mibps", _join(baseline_path, index)),
            )
            for index, (limit, entry) in enumerate(_tiers(data, "gp3_baseline", path, "below_gb"))
        )
        return cls(
            engine_price_list=engines,
            instance_hourly=lists,
            multi_az_factor=_number(data, "multi_az_factor", path),
            storage_gb_month=storage,
            default_storage_type=default,
            io1_iops_month=_number(data, "io1_iops_month", path),
            gp3_iops_month=_number(data, "gp3_iops_month", path),
            gp3_throughput_mibps_month=_number(data, "gp3_throughput_mibps_month", path),
            gp3_baseline=baseline,
        )


@dataclass(frozen=True)
class PriceTable:
    """On-demand list prices of one region, as loaded from `resources/prices/<provider>-<region>.yaml`."""

    region: str
    currency: str
    as_of: str
    hours_per_month: Decimal
    sources: tuple[str, ...]
    ec2_instance_hourly: Mapping[str, Decimal]
    ebs: EbsPrices
    rds: RdsPrices
    elasticache_node_hourly: Mapping[str, Decimal]
    elasticache_engine_factor: Mapping[str, Decimal]
    elasticache_default_engine: str
    nat_gateway_hourly: Decimal
    nat_gateway_data_gb: Decimal
    public_ipv4_hourly: Decimal
    vpc_endpoint_hourly_per_az: Decimal
    vpc_endpoint_data_gb: Decimal
    load_balancer_hourly: Mapping[str, Decimal]
    load_balancer_usage: Mapping[str, str]
    eks_cluster_hourly: Decimal
    secret_month: Decimal
    kms_key_month: Decimal
    ssm_advanced_parameter_month: Decimal
    route53_hosted_zone_month: Decimal
    dynamodb_capacity_hourly: Mapping[str, Mapping[str, Decimal]]
    free: tuple[str, ...]
    usage_based: Mapping[str, str]

    @classmethod
    def from_mapping(cls, data: object) -> PriceTable:
        """Build the table from its parsed YAML; raises :class:`PriceTableError` naming the field at fault."""
        if not isinstance(data, Mapping):
            raise PriceTableError("", f"the price table must be a mapping, not {type(data).__name__}")
        if data.get("schema_version") != 1:
            raise PriceTableError("schema_version", f"must be 1, not {data.get('schema_version')!r}")
        hours = _number(data, "hours_per_month", "")
        if hours == 0:
            raise PriceTableError("hours_per_month", "must be positive")
        sources = _list(data, "sources")
        for index, source in enumerate(sources):
            if not isinstance(source, str) or not source.strip():
                raise PriceTableError(_join("sources", index), "must be a non-empty string (a URL)")
        ec2 = _section(data, "ec2")
        elasticache = _section(data, "elasticache")
        engine_factor = _rates(elasticache, "engine_factor", "elasticache")
        default_engine = _text(elasticache, "default_engine", "elasticache")
        if default_engine not in engine_factor:
            raise PriceTableError("elasticache.default_engine", f"{default_engine!r} has no engine_factor")
        vpc = _section(data, "vpc")
        lb = _section(data, "load_balancer")
        dynamodb = _section(data, "dynamodb")
        capacity_path = "dynamodb.provisioned_capacity_hourly"
        capacity: dict[str, Mapping[str, Decimal]] = {}
        for table_class in _section(dynamodb, "provisioned_capacity_hourly", "dynamodb"):
            rates = _rates(_section(dynamodb, "provisioned_capacity_hourly", "dynamodb"), table_class, capacity_path)
            for unit in ("read", "write"):
                if unit not in rates:
                    raise PriceTableError(_join(_join(capacity_path, table_class), unit), "is missing")
            capacity[str(table_class)] = rates
        free = _list(data, "free")
        for index, name in enumerate(free):
            if not isinstance(name, str) or not name.strip():
                raise PriceTableError(_join("free", index), "must be a resource type name or pattern")
        free_types = tuple(str(name) for name in free)
        usage = _texts(data, "usage_based")
        both = sorted(set(free_types) & set(usage))
        if both:
            raise PriceTableError("free", f"{', '.join(both)} also listed under usage_based")
        return cls(
            region=_text(data, "region"),
            currency=_text(data, "currency"),
            as_of=_text(data, "as_of"),
            hours_per_month=hours,
            sources=tuple(str(s) for s in sources),
            ec2_instance_hourly=_rates(ec2, "instance_hourly", "ec2"),
            ebs=EbsPrices.from_mapping(_section(data, "ebs"), "ebs"),
            rds=RdsPrices.from_mapping(_section(data, "rds"), "rds"),
            elasticache_node_hourly=_rates(elasticache, "node_hourly", "elasticache"),
            elasticache_engine_factor=engine_factor,
            elasticache_default_engine=default_engine,
            nat_gateway_hourly=_number(vpc, "nat_gateway_hourly", "vpc"),
            nat_gateway_data_gb=_number(vpc, "nat_gateway_data_gb", "vpc"),
            public_ipv4_hourly=_number(vpc, "public_ipv4_hourly", "vpc"),
            vpc_endpoint_hourly_per_az=_number(vpc, "endpoint_hourly_per_az", "vpc"),
            vpc_endpoint_data_gb=_number(vpc, "endpoint_data_gb", "vpc"),
            load_balancer_hourly=_rates(lb, "hourly", "load_balancer"),
            load_balancer_usage=_texts(lb, "usage", "load_balancer"),
            eks_cluster_hourly=_number(_section(data, "eks"), "cluster_hourly", "eks"),
            secret_month=_number(_section(data, "secretsmanager"), "secret_month", "secretsmanager"),
            kms_key_month=_number(_section(data, "kms"), "key_month", "kms"),
            ssm_advanced_parameter_month=_number(_section(data, "ssm"), "advanced_parameter_month", "ssm"),
            route53_hosted_zone_month=_number(_section(data, "route53"), "hosted_zone_month", "route53"),
            dynamodb_capacity_hourly=capacity,
            free=free_types,
            usage_based=usage,
        )

    def monthly(self, hourly: Decimal) -> Decimal:
        """An hourly rate over the table's month (unrounded)."""
        return hourly * self.hours_per_month

    def classify(self, resource_type: str) -> Free | UsageBased | None:
        """Whether a type is free or usage-based by the table's lists (exact names before patterns)."""
        if resource_type in self.usage_based:
            return UsageBased(f"usage-based: {self.usage_based[resource_type]}")
        if resource_type in self.free:
            return Free()
        for pattern, what in self.usage_based.items():
            if fnmatch.fnmatchcase(resource_type, pattern):
                return UsageBased(f"usage-based: {what}")
        if any(fnmatch.fnmatchcase(resource_type, pattern) for pattern in self.free):
            return Free()
        return None
