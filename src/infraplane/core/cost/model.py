"""What one resource costs: a fixed monthly charge, free, usage-based or unpriced, and money rounding."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import ClassVar, Final, Literal

__all__ = [
    "CENT",
    "UNKNOWN",
    "ZERO",
    "Free",
    "Price",
    "Priced",
    "Status",
    "Unknown",
    "Unpriced",
    "UsageBased",
    "cents",
    "money",
    "signed_money",
]

CENT: Final = Decimal("0.01")
ZERO: Final = Decimal(0)

Status = Literal["priced", "free", "usage-based", "unpriced"]


class Unknown:
    """The type of :data:`UNKNOWN`: a value Terraform knows only after apply."""

    _instance: ClassVar[Unknown | None] = None

    def __new__(cls) -> Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = Unknown()


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def money(amount: Decimal) -> str:
    return f"${cents(amount):,.2f}"


def signed_money(amount: Decimal) -> str:
    return f"-{money(-amount)}" if amount < 0 else f"+{money(amount)}"


# --------------------------------------------------------------------------- the price table


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
