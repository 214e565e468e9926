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
This package does no I/O: the price table is loaded by
:func:`infraplane.adapters.prices.load_price_table`.

Where things are:

* ``model``: the four outcomes (:data:`Price`), :data:`UNKNOWN`, rounding to the cent;
* ``table``: the :class:`PriceTable`, parsed once from its YAML mapping into typed prices;
* ``attributes``: reading a resource's values (``after`` with the unknowns marked);
* ``compute``, ``databases``, ``network``, ``security``: the price models, by AWS service;
* ``pricing``: :func:`price_resource`, which picks the model for a resource type;
* ``estimate``: :func:`estimate`, a plan's :class:`CostReport` of :class:`ResourceCost` rows;
* ``budget``: :func:`check_budget`, the COST-001 finding.
"""

from __future__ import annotations

from infraplane.core.cost.attributes import attributes_after
from infraplane.core.cost.budget import BUDGET_RULE, check_budget
from infraplane.core.cost.estimate import CostReport, ResourceCost, estimate
from infraplane.core.cost.model import UNKNOWN, Free, Price, Priced, Unpriced, UsageBased
from infraplane.core.cost.pricing import price_resource
from infraplane.core.cost.table import PriceTable, PriceTableError

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
