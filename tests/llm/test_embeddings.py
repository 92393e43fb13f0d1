"""EmbeddingModel and the endpoint-backed similarity checks against the fake OpenAI upstream."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from spyglass.checks import embedding as embedding_module
from spyglass.checks.base import CheckContext
from spyglass.checks.embedding import resolve_embedder
from spyglass.checks.registry import create_check
from spyglass.evals.metrics.semantic import SemanticSimilarity
from spyglass.exceptions import ConfigError, LLMError, PolicyError
from spyglass.llm import embeddings as embeddings_module
from spyglass.llm.embeddings import EmbeddingModel
from tests.fakes.openai_upstream import FakeOpenAI, Script

# Text-dependent vectors: what a real model would do for these few words.
_VECTORS = {"dice": [1.0, 0.0, 0.0], "pills": [0.0, 1.0, 0.0]}


def _vector(text: str) -> list[float]:
    for word, vector in _VECTORS.items():
        if word in text:
            return vector
    return [0.0, 0.0, 1.0]


@pytest.fixture
def fake(fake: FakeOpenAI) -> Iterator[FakeOpenAI]:
    fake.script = Script(embedding_handler=_vector)
    yield fake
    fake.script = Script()


def _embedding_requests(fake: FakeOpenAI, since: int = 0) -> list[dict[str, object]]:
    return [r.body for r in fake.requests[since:] if r.path == "/v1/embeddings"]


def _model(fake: FakeOpenAI, **kw: object) -> EmbeddingModel:
    return EmbeddingModel(
        "text-embedding-3-small",
        base_url=fake.base_url,
        api_key="sk-test",
        max_retries=0,
        **kw,  # type: ignore[arg-type]
    )


def test_one_vector_per_text_in_order(fake: FakeOpenAI) -> None:
    since = len(fake.requests)
    model = _model(fake)
    assert model(["roll the dice", "two pills", "hello"]) == [
        [1.0, 0.0, 0.0],
        [0.0, 1.0, 0.0],
        [0.0, 0.0, 1.0],
    ]
    (body,) = _embedding_requests(fake, since)
    assert body["model"] == "text-embedding-3-small"
    assert body["input"] == ["roll the dice", "two pills", "hello"]
    assert body["encoding_format"] == "float"
    assert "dimensions" not in body


def test_dimensions_are_sent_when_set(fake: FakeOpenAI) -> None:
    fake.script = Script()  # index-based vectors of the requested size
    since = len(fake.requests)
    (vector,) = _model(fake, dimensions=4)(["x"])
    assert len(vector) == 4
    assert _embedding_requests(fake, since)[0]["dimensions"] == 4


def test_texts_are_embedded_once_per_process(fake: FakeOpenAI) -> None:
    model = _model(fake)
    since = len(fake.requests)
    model(["dice", "dice", "pills"])
    model(["pills", "dice"])
    bodies = _embedding_requests(fake, since)
    assert [b["input"] for b in bodies] == [["dice", "pills"]]
    assert model.requests == 1


def test_the_cache_forgets_the_oldest_texts(fake: FakeOpenAI) -> None:
    model = _model(fake, cache_size=2)
    since = len(fake.requests)
    model(["a dice", "b pills", "c"])
    model(["a dice"])
    assert [b["input"] for b in _embedding_requests(fake, since)] == [
        ["a dice", "b pills", "c"],
        ["a dice"],
    ]


def test_many_texts_go_in_batches(fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embeddings_module, "BATCH_SIZE", 2)
    since = len(fake.requests)
    vectors = _model(fake)([f"text {i}" for i in range(5)])
    assert len(vectors) == 5
    assert [len(b["input"]) for b in _embedding_requests(fake, since)] == [2, 2, 1]  # type: ignore[arg-type]


def test_an_http_error_is_an_llm_error_with_the_endpoints_message(fake: FakeOpenAI) -> None:
    fake.script = Script(error_status=404)
    with pytest.raises(LLMError, match="HTTP 404: The model `does-not-exist`") as info:
        _model(fake)(["x"])
    assert info.value.status == 404


def test_an_unreachable_endpoint_is_an_llm_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    model = EmbeddingModel(
        "m", base_url=f"http://127.0.0.1:{port}/v1", api_key="sk-test", max_retries=0, timeout=5
    )
    with pytest.raises(LLMError, match="cannot reach the endpoint"):
        model(["x"])


@pytest.mark.parametrize(("model", "kw"), [("", {}), ("m", {"dimensions": 0})])
def test_bad_settings_are_config_errors(model: str, kw: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        EmbeddingModel(model, api_key="sk-test", **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"embedder": len, "model": "m"}, "an embedder or a model, not both"),
        ({"base_url": "http://x"}, "base_url and api_key need a model"),
        ({"model": 3}, "model must be a non-empty string"),
        ({"model": "m", "api_key": ""}, "api_key must be a non-empty string"),
        ({"embedder": "not callable"}, "embedder must be callable"),
    ],
)
def test_resolve_embedder_rejects_what_cannot_work(kw: dict[str, object], message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        resolve_embedder("semantic-topics", **kw)


def test_semantic_topics_with_an_endpoint_model_from_policy_params(fake: FakeOpenAI) -> None:
    check = create_check(
        "semantic-topics",
        topics={"gambling": ["Where can I throw dice for money?"]},
        model="text-embedding-3-small",
        base_url=fake.base_url,
        api_key="sk-test",
    )
    flagged = check.run("Let's roll the dice tonight.")
    assert flagged.passed is False and flagged.label == "gambling"
    assert flagged.findings[0].entity == "GAMBLING"
    clean = check.run("What are two pills for?")
    assert clean.passed is True and clean.score == 0.0


def test_a_missing_key_leaves_the_check_unscored_with_the_reason(
    fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    check = create_check(
        "semantic-topics", topics={"t": ["dice"]}, model="m", base_url=fake.base_url
    )  # building the policy needs no key
    result = check.run("roll the dice")
    assert result.unscored and result.error is not None
    assert "API key" in result.error


def test_semantic_similarity_with_an_endpoint_model(fake: FakeOpenAI) -> None:
    metric = SemanticSimilarity(model="text-embedding-3-small", base_url=fake.base_url, api_key="k")
    same = metric.run("I rolled the dice", CheckContext(expected="dice again"))
    other = metric.run("I rolled the dice", CheckContext(expected="take two pills"))
    assert same.score == pytest.approx(1.0) and same.passed is True
    assert other.score == 0.0 and other.passed is False


def test_an_endpoint_model_uses_the_judge_endpoint_settings(
    fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A setup whose model calls stay local must not send texts to OpenAI's default endpoint.
    monkeypatch.setenv("SPYGLASS_JUDGE_BASE_URL", fake.base_url)
    monkeypatch.setenv("SPYGLASS_JUDGE_API_KEY", "sk-judge")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    since = len(fake.requests)
    check = create_check("semantic-topics", topics={"t": ["dice"]}, model="m")
    assert check.run("roll the dice").passed is False
    (request,) = [r for r in fake.requests[since:] if r.path == "/v1/embeddings"][:1]
    assert request.headers["authorization"] == "Bearer sk-judge"


def test_an_endpoint_model_without_the_openai_package_is_refused_when_the_policy_loads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = embedding_module.find_spec
    monkeypatch.setattr(
        embedding_module, "find_spec", lambda name: None if name == "openai" else real(name)
    )
    with pytest.raises(PolicyError, match=r"pip install 'spyglass\[evals\]'"):
        create_check("semantic-similarity", model="text-embedding-3-small")
