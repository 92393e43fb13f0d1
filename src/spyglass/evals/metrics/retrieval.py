"""Retrieval quality from labelled ids: hit rate, recall, precision, MRR and nDCG at k.

``retrieved`` is the ranked list of ids the system returned, best first. ``relevant`` is
either the relevant ids (binary relevance, gain 1) or a mapping ``{id: gain}`` (graded
relevance; ids with gain 0 count as not relevant, negative gains are an error). Only the
first ``k`` positions count (``k=None``: the whole list). An id repeated in ``retrieved``
earns credit once, at its first position; later copies count as non-relevant positions.

Checks (``higher_is_better``) read the ranked ids from ``context.metadata["retrieved_ids"]``
and the labels from ``context.metadata["relevant_ids"]`` (a list or an ``{id: gain}``
object); ids are compared as strings, so 7 and "7" are the same document. ``k`` defaults to
the whole retrieved list, which in a RAG application is what reaches the prompt. Without
retrieved ids, or without any relevant id, the check is unscored (a query with no relevant
document has no recall or nDCG). An empty retrieved list is scored: nothing was found.

=================  =====================  ==================================================
check              ``default_threshold``  why
=================  =====================  ==================================================
``hit-at-k``       1.0                    at least one relevant id retrieved (score is 0/1)
``recall-at-k``    0.5                    at least half of the relevant ids retrieved
``precision-at-k`` 0.5                    at least half of the top k is relevant
``mrr``            0.5                    the first relevant id at rank 1 or 2
``ndcg``           0.5                    the ranking is at least half as good as the ideal
=================  =====================  ==================================================
"""

from __future__ import annotations

import math
from abc import abstractmethod
from collections.abc import Collection, Hashable, Mapping, Sequence
from typing import Any, ClassVar

from spyglass.checks.base import Check, CheckContext, Verdict
from spyglass.checks.registry import register
from spyglass.exceptions import CheckError, PolicyError

__all__ = [
    "HitAtK",
    "Mrr",
    "NdcgAtK",
    "PrecisionAtK",
    "RecallAtK",
    "hit_at_k",
    "mrr",
    "ndcg_at_k",
    "precision_at_k",
    "recall_at_k",
]

Relevance = Collection[Hashable] | Mapping[Hashable, float]
RETRIEVED_KEY = "retrieved_ids"
RELEVANT_KEY = "relevant_ids"


def _gains(relevant: Relevance) -> dict[Hashable, float]:
    """{id: gain > 0}; a bare string is refused because it would iterate as characters."""
    if isinstance(relevant, str):
        raise TypeError("relevant must be a collection of ids or an {id: gain} mapping")
    if isinstance(relevant, Mapping):
        gains: dict[Hashable, float] = {}
        for doc, gain in relevant.items():
            value = float(gain)
            if not value >= 0:  # also refuses NaN
                raise ValueError(f"relevance gains must be >= 0, got {gain!r} for {doc!r}")
            if value > 0:
                gains[doc] = value
        return gains
    return dict.fromkeys(relevant, 1.0)


def _top(retrieved: Sequence[Hashable], k: int | None) -> list[Hashable | None]:
    """The first k positions, later copies of an id replaced by None (no second credit)."""
    if k is not None and k < 1:
        raise ValueError(f"k must be a positive integer, got {k}")
    if isinstance(retrieved, str):
        raise TypeError("retrieved must be a sequence of ids")
    seen: set[Hashable] = set()
    out: list[Hashable | None] = []
    for doc in retrieved[:k] if k is not None else retrieved:
        out.append(None if doc in seen else doc)
        seen.add(doc)
    return out


def _hits(retrieved: Sequence[Hashable], relevant: Relevance, k: int | None) -> tuple[int, int]:
    gains = _gains(relevant)
    return sum(doc in gains for doc in _top(retrieved, k) if doc is not None), len(gains)


def hit_at_k(retrieved: Sequence[Hashable], relevant: Relevance, k: int | None = None) -> float:
    """Hit@k = 1 if any of the top k retrieved ids is relevant, else 0."""
    return float(_hits(retrieved, relevant, k)[0] > 0)


def recall_at_k(retrieved: Sequence[Hashable], relevant: Relevance, k: int | None = None) -> float:
    """Recall@k = |relevant ids in the top k| / |relevant ids|. ValueError with no relevant id.

    As trec_eval's ``recall_k`` and ranx's ``recall@k``.
    """
    found, total = _hits(retrieved, relevant, k)
    if total == 0:
        raise ValueError("recall is undefined without relevant ids")
    return found / total


def precision_at_k(
    retrieved: Sequence[Hashable], relevant: Relevance, k: int | None = None
) -> float:
    """Precision@k = |relevant ids in the top k| / k.

    The denominator is k even when fewer than k ids were retrieved (trec_eval's ``P_k``
    convention: a short list is not rewarded); with ``k=None`` it is the list's length, and
    an empty list scores 0.
    """
    found, _ = _hits(retrieved, relevant, k)
    size = len(retrieved) if k is None else k
    return found / size if size else 0.0


def mrr(retrieved: Sequence[Hashable], relevant: Relevance, k: int | None = None) -> float:
    """Reciprocal rank: 1 / rank of the first relevant id in the top k (ranks from 1), or 0.

    One query's term of the mean reciprocal rank (Voorhees, TREC-8 QA, 1999); averaging over
    a dataset gives MRR@k.
    """
    gains = _gains(relevant)
    for rank, doc in enumerate(_top(retrieved, k), start=1):
        if doc is not None and doc in gains:
            return 1.0 / rank
    return 0.0


def ndcg_at_k(retrieved: Sequence[Hashable], relevant: Relevance, k: int | None = None) -> float:
    """nDCG@k = DCG@k / IDCG@k, with linear gains and the log2 rank discount.

    DCG@k = sum over ranks i = 1..k of gain(doc_i) / log2(i + 1); IDCG@k is the DCG of the
    ideal ranking: every relevant id sorted by gain, highest first, cut at k (so a list with
    all relevant ids on top scores 1 however short it is). Binary relevance gives every
    relevant id gain 1. ValueError with no relevant id (IDCG = 0).

    Reference: Jarvelin & Kekalainen 2002, with the linear gain of trec_eval's ``ndcg_cut``
    and scikit-learn's ``ndcg_score`` (not the 2^rel - 1 variant).
    """
    gains = _gains(relevant)
    if not gains:
        raise ValueError("nDCG is undefined without relevant ids")
    top = _top(retrieved, k)
    dcg = sum(
        gains.get(doc, 0.0) / math.log2(rank + 1)
        for rank, doc in enumerate(top, start=1)
        if doc is not None
    )
    ideal = sorted(gains.values(), reverse=True)[:k]
    idcg = sum(gain / math.log2(rank + 1) for rank, gain in enumerate(ideal, start=1))
    return min(1.0, dcg / idcg)


# -- checks ----------------------------------------------------------------------------------


def _ids(value: Any, what: str) -> list[str]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise CheckError(f"metadata[{what!r}] must be a list of ids, got {type(value).__name__}")
    return [str(doc) for doc in value]


def _labels(value: Any) -> dict[str, float]:
    """Relevant ids as {id: gain > 0}, from a list of ids or an {id: gain} object."""
    if not isinstance(value, Mapping):
        return dict.fromkeys(_ids(value, RELEVANT_KEY), 1.0)
    labels: dict[str, float] = {}
    for doc, gain in value.items():
        try:
            number = float(gain)
        except (TypeError, ValueError):
            number = math.nan
        if not number >= 0:
            raise CheckError(f"metadata[{RELEVANT_KEY!r}]: gain of {doc!r} is not a number >= 0")
        if number > 0:
            labels[str(doc)] = number
    return labels


class _RetrievalMetric(Check):
    """Reads the ranked and the relevant ids from the context's metadata."""

    higher_is_better = True
    metric: ClassVar[str] = ""

    def __init__(
        self, *, k: int | None = None, threshold: float | None = None, label: str | None = None
    ) -> None:
        super().__init__(threshold=threshold, label=label)
        if k is not None and (isinstance(k, bool) or not isinstance(k, int) or k < 1):
            raise PolicyError(f"{self.name}: k must be a positive integer, got {k!r}")
        self.k = k

    def evaluate(self, text: str, context: CheckContext) -> Verdict:
        raw_retrieved = context.metadata.get(RETRIEVED_KEY)
        if raw_retrieved is None:
            return Verdict(score=None, explanation="no retrieved ids")
        raw_relevant = context.metadata.get(RELEVANT_KEY)
        relevant = {} if raw_relevant is None else _labels(raw_relevant)
        if not relevant:
            return Verdict(score=None, explanation="no relevant ids")
        retrieved = _ids(raw_retrieved, RETRIEVED_KEY)
        score = self.compute(retrieved, relevant)
        at = "" if self.k is None else f"@{self.k}"
        found = sum(doc in relevant for doc in set(retrieved[: self.k]))
        return Verdict(
            score=score,
            explanation=(
                f"{self.metric}{at} {score:.3f}: {found} of {len(relevant)} relevant ids "
                f"among {min(len(retrieved), self.k or len(retrieved))} retrieved"
            ),
        )

    @abstractmethod
    def compute(self, retrieved: list[str], relevant: dict[str, float]) -> float:
        """The metric of one ranked list against its relevance labels."""


@register
class HitAtK(_RetrievalMetric):
    """1 when a relevant id is among the top k retrieved; see :func:`hit_at_k`."""

    name = "hit-at-k"
    metric = "hit"
    default_threshold = 1.0

    def compute(self, retrieved: list[str], relevant: dict[str, float]) -> float:
        return hit_at_k(retrieved, relevant, self.k)


@register
class RecallAtK(_RetrievalMetric):
    """Share of the relevant ids among the top k retrieved; see :func:`recall_at_k`."""

    name = "recall-at-k"
    metric = "recall"
    default_threshold = 0.5

    def compute(self, retrieved: list[str], relevant: dict[str, float]) -> float:
        return recall_at_k(retrieved, relevant, self.k)


@register
class PrecisionAtK(_RetrievalMetric):
    """Share of the top k retrieved that is relevant; see :func:`precision_at_k`."""

    name = "precision-at-k"
    metric = "precision"
    default_threshold = 0.5

    def compute(self, retrieved: list[str], relevant: dict[str, float]) -> float:
        return precision_at_k(retrieved, relevant, self.k)


@register
class Mrr(_RetrievalMetric):
    """Reciprocal rank of the first relevant id; see :func:`mrr`."""

    name = "mrr"
    metric = "RR"
    default_threshold = 0.5

    def compute(self, retrieved: list[str], relevant: dict[str, float]) -> float:
        return mrr(retrieved, relevant, self.k)


@register
class NdcgAtK(_RetrievalMetric):
    """nDCG of the ranking, binary or graded relevance; see :func:`ndcg_at_k`."""

    name = "ndcg"
    metric = "nDCG"
    default_threshold = 0.5

    def compute(self, retrieved: list[str], relevant: dict[str, float]) -> float:
        return ndcg_at_k(retrieved, relevant, self.k)
