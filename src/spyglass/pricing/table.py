"""The price table: per model, USD per 1M tokens, in periods with effective dates, and aliases.

The shipped table is ``prices.json`` in this package; a file of the same format (setting
``prices_file``) and a project's custom prices (server API) are laid over it. Format::

    {
      "version": "2025-10-15",
      "models": {
        "gpt-4o": {
          "provider": "openai",                      # optional, informative
          "aliases": ["gpt-4o-2024-08-06"],          # optional: other names of the model
          "prices": [                                # one or more periods
            {"input": 5.0, "output": 15.0},          # no effective_from: since always
            {"effective_from": "2024-10-02",         # ISO date or time (UTC), or epoch ns
             "input": 2.5, "output": 10.0,
             "cache_read": 1.25,                     # optional: default the input rate
             "cache_write": null,                    # optional: default the input rate
             "reasoning": null}                      # optional: default the output rate
          ]
        }
      }
    }

A span is priced by the period in force at its start time: the last one whose
``effective_from`` is at or before it. A span that starts before every period of its model is
not priced.

How a model name finds its entry (first hit wins): ``provider/model`` exactly (for custom
provider-specific prices); the name itself; then the name without a provider prefix
(``openai/gpt-4o``, ``models/gemini-2.0-flash``), without a Vertex ``@version``, without a
Bedrock ``anthropic.`` prefix and ``-v1:0`` suffix, and without a trailing date or ``-latest``
(``-2024-08-06``, ``-20250929``) — each tried as a model id and as an alias. Names are
compared case-insensitively. Snapshots priced differently from their family (``gpt-4o-2024-05-13``)
are their own entries, so stripping a date never reaches the wrong price.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from spyglass.exceptions import ConfigError

RATE_FIELDS = ("input", "output", "cache_read", "cache_write", "reasoning")
_REQUIRED_RATES = ("input", "output")
_PERIOD_FIELDS = frozenset({"effective_from", *RATE_FIELDS})
_MODEL_FIELDS = frozenset({"provider", "aliases", "prices"})
_TOP_FIELDS = frozenset({"about", "version", "currency", "unit", "models"})
# Signed 64-bit nanoseconds, as every time in Spyglass.
_MAX_NS = 2**63 - 1
# Distinct model names remembered per table; past this the memo is simply cleared, so a
# stream of random names cannot grow memory.
_MAX_MEMO = 4096

_DATE_SUFFIX = re.compile(r"-(?:\d{4}-\d{2}-\d{2}|\d{8}|latest)$")
_BEDROCK = re.compile(r"^(?:[a-z]{2}\.)?anthropic\.(?P<model>.+?)(?:-v\d+(?::\d+)?)?$")


class PriceTableError(ConfigError):
    """A price table (file or custom prices) that cannot be used."""


@dataclass(frozen=True, slots=True)
class PricePeriod:
    """The rates of one model from ``effective_from_ns`` on (0: since always), USD per 1M."""

    input: Decimal
    output: Decimal
    cache_read: Decimal | None = None
    cache_write: Decimal | None = None
    reasoning: Decimal | None = None
    effective_from_ns: int = 0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: rates as floats, ``effective_from`` as an ISO time (null: always)."""
        out: dict[str, Any] = {
            "effective_from": (
                None if not self.effective_from_ns else _iso(self.effective_from_ns)
            ),
            "effective_from_ns": self.effective_from_ns,
        }
        for name in RATE_FIELDS:
            rate = getattr(self, name)
            out[name] = None if rate is None else float(rate)
        return out


@dataclass(frozen=True, slots=True)
class ModelPrices:
    """A model's price periods (sorted by start), its aliases and where it came from."""

    model: str
    periods: tuple[PricePeriod, ...]
    provider: str | None = None
    aliases: tuple[str, ...] = ()
    source: str = "shipped"

    def at(self, at_ns: int) -> PricePeriod | None:
        """The period in force at ``at_ns``; None before the first one."""
        found = None
        for period in self.periods:
            if period.effective_from_ns > at_ns:
                break
            found = period
        return found

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "provider": self.provider,
            "aliases": list(self.aliases),
            "source": self.source,
            "prices": [p.as_dict() for p in self.periods],
        }


@dataclass
class PriceTable:
    """Model prices with alias resolution; ``overlay`` lays other prices over it."""

    entries: dict[str, ModelPrices]
    version: str | None = None
    _aliases: dict[str, str] = field(default_factory=dict, repr=False)
    _memo: dict[tuple[str, str | None], ModelPrices | None] = field(
        default_factory=dict, repr=False
    )

    def __post_init__(self) -> None:
        self._aliases = {}
        for key, entry in self.entries.items():
            for alias in entry.aliases:
                self._aliases.setdefault(alias, key)

    def models(self) -> list[ModelPrices]:
        return [self.entries[k] for k in sorted(self.entries)]

    def overlay(self, models: Iterable[ModelPrices]) -> PriceTable:
        """A new table where ``models`` replace same-named entries (keeping their aliases)."""
        entries = dict(self.entries)
        added = list(models)
        for m in added:
            old = entries.get(m.model)
            merged = m
            if old is not None:
                aliases = tuple(dict.fromkeys((*m.aliases, *old.aliases)))
                merged = replace(m, aliases=aliases, provider=m.provider or old.provider)
            entries[m.model] = merged
        table = PriceTable(entries, self.version)
        # Aliases of the overlay win over the same alias elsewhere.
        for m in added:
            for alias in m.aliases:
                table._aliases[alias] = m.model
        return table

    def lookup(self, model: str, provider: str | None = None) -> ModelPrices | None:
        """The entry pricing ``model`` (see the module docstring), or None when unknown."""
        memo_key = (model, provider)
        try:
            return self._memo[memo_key]
        except KeyError:
            pass
        found = self._resolve(model, provider)
        if len(self._memo) >= _MAX_MEMO:
            self._memo.clear()
        self._memo[memo_key] = found
        return found

    def _resolve(self, model: str, provider: str | None) -> ModelPrices | None:
        name = model.strip().lower()
        if not name:
            return None
        if provider:
            hit = self.entries.get(f"{provider.strip().lower()}/{name}")
            if hit is not None:
                return hit
        for candidate in _candidates(name):
            hit = self.entries.get(candidate)
            if hit is None and candidate in self._aliases:
                hit = self.entries.get(self._aliases[candidate])
            if hit is not None:
                return hit
        return None


def _candidates(name: str) -> list[str]:
    out = [name]
    base = name.rsplit("/", 1)[-1]
    base = base.split("@", 1)[0]
    bedrock = _BEDROCK.match(base)
    if bedrock:
        base = bedrock["model"]
    if base != name:
        out.append(base)
    undated = _DATE_SUFFIX.sub("", base)
    if undated != base:
        out.append(undated)
    return out


def _iso(ns: int) -> str:
    return datetime.fromtimestamp(ns / 1e9, UTC).isoformat().replace("+00:00", "Z")


def parse_effective_from(value: Any, where: str) -> int:
    """Epoch ns from an ISO date/time (naive is UTC), integer ns, or null (0: since always)."""
    if value is None:
        return 0
    if isinstance(value, bool):
        raise PriceTableError(f"{where}: expected an ISO date or nanoseconds, got {value!r}")
    if isinstance(value, int):
        ns = value
    elif isinstance(value, str):
        try:
            dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise PriceTableError(
                f"{where}: expected an ISO date (2025-06-10) or time, got {value!r}"
            ) from None
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=UTC)
        ns = int(dt.timestamp()) * 1_000_000_000 + dt.microsecond * 1000
    else:
        raise PriceTableError(f"{where}: expected an ISO date or nanoseconds, got {value!r}")
    if not 0 <= ns <= _MAX_NS:
        raise PriceTableError(f"{where}: out of range (1970 to 2262)")
    return ns


def parse_rate(value: Any, where: str, *, required: bool) -> Decimal | None:
    """A non-negative finite number as a Decimal (its shortest decimal text, so 0.1 is 0.1)."""
    if value is None:
        if required:
            raise PriceTableError(f"{where}: required")
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PriceTableError(f"{where}: expected a number (USD per 1M tokens), got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise PriceTableError(f"{where}: must be a finite number >= 0, got {value!r}")
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def parse_period(raw: Any, where: str) -> PricePeriod:
    """One price period from its JSON object; unknown fields and bad rates are refused."""
    if not isinstance(raw, Mapping):
        raise PriceTableError(f"{where}: expected an object")
    unknown = set(raw) - _PERIOD_FIELDS
    if unknown:
        raise PriceTableError(
            f"{where}: unknown field(s) {', '.join(sorted(map(str, unknown)))}; "
            f"allowed: effective_from, {', '.join(RATE_FIELDS)}"
        )
    rates = {
        name: parse_rate(raw.get(name), f"{where}.{name}", required=name in _REQUIRED_RATES)
        for name in RATE_FIELDS
    }
    return PricePeriod(
        effective_from_ns=parse_effective_from(
            raw.get("effective_from"), f"{where}.effective_from"
        ),
        **rates,  # type: ignore[arg-type]
    )


def sorted_periods(periods: Iterable[PricePeriod], where: str) -> tuple[PricePeriod, ...]:
    out = tuple(sorted(periods, key=lambda p: p.effective_from_ns))
    if not out:
        raise PriceTableError(f"{where}: needs at least one price period")
    starts = [p.effective_from_ns for p in out]
    if len(set(starts)) != len(starts):
        raise PriceTableError(f"{where}: two periods have the same effective_from")
    return out


def parse_table(data: Any, source: str, where: str) -> PriceTable:
    """A table from the decoded JSON of a price file."""
    if not isinstance(data, Mapping) or not isinstance(data.get("models"), Mapping):
        raise PriceTableError(f"{where}: expected an object with a 'models' object")
    unknown = set(data) - _TOP_FIELDS
    if unknown:
        raise PriceTableError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    entries: dict[str, ModelPrices] = {}
    for name, raw in data["models"].items():
        at = f"{where}: models.{name}"
        key = str(name).strip().lower()
        if not key:
            raise PriceTableError(f"{at}: empty model name")
        if not isinstance(raw, Mapping):
            raise PriceTableError(f"{at}: expected an object")
        extra = set(raw) - _MODEL_FIELDS
        if extra:
            raise PriceTableError(f"{at}: unknown field(s) {', '.join(sorted(extra))}")
        aliases = raw.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise PriceTableError(f"{at}.aliases: expected a list of strings")
        prices = raw.get("prices")
        if not isinstance(prices, list):
            raise PriceTableError(f"{at}.prices: expected a list of price periods")
        periods = [parse_period(p, f"{at}.prices[{i}]") for i, p in enumerate(prices)]
        provider = raw.get("provider")
        entries[key] = ModelPrices(
            model=key,
            periods=sorted_periods(periods, f"{at}.prices"),
            provider=str(provider) if provider else None,
            aliases=tuple(a.strip().lower() for a in aliases),
            source=source,
        )
    version = data.get("version")
    return PriceTable(entries, str(version) if version is not None else None)


@lru_cache(maxsize=1)
def shipped_table() -> PriceTable:
    """The table shipped with Spyglass (``prices.json``), parsed once."""
    text = resources.files("spyglass.pricing").joinpath("prices.json").read_text("utf-8")
    return parse_table(json.loads(text), "shipped", "prices.json")


def load_price_file(path: str | Path) -> PriceTable:
    """A price file of the shipped format; ``PriceTableError`` says what is wrong."""
    p = Path(path).expanduser()
    try:
        data = json.loads(p.read_text("utf-8"))
    except OSError as exc:
        raise PriceTableError(f"cannot read prices file {p}: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise PriceTableError(f"prices file {p} is not valid JSON: {exc}") from exc
    return parse_table(data, "file", str(p))


def load_price_table(prices_file: str | Path | None = None) -> PriceTable:
    """The shipped table with ``prices_file`` (if given) laid over it."""
    table = shipped_table()
    if prices_file:
        table = table.overlay(load_price_file(prices_file).models())
    return table
