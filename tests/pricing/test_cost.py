"""Cost per provider from token counts under the convention: input includes cached, output
includes reasoning; each token priced once at its own rate. Amounts are exact USD."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from spyglass.pricing import (
    CostBreakdown,
    PriceTableError,
    compute_cost,
    load_price_table,
    shipped_table,
)


def ns(day: str) -> int:
    return int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp()) * 1_000_000_000


NOW = ns("2025-10-15")

# (model, provider, input, output, cache_read, cache_write, reasoning, expected total USD)
CASES = [
    # OpenAI gpt-4o ($2.50 in, $1.25 cached, $10 out): 1,000 input of which 400 cached.
    # 600 x 2.50 + 400 x 1.25 + 100 x 10 = 1500 + 500 + 1000 -> $0.003. Langfuse-style
    # double counting (1000 x 2.50 + 400 x 1.25 + ...) would give $0.004.
    ("gpt-4o", "openai", 1000, 100, 400, None, None, 0.003),
    ("gpt-4o-2024-08-06", "openai", 1000, 100, 400, None, None, 0.003),
    ("gpt-4o-mini", "openai", 1_000_000, 1_000_000, None, None, None, 0.75),
    ("gpt-4o-mini-2024-07-18", "openai", 2000, 500, 1024, None, None, 0.0005232),
    # o4-mini: 300 of the 500 output tokens are reasoning, priced once at the output rate.
    ("o4-mini", "openai", 1000, 500, None, None, 300, 0.0033),
    ("o4-mini-2025-04-16", "openai", 1000, 500, 0, 0, 300, 0.0033),
    ("gpt-4o-2025-04-16", "openai", 1000, 100, None, None, None, 0.0035),  # demo's dated name
    ("text-embedding-3-small", "openai", 10_000, None, None, None, None, 0.0002),
    # Anthropic claude-sonnet-4-5 ($3 in, $3.75 cache write, $0.30 cache read, $15 out):
    # input 1200 = 100 uncached + 100 read + 1000 written.
    ("claude-sonnet-4-5", "anthropic", 1200, 50, 100, 1000, None, 0.00483),
    ("claude-sonnet-4-5-20250929", "anthropic", 1200, 50, 100, 1000, None, 0.00483),
    ("claude-3-5-haiku-20241022", "anthropic", 10_000, 1000, 8000, 0, None, 0.00624),
    # Gemini 2.5 Flash preview priced thinking output apart: $0.60 visible, $3.50 thinking.
    ("gemini-2.5-flash-preview-04-17", "google", 1000, 1000, None, None, 800, 0.00307),
    ("models/gemini-2.0-flash", "google", 1000, 1000, 500, None, None, 0.0004625),
    ("mistral-large-latest", "mistral_ai", 1000, 1000, None, None, None, 0.008),
    ("mistral-small-2506", "mistral_ai", 1000, 1000, None, None, None, 0.0004),
    # Provider prefixes, Vertex and Bedrock spellings.
    ("openai/gpt-4o", None, 1000, 100, None, None, None, 0.0035),
    ("anthropic/claude-sonnet-4.5", None, 1000, 0, None, None, None, 0.003),
    ("claude-sonnet-4-5@20250929", "gcp.vertex_ai", 1000, 0, None, None, None, 0.003),
    (
        "us.anthropic.claude-3-5-sonnet-20241022-v2:0",
        "aws.bedrock",
        1000,
        0,
        None,
        None,
        None,
        0.003,
    ),
]


@pytest.mark.parametrize(
    ("model", "provider", "inp", "out", "cache_read", "cache_write", "reasoning", "usd"), CASES
)
def test_cost_per_provider(
    model: str,
    provider: str | None,
    inp: int | None,
    out: int | None,
    cache_read: int | None,
    cache_write: int | None,
    reasoning: int | None,
    usd: float,
) -> None:
    cost = compute_cost(model, provider, inp, out, cache_read, cache_write, reasoning, NOW)
    assert cost is not None
    assert cost.total == usd
    parts = cost.input + cost.cache_read + cost.cache_write + cost.output + cost.reasoning
    assert parts == pytest.approx(cost.total)


def test_breakdown_prices_each_token_once() -> None:
    cost = compute_cost("gpt-4o", "openai", 1000, 100, 400, None, None, NOW)
    assert cost == CostBreakdown(
        model="gpt-4o",
        input=0.0015,
        cache_read=0.0005,
        cache_write=0.0,
        output=0.001,
        reasoning=0.0,
        total=0.003,
    )
    # Reasoning inside output: 200 visible at $4.40, 300 reasoning at $4.40 — never 500 + 300.
    o4 = compute_cost("o4-mini", "openai", 0, 500, None, None, 300, NOW)
    assert o4 is not None
    assert (o4.output, o4.reasoning, o4.total) == (0.00088, 0.00132, 0.0022)


def test_openinference_prompt_count_includes_cached() -> None:
    # llm.token_count.prompt = 2000 with prompt_details.cache_read = 1500 (OpenInference):
    # the cache is part of the 2000. 500 x 0.15 + 1500 x 0.075 + 100 x 0.60 = $0.0002475.
    # Adding the cache on top (MLflow) prices 3500 tokens and overstates the input.
    cost = compute_cost("gpt-4o-mini", "openai", 2000, 100, 1500, None, None, NOW)
    assert cost is not None
    assert cost.total == 0.0002475
    assert (cost.input, cost.cache_read) == (0.000075, 0.0001125)


def test_cache_falls_back_to_input_rate_and_reasoning_to_output_rate() -> None:
    # gpt-4o-2024-05-13 has no cache price: cached tokens at the input rate ($5).
    cost = compute_cost("gpt-4o-2024-05-13", "openai", 1000, 100, 400, 0, 0, NOW)
    assert cost is not None
    assert (cost.input, cost.cache_read, cost.total) == (0.003, 0.002, 0.0065)


def test_counts_that_break_the_convention_never_go_negative() -> None:
    cost = compute_cost("gpt-4o", "openai", 100, 10, 400, None, 50, NOW)
    assert cost is not None
    assert (cost.input, cost.output) == (0.0, 0.0)
    assert cost.total == 400 * 1.25 / 1e6 + 50 * 10 / 1e6


def test_missing_counts_are_zero() -> None:
    cost = compute_cost("gpt-4o", "openai", None, None, at_ns=NOW)
    assert cost is not None and cost.total == 0.0


def test_effective_dates_pick_the_period_of_the_span_start() -> None:
    # gpt-4o: $5/$15 until the alias moved to the cheaper snapshot on 2024-10-02.
    before = compute_cost("gpt-4o", "openai", 1000, 1000, at_ns=ns("2024-10-01"))
    after = compute_cost("gpt-4o", "openai", 1000, 1000, at_ns=ns("2024-10-02"))
    assert before is not None and after is not None
    assert (before.total, after.total) == (0.02, 0.0125)
    # o3 price cut on 2025-06-10.
    o3_before = compute_cost("o3-2025-04-16", "openai", 1000, 1000, at_ns=ns("2025-06-09"))
    o3_after = compute_cost("o3", "openai", 1000, 1000, at_ns=ns("2025-06-10"))
    assert o3_before is not None and o3_after is not None
    assert (o3_before.total, o3_after.total) == (0.05, 0.01)


@pytest.mark.parametrize(
    "model", ["does-not-exist", "gpt-4o-realtime-preview", "llama-3-70b", "", "claude"]
)
def test_unknown_model_is_not_priced(model: str) -> None:
    assert compute_cost(model, "openai", 1000, 100, at_ns=NOW) is None


def test_shipped_table_is_well_formed() -> None:
    table = shipped_table()
    assert table.version
    providers = {m.provider for m in table.models()}
    assert {"openai", "anthropic", "google", "mistral"} <= providers
    for m in table.models():
        assert m.periods and m.periods[0].effective_from_ns == 0, m.model
        for alias in m.aliases:
            assert table.lookup(alias) is not None, alias


def _write(path: Path, models: dict[str, object]) -> Path:
    path.write_text(json.dumps({"version": "custom-1", "models": models}), encoding="utf-8")
    return path


def test_custom_file_overrides_and_extends(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "prices.json",
        {
            "gpt-4o": {"prices": [{"input": 2.0, "output": 8.0, "cache_read": 0.5}]},
            "acme/llama-3-70b": {
                "provider": "acme",
                "aliases": ["llama3-70b"],
                "prices": [{"input": 0.6, "output": 0.6}],
            },
            "ft:gpt-4o-mini:acme": {
                "prices": [
                    {"input": 0.3, "output": 1.2},
                    {"effective_from": "2025-07-01T00:00:00Z", "input": 0.2, "output": 1.0},
                ]
            },
        },
    )
    table = load_price_table(path)
    # The override applies to the shipped aliases of the model too.
    for name in ("gpt-4o", "gpt-4o-2024-11-20", "openai/gpt-4o"):
        cost = compute_cost(name, "openai", 1000, 100, 400, at_ns=NOW, table=table)
        assert cost is not None and cost.total == 0.0022, name  # 600x2 + 400x0.5 + 100x8
        assert table.lookup(name).source == "file"  # type: ignore[union-attr]
    assert compute_cost("llama-3-70b", "acme", 1000, 1000, at_ns=NOW, table=table).total == (  # type: ignore[union-attr]
        0.0012
    )
    assert compute_cost("llama3-70b", None, 1000, 0, at_ns=NOW, table=table).total == 0.0006  # type: ignore[union-attr]
    ft = [
        compute_cost("ft:gpt-4o-mini:acme", None, 1000, 0, at_ns=ns(d), table=table)
        for d in ("2025-06-30", "2025-07-01")
    ]
    assert [c.total for c in ft if c] == [0.0003, 0.0002]
    # Untouched models keep the shipped prices; the shipped table itself is unchanged.
    assert compute_cost("gpt-4o-mini", None, 1000, 0, at_ns=NOW, table=table).total == 0.00015  # type: ignore[union-attr]
    assert compute_cost("gpt-4o", None, 1000, 0, at_ns=NOW).total == 0.0025  # type: ignore[union-attr]


def test_a_span_before_every_period_is_not_priced(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "p.json",
        {"m": {"prices": [{"effective_from": "2025-01-01", "input": 1, "output": 1}]}},
    )
    table = load_price_table(path)
    assert compute_cost("m", None, 10, 10, at_ns=ns("2024-12-31"), table=table) is None
    assert compute_cost("m", None, 10, 10, at_ns=ns("2025-01-01"), table=table) is not None


@pytest.mark.parametrize(
    ("models", "words"),
    [
        ({"m": {"prices": [{"input": -1, "output": 1}]}}, "must be a finite number >= 0"),
        ({"m": {"prices": [{"input": 1}]}}, "models.m.prices[0].output: required"),
        ({"m": {"prices": [{"input": 1, "output": 1, "cached": 1}]}}, "unknown field(s) cached"),
        ({"m": {"prices": [{"input": True, "output": 1}]}}, "expected a number"),
        ({"m": {"prices": [{"input": "1", "output": 1}]}}, "expected a number"),
        ({"m": {"prices": []}}, "at least one price period"),
        (
            {"m": {"prices": [{"input": 1, "output": 1}, {"input": 2, "output": 2}]}},
            "same effective_from",
        ),
        (
            {"m": {"prices": [{"effective_from": "soon", "input": 1, "output": 1}]}},
            "expected an ISO date",
        ),
        ({"m": {"price": []}}, "unknown field(s) price"),
        ({"m": {"aliases": "x", "prices": []}}, "expected a list of strings"),
    ],
)
def test_bad_price_files_say_what_is_wrong(
    tmp_path: Path, models: dict[str, object], words: str
) -> None:
    with pytest.raises(PriceTableError) as info:
        load_price_table(_write(tmp_path / "p.json", models))
    assert words in str(info.value)


def test_unreadable_price_files(tmp_path: Path) -> None:
    with pytest.raises(PriceTableError, match="cannot read prices file"):
        load_price_table(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{nope", encoding="utf-8")
    with pytest.raises(PriceTableError, match="not valid JSON"):
        load_price_table(bad)


def test_cost_total_is_the_breakdown_total() -> None:
    """Ingest stores ``cost_total``: it must be the float ``compute_cost(...).total`` gives,
    for every model, count mix and time, including unknown models and times before a price."""
    import random

    from spyglass.pricing import compute_cost, shipped_table
    from spyglass.pricing.cost import cost_total

    table = shipped_table()
    models = [*list(table.entries)[:200], "no-such-model", "gpt-4o", "claude-3-5-sonnet"]
    rnd = random.Random(7)
    priced = 0
    for _ in range(5_000):
        model = rnd.choice(models)
        counts = [rnd.choice([None, 0, rnd.randint(0, 10**7)]) for _ in range(5)]
        at = rnd.choice([0, 1_700_000_000 * 10**9, 2_000_000_000 * 10**9])
        full = compute_cost(model, None, *counts, at, table=table)
        assert cost_total(model, None, *counts, at, table) == (None if full is None else full.total)
        priced += full is not None
    assert priced > 1_000
