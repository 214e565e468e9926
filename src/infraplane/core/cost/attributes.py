"""Reading a resource's attribute values for pricing; a value known only after apply cannot be priced."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from infraplane.core.cost.model import UNKNOWN
from infraplane.core.plan import ResourceChange

__all__ = [
    "CannotPrice",
    "attributes_after",
    "number_text",
    "rate_for",
    "read_blocks",
    "read_count",
    "read_flag",
    "read_text",
    "read_value",
]


class CannotPrice(Exception):
    """Raised inside a price model: the resource is unpriced, for `reason`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def read_value(attributes: Mapping[str, object], key: str) -> object:
    """An attribute's value; None when not set. Unpriced when only known after apply."""
    value = attributes.get(key)
    if value is UNKNOWN:
        raise CannotPrice(f"{key} is known only after apply")
    return value


def read_text(attributes: Mapping[str, object], key: str, default: str | None = None) -> str:
    """A string attribute; `default` when unset (unpriced when there is no default)."""
    value = read_value(attributes, key)
    if value is None or value == "":
        if default is None:
            raise CannotPrice(f"{key} is not set")
        return default
    if not isinstance(value, str):
        raise CannotPrice(f"{key} is not a string: {value!r}")
    return value


def read_count(attributes: Mapping[str, object], key: str, default: int | None = None) -> int:
    """A whole, non-negative number; `default` when unset (unpriced when there is no default)."""
    value = read_value(attributes, key)
    if value is None:
        if default is None:
            raise CannotPrice(f"{key} is not set")
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 or value != int(value):
        raise CannotPrice(f"{key} is not a whole number: {value!r}")
    return int(value)


def read_flag(attributes: Mapping[str, object], key: str) -> bool:
    """A boolean attribute; unset is False."""
    return bool(read_value(attributes, key))


def read_blocks(attributes: Mapping[str, object], key: str) -> list[Mapping[str, object]]:
    """The nested blocks of a block attribute (`root_block_device`, `replica`); none when unset."""
    value = read_value(attributes, key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise CannotPrice(f"{key} is not a list of blocks")
    return [block for block in value if isinstance(block, Mapping)]


def rate_for(rates: Mapping[str, Decimal], name: str) -> Decimal:
    """The table's rate for `name` (an instance class, a volume type); unpriced when it has none."""
    if name not in rates:
        raise CannotPrice(f"no price for {name}")
    return rates[name]


def number_text(value: Decimal | int) -> str:
    """A number for a price's detail: thousands separated, no trailing zeros."""
    return f"{value:,}" if isinstance(value, int) else f"{value.normalize():,f}"


def _mark_unknown(values: object, unknown: object) -> object:
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


def attributes_after(change: ResourceChange) -> Mapping[str, object] | None:
    """The `after` values of a change with the values known only after apply marked :data:`UNKNOWN`.

    When the plan carries the configuration, an unknown top-level attribute that
    the configuration does not set is left as None instead: AWS picks its default
    (a `storage_type` not written in the code), which the price models know.
    """
    after = change.after
    if not isinstance(after, Mapping):
        return None
    unknown = change.after_unknown
    marked: dict[str, object] = {str(key): value for key, value in after.items()}
    if isinstance(unknown, Mapping):
        marked.update({str(key): _mark_unknown(after.get(key), marks) for key, marks in unknown.items()})
    if change.expressions:
        configured = {path.split(".", 1)[0].split("[", 1)[0] for path in change.expressions}
        marked = {key: None if value is UNKNOWN and key not in configured else value for key, value in marked.items()}
    return marked
