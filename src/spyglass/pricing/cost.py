"""Cost of one model call from its token counts.

The token convention (OTel GenAI, OpenAI's usage object, and every Spyglass column)::

    input_tokens  = uncached input + cache_read_tokens + cache_write_tokens
    output_tokens = visible output + reasoning_tokens

Input *includes* cached tokens and output *includes* reasoning tokens; the sub-counts say how
many of them are priced at another rate. So each token is priced exactly once::

    uncached  = input_tokens - cache_read_tokens - cache_write_tokens
    visible   = output_tokens - reasoning_tokens

    cost = ( uncached          * input
           + cache_read_tokens  * cache_read    (the input rate when the model has none)
           + cache_write_tokens * cache_write   (the input rate when the model has none)
           + visible            * output
           + reasoning_tokens   * reasoning     (the output rate when the model has none)
           ) / 1_000_000                        rates are USD per 1M tokens

Peers get this wrong in two directions: adding the cached tokens on top of an input count that
already holds them (cost above the bill), or pricing them at the full input rate as well as the
cache rate. A missing count is 0. A sub-count larger than its total breaks the convention; the
uncached / visible part is then taken as 0 rather than negative (the ingest mapping corrects
Anthropic's cache-exclusive input counts before they get here).

Amounts are computed in ``Decimal`` and turned into floats once, so a case such as 1,000
tokens at $2.50 is exactly ``0.0025``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal

from spyglass.pricing.table import ModelPrices, PricePeriod, PriceTable, shipped_table

_PER_TOKENS = Decimal(1_000_000)
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class CostBreakdown:
    """USD per part of a call; the parts add up to ``total``."""

    model: str  # the price-table entry that priced the call
    input: float  # uncached input tokens
    cache_read: float
    cache_write: float
    output: float  # visible output tokens (reasoning excluded)
    reasoning: float
    total: float


def _parts(
    period: PricePeriod,
    input_tokens: int | None,
    output_tokens: int | None,
    cache_read_tokens: int | None,
    cache_write_tokens: int | None,
    reasoning_tokens: int | None,
) -> tuple[Decimal, Decimal, Decimal, Decimal, Decimal]:
    """USD x 1M per part: uncached input, cache read, cache write, visible output, reasoning."""
    cache_read = cache_read_tokens or 0
    cache_write = cache_write_tokens or 0
    reasoning = reasoning_tokens or 0
    uncached = max((input_tokens or 0) - cache_read - cache_write, 0)
    visible = max((output_tokens or 0) - reasoning, 0)
    return (
        uncached * period.input,
        cache_read * (period.input if period.cache_read is None else period.cache_read)
        if cache_read
        else _ZERO,
        cache_write * (period.input if period.cache_write is None else period.cache_write)
        if cache_write
        else _ZERO,
        visible * period.output,
        reasoning * (period.output if period.reasoning is None else period.reasoning)
        if reasoning
        else _ZERO,
    )


def price_usage(
    model: str,
    period: PricePeriod,
    input_tokens: int | None,
    output_tokens: int | None,
    cache_read_tokens: int | None = None,
    cache_write_tokens: int | None = None,
    reasoning_tokens: int | None = None,
) -> CostBreakdown:
    """The cost of the counts at ``period``'s rates (see the module docstring)."""
    parts = _parts(
        period, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens
    )
    uncached_usd, read_usd, write_usd, visible_usd, reasoning_usd = (p / _PER_TOKENS for p in parts)
    return CostBreakdown(
        model=model,
        input=float(uncached_usd),
        cache_read=float(read_usd),
        cache_write=float(write_usd),
        output=float(visible_usd),
        reasoning=float(reasoning_usd),
        total=float(uncached_usd + read_usd + write_usd + visible_usd + reasoning_usd),
    )


def _priced(
    table: PriceTable, model: str, provider: str | None, at_ns: int
) -> tuple[ModelPrices, PricePeriod] | None:
    """The table entry pricing ``model`` and its period in force at ``at_ns``, if any."""
    entry = table.lookup(model, provider)
    if entry is None:
        return None
    period = entry.at(at_ns)
    return None if period is None else (entry, period)


def cost_total(
    model: str,
    provider: str | None,
    input_tokens: int | None,
    output_tokens: int | None,
    cache_read_tokens: int | None,
    cache_write_tokens: int | None,
    reasoning_tokens: int | None,
    at_ns: int,
    table: PriceTable,
) -> float | None:
    """``compute_cost(...).total`` without the breakdown: what ingest stores for each span.

    One exact division of the summed parts gives the same float as the breakdown's total
    (each part's division by 1M is exact in ``Decimal``, so is their sum).
    """
    found = _priced(table, model, provider, at_ns)
    if found is None:
        return None
    return float(
        sum(
            _parts(
                found[1],
                input_tokens,
                output_tokens,
                cache_read_tokens,
                cache_write_tokens,
                reasoning_tokens,
            ),
            _ZERO,
        )
        / _PER_TOKENS
    )


def compute_cost(
    model: str | None,
    provider: str | None = None,
    input_tokens: int | None = None,
    output_tokens: int | None = None,
    cache_read_tokens: int | None = None,
    cache_write_tokens: int | None = None,
    reasoning_tokens: int | None = None,
    at_ns: int | None = None,
    *,
    table: PriceTable | None = None,
) -> CostBreakdown | None:
    """The cost of a call to ``model`` that started at ``at_ns`` (default: now).

    None when the model is not in ``table`` (default: the shipped table) or has no price at
    that time: an unknown model is never guessed.
    """
    if not model:
        return None
    found = _priced(
        table or shipped_table(), model, provider, time.time_ns() if at_ns is None else at_ns
    )
    if found is None:
        return None
    entry, period = found
    return price_usage(
        entry.model,
        period,
        input_tokens,
        output_tokens,
        cache_read_tokens,
        cache_write_tokens,
        reasoning_tokens,
    )
