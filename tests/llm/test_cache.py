"""The content cache: unchanged requests make no upstream calls; errors are never cached."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from spyglass.exceptions import ConfigError
from spyglass.llm import ChatModel, LLMCache, LLMError, cache_key
from tests.fakes.openai_upstream import FakeOpenAI, Reply, Script

Make = Callable[..., ChatModel]
MESSAGES = [{"role": "user", "content": "What is 2 + 2?"}]


def _calls(fake: FakeOpenAI) -> int:
    return sum(r.path == "/v1/chat/completions" for r in fake.requests)


def test_second_run_makes_zero_upstream_calls(fake: FakeOpenAI, make_model: Make) -> None:
    fake.script = Script(reply="4", prompt_tokens=11, completion_tokens=1)
    model = make_model()
    prompts = [[{"role": "user", "content": f"question {i}"}] for i in range(5)]
    first = [model.complete(p) for p in prompts]
    calls = _calls(fake)

    # A new client on the same file (a re-run of the experiment) asks nobody.
    rerun = make_model()
    second = [rerun.complete(p) for p in prompts]
    assert _calls(fake) == calls
    assert all(c.cached for c in second) and not any(c.cached for c in first)
    assert [c.text for c in second] == [c.text for c in first]
    assert second[0].usage == first[0].usage
    assert second[0].raw == first[0].raw
    assert second[0].key == first[0].key
    assert rerun.stats.hits == 5
    assert (rerun.stats.misses, rerun.stats.calls) == (0, 0)
    assert model.stats.misses == model.stats.calls == 5


def test_cache_persists_in_the_file(fake: FakeOpenAI, make_model: Make, tmp_path: Path) -> None:
    path = tmp_path / "other" / "cache.sqlite"
    with LLMCache(path) as cache:
        make_model(cache=cache).complete(MESSAGES)
    calls = _calls(fake)
    with LLMCache(path) as reopened:
        assert len(reopened) == 1
        assert make_model(cache=reopened).complete(MESSAGES).cached
    assert _calls(fake) == calls


def test_refresh_per_call_and_per_client_asks_again(fake: FakeOpenAI, make_model: Make) -> None:
    fake.script = Script(reply="old")
    model = make_model()
    model.complete(MESSAGES)
    fake.script = Script(reply="new")
    calls = _calls(fake)

    assert model.complete(MESSAGES).text == "old"
    assert _calls(fake) == calls
    refreshed = model.complete(MESSAGES, refresh=True)
    assert (refreshed.text, refreshed.cached) == ("new", False)
    assert _calls(fake) == calls + 1
    # The fresh answer replaced the stored one.
    assert model.complete(MESSAGES).text == "new"

    fake.script = Script(reply="newer")
    always = make_model(refresh=True)
    assert always.complete(MESSAGES).text == "newer"
    assert always.complete(MESSAGES, refresh=False).cached  # a call can opt back in
    assert _calls(fake) == calls + 2


def test_no_cache_calls_every_time(fake: FakeOpenAI, make_model: Make) -> None:
    model = make_model(cache=None)
    calls = _calls(fake)
    model.complete(MESSAGES)
    model.complete(MESSAGES)
    assert _calls(fake) == calls + 2
    assert model.stats.hits == model.stats.misses == 0


def test_different_parameters_make_different_keys(make_model: Make) -> None:
    model = make_model()
    base = model.key(MESSAGES)
    variants = [
        model.key(MESSAGES, temperature=0.5),
        model.key(MESSAGES, max_tokens=10),
        model.key(MESSAGES, seed=1),
        model.key(MESSAGES, response_format={"type": "json_object"}),
        model.key(MESSAGES, sample=1),
        model.key([{"role": "user", "content": "What is 2 + 3?"}]),
        make_model(model="gpt-4o").key(MESSAGES),
        make_model(base_url="http://elsewhere.example/v1").key(MESSAGES),
        make_model(temperature=1.0).key(MESSAGES),
    ]
    assert len({base, *variants}) == len(variants) + 1
    # What does not change the answer does not change the key.
    assert model.key(MESSAGES, temperature=0.0) == base
    assert model.key(MESSAGES, sample=0) == base
    assert model.key(MESSAGES, max_tokens=None) == base


def test_key_is_canonical_json() -> None:
    a = cache_key("h/v1", "m", {"messages": [{"role": "user", "content": "x"}], "t": 0.0})
    b = cache_key("h/v1", "m", {"t": 0.0, "messages": [{"content": "x", "role": "user"}]})
    assert a == b
    assert len(a) == 64 and int(a, 16) >= 0
    assert cache_key("h/v1", "m", {"t": 1}) != cache_key("h/v2", "m", {"t": 1})


def test_endpoint_in_key_ignores_scheme_case_and_trailing_slash(make_model: Make) -> None:
    one = make_model(base_url="http://LOCALHOST:8000/v1/")
    two = make_model(base_url="https://localhost:8000/v1")
    assert one.endpoint == two.endpoint == "localhost:8000/v1"
    assert one.key(MESSAGES) == two.key(MESSAGES)


def test_different_parameters_miss_the_cache(fake: FakeOpenAI, make_model: Make) -> None:
    model = make_model()
    model.complete(MESSAGES)
    calls = _calls(fake)
    model.complete(MESSAGES, temperature=0.3)
    model.complete(MESSAGES, max_tokens=7)
    assert _calls(fake) == calls + 2


def test_errors_are_never_cached(fake: FakeOpenAI, make_model: Make, cache: LLMCache) -> None:
    fake.script = Script(error_status=500, error_message="down")
    model = make_model()
    with pytest.raises(LLMError):
        model.complete(MESSAGES)
    assert len(cache) == 0
    fake.script = Script(reply="back")
    got = model.complete(MESSAGES)
    assert (got.text, got.cached) == ("back", False)
    assert len(cache) == 1


def test_concurrent_use_from_threads(fake: FakeOpenAI, make_model: Make, cache: LLMCache) -> None:
    fake.script = Script(handler=lambda body: f"echo {body['messages'][0]['content']}")
    model = make_model()
    prompts = [[{"role": "user", "content": f"p{i}"}] for i in range(6)]
    results: list[list[str]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def work() -> None:
        try:
            start.wait()
            results.append([model.complete(p).text for p in prompts])
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    expected = [f"echo p{i}" for i in range(6)]
    assert results == [expected] * 8
    assert len(cache) == 6
    stats = model.stats
    assert stats.hits + stats.misses == 48
    assert stats.calls == stats.misses
    calls = _calls(fake)
    assert [model.complete(p).cached for p in prompts] == [True] * 6
    assert _calls(fake) == calls


def test_concurrent_async_use(fake: FakeOpenAI, make_model: Make, cache: LLMCache) -> None:
    fake.script = Script(handler=lambda body: body["messages"][0]["content"].upper())
    model = make_model()

    async def main() -> list[str]:
        calls = [model.acomplete([{"role": "user", "content": f"q{i}"}]) for i in range(10)]
        return [c.text for c in await asyncio.gather(*calls)]

    assert asyncio.run(main()) == [f"Q{i}" for i in range(10)]
    calls = _calls(fake)
    assert asyncio.run(main()) == [f"Q{i}" for i in range(10)]
    assert _calls(fake) == calls
    assert len(cache) == 10


def test_default_cache_comes_from_settings(
    fake: FakeOpenAI, make_model: Make, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPYGLASS_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SPYGLASS_LLM_CACHE_PATH", raising=False)
    monkeypatch.delenv("SPYGLASS_LLM_CACHE", raising=False)
    from spyglass.llm.client import DEFAULT_CACHE

    model = make_model(cache=DEFAULT_CACHE)
    assert model.cache is not None
    assert Path(model.cache.path) == (tmp_path / "home" / "cache" / "llm.sqlite").resolve()

    monkeypatch.setenv("SPYGLASS_LLM_CACHE_PATH", str(tmp_path / "elsewhere.sqlite"))
    other = make_model(cache=DEFAULT_CACHE)
    assert other.cache is not None
    assert Path(other.cache.path) == (tmp_path / "elsewhere.sqlite").resolve()
    assert make_model(cache=DEFAULT_CACHE).cache is other.cache  # one connection per file

    monkeypatch.setenv("SPYGLASS_LLM_CACHE", "off")
    off = make_model(cache=DEFAULT_CACHE)
    assert off.cache is None
    calls = _calls(fake)
    off.complete(MESSAGES)
    off.complete(MESSAGES)
    assert _calls(fake) == calls + 2


def test_cache_file_is_wal(cache: LLMCache) -> None:
    with sqlite3.connect(cache.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_cache_round_trip_clear_and_close(tmp_path: Path) -> None:
    cache = LLMCache(tmp_path / "c.sqlite")
    value: dict[str, Any] = {"text": "é", "usage": {"prompt_tokens": 1}, "raw": {"a": [1]}}
    cache.put("k", "m", value)
    assert cache.get("k") == value
    assert cache.get("missing") is None
    cache.put("k", "m", {"text": "replaced"})
    assert cache.get("k") == {"text": "replaced"}
    cache.clear()
    assert len(cache) == 0
    cache.close()
    cache.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        cache.get("k")


def test_unreadable_entry_is_a_miss(tmp_path: Path) -> None:
    with LLMCache(tmp_path / "c.sqlite") as cache:
        cache.put("k", "m", {"text": "x"})
        with sqlite3.connect(cache.path) as conn:
            conn.execute("UPDATE completions SET value = 'not json'")
        conn.close()
        assert cache.get("k") is None


def test_in_memory_cache(fake: FakeOpenAI, make_model: Make) -> None:
    with LLMCache(":memory:") as memory:
        model = make_model(cache=memory)
        model.complete(MESSAGES)
        assert model.complete(MESSAGES).cached


def test_handler_reply_error_is_not_cached(
    fake: FakeOpenAI, make_model: Make, cache: LLMCache
) -> None:
    fake.script = Script(handler=lambda body: Reply("overloaded", status=503))
    with pytest.raises(LLMError, match="HTTP 503: overloaded"):
        make_model().complete(MESSAGES)
    assert len(cache) == 0


def test_unusable_cache_path_is_a_config_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(ConfigError, match="cannot open the LLM cache"):
        LLMCache(blocker / "llm.sqlite")


def test_broken_cache_read_falls_back_to_the_model(
    fake: FakeOpenAI, make_model: Make, tmp_path: Path
) -> None:
    cache = LLMCache(tmp_path / "broken.sqlite")
    model = make_model(cache=cache)
    with sqlite3.connect(cache.path) as conn:
        conn.execute("DROP TABLE completions")
    conn.close()
    calls = _calls(fake)
    assert model.complete(MESSAGES).text == Script().reply  # logged, asked upstream
    assert _calls(fake) == calls + 1
    cache.close()
