"""Prices of databases and caches: RDS instances, ElastiCache clusters and replication groups, DynamoDB tables."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from infraplane.core.cost.attributes import (
    CannotPrice,
    number_text,
    rate_for,
    read_blocks,
    read_count,
    read_flag,
    read_text,
)
from infraplane.core.cost.model import UNKNOWN, ZERO, Price, Priced, UsageBased, cents
from infraplane.core.cost.table import PriceTable

__all__ = [
    "price_cache_cluster",
    "price_db_instance",
    "price_dynamodb_table",
    "price_replication_group",
]


def _rds_gp3_extras(table: PriceTable, storage: int, iops: int, throughput: int) -> tuple[Decimal, list[str]]:
    rds = table.rds
    for below, included_iops, included_throughput in rds.gp3_baseline:
        if below is None or storage < below:
            extra_iops = max(ZERO, iops - included_iops)
            extra_throughput = max(ZERO, throughput - included_throughput)
            notes = []
            if extra_iops:
                notes.append(f"{iops:,} IOPS")
            if extra_throughput:
                notes.append(f"{throughput:,} MiB/s")
            return extra_iops * rds.gp3_iops_month + extra_throughput * rds.gp3_throughput_mibps_month, notes
    return ZERO, []  # pragma: no cover - the table's last tier is open


def price_db_instance(attributes: Mapping[str, object], table: PriceTable) -> Price:
    rds = table.rds
    instance_class = read_text(attributes, "instance_class")
    engine = read_text(attributes, "engine")
    if engine not in rds.engine_price_list:
        raise CannotPrice(f"no price for the RDS engine {engine}")
    hourly = rate_for(rds.instance_hourly[rds.engine_price_list[engine]], instance_class)
    multi_az = read_flag(attributes, "multi_az")
    copies = rds.multi_az_factor if multi_az else Decimal(1)
    storage = read_count(attributes, "allocated_storage")
    iops = read_count(attributes, "iops", 0)
    throughput = read_count(attributes, "storage_throughput", 0)
    storage_type = read_text(attributes, "storage_type", "io1" if iops else rds.default_storage_type)
    if storage_type not in rds.storage_gb_month:
        raise CannotPrice(f"no price for RDS storage {storage_type}")
    storage_cost = storage * rds.storage_gb_month[storage_type]
    notes: list[str] = []
    if storage_type == "io1":
        storage_cost += iops * rds.io1_iops_month
        notes.append(f"{iops:,} IOPS")
    elif storage_type == "gp3":
        extra, notes = _rds_gp3_extras(table, storage, iops, throughput)
        storage_cost += extra
    cost = (table.monthly(hourly) + storage_cost) * copies
    count = number_text(copies.normalize()) if multi_az else "1"
    storage_text = ", ".join([f"{storage:,} GB {storage_type}", *notes])
    if multi_az:
        detail = f"{instance_class} x{count} (Multi-AZ), {storage_text} x{count}"
    else:
        detail = f"{instance_class} x1, {storage_text}"
    return Priced(cents(cost), detail)


def _cache_engine(attributes: Mapping[str, object], table: PriceTable) -> tuple[str, Decimal]:
    engine = read_text(attributes, "engine", table.elasticache_default_engine)
    if engine not in table.elasticache_engine_factor:
        raise CannotPrice(f"no price for the ElastiCache engine {engine}")
    return engine, table.elasticache_engine_factor[engine]


def _price_cache_nodes(node_type: str, nodes: int, engine: str, factor: Decimal, table: PriceTable) -> Price:
    hourly = rate_for(table.elasticache_node_hourly, node_type) * factor
    return Priced(cents(table.monthly(hourly) * nodes), f"{node_type} x{nodes} ({engine})")


def price_replication_group(attributes: Mapping[str, object], table: PriceTable) -> Price:
    node_type = read_text(attributes, "node_type")
    engine, factor = _cache_engine(attributes, table)
    clusters, groups = attributes.get("num_cache_clusters"), attributes.get("num_node_groups")
    # Sharded (cluster mode enabled): shards x (replicas + 1); num_cache_clusters may still hold the old total.
    sharded = attributes.get("cluster_mode") == "enabled" or (isinstance(groups, int) and groups > 1)
    if not sharded and isinstance(clusters, int) and not isinstance(clusters, bool) and clusters > 0:
        nodes = clusters
    elif groups is not None:
        nodes = read_count(attributes, "num_node_groups") * (read_count(attributes, "replicas_per_node_group", 0) + 1)
    elif clusters is UNKNOWN:
        raise CannotPrice("num_cache_clusters is known only after apply")
    else:
        raise CannotPrice("neither num_cache_clusters nor num_node_groups is set")
    return _price_cache_nodes(node_type, nodes, engine, factor, table)


def price_cache_cluster(attributes: Mapping[str, object], table: PriceTable) -> Price:
    node_type = read_text(attributes, "node_type")
    engine, factor = _cache_engine(attributes, table)
    return _price_cache_nodes(node_type, read_count(attributes, "num_cache_nodes"), engine, factor, table)


def price_dynamodb_table(attributes: Mapping[str, object], table: PriceTable) -> Price:
    mode = read_text(attributes, "billing_mode", "PROVISIONED")
    if mode == "PAY_PER_REQUEST":
        return UsageBased("usage-based: on-demand reads, writes and storage")
    if mode != "PROVISIONED":
        raise CannotPrice(f"no price for billing mode {mode}")
    if read_blocks(attributes, "replica"):
        raise CannotPrice("no price for global table replicas")
    table_class = read_text(attributes, "table_class", "STANDARD")
    if table_class not in table.dynamodb_capacity_hourly:
        raise CannotPrice(f"no price for table class {table_class}")
    reads = read_count(attributes, "read_capacity")
    writes = read_count(attributes, "write_capacity")
    for index in read_blocks(attributes, "global_secondary_index"):
        reads += read_count(index, "read_capacity", 0)
        writes += read_count(index, "write_capacity", 0)
    rates = table.dynamodb_capacity_hourly[table_class]
    cost = table.monthly(reads * rates["read"] + writes * rates["write"])
    return Priced(cents(cost), f"{reads:,} RCU + {writes:,} WCU provisioned ({table_class}); storage is usage-based")
