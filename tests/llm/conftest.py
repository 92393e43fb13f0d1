"""A fake OpenAI upstream per module and a helper building clients against it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from spyglass.llm import ChatModel, LLMCache
from tests.fakes.openai_upstream import FakeOpenAI, Script


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[LLMCache]:
    with LLMCache(tmp_path / "llm.sqlite") as c:
        yield c


@pytest.fixture
def make_model(fake: FakeOpenAI, cache: LLMCache) -> Iterator[Callable[..., ChatModel]]:
    """``make_model(**kw)``: a ChatModel on the fake with this test's cache; closed after."""
    fake.script = Script()
    made: list[ChatModel] = []

    def make(**kw: Any) -> ChatModel:
        args: dict[str, Any] = {
            "base_url": fake.base_url,
            "api_key": "sk-test",
            "max_retries": 0,
            "cache": cache,
        }
        args.update(kw)
        model = ChatModel(args.pop("model", "gpt-4o-mini"), **args)
        made.append(model)
        return model

    yield make
    for model in made:
        model.close()
