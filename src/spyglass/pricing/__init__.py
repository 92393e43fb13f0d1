"""Price table data and cost computation, shared by the SDK and the server.

The token convention and the cost formula are in ``spyglass.pricing.cost``; the data file
format, effective dates and alias rules in ``spyglass.pricing.table``. This package imports
nothing from the server, storage or gateway.
"""

from spyglass.pricing.cost import CostBreakdown, compute_cost, price_usage
from spyglass.pricing.table import (
    ModelPrices,
    PricePeriod,
    PriceTable,
    PriceTableError,
    load_price_file,
    load_price_table,
    shipped_table,
)

__all__ = [
    "CostBreakdown",
    "ModelPrices",
    "PricePeriod",
    "PriceTable",
    "PriceTableError",
    "compute_cost",
    "load_price_file",
    "load_price_table",
    "price_usage",
    "shipped_table",
]
