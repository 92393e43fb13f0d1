"""Deterministic evaluation metrics, as plain functions and as registered checks.

Overlap with a reference (:mod:`.overlap`): :func:`bleu`, :func:`chrf`, :func:`rouge_l`,
:func:`rouge_n` (and the corpus-level :func:`corpus_bleu`, :func:`corpus_chrf`), equal to
sacrebleu and Google's rouge-score. Matching the expected answer (:mod:`.similarity`):
:func:`exact_match`, :func:`contains`, :func:`regex_match`, :func:`token_f1`,
:func:`levenshtein_similarity`, :func:`json_valid`, :func:`json_schema_valid`; by meaning
(:mod:`.semantic`, extra ``embeddings``): :func:`semantic_similarity`. Retrieval
from labelled ids (:mod:`.retrieval`): :func:`hit_at_k`, :func:`recall_at_k`,
:func:`precision_at_k`, :func:`mrr`, :func:`ndcg_at_k`.

Importing this package registers the checks (class in brackets) ``bleu`` (Bleu), ``chrf``
(Chrf), ``rouge-l`` (RougeL), ``rouge-n`` (RougeN), ``exact-match`` (ExactMatch),
``contains`` (Contains), ``regex-match`` (RegexMatch), ``token-f1`` (TokenF1),
``levenshtein`` (Levenshtein), ``semantic-similarity`` (SemanticSimilarity; extra
``embeddings``), ``hit-at-k`` (HitAtK), ``recall-at-k`` (RecallAtK),
``precision-at-k`` (PrecisionAtK), ``mrr`` (Mrr) and ``ndcg`` (NdcgAtK); all score 0-1 with
1 best (``higher_is_better``). Reference-based checks read ``context.expected`` and
``context.metadata["expected_list"]`` and are unscored without either; retrieval checks read
``metadata["retrieved_ids"]`` and ``metadata["relevant_ids"]``.
"""

from spyglass.evals.metrics.overlap import (
    Bleu,
    Chrf,
    RougeL,
    RougeN,
    bleu,
    chrf,
    corpus_bleu,
    corpus_chrf,
    rouge_l,
    rouge_n,
)
from spyglass.evals.metrics.retrieval import (
    HitAtK,
    Mrr,
    NdcgAtK,
    PrecisionAtK,
    RecallAtK,
    hit_at_k,
    mrr,
    ndcg_at_k,
    precision_at_k,
    recall_at_k,
)
from spyglass.evals.metrics.semantic import SemanticSimilarity, semantic_similarity
from spyglass.evals.metrics.similarity import (
    Contains,
    ExactMatch,
    Levenshtein,
    RegexMatch,
    TokenF1,
    contains,
    exact_match,
    json_schema_valid,
    json_valid,
    levenshtein_distance,
    levenshtein_similarity,
    regex_match,
    token_f1,
)

__all__ = [
    "Bleu",
    "Chrf",
    "Contains",
    "ExactMatch",
    "HitAtK",
    "Levenshtein",
    "Mrr",
    "NdcgAtK",
    "PrecisionAtK",
    "RecallAtK",
    "RegexMatch",
    "RougeL",
    "RougeN",
    "SemanticSimilarity",
    "TokenF1",
    "bleu",
    "chrf",
    "contains",
    "corpus_bleu",
    "corpus_chrf",
    "exact_match",
    "hit_at_k",
    "json_schema_valid",
    "json_valid",
    "levenshtein_distance",
    "levenshtein_similarity",
    "mrr",
    "ndcg_at_k",
    "precision_at_k",
    "recall_at_k",
    "regex_match",
    "rouge_l",
    "rouge_n",
    "semantic_similarity",
    "token_f1",
]
