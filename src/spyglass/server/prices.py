"""The price table of each project: shipped prices, the settings file, the project's own.

Ingest asks for a project's table on every request, so tables are cached per project for
``PROJECT_PRICES_TTL_S``. A change through this server's API drops that project's entry at
once; other replicas see it when their entry expires.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from decimal import Decimal
from itertools import groupby

from spyglass.pricing import ModelPrices, PricePeriod, PriceTable
from spyglass.pricing.table import sorted_periods
from spyglass.server.blocking import run_blocking
from spyglass.storage.base import Store
from spyglass.storage.models import ProjectPrice

# Custom prices change rarely; 10 s keeps the store out of the ingest path while a price set
# on another replica still applies within seconds.
PROJECT_PRICES_TTL_S = 10.0
# Bounds the cache: past this many projects it is simply cleared.
_MAX_CACHED_PROJECTS = 10_000


def _rate(value: float | None) -> Decimal | None:
    # repr() is the shortest text of the float, so a stored 0.075 prices as 0.075 exactly.
    return None if value is None else Decimal(repr(float(value)))


def project_models(rows: Iterable[ProjectPrice]) -> list[ModelPrices]:
    """A project's stored price periods as price-table entries (source ``project``)."""
    out = []
    for model, group in groupby(sorted(rows, key=lambda r: r.model), key=lambda r: r.model):
        periods = [
            PricePeriod(
                input=Decimal(repr(float(r.input))),
                output=Decimal(repr(float(r.output))),
                cache_read=_rate(r.cache_read),
                cache_write=_rate(r.cache_write),
                reasoning=_rate(r.reasoning),
                effective_from_ns=r.effective_from_ns,
            )
            for r in group
        ]
        out.append(ModelPrices(model, sorted_periods(periods, model), source="project"))
    return out


class ProjectPrices:
    """Per-project price tables over one base table (shipped + settings file)."""

    def __init__(
        self,
        base: PriceTable,
        ttl_seconds: float = PROJECT_PRICES_TTL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base = base
        self.ttl = ttl_seconds
        self._clock = clock
        self._tables: dict[int, tuple[PriceTable, float]] = {}

    async def table_for(self, store: Store, project_id: int) -> PriceTable:
        hit = self._tables.get(project_id)
        now = self._clock()
        if hit is not None and hit[1] > now:
            return hit[0]
        rows = await run_blocking(store.list_model_prices, project_id)
        table = self.base.overlay(project_models(rows)) if rows else self.base
        if len(self._tables) >= _MAX_CACHED_PROJECTS:
            self._tables.clear()
        self._tables[project_id] = (table, now + self.ttl)
        return table

    def invalidate(self, project_id: int) -> None:
        self._tables.pop(project_id, None)
