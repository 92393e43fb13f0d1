"""Embeddings for the similarity checks: unit rows, blank texts, bad embedders, the model."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from typing import Any

import numpy as np
import pytest

from spyglass.checks import embedding
from spyglass.checks.embedding import EXTRA_HINT, default_embedder, embed, similarities
from spyglass.exceptions import CheckError

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def letters(texts: list[str]) -> np.ndarray[Any, Any]:
    """Bag of letters: a text of digits or punctuation only is the zero vector."""
    return np.array(
        [[t.lower().count(c) for c in LETTERS] for t in texts],
        dtype=np.float64,
    )


def letters_as_lists(texts: list[str]) -> list[list[float]]:
    return [[float(t.lower().count(c)) for c in LETTERS] for t in texts]


class Recorder:
    """Bag of letters that records every batch it is given."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, texts: list[str]) -> np.ndarray[Any, Any]:
        self.calls.append(list(texts))
        return letters(texts)


# -- embed with a fake embedder ----------------------------------------------------------------


@pytest.mark.parametrize("embedder", [letters, letters_as_lists])
def test_rows_are_unit_length_float32_one_per_text(embedder: Any) -> None:
    texts = ["abc", "hello world", "zzz top"]
    vectors = embed(texts, embedder)
    assert vectors.shape == (3, 26)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-6)
    # Direction is kept: "abc" is a, b and c in equal parts.
    expected = np.zeros(26, dtype=np.float32)
    expected[:3] = 1 / np.sqrt(3)
    np.testing.assert_allclose(vectors[0], expected, rtol=1e-6)


def test_blank_texts_get_zero_rows_and_are_not_sent() -> None:
    recorder = Recorder()
    vectors = embed(["abc", "", "  \n\t", "xyz"], recorder)
    assert recorder.calls == [["abc", "xyz"]]
    assert vectors.shape == (4, 26)
    assert not vectors[1].any() and not vectors[2].any()
    np.testing.assert_allclose(np.linalg.norm(vectors[[0, 3]], axis=1), 1.0, rtol=1e-6)


def test_all_blank_input_calls_nothing_and_gives_zero_rows() -> None:
    recorder = Recorder()
    vectors = embed(["", "   ", "\n"], recorder)
    assert recorder.calls == []
    assert vectors.shape[0] == 3
    assert vectors.dtype == np.float32
    assert not vectors.any()


def test_no_texts_gives_no_rows() -> None:
    recorder = Recorder()
    vectors = embed([], recorder)
    assert vectors.shape[0] == 0
    assert recorder.calls == []


def test_a_zero_vector_from_the_embedder_stays_zero() -> None:
    vectors = embed(["123 456", "abc"], letters)  # digits only: the bag of letters is empty
    assert np.isfinite(vectors).all()
    assert not vectors[0].any()
    assert np.linalg.norm(vectors[1]) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("embedder", "shape"),
    [
        (lambda texts: letters(texts)[:1], r"\(1, 26\) for 2 texts"),  # a row short
        (lambda texts: np.vstack([letters(texts), letters(texts)]), r"\(4, 26\) for 2 texts"),
        (lambda texts: letters(texts).sum(axis=0), r"\(26,\) for 2 texts"),  # 1-D
        (lambda texts: letters(texts)[:, :, None], r"\(2, 26, 1\) for 2 texts"),  # 3-D
    ],
)
def test_a_wrongly_shaped_embedder_output_is_a_check_error(embedder: Any, shape: str) -> None:
    with pytest.raises(CheckError, match=shape) as info:
        embed(["abc", "def"], embedder)
    assert "one vector per text" in str(info.value)


def test_a_single_text_with_a_flat_vector_is_a_check_error() -> None:
    with pytest.raises(CheckError, match=r"shape \(26,\) for 1 texts"):
        embed(["abc"], lambda texts: letters(texts)[0])


# -- similarities ------------------------------------------------------------------------------


def test_similarities_shape_and_values() -> None:
    a = embed(["abc", "xyz"], letters)
    b = embed(["abc", "cab", "xyz", "abcxyz"], letters)
    sims = similarities(a, b)
    assert sims.shape == (2, 4)
    np.testing.assert_allclose(sims[0, :3], [1.0, 1.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(sims[1, :3], [0.0, 0.0, 1.0], atol=1e-6)
    np.testing.assert_allclose(sims[:, 3], [1 / np.sqrt(2)] * 2, rtol=1e-6)


def test_similarities_with_an_empty_side_are_zeros_of_the_right_shape() -> None:
    a = embed(["abc", "xyz", "qq"], letters)
    empty = embed([], letters)
    left = similarities(empty, a)
    right = similarities(a, empty)
    assert left.shape == (0, 3) and right.shape == (3, 0)


def test_similarities_with_an_all_blank_side_are_zero() -> None:
    blank = embed(["", " "], letters)
    texts = embed(["abc"], letters)
    sims = similarities(blank, texts)
    assert sims.shape == (2, 1)
    assert not sims.any()
    assert similarities(texts, blank).shape == (1, 2)


def test_similarities_of_different_sizes_are_a_check_error() -> None:
    a = embed(["abc"], letters)
    b = embed(["abc"], lambda texts: [[1.0, 2.0]])
    with pytest.raises(CheckError, match="different sizes: 26 and 2"):
        similarities(a, b)


# -- the shipped model -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def model() -> Any:
    return default_embedder()


def test_the_default_model_is_loaded_once(model: Any) -> None:
    assert default_embedder() is model
    vectors = embed(["hello world", ""])
    assert vectors.shape == (2, 256)
    assert vectors.dtype == np.float32
    assert np.linalg.norm(vectors[0]) == pytest.approx(1.0, abs=1e-5)
    assert not vectors[1].any()


@pytest.mark.parametrize(
    ("text", "paraphrase", "unrelated"),
    [
        (
            "How do I reset my password?",
            "I forgot my password, how can I change it?",
            "What's the weather in Paris?",
        ),
        (
            "The meeting moved to Friday.",
            "We rescheduled the meeting for Friday.",
            "Bananas are a yellow fruit.",
        ),
        (
            "Can you recommend a good pasta recipe?",
            "What is a nice dish to cook with spaghetti?",
            "My car needs new brake pads.",
        ),
    ],
)
def test_paraphrases_are_closer_than_unrelated_texts(
    model: Any, text: str, paraphrase: str, unrelated: str
) -> None:
    vectors = embed([text, paraphrase, unrelated], model)
    sims = similarities(vectors[:1], vectors[1:])[0]
    assert sims[0] > sims[1] + 0.2
    assert float(similarities(vectors[:1], vectors[:1])[0, 0]) == pytest.approx(1.0, abs=1e-5)


PROBE = textwrap.dedent(
    """
    import logging
    import socket

    def refuse(*args, **kwargs):
        raise OSError("network disabled by the test")

    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse
    root = logging.getLogger()
    before = (list(root.handlers), root.level)
    from spyglass.checks.embedding import embed
    vectors = embed(["hello world"])
    after = (list(root.handlers), root.level)
    assert before == after, f"root logger changed: {before} -> {after}"
    print(vectors.shape[1])
    """
)


def test_the_model_loads_offline_and_leaves_the_root_logger_alone() -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"}
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "256"


def test_without_the_extra_the_message_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = embedding.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name == "wordllama" else real(name, *args)

    monkeypatch.setattr(embedding, "find_spec", find_spec)
    monkeypatch.setattr(embedding, "_default", None)
    with pytest.raises(CheckError, match=r"pip install 'spyglass\[embeddings\]'"):
        default_embedder()
    with pytest.raises(CheckError) as info:
        embed(["some text"])
    assert str(info.value) == EXTRA_HINT
    # An embedder of one's own needs no extra.
    assert embed(["abc"], letters).shape == (1, 26)


def test_ragged_embedder_rows_are_a_check_error() -> None:
    with pytest.raises(CheckError, match="one equal-length vector per text"):
        embed(["a", "b"], lambda texts: [[1.0, 2.0], [1.0]])


@pytest.mark.parametrize("bad", [float("inf"), float("nan"), 1e300])
def test_non_finite_vectors_are_a_check_error(bad: float) -> None:
    with pytest.raises(CheckError, match="infinite or NaN"):
        embed(["a"], lambda texts: [[bad, 1.0]])


def test_the_shipped_model_keeps_order_and_reads_long_texts_in_bounded_memory() -> None:
    texts = ["roll the dice", "x " * 40_000, "take two pills", "hello"]
    together = embed(texts)
    one_by_one = np.vstack([embed([t]) for t in texts])
    assert together.shape == (4, 256)
    np.testing.assert_allclose(together, one_by_one, atol=1e-5)
