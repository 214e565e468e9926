from __future__ import annotations

import pytest

from infraplane.core.dag import CycleFound, find_cycle, topological_order
from infraplane.core.wiring import InputRef, OutputRef, find_references, parse_reference


def test_order_puts_dependencies_first() -> None:
    order = topological_order({"postgres": {"network"}, "network": set(), "app": {"postgres", "queue"}, "queue": set()})
    assert order.index("network") < order.index("postgres") < order.index("app")
    assert order.index("queue") < order.index("app")


def test_cycle_is_named() -> None:
    with pytest.raises(CycleFound) as found:
        topological_order({"a": {"b"}, "b": {"c"}, "c": {"a"}})
    cycle = found.value.cycle
    assert cycle[0] == cycle[-1] and set(cycle) == {"a", "b", "c"}
    assert find_cycle({"a": set()}) is None


def test_references_are_whole_values_only() -> None:
    assert parse_reference("${components.network.outputs.vpc_id}") == OutputRef("network", "vpc_id")
    assert parse_reference("${inputs.service}") == InputRef("service")
    assert parse_reference("plain") is None
    with pytest.raises(ValueError, match="exactly one reference"):
        parse_reference("prefix-${inputs.service}")
    with pytest.raises(ValueError, match="only"):
        parse_reference("${var.service}")


def test_references_are_found_in_nested_values() -> None:
    found = dict(find_references({"a": ["${inputs.x}", {"b": "${components.c.outputs.d}"}], "e": 3}))
    assert found == {"a[0]": InputRef("x"), "a[1].b": OutputRef("c", "d")}
