"""Offline monthly cost estimates of a plan, from a table of on-demand list prices.

Every managed resource change is priced twice, from its attribute values before
and after the change, and classified as one of:

* :class:`Priced`: a fixed monthly charge computed from the table (hourly rates
  times the table's hours per month), rounded to the cent;
* :class:`Free`: the type has no charge of its own (a subnet, a security group);
* :class:`UsageBased`: the bill depends only on use (an S3 bucket, an SQS queue),
  so there is no fixed charge to report and none is guessed;
* :class:`Unpriced`: the estimator cannot tell (no price for the instance class,
  a value known only after apply, a type it has no model for), with the reason.

Totals add the fixed charges of the resources that could be priced: free and
usage-based resources add nothing, and a resource unpriced on either side is left
out of every total (never counted as zero) and listed in `unpriced`.

A value Terraform will only know after apply is marked :data:`UNKNOWN` in the
attributes (see :func:`attributes_after`); pricing that needs it is unpriced.
This module does no I/O: the price table is loaded by
:func:`infraplane.adapters.prices.load_price_table`.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, ClassVar, Final, Literal

from infraplane.core.plan import NormalizedPlan, ResourceChange
from infraplane.core.policy import Finding

__all__ = [
    "BUDGET_RULE",
    "UNKNOWN",
    "CostReport",
    "Free",
    "Price",
    "PriceTable",
    "PriceTableError",
    "Priced",
    "ResourceCost",
    "Unpriced",
    "UsageBased",
    "attributes_after",
    "check_budget",
    "estimate",
    "price_resource",
]

BUDGET_RULE: Final = "COST-001"
_CENT: Final = Decimal("0.01")
_ZERO: Final = Decimal(0)

Status = Literal["priced", "free", "usage-based", "unpriced"]


class _Unknown:
    """The type of :data:`UNKNOWN`: a value Terraform knows only after apply."""

    _instance: ClassVar[_Unknown | None] = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = _Unknown()


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(_CENT, rounding=ROUND_HALF_UP)


def _money(amount: Decimal) -> str:
    return f"${_cents(amount):,.2f}"


def _signed_money(amount: Decimal) -> str:
    return f"-{_money(-amount)}" if amount < 0 else f"+{_money(amount)}"


# --------------------------------------------------------------------------- the price table


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


def _section(data: Mapping[str, Any], key: str, path: str = "") -> Mapping[str, Any]:
    where = _join(path, key)
    if key not in data:
        raise PriceTableError(where, "is missing")
    value = data[key]
    if not isinstance(value, Mapping):
        raise PriceTableError(where, f"must be a mapping, not {type(value).__name__}")
    return value


def _rate(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise PriceTableError(where, f"must be a number, not {value!r}")
    try:
        rate = Decimal(str(value))
    except InvalidOperation:
        raise PriceTableError(where, f"must be a number, not {value!r}") from None
    if not rate.is_finite() or rate < 0:
        raise PriceTableError(where, f"must be a non-negative number, not {value!r}")
    return rate


def _number(data: Mapping[str, Any], key: str, path: str) -> Decimal:
    where = _join(path, key)
    if key not in data:
        raise PriceTableError(where, "is missing")
    return _rate(data[key], where)


def _text(data: Mapping[str, Any], key: str, path: str = "") -> str:
    where = _join(path, key)
    value = data.get(key)
    if isinstance(value, date):  # YAML reads an unquoted 2025-01-01 as a date
        return value.isoformat()
    if not isinstance(value, str) or not value.strip():
        raise PriceTableError(where, "is missing" if value is None else f"must be a non-empty string, not {value!r}")
    return value


def _rates(data: Mapping[str, Any], key: str, path: str) -> dict[str, Decimal]:
    where = _join(path, key)
    section = _section(data, key, path)
    if not section:
        raise PriceTableError(where, "must not be empty")
    return {str(name): _rate(value, _join(where, str(name))) for name, value in section.items()}


def _texts(data: Mapping[str, Any], key: str, path: str = "") -> dict[str, str]:
    where = _join(path, key)
    return {str(name): _text(_section(data, key, path), str(name), where) for name in _section(data, key, path)}


def _list(data: Mapping[str, Any], key: str, path: str = "") -> list[Any]:
    where = _join(path, key)
    value = data.get(key)
    if not isinstance(value, list) or not value:
        raise PriceTableError(where, "is missing" if value is None else "must be a non-empty list")
    return value


def _tiers(
    data: Mapping[str, Any], key: str, path: str, bound: str
) -> tuple[tuple[Decimal | None, Mapping[str, Any]], ...]:
    """A list of `{<bound>: N | null, ...}` entries, bounds rising, the last one open (null)."""
    where = _join(path, key)
    tiers: list[tuple[Decimal | None, Mapping[str, Any]]] = []
    for index, entry in enumerate(_list(data, key, path)):
        here = _join(where, index)
        if not isinstance(entry, Mapping):
            raise PriceTableError(here, "must be a mapping")
        if bound not in entry:
            raise PriceTableError(_join(here, bound), "is missing (null for the last, open tier)")
        limit = None if entry[bound] is None else _rate(entry[bound], _join(here, bound))
        previous = tiers[-1][0] if tiers else _ZERO
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
    def from_mapping(cls, data: Mapping[str, Any], path: str) -> EbsPrices:
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
    def from_mapping(cls, data: Mapping[str, Any], path: str) -> RdsPrices:
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
    def from_mapping(cls, data: Any) -> PriceTable:
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
        usage = _texts(data, "usage_based")
        both = sorted(set(free) & set(usage))
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
            free=tuple(free),
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


# --------------------------------------------------------------------------- prices of one resource


@dataclass(frozen=True)
class Priced:
    """A fixed monthly charge (rounded to the cent) and what it is made of."""

    monthly: Decimal
    detail: str
    status: ClassVar[Status] = "priced"


@dataclass(frozen=True)
class Free:
    """No charge of its own."""

    detail: str = "no charge"
    status: ClassVar[Status] = "free"


@dataclass(frozen=True)
class UsageBased:
    """No fixed charge; the bill depends on use (the detail says on what)."""

    detail: str
    status: ClassVar[Status] = "usage-based"


@dataclass(frozen=True)
class Unpriced:
    """The estimator cannot price this resource; the reason says why."""

    reason: str
    status: ClassVar[Status] = "unpriced"

    @property
    def detail(self) -> str:
        return self.reason


Price = Priced | Free | UsageBased | Unpriced


class _CannotPrice(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _value(attributes: Mapping[str, Any], key: str) -> Any:
    """An attribute's value; None when not set. Unpriced when only known after apply."""
    value = attributes.get(key)
    if value is UNKNOWN:
        raise _CannotPrice(f"{key} is known only after apply")
    return value


def _text_value(attributes: Mapping[str, Any], key: str, default: str | None = None) -> str:
    value = _value(attributes, key)
    if value is None or value == "":
        if default is None:
            raise _CannotPrice(f"{key} is not set")
        return default
    if not isinstance(value, str):
        raise _CannotPrice(f"{key} is not a string: {value!r}")
    return value


def _count(attributes: Mapping[str, Any], key: str, default: int | None = None) -> int:
    value = _value(attributes, key)
    if value is None:
        if default is None:
            raise _CannotPrice(f"{key} is not set")
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 or value != int(value):
        raise _CannotPrice(f"{key} is not a whole number: {value!r}")
    return int(value)


def _flag(attributes: Mapping[str, Any], key: str) -> bool:
    return bool(_value(attributes, key))


def _blocks(attributes: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = _value(attributes, key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _CannotPrice(f"{key} is not a list of blocks")
    return [block for block in value if isinstance(block, Mapping)]


def _rate_for(rates: Mapping[str, Decimal], name: str) -> Decimal:
    if name not in rates:
        raise _CannotPrice(f"no price for {name}")
    return rates[name]


def _number_text(value: Decimal | int) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value.normalize():,f}"


def _ebs_volume(table: PriceTable, size: int, volume_type: str, iops: int, throughput: int) -> Decimal:
    ebs = table.ebs
    cost = size * _rate_for(ebs.storage_gb_month, volume_type)
    if volume_type == "gp3":
        cost += max(_ZERO, iops - ebs.gp3_included_iops) * ebs.gp3_iops_month
        cost += max(_ZERO, throughput - ebs.gp3_included_throughput_mibps) * ebs.gp3_throughput_mibps_month
    elif volume_type == "io1":
        cost += iops * ebs.io1_iops_month
    elif volume_type == "io2":
        floor = _ZERO
        for limit, price in ebs.io2_iops_month_tiers:
            top = Decimal(iops) if limit is None else min(Decimal(iops), limit)
            if top > floor:
                cost += (top - floor) * price
            if limit is None or iops <= limit:
                break
            floor = limit
    return cost


def _ebs_detail(size: int, volume_type: str, iops: int, throughput: int, table: PriceTable) -> str:
    detail = f"{size:,} GB {volume_type}"
    if volume_type in ("io1", "io2") or (volume_type == "gp3" and iops > table.ebs.gp3_included_iops):
        detail += f", {iops:,} IOPS"
    if volume_type == "gp3" and throughput > table.ebs.gp3_included_throughput_mibps:
        detail += f", {throughput:,} MiB/s"
    return detail


def _price_ebs_volume(attributes: Mapping[str, Any], table: PriceTable) -> Price:
    size = _count(attributes, "size")
    volume_type = _text_value(attributes, "type", table.ebs.default_volume_type)
    iops = _count(attributes, "iops", 0)
    throughput = _count(attributes, "throughput", 0)
    if volume_type in ("io1", "io2") and iops == 0:
        raise _CannotPrice(f"iops is not set for an {volume_type} volume")
    cost = _ebs_volume(table, size, volume_type, iops, throughput)
    return Priced(_cents(cost), _ebs_detail(size, volume_type, iops, throughput, table))


def _price_instance(attributes: Mapping[str, Any], table: PriceTable) -> Price:
    instance_type = _text_value(attributes, "instance_type")
    tenancy = _text_value(attributes, "tenancy", "default")
    if tenancy != "default":
        raise _CannotPrice(f"no price for {tenancy} tenancy")
    for options in _blocks(attributes, "instance_market_options"):
        if options.get("market_type") == "spot":
            raise _CannotPrice("spot instances have a market price, not a list price")
    cost = table.monthly(_rate_for(table.ec2_instance_hourly, instance_type))
    parts = [f"{instance_type} x1 (Linux)"]
    for key, label in (("root_block_device", "root"), ("ebs_block_device", "EBS")):
        try:
            devices = _blocks(attributes, key)
        except _CannotPrice as cannot:
            if key == "ebs_block_device":
                parts.append(f"EBS volumes not included ({cannot.reason})")
            devices = []
        if not devices and key == "root_block_device":
            parts.append("root volume not included (its size comes from the AMI, known only after apply)")
        for device in devices:
            try:
                size = _count(device, "volume_size")
                volume_type = _text_value(device, "volume_type")
                iops, throughput = _count(device, "iops", 0), _count(device, "throughput", 0)
                cost += _ebs_volume(table, size, volume_type, iops, throughput)
            except _CannotPrice as cannot:
                parts.append(f"{label} volume not included ({cannot.reason})")
                continue
            parts.append(f"{label} {_ebs_detail(size, volume_type, iops, throughput, table)}")
    public_ip = attributes.get("associate_public_ip_address")
    if public_ip is True:
        cost += table.monthly(table.public_ipv4_hourly)
        parts.append("public IPv4")
    elif public_ip is UNKNOWN:
        parts.append("public IPv4 not included (known only after apply)")
    return Priced(_cents(cost), ", ".join(parts))


def _rds_gp3_extras(table: PriceTable, storage: int, iops: int, throughput: int) -> tuple[Decimal, list[str]]:
    rds = table.rds
    for below, included_iops, included_throughput in rds.gp3_baseline:
        if below is None or storage < below:
            extra_iops = max(_ZERO, iops - included_iops)
            extra_throughput = max(_ZERO, throughput - included_throughput)
            notes = []
            if extra_iops:
                notes.append(f"{iops:,} IOPS")
            if extra_throughput:
                notes.append(f"{throughput:,} MiB/s")
            return extra_iops * rds.gp3_iops_month + extra_throughput * rds.gp3_throughput_mibps_month, notes
    return _ZERO, []  # pragma: no cover - the table's last tier is open


def _price_db_instance(attributes: Mapping[str, Any], table: PriceTable) -> Price:
    rds = table.rds
    instance_class = _text_value(attributes, "instance_class")
    engine = _text_value(attributes, "engine")
    if engine not in rds.engine_price_list:
        raise _CannotPrice(f"no price for the RDS engine {engine}")
    hourly = _rate_for(rds.instance_hourly[rds.engine_price_list[engine]], instance_class)
    multi_az = _flag(attributes, "multi_az")
    copies = rds.multi_az_factor if multi_az else Decimal(1)
    storage = _count(attributes, "allocated_storage")
    iops = _count(attributes, "iops", 0)
    throughput = _count(attributes, "storage_throughput", 0)
    storage_type = _text_value(attributes, "storage_type", "io1" if iops else rds.default_storage_type)
    if storage_type not in rds.storage_gb_month:
        raise _CannotPrice(f"no price for RDS storage {storage_type}")
    storage_cost = storage * rds.storage_gb_month[storage_type]
    notes: list[str] = []
    if storage_type == "io1":
        storage_cost += iops * rds.io1_iops_month
        notes.append(f"{iops:,} IOPS")
    elif storage_type == "gp3":
        extra, notes = _rds_gp3_extras(table, storage, iops, throughput)
        storage_cost += extra
    cost = (table.monthly(hourly) + storage_cost) * copies
    count = _number_text(copies.normalize()) if multi_az else "1"
    storage_text = ", ".join([f"{storage:,} GB {storage_type}", *notes])
    if multi_az:
        detail = f"{instance_class} x{count} (Multi-AZ), {storage_text} x{count}"
    else:
        detail = f"{instance_class} x1, {storage_text}"
    return Priced(_cents(cost), detail)


def _cache_engine(attributes: Mapping[str, Any], table: PriceTable) -> tuple[str, Decimal]:
    engine = _text_value(attributes, "engine", table.elasticache_default_engine)
    if engine not in table.elasticache_engine_factor:
        raise _CannotPrice(f"no price for the ElastiCache engine {engine}")
    return engine, table.elasticache_engine_factor[engine]


def _price_cache_nodes(node_type: str, nodes: int, engine: str, factor: Decimal, table: PriceTable) -> Price:
    hourly = _rate_for(table.elasticache_node_hourly, node_type) * factor
    return Priced(_cents(table.monthly(hourly) * nodes), f"{node_type} x{nodes} ({engine})")


def _price_replication_group(attributes: Mapping[str, Any], table: PriceTable) -> Price:
    node_type = _text_value(attributes, "node_type")
    engine, factor = _cache_engine(attributes, table)
    clusters, groups = attributes.get("num_cache_clusters"), attributes.get("num_node_groups")
    # Sharded (cluster mode enabled): shards x (replicas + 1); num_cache_clusters may still hold the old total.
    sharded = attributes.get("cluster_mode") == "enabled" or (isinstance(groups, int) and groups > 1)
    if not sharded and isinstance(clusters, int) and not isinstance(clusters, bool) and clusters > 0:
        nodes = clusters
    elif groups is not None:
        nodes = _count(attributes, "num_node_groups") * (_count(attributes, "replicas_per_node_group", 0) + 1)
    elif clusters is UNKNOWN:
        raise _CannotPrice("num_cache_clusters is known only after apply")
    else:
        raise _CannotPrice("neither num_cache_clusters nor num_node_groups is set")
    return _price_cache_nodes(node_type, nodes, engine, factor, table)


def _price_cache_cluster(attributes: Mapping[str, Any], table: PriceTable) -> Price:
    node_type = _text_value(attributes, "node_type")
    engine, factor = _cache_engine(attributes, table)
    return _price_cache_nodes(node_type, _count(attributes, "num_cache_nodes"), engine, factor, table)


def _price_nat_gateway(attributes: Mapping[str, Any], table: PriceTable) -> Price:
    kind = _text_value(attributes, "connectivity_type", "public")
    return Priced(
        _cents(table.monthly(table.nat_gateway_hourly)),
        f"{kind} NAT gateway; data processing (${_number_text(table.nat_gateway_data_gb)}/GB) is usage-based",
    )


def _price_load_balancer(load_balancer_type: str, table: PriceTable) -> Price:
    hourly = _rate_for(table.load_balancer_hourly, load_balancer_type)
    usage = table.load_balancer_usage.get(load_balancer_type, "capacity units")
    return Priced(_cents(table.monthly(hourly)), f"{load_balancer_type} load balancer; {usage} is usage-based")


def _price_lb(attributes: Mapping[str, Any], table: PriceTable) -> Price:
    return _price_load_balancer(_text_value(attributes, "load_balancer_type", "application"), table)


def _price_classic_elb(attributes: Mapping[str, Any], table: PriceTable) -> Price:
    return _price_load_balancer("classic", table)


def _price_eks_cluster(attributes: Mapping[str, Any], table: PriceTable) -> Price:
    return Priced(_cents(table.monthly(table.eks_cluster_hourly)), "EKS control plane (standard support)")


def _price_eip(attributes: Mapping[str, Any], table: PriceTable) -> Price:
    pool = _value(attributes, "public_ipv4_pool")
    if isinstance(pool, str) and pool not in ("", "amazon"):
        return Free("address from your own IP pool (BYOIP)")
    return Priced(_cents(table.monthly(table.public_ipv4_hourly)), "public IPv4 address")


def _price_vpc_endpoint(attributes: Mapping[str, Any], table: PriceTable) -> Price:
    kind = _text_value(attributes, "vpc_endpoint_type", "Gateway")
    if kind == "Gateway":
        return Free("gateway endpoint")
    if kind not in ("Interface", "GatewayLoadBalancer"):
        raise _CannotPrice(f"no price for {kind} VPC endpoints")
    subnets = _value(attributes, "subnet_ids")
    if not isinstance(subnets, list | tuple | set | frozenset) or not subnets or UNKNOWN in subnets:
        raise _CannotPrice("subnet_ids is known only after apply" if subnets else "subnet_ids is not set")
    cost = table.monthly(table.vpc_endpoint_hourly_per_az) * len(subnets)
    return Priced(
        _cents(cost),
        f"{kind} endpoint x{len(subnets)} AZ; data processing (${_number_text(table.vpc_endpoint_data_gb)}/GB) "
        "is usage-based",
    )


def _price_secret(attributes: Mapping[str, Any], table: PriceTable) -> Price:
    replicas = len(_blocks(attributes, "replica"))
    copies = 1 + replicas
    detail = "secret" if not replicas else f"secret + {replicas} replica{'s' if replicas > 1 else ''}"
    return Priced(_cents(table.secret_month * copies), f"{detail}; API calls are usage-based")


def _price_kms_key(attributes: Mapping[str, Any], table: PriceTable) -> Price:
    return Priced(_cents(table.kms_key_month), "customer managed key; requests are usage-based")


def _price_ssm_parameter(attributes: Mapping[str, Any], table: PriceTable) -> Price:
    tier = _text_value(attributes, "tier", "Standard")
    if tier == "Standard":
        return Free("standard parameter")
    if tier == "Advanced":
        return Priced(_cents(table.ssm_advanced_parameter_month), "advanced parameter")
    raise _CannotPrice(f"the {tier} tier is chosen by AWS when the value is written")


def _price_route53_zone(attributes: Mapping[str, Any], table: PriceTable) -> Price:
    return Priced(_cents(table.route53_hosted_zone_month), "hosted zone; queries are usage-based")


def _price_dynamodb_table(attributes: Mapping[str, Any], table: PriceTable) -> Price:
    mode = _text_value(attributes, "billing_mode", "PROVISIONED")
    if mode == "PAY_PER_REQUEST":
        return UsageBased("usage-based: on-demand reads, writes and storage")
    if mode != "PROVISIONED":
        raise _CannotPrice(f"no price for billing mode {mode}")
    if _blocks(attributes, "replica"):
        raise _CannotPrice("no price for global table replicas")
    table_class = _text_value(attributes, "table_class", "STANDARD")
    if table_class not in table.dynamodb_capacity_hourly:
        raise _CannotPrice(f"no price for table class {table_class}")
    reads = _count(attributes, "read_capacity")
    writes = _count(attributes, "write_capacity")
    for index in _blocks(attributes, "global_secondary_index"):
        reads += _count(index, "read_capacity", 0)
        writes += _count(index, "write_capacity", 0)
    rates = table.dynamodb_capacity_hourly[table_class]
    cost = table.monthly(reads * rates["read"] + writes * rates["write"])
    return Priced(_cents(cost), f"{reads:,} RCU + {writes:,} WCU provisioned ({table_class}); storage is usage-based")


_Model = Callable[[Mapping[str, Any], PriceTable], Price]

_MODELS: Final[Mapping[str, _Model]] = {
    "aws_instance": _price_instance,
    "aws_ebs_volume": _price_ebs_volume,
    "aws_db_instance": _price_db_instance,
    "aws_elasticache_replication_group": _price_replication_group,
    "aws_elasticache_cluster": _price_cache_cluster,
    "aws_nat_gateway": _price_nat_gateway,
    "aws_lb": _price_lb,
    "aws_alb": _price_lb,
    "aws_elb": _price_classic_elb,
    "aws_eks_cluster": _price_eks_cluster,
    "aws_eip": _price_eip,
    "aws_vpc_endpoint": _price_vpc_endpoint,
    "aws_secretsmanager_secret": _price_secret,
    "aws_kms_key": _price_kms_key,
    "aws_kms_replica_key": _price_kms_key,
    "aws_kms_external_key": _price_kms_key,
    "aws_ssm_parameter": _price_ssm_parameter,
    "aws_route53_zone": _price_route53_zone,
    "aws_dynamodb_table": _price_dynamodb_table,
}


def price_resource(resource_type: str, attributes: Mapping[str, Any] | None, table: PriceTable) -> Price:
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
    except _CannotPrice as cannot:
        return Unpriced(cannot.reason)


def _mark_unknown(values: Any, unknown: Any) -> Any:
    """`values` with every place `unknown` (a plan's `after_unknown`) marks True replaced by UNKNOWN."""
    if unknown is True:
        return UNKNOWN
    if isinstance(unknown, Mapping) and isinstance(values, Mapping):
        return {**values, **{key: _mark_unknown(values.get(key), marks) for key, marks in unknown.items()}}
    if isinstance(unknown, list) and isinstance(values, list):
        length = max(len(values), len(unknown))
        return [
            _mark_unknown(values[i] if i < len(values) else None, unknown[i] if i < len(unknown) else False)
            for i in range(length)
        ]
    return values


def attributes_after(change: ResourceChange) -> Mapping[str, Any] | None:
    """The `after` values of a change with the values known only after apply marked :data:`UNKNOWN`.

    When the plan carries the configuration, an unknown top-level attribute that
    the configuration does not set is left as None instead: AWS picks its default
    (a `storage_type` not written in the code), which the price models know.
    """
    after = change.after
    if not isinstance(after, Mapping):
        return None
    marked: dict[str, Any] = _mark_unknown(after, change.after_unknown)
    if change.expressions:
        configured = {path.split(".", 1)[0].split("[", 1)[0] for path in change.expressions}
        marked = {key: None if value is UNKNOWN and key not in configured else value for key, value in marked.items()}
    return marked


# --------------------------------------------------------------------------- the report


def _fixed(price: Price | None) -> Decimal | None:
    if isinstance(price, Priced):
        return price.monthly
    if isinstance(price, Free | UsageBased):
        return _ZERO
    return None


@dataclass(frozen=True)
class ResourceCost:
    """One resource change priced before and after (None for the side that does not exist)."""

    address: str
    type: str
    actions: tuple[str, ...]
    before: Price | None
    after: Price | None

    @property
    def sides(self) -> tuple[Price, ...]:
        return tuple(p for p in (self.before, self.after) if p is not None)

    @property
    def status(self) -> Status:
        statuses = {p.status for p in self.sides}
        if "unpriced" in statuses:
            return "unpriced"
        if "usage-based" in statuses:
            return "usage-based"
        return "priced" if "priced" in statuses else "free"

    @property
    def counted(self) -> bool:
        """Whether this resource's fixed charges are in the totals (not when either side is unpriced)."""
        return self.status != "unpriced"

    @property
    def monthly_before(self) -> Decimal | None:
        return _fixed(self.before)

    @property
    def monthly_after(self) -> Decimal | None:
        return _fixed(self.after)

    @property
    def delta(self) -> Decimal | None:
        if not self.counted:
            return None
        return (self.monthly_after or _ZERO) - (self.monthly_before or _ZERO)

    @property
    def detail(self) -> str:
        before, after = (self.before.detail if self.before else ""), (self.after.detail if self.after else "")
        if before and after and before != after:
            return f"{before} -> {after}"
        return after or before

    @property
    def reason(self) -> str:
        reasons = [p.reason for p in self.sides if isinstance(p, Unpriced)]
        if len(reasons) == 2 and reasons[0] != reasons[1]:
            return f"before: {reasons[0]}; after: {reasons[1]}"
        return reasons[0] if reasons else ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "type": self.type,
            "actions": list(self.actions),
            "before": _json_money(self.monthly_before),
            "after": _json_money(self.monthly_after),
            "delta": _json_money(self.delta),
            "status": self.status,
            "detail": self.reason if self.status == "unpriced" else self.detail,
        }


def _json_money(amount: Decimal | None) -> float | None:
    return None if amount is None else float(_cents(amount))


def _total(amounts: Iterable[Decimal | None]) -> Decimal:
    return sum((a for a in amounts if a is not None), _ZERO)


@dataclass(frozen=True)
class CostReport:
    """The monthly cost of a plan's managed resources before and after it, from one price table."""

    currency: str
    region: str
    as_of: str
    resources: tuple[ResourceCost, ...]

    @property
    def total_before(self) -> Decimal:
        """Fixed monthly charges before the change, of the resources priced on every side."""
        return _total(r.monthly_before for r in self.resources if r.counted)

    @property
    def total_after(self) -> Decimal:
        """Fixed monthly charges after the change, of the resources priced on every side."""
        return _total(r.monthly_after for r in self.resources if r.counted)

    @property
    def delta(self) -> Decimal:
        return self.total_after - self.total_before

    @property
    def unpriced(self) -> tuple[ResourceCost, ...]:
        return tuple(r for r in self.resources if r.status == "unpriced")

    @property
    def usage_based(self) -> tuple[ResourceCost, ...]:
        return tuple(r for r in self.resources if r.status == "usage-based")

    @property
    def free(self) -> int:
        """How many resources have no charge of their own."""
        return sum(1 for r in self.resources if r.status == "free")

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly summary; amounts are numbers rounded to the cent, None when not priced."""
        return {
            "currency": self.currency,
            "period": "month",
            "region": self.region,
            "as_of": self.as_of,
            "resources": [r.as_dict() for r in self.resources],
            "total_before": _json_money(self.total_before),
            "total_after": _json_money(self.total_after),
            "delta": _json_money(self.delta),
            "unpriced": [{"address": r.address, "type": r.type, "reason": r.reason} for r in self.unpriced],
            "usage_based": [{"address": r.address, "type": r.type, "detail": r.detail} for r in self.usage_based],
            "free": self.free,
        }


def estimate(plan: NormalizedPlan, table: PriceTable) -> CostReport:
    """Price every managed resource change of a plan before and after it (see the module docstring).

    `before` is priced from the prior values (None on create), `after` from the
    planned values with unknowns marked (None on delete); no-op resources are
    included, so the totals are the whole configuration's monthly cost.
    """
    resources = []
    for change in plan.managed_changes():
        before = price_resource(change.type, change.before, table) if isinstance(change.before, Mapping) else None
        after_values = attributes_after(change)
        after = price_resource(change.type, after_values, table) if after_values is not None else None
        resources.append(ResourceCost(change.address, change.type, change.actions, before, after))
    return CostReport(table.currency, table.region, table.as_of, tuple(resources))


def check_budget(
    report: CostReport, budget_monthly: float | Decimal | None, mode: Literal["deny", "warn"], scope: str
) -> Finding | None:
    """A COST-001 finding when the monthly cost after the change exceeds the budget; None without a budget.

    `mode` is the finding's severity; `scope` names whose budget it is (e.g.
    "environment payments-staging"). Unpriced resources are not in the total,
    and the message says how many there are.
    """
    if mode not in ("deny", "warn"):
        raise ValueError(f"mode must be 'deny' or 'warn', not {mode!r}")
    if budget_monthly is None:
        return None
    budget = Decimal(str(budget_monthly))
    if report.total_after <= budget:
        return None
    message = (
        f"monthly cost {_money(report.total_after)} after this change exceeds the {scope} budget of "
        f"{_money(budget)} (delta {_signed_money(report.delta)})"
    )
    if report.unpriced:
        count = len(report.unpriced)
        plural = count > 1
        message += (
            f"; {count} resource{'s' if plural else ''} could not be priced"
            f" and {'are' if plural else 'is'} not included"
        )
    remediation = (
        f"Choose smaller instance classes or fewer nodes (the largest items: {_largest(report)}), "
        f"or have the {scope} budget raised."
    )
    if report.usage_based:
        remediation += " Usage-based charges come on top of this estimate."
    return Finding(rule=BUDGET_RULE, severity=mode, address="", attribute="", message=message, remediation=remediation)


def _largest(report: CostReport, count: int = 3) -> str:
    priced = sorted(
        (r for r in report.resources if r.counted and (r.monthly_after or _ZERO) > 0),
        key=lambda r: r.monthly_after or _ZERO,
        reverse=True,
    )
    return ", ".join(f"{r.address} {_money(r.monthly_after or _ZERO)}" for r in priced[:count]) or "none"
