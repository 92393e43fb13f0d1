"""``semantic-topics``: text about a banned topic, matched by meaning rather than keywords.

Needs the ``embeddings`` extra (``pip install 'spyglass[embeddings]'``; see
:mod:`spyglass.checks.embedding`) or an ``embedder`` of your own.

A topic is described by example sentences — how people raise it, in their words. The text is
cut into sentences; each sentence, and the whole text when it has several, is embedded and
compared with every example (cosine similarity). A topic's score is its best match, the
text's score is the score of its closest topic (which is also the label), and each sentence
that reaches the threshold is a finding with its character span.

Parameters:
    topics: ``{topic: [example sentences]}`` (a single string is one example).
    builtin: names of ready-made topics whose examples ship in ``data/topics.json``: politics,
        medical-advice, legal-advice, financial-advice, violence, weapons, gambling, religion
        (the same names as the keyword lists of ``banned-topics``).
    threshold: the similarity at which a text is about a topic (default 0.4, chosen on the
        development half of ``benchmarks/data/topics_semantic.jsonl``; docs/benchmarks.md has
        precision and recall on the other half). Similarities depend on the model: re-tune it
        with ``spyglass guard eval`` when you bring your own embedder.
    model, base_url, api_key: an embeddings model behind an OpenAI-compatible endpoint
        (``text-embedding-3-small``, or a local server's) instead of the shipped one.
    embedder: (Python only) any ``Embedder``; the shipped WordLlama model by default.

Known limits: the default model pools word meanings and ignores word order and negation
("I don't want to talk about the election" is about politics too), and it and the built-in
examples are English. A piece shorter than ``MIN_SENTENCE_CHARS`` joins the sentence after it
(a short last piece stays alone); text past ``MAX_TEXT_CHARS`` is not read. Use it beside
``banned-topics``: keywords catch the topic's own vocabulary precisely, examples catch the
ways around it.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Mapping, Sequence
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING

from spyglass.checks.base import Check, CheckContext, Finding, Verdict
from spyglass.checks.embedding import Embedder, embed, resolve_embedder, similarities
from spyglass.checks.registry import register
from spyglass.exceptions import PolicyError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["SemanticTopics", "builtin_descriptions", "sentences"]

# A sentence ends at . ! ? (or a run of them) followed by space, or at a line break.
# A closing quote or bracket after the stop stays with its sentence.
# CJK full stops end a sentence without a following space.
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"')\]]))\s+|\n\s*|(?<=[\u3002\uff01\uff1f])")
# Longest piece compared: a sentence-less run of text (a log, a blob, a long CJK paragraph)
# is cut into windows of this many characters, at a space where there is one.
WINDOW_CHARS = 1_000
# Text beyond this many characters is not read (the explanation says so).
MAX_TEXT_CHARS = 100_000
# Pieces shorter than this join the next one: "Hi." or "1." alone carry no topic.
MIN_SENTENCE_CHARS = 12
# The whole text is compared too, up to this length, so a topic spread over sentences counts.
WHOLE_TEXT_CHARS = 2_000


@cache
def builtin_descriptions() -> dict[str, list[str]]:
    """The ready-made topics' example sentences, by name."""
    import json

    raw = files("spyglass.checks").joinpath("data", "topics.json").read_text(encoding="utf-8")
    described: dict[str, list[str]] = json.loads(raw)["descriptions"]
    return described


def sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text``: trimmed, a short piece merged into the
    sentence after it, a piece longer than ``WINDOW_CHARS`` cut into windows."""
    spans: list[tuple[int, int]] = []
    start = 0
    pending: int | None = None
    for m in _SENTENCE_END.finditer(text):
        if m.end() == start:  # a zero-width end right after another one
            continue
        _add(text, spans, pending if pending is not None else start, m.start())
        pending = None
        if spans and spans[-1][1] - spans[-1][0] < MIN_SENTENCE_CHARS:
            pending = spans.pop()[0]
        start = m.end()
    _add(text, spans, pending if pending is not None else start, len(text))
    return spans


def _add(text: str, spans: list[tuple[int, int]], start: int, end: int) -> None:
    while start < end:
        while start < end and text[start].isspace():
            start += 1
        stop = end
        if stop - start > WINDOW_CHARS:
            cut = text.rfind(" ", start + WINDOW_CHARS // 2, start + WINDOW_CHARS)
            stop = cut if cut > start else start + WINDOW_CHARS
        piece_end = stop
        while piece_end > start and text[piece_end - 1].isspace():
            piece_end -= 1
        if piece_end > start:
            spans.append((start, piece_end))
        start = stop


def _examples(value: object, topic: str) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, Sequence) or not items:
        raise PolicyError(f"semantic-topics: {topic} needs example sentences, got {value!r}")
    if not all(isinstance(v, str) and v.strip() for v in items):
        raise PolicyError(f"semantic-topics: the examples of {topic} must be non-empty strings")
    return [v.strip() for v in items]


@register
class SemanticTopics(Check):
    """Text about a topic the application must not discuss, by embedding similarity."""

    name = "semantic-topics"
    default_threshold = 0.4

    def __init__(
        self,
        *,
        topics: Mapping[str, Sequence[str] | str] | None = None,
        builtin: Sequence[str] = (),
        embedder: Embedder | None = None,
        model: str | None = None,
        base_url: str | None = None,
        api_key: str | None = None,
        threshold: float | None = None,
        label: str | None = None,
    ) -> None:
        super().__init__(threshold=threshold, label=label)
        chosen: dict[str, list[str]] = {}
        if isinstance(builtin, str) or not isinstance(builtin, Sequence):
            raise PolicyError(f"semantic-topics: builtin must be a list of names, got {builtin!r}")
        available = builtin_descriptions()
        for name in builtin:
            if name not in available:
                known = ", ".join(sorted(available))
                raise PolicyError(f"semantic-topics: no built-in topic {name!r}; known: {known}")
            chosen[name] = list(available[name])
        if topics is not None:
            if not isinstance(topics, Mapping):
                raise PolicyError("semantic-topics: topics must map a topic name to examples")
            for name, examples in topics.items():
                if not isinstance(name, str) or not name.strip():
                    raise PolicyError(f"semantic-topics: topic names must be strings: {name!r}")
                chosen.setdefault(name, []).extend(_examples(examples, name))
        if not chosen:
            raise PolicyError("semantic-topics needs `topics` or `builtin` (or both)")
        self.topics = chosen
        self.embedder = resolve_embedder("semantic-topics", embedder, model, base_url, api_key)
        # Topic of each example row; the example vectors are computed on first use, so
        # building a policy stays cheap and needs no model until a text is checked.
        self._owner = [topic for topic, examples in chosen.items() for _ in examples]
        self._vectors: npt.NDArray[np.float32] | None = None
        self._lock = threading.Lock()

    def _example_vectors(self) -> npt.NDArray[np.float32]:
        with self._lock:
            if self._vectors is None:
                texts = [e for examples in self.topics.values() for e in examples]
                self._vectors = embed(texts, self.embedder)
            return self._vectors

    async def aevaluate(self, text: str, context: CheckContext) -> Verdict:
        # Model inference (or an endpoint call) is not for the event loop's thread.
        return await asyncio.to_thread(self.evaluate, text, context)

    def evaluate(self, text: str, context: CheckContext) -> Verdict:
        cut = len(text) > MAX_TEXT_CHARS
        spans = sentences(text[:MAX_TEXT_CHARS] if cut else text)
        if not spans:
            return Verdict(score=0.0, explanation="no text to compare")
        examples = self._example_vectors()
        pieces = [text[a:b] for a, b in spans]
        whole = len(spans) > 1 and len(text) <= WHOLE_TEXT_CHARS
        vectors = embed(pieces, self.embedder)
        if whole:
            import numpy as np

            # Embedded on its own: in one batch every sentence would be padded to the whole
            # text's length (4x the time on 1 KB).
            vectors = np.vstack([vectors, embed([text], self.embedder)])
        sims = similarities(vectors, examples)
        best: dict[str, float] = {}
        per_piece: list[tuple[float, str]] = []
        for row in sims:
            column = int(row.argmax())
            score = max(0.0, min(1.0, float(row[column])))
            topic = self._owner[column]
            per_piece.append((score, topic))
            best[topic] = max(best.get(topic, 0.0), score)
        order = list(self.topics)
        ranked = sorted(best, key=lambda t: (-best[t], order.index(t)))
        top = ranked[0]
        findings = tuple(
            Finding(a, b, _entity(topic), text[a:b], score)
            for (a, b), (score, topic) in zip(spans, per_piece, strict=False)
            if score >= self.threshold
        )
        if not findings and whole and per_piece[-1][0] >= self.threshold:
            score, topic = per_piece[-1]
            a, b = spans[0][0], spans[-1][1]
            findings = (Finding(a, b, _entity(topic), text[a:b], score),)
        about = best[top] >= self.threshold
        return Verdict(
            score=best[top],
            findings=findings,
            # The label names a topic only when the text is about it; a passing text's
            # closest topic is in the explanation.
            label=top if about else None,
            explanation=f"{'about' if about else 'closest topic'} {top} "
            f"(similarity {best[top]:.2f})"
            + (f"; only the first {MAX_TEXT_CHARS:,} characters were read" if cut else ""),
        )


def _entity(topic: str) -> str:
    return re.sub(r"\W+", "_", topic).strip("_").upper() or "TOPIC"
