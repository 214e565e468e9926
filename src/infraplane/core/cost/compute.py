"""Prices of compute: EC2 instances with their volumes, EBS volumes, EKS control planes."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from infraplane.core.cost.attributes import CannotPrice, rate_for, read_blocks, read_count, read_text
from infraplane.core.cost.model import UNKNOWN, ZERO, Price, Priced, cents
from infraplane.core.cost.table import PriceTable

__all__ = ["price_ebs_volume", "price_eks_cluster", "price_instance"]


def _ebs_volume(table: PriceTable, size: int, volume_type: str, iops: int, throughput: int) -> Decimal:
    ebs = table.ebs
    cost = size * rate_for(ebs.storage_gb_month, volume_type)
    if volume_type == "gp3":
        cost += max(ZERO, iops - ebs.gp3_included_iops) * ebs.gp3_iops_month
        cost += max(ZERO, throughput - ebs.gp3_included_throughput_mibps) * ebs.gp3_throughput_mibps_month
    elif volume_type == "io1":
        cost += iops * ebs.io1_iops_month
    elif volume_type == "io2":
        floor = ZERO
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


def price_ebs_volume(attributes: Mapping[str, object], table: PriceTable) -> Price:
    size = read_count(attributes, "size")
    volume_type = read_text(attributes, "type", table.ebs.default_volume_type)
    iops = read_count(attributes, "iops", 0)
    throughput = read_count(attributes, "throughput", 0)
    if volume_type in ("io1", "io2") and iops == 0:
        raise CannotPrice(f"iops is not set for an {volume_type} volume")
    cost = _ebs_volume(table, size, volume_type, iops, throughput)
    return Priced(cents(cost), _ebs_detail(size, volume_type, iops, throughput, table))


def price_instance(attributes: Mapping[str, object], table: PriceTable) -> Price:
    instance_type = read_text(attributes, "instance_type")
    tenancy = read_text(attributes, "tenancy", "default")
    if tenancy != "default":
        raise CannotPrice(f"no price for {tenancy} tenancy")
    for options in read_blocks(attributes, "instance_market_options"):
        if options.get("market_type") == "spot":
            raise CannotPrice("spot instances have a market price, not a list price")
    cost = table.monthly(rate_for(table.ec2_instance_hourly, instance_type))
    parts = [f"{instance_type} x1 (Linux)"]
    for key, label in (("root_block_device", "root"), ("ebs_block_device", "EBS")):
        try:
            devices = read_blocks(attributes, key)
        except CannotPrice as cannot:
            if key == "ebs_block_device":
                parts.append(f"EBS volumes not included ({cannot.reason})")
            devices = []
        if not devices and key == "root_block_device":
            parts.append("root volume not included (its size comes from the AMI, known only after apply)")
        for device in devices:
            try:
                size = read_count(device, "volume_size")
                volume_type = read_text(device, "volume_type")
                iops, throughput = read_count(device, "iops", 0), read_count(device, "throughput", 0)
                cost += _ebs_volume(table, size, volume_type, iops, throughput)
            except CannotPrice as cannot:
                parts.append(f"{label} volume not included ({cannot.reason})")
                continue
            parts.append(f"{label} {_ebs_detail(size, volume_type, iops, throughput, table)}")
    public_ip = attributes.get("associate_public_ip_address")
    if public_ip is True:
        cost += table.monthly(table.public_ipv4_hourly)
        parts.append("public IPv4")
    elif public_ip is UNKNOWN:
        parts.append("public IPv4 not included (known only after apply)")
    return Priced(cents(cost), ", ".join(parts))


def price_eks_cluster(attributes: Mapping[str, object], table: PriceTable) -> Price:
    return Priced(cents(table.monthly(table.eks_cluster_hourly)), "EKS control plane (standard support)")
