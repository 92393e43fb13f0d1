"""N-gram overlap with a reference: BLEU, chrF, ROUGE-L and ROUGE-N.

Each function reproduces a reference implementation's defaults exactly: the same tokenisation
and the same floating-point arithmetic in the same order, so the scores are equal to theirs,
not merely close (the tests compare them on random text).

- :func:`bleu`, :func:`corpus_bleu`: ``sacrebleu.sentence_bleu`` / ``corpus_bleu``
  (sacrebleu 2.x), 0-100.
- :func:`chrf`, :func:`corpus_chrf`: ``sacrebleu.sentence_chrf`` / ``corpus_chrf``, 0-100.
- :func:`rouge_l`, :func:`rouge_n`: Google's ``rouge-score`` ``RougeScorer`` F-measure of
  ``rougeL`` / ``rouge{n}``, 0-1; ``use_stemmer`` included (NLTK's Porter stemmer, ported in
  :mod:`._porter`).

Checks (``higher_is_better``; the score is always 0-1, BLEU and chrF divided by 100):

``bleu``      sentence BLEU (parameters ``lowercase``, ``tokenize``: 13a or none);
              ``default_threshold`` 0.3 (BLEU 30, commonly read as "understandable to good"
              for translation; free-form LLM answers score lower).
``chrf``      chrF (``word_order: 2`` for chrF++, ``lowercase``); threshold 0.5 (chrF 50).
``rouge-l``   ROUGE-L F-measure (``use_stemmer``); threshold 0.4 (strong abstractive
              summaries reach about 0.4).
``rouge-n``   ROUGE-N F-measure (``n``, 1 by default; ``use_stemmer``); threshold 0.4.

The reference comes from ``context.expected`` and/or ``context.metadata["expected_list"]``
(several references: BLEU uses them all, chrF and ROUGE the best one); with none the check is
unscored. Known limits: BLEU's 13a tokeniser and chrF are built for space-separated
languages; ROUGE's tokeniser keeps only ASCII letters and digits, so text in other scripts has
no tokens (score 0), exactly as in ``rouge-score``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from itertools import chain
from typing import Literal

from spyglass.checks.base import Verdict
from spyglass.checks.registry import register
from spyglass.evals.metrics._porter import stem as porter_stem
from spyglass.evals.metrics._reference import ReferenceMetric, flag, positive_int, unit_score
from spyglass.exceptions import PolicyError

__all__ = [
    "Bleu",
    "Chrf",
    "RougeL",
    "RougeN",
    "bleu",
    "chrf",
    "corpus_bleu",
    "corpus_chrf",
    "rouge_l",
    "rouge_n",
    "rouge_tokenize",
    "tokenize_13a",
]

# Tokenised segments are cached: an evaluation scores many outputs against the same
# references, and repeated outputs are common. sacrebleu caches 65,536; short segments cost a
# few hundred bytes each, so 4,096 keeps the cache around a megabyte.
TOKEN_CACHE_SIZE = 4096

SmoothMethod = Literal["exp", "floor", "add-k", "none"]
Tokenizer = Literal["13a", "none"]
_SMOOTH_DEFAULTS: dict[str, float | None] = {"none": None, "floor": 0.1, "add-k": 1, "exp": None}
BLEU_MAX_ORDER = 4
# What sacrebleu's my_log returns for log(0): a floor, so a zero precision gives BLEU 0.
_LOG_ZERO = -9999999999


def _references(references: str | Sequence[str]) -> list[str]:
    refs = [references] if isinstance(references, str) else list(references)
    if not refs:
        raise ValueError("at least one reference is needed")
    return refs


# -- BLEU ------------------------------------------------------------------------------------

# mteval-v13a.pl's tokenisation of punctuation, as sacrebleu's TokenizerRegexp writes it. The
# first rule pads single ASCII characters, so it runs as str.translate (same output, faster).
_13A_PAD = re.compile(r"([\{-\~\[-\` -\&\(-\+\:-\@\/])")
_13A_PAD_TABLE = {c: f" {chr(c)} " for c in range(128) if _13A_PAD.fullmatch(chr(c))}
_13A_PERIOD_COMMA = (
    (re.compile(r"([^0-9])([\.,])"), r"\1 \2 "),  # period and comma unless after a digit
    (re.compile(r"([\.,])([^0-9])"), r" \1 \2"),  # ... unless before a digit
)
_13A_DASH = re.compile(r"([0-9])(-)")  # a dash after a digit


@lru_cache(maxsize=TOKEN_CACHE_SIZE)
def tokenize_13a(line: str) -> tuple[str, ...]:
    """sacrebleu's default ``13a`` tokeniser (mteval-v13a, used by WMT), as a token tuple."""
    line = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ")
    if "&" in line:
        line = line.replace("&quot;", '"').replace("&amp;", "&")
        line = line.replace("&lt;", "<").replace("&gt;", ">")
    line = f" {line} ".translate(_13A_PAD_TABLE)
    if "." in line or "," in line:
        for pattern, replacement in _13A_PERIOD_COMMA:
            line = pattern.sub(replacement, line)
    if "-" in line:
        line = _13A_DASH.sub(r"\1 \2 ", line)
    return tuple(line.split())


def _bleu_tokens(text: str, lowercase: bool, tokenize: Tokenizer) -> tuple[str, ...]:
    if lowercase:
        text = text.lower()
    text = text.rstrip()
    return tokenize_13a(text) if tokenize == "13a" else tuple(text.split())


def _word_ngrams(tokens: tuple[str, ...], max_order: int) -> Counter[tuple[str, ...]]:
    return Counter(
        chain.from_iterable(
            zip(*(tokens[i:] for i in range(n)), strict=False) for n in range(1, max_order + 1)
        )
    )


def _bleu_stats(
    hypothesis: tuple[str, ...], references: list[tuple[str, ...]], max_order: int
) -> list[int]:
    """[hyp_len, ref_len, correct_1..correct_N, total_1..total_N] for one segment."""
    ref_ngrams = _word_ngrams(references[0], max_order)
    for ref in references[1:]:
        ref_ngrams |= _word_ngrams(ref, max_order)  # the highest count in any one reference
    hyp_len = len(hypothesis)
    # The closest reference length; on a tie the shorter one.
    ref_len = min((abs(hyp_len - len(r)), len(r)) for r in references)[1]
    correct = [0] * max_order
    total = [0] * max_order
    for ngram, count in _word_ngrams(hypothesis, max_order).items():
        n = len(ngram) - 1
        total[n] += count
        if ngram in ref_ngrams:
            correct[n] += min(count, ref_ngrams[ngram])
    return [hyp_len, ref_len, *correct, *total]


def _bleu_score(
    stats: list[int],
    max_order: int,
    smooth_method: SmoothMethod,
    smooth_value: float | None,
    effective_order: bool,
) -> float:
    """sacrebleu's ``BLEU.compute_bleu``, operation for operation."""
    if smooth_method not in _SMOOTH_DEFAULTS:
        raise ValueError(f"unknown smooth_method {smooth_method!r}")
    value = _SMOOTH_DEFAULTS[smooth_method] if smooth_value is None else smooth_value
    sys_len, ref_len = stats[0], stats[1]
    correct: list[float] = list(stats[2 : 2 + max_order])
    total: list[float] = list(stats[2 + max_order :])
    bp = 1.0
    if sys_len < ref_len:
        bp = math.exp(1 - ref_len / sys_len) if sys_len > 0 else 0.0
    if not any(correct):
        return 0.0
    precisions = [0.0] * max_order
    smooth_mteval = 1.0
    eff_order = max_order
    for n in range(1, max_order + 1):
        if smooth_method == "add-k" and n > 1:
            assert value is not None
            correct[n - 1] += value
            total[n - 1] += value
        if total[n - 1] == 0:
            break
        if effective_order:
            eff_order = n
        if correct[n - 1] == 0:
            if smooth_method == "exp":
                smooth_mteval *= 2
                precisions[n - 1] = 100.0 / (smooth_mteval * total[n - 1])
            elif smooth_method == "floor":
                assert value is not None
                precisions[n - 1] = 100.0 * value / total[n - 1]
        else:
            precisions[n - 1] = 100.0 * correct[n - 1] / total[n - 1]
    logs = sum(math.log(p) if p != 0.0 else _LOG_ZERO for p in precisions[:eff_order])
    return bp * math.exp(logs / eff_order)


def bleu(
    hypothesis: str,
    references: str | Sequence[str],
    *,
    lowercase: bool = False,
    tokenize: Tokenizer = "13a",
    smooth_method: SmoothMethod = "exp",
    smooth_value: float | None = None,
    max_ngram_order: int = BLEU_MAX_ORDER,
    effective_order: bool = True,
) -> float:
    """Sentence BLEU on sacrebleu's 0-100 scale, equal to ``sacrebleu.sentence_bleu``.

    Both texts are right-stripped and tokenised (13a); for n = 1..N (N = 4):
    p_n = matched n-grams / hypothesis n-grams, where a hypothesis n-gram matches at most as
    often as it occurs in any one reference (clipped counts, maximum over references).
    BLEU = 100 * BP * exp(sum(log p_n) / N), BP = 1 if c >= r else exp(1 - r / c), c the
    hypothesis length and r the reference length closest to it (the shorter on a tie).
    "exp" smoothing (NIST, Chen & Cherry 2014 method 3) replaces the k-th zero p_n with
    1 / (2^k * hypothesis n-grams); with ``effective_order`` orders the hypothesis is too short
    for are left out of N. No matched n-gram at all gives 0.

    Reference: sacrebleu 2.x ``BLEU`` (Post, 2018, "A Call for Clarity in Reporting BLEU
    Scores"); defaults match ``sacrebleu.sentence_bleu(hypothesis, references)``.
    """
    refs = [_bleu_tokens(r, lowercase, tokenize) for r in _references(references)]
    stats = _bleu_stats(_bleu_tokens(hypothesis, lowercase, tokenize), refs, max_ngram_order)
    return _bleu_score(stats, max_ngram_order, smooth_method, smooth_value, effective_order)


def corpus_bleu(
    hypotheses: Sequence[str],
    references: Sequence[str | Sequence[str]],
    *,
    lowercase: bool = False,
    tokenize: Tokenizer = "13a",
    smooth_method: SmoothMethod = "exp",
    smooth_value: float | None = None,
    max_ngram_order: int = BLEU_MAX_ORDER,
    effective_order: bool = False,
) -> float:
    """Corpus BLEU (0-100), equal to ``sacrebleu.corpus_bleu`` with its defaults.

    The formula of :func:`bleu` over statistics summed across segments: matched and total
    n-gram counts, hypothesis lengths and closest-reference lengths. ``references[i]`` holds
    the reference(s) of ``hypotheses[i]`` (sacrebleu takes the transpose: one list per
    reference set).
    """
    if len(hypotheses) != len(references):
        raise ValueError("hypotheses and references must have the same length")
    summed = [0] * (2 + 2 * max_ngram_order)
    for hypothesis, refs in zip(hypotheses, references, strict=True):
        tokens = [_bleu_tokens(r, lowercase, tokenize) for r in _references(refs)]
        stats = _bleu_stats(_bleu_tokens(hypothesis, lowercase, tokenize), tokens, max_ngram_order)
        summed = [a + b for a, b in zip(summed, stats, strict=True)]
    return _bleu_score(summed, max_ngram_order, smooth_method, smooth_value, effective_order)


# -- chrF ------------------------------------------------------------------------------------

CHRF_CHAR_ORDER = 6
CHRF_WORD_ORDER = 0
CHRF_BETA = 2
_CHRF_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_CHRF_EPS = 1e-16


def _chrf_words(text: str) -> list[str]:
    """Words with one punctuation mark split off their end (or else their start)."""
    words: list[str] = []
    for word in text.split():
        if len(word) == 1:
            words.append(word)
        elif word[-1] in _CHRF_PUNCTUATION:
            words += [word[:-1], word[-1]]
        elif word[0] in _CHRF_PUNCTUATION:
            words += [word[0], word[1:]]
        else:
            words.append(word)
    return words


def _chrf_ngrams(
    text: str, char_order: int, word_order: int, whitespace: bool
) -> list[Counter[str]]:
    line = text if whitespace else "".join(text.split())
    counters = [
        Counter(line[i : i + n] for i in range(len(line) - n + 1)) for n in range(1, char_order + 1)
    ]
    if word_order > 0:
        words = _chrf_words(text)
        for n in range(1, word_order + 1):
            counters.append(Counter(" ".join(words[i : i + n]) for i in range(len(words) - n + 1)))
    return counters


def _chrf_f(stats: list[int], order: int, beta: float, eps_smoothing: bool) -> float:
    """sacrebleu's ``CHRF._compute_f_score``, operation for operation (0-100)."""
    score = 0.0
    effective_order = 0
    factor = beta**2
    avg_prec, avg_rec = 0.0, 0.0
    for i in range(order):
        n_hyp, n_ref, n_match = stats[3 * i : 3 * i + 3]
        prec = n_match / n_hyp if n_hyp > 0 else _CHRF_EPS
        rec = n_match / n_ref if n_ref > 0 else _CHRF_EPS
        denom = factor * prec + rec
        score += ((1 + factor) * prec * rec / denom) if denom > 0 else _CHRF_EPS
        if n_hyp > 0 and n_ref > 0:
            avg_prec += prec
            avg_rec += rec
            effective_order += 1
    if eps_smoothing:
        return 100 * score / order
    if effective_order == 0:
        avg_prec = avg_rec = 0.0
    else:
        avg_prec /= effective_order
        avg_rec /= effective_order
    if avg_prec + avg_rec:
        score = (1 + factor) * avg_prec * avg_rec
        score /= (factor * avg_prec) + avg_rec
        return 100 * score
    return 0.0


def _chrf_stats(
    hypothesis: str,
    references: list[str],
    char_order: int,
    word_order: int,
    beta: float,
    lowercase: bool,
    whitespace: bool,
    eps_smoothing: bool,
) -> list[int]:
    """[hyp, ref, match] counts per order against the reference with the best chrF."""
    if lowercase:
        hypothesis = hypothesis.lower()
        references = [r.lower() for r in references]
    hyp = _chrf_ngrams(hypothesis, char_order, word_order, whitespace)
    best: list[int] = []
    best_f = -1.0
    for reference in references:
        stats: list[int] = []
        for h, r in zip(
            hyp, _chrf_ngrams(reference, char_order, word_order, whitespace), strict=True
        ):
            matched, hyp_count = 0, 0
            for ngram, count in h.items():
                hyp_count += count
                if ngram in r:
                    matched += min(count, r[ngram])
            stats += [hyp_count if r else 0, sum(r.values()), matched]
        f = _chrf_f(stats, char_order + word_order, beta, eps_smoothing)
        if f > best_f:
            best_f, best = f, stats
    return best


def chrf(
    hypothesis: str,
    references: str | Sequence[str],
    *,
    char_order: int = CHRF_CHAR_ORDER,
    word_order: int = CHRF_WORD_ORDER,
    beta: float = CHRF_BETA,
    lowercase: bool = False,
    whitespace: bool = False,
    eps_smoothing: bool = False,
) -> float:
    """chrF on sacrebleu's 0-100 scale, equal to ``sacrebleu.sentence_chrf``.

    Character n-grams of n = 1..6 with whitespace removed (plus word uni- and bigrams when
    ``word_order=2``: chrF++). Per order, P_n = matched / hypothesis n-grams and R_n =
    matched / reference n-grams (clipped counts); P and R are their means over the orders
    where both texts have n-grams. chrF = 100 * (1 + beta^2) * P * R / (beta^2 * P + R),
    beta = 2 (recall weighs twice precision). With several references the best-scoring one
    counts.

    Reference: sacrebleu 2.x ``CHRF`` (Popovic 2015 "chrF: character n-gram F-score";
    Popovic 2017 for chrF++).
    """
    stats = _chrf_stats(
        hypothesis,
        _references(references),
        char_order,
        word_order,
        beta,
        lowercase,
        whitespace,
        eps_smoothing,
    )
    return _chrf_f(stats, char_order + word_order, beta, eps_smoothing)


def corpus_chrf(
    hypotheses: Sequence[str],
    references: Sequence[str | Sequence[str]],
    *,
    char_order: int = CHRF_CHAR_ORDER,
    word_order: int = CHRF_WORD_ORDER,
    beta: float = CHRF_BETA,
    lowercase: bool = False,
    whitespace: bool = False,
    eps_smoothing: bool = False,
) -> float:
    """Corpus chrF (0-100), equal to ``sacrebleu.corpus_chrf``: :func:`chrf` over summed counts.

    ``references[i]`` holds the reference(s) of ``hypotheses[i]``.
    """
    if len(hypotheses) != len(references):
        raise ValueError("hypotheses and references must have the same length")
    order = char_order + word_order
    summed = [0] * (3 * order)
    for hypothesis, refs in zip(hypotheses, references, strict=True):
        stats = _chrf_stats(
            hypothesis,
            _references(refs),
            char_order,
            word_order,
            beta,
            lowercase,
            whitespace,
            eps_smoothing,
        )
        summed = [a + b for a, b in zip(summed, stats, strict=True)]
    return _chrf_f(summed, order, beta, eps_smoothing)


# -- ROUGE -----------------------------------------------------------------------------------

_NON_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")
# rouge-score stems only words longer than this.
_STEM_MIN_CHARS = 3


@lru_cache(maxsize=TOKEN_CACHE_SIZE)
def rouge_tokenize(text: str, *, use_stemmer: bool = False) -> tuple[str, ...]:
    """rouge-score's default tokeniser: lower-case, runs of [a-z0-9], optional Porter stems."""
    tokens = _NON_ALPHANUMERIC.sub(" ", text.lower()).split()
    if use_stemmer:
        tokens = [porter_stem(t) if len(t) > _STEM_MIN_CHARS else t for t in tokens]
    return tuple(t for t in tokens if t)


def _lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence, bit-parallel (Allison-Dix / Hyyro 2004).

    One machine word per row of the DP table: bit i of ``v`` is 0 where the LCS of a[:i+1]
    and the prefix of b seen so far grows; each token of b costs a few big-int operations.
    """
    masks: dict[str, int] = {}
    for i, token in enumerate(a):
        masks[token] = masks.get(token, 0) | (1 << i)
    full = (1 << len(a)) - 1
    v = full
    for token in b:
        match = masks.get(token)
        if match:
            u = v & match
            v = ((v + u) | (v - u)) & full
    return len(a) - v.bit_count()


def _f_measure(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0


def rouge_l(
    prediction: str, references: str | Sequence[str], *, use_stemmer: bool = False
) -> float:
    """ROUGE-L F-measure (0-1), equal to rouge-score's ``RougeScorer(["rougeL"])``.

    Tokens by :func:`rouge_tokenize`. With L the length of the longest common subsequence
    of the token lists: P = L / prediction tokens, R = L / reference tokens,
    F = 2 * P * R / (P + R); 0 when either text has no token. Several references: the
    highest F (``score_multi``). ``use_stemmer`` applies the Porter stemmer to words of four
    or more characters, as ``use_stemmer=True`` does (NLTK's stemmer, ported).

    Reference: Google's ``rouge-score`` package (``rouge_scorer._score_lcs``), after Lin 2004,
    "ROUGE: A Package for Automatic Evaluation of Summaries".
    """
    pred = rouge_tokenize(prediction, use_stemmer=use_stemmer)
    best = 0.0
    for reference in _references(references):
        target = rouge_tokenize(reference, use_stemmer=use_stemmer)
        if not target or not pred:
            continue
        lcs = _lcs_length(target, pred)
        best = max(best, _f_measure(lcs / len(pred), lcs / len(target)))
    return best


def _ngrams(tokens: tuple[str, ...], n: int) -> Counter[tuple[str, ...]]:
    return Counter(zip(*(tokens[i:] for i in range(n)), strict=False))


def rouge_n(
    prediction: str, references: str | Sequence[str], *, n: int = 2, use_stemmer: bool = False
) -> float:
    """ROUGE-N F-measure (0-1), equal to rouge-score's ``RougeScorer([f"rouge{n}"])``.

    With clipped n-gram overlap O: P = O / max(prediction n-grams, 1), R = O / max(reference
    n-grams, 1), F = 2 * P * R / (P + R) (0 when P + R = 0). Tokens, stemming and several
    references as in :func:`rouge_l`.

    Reference: Google's ``rouge-score`` package (``rouge_scorer._score_ngrams``).
    """
    if n < 1:
        raise ValueError(f"ROUGE-N needs n >= 1, got {n}")
    pred = _ngrams(rouge_tokenize(prediction, use_stemmer=use_stemmer), n)
    pred_count = sum(pred.values())
    best = 0.0
    for reference in _references(references):
        target = _ngrams(rouge_tokenize(reference, use_stemmer=use_stemmer), n)
        overlap = sum(min(count, pred[g]) for g, count in target.items())
        precision = overlap / max(pred_count, 1)
        recall = overlap / max(sum(target.values()), 1)
        best = max(best, _f_measure(precision, recall))
    return best


# -- checks ----------------------------------------------------------------------------------


def _plural(count: int) -> str:
    return f"{count} reference{'s' if count > 1 else ''}"


@register
class Bleu(ReferenceMetric):
    """Sentence BLEU / 100 against the expected output(s); see :func:`bleu`."""

    name = "bleu"
    default_threshold = 0.3

    def __init__(
        self,
        *,
        lowercase: bool = False,
        tokenize: Tokenizer = "13a",
        threshold: float | None = None,
        label: str | None = None,
    ) -> None:
        super().__init__(threshold=threshold, label=label)
        self.lowercase = flag(lowercase, "bleu: lowercase")
        if tokenize not in ("13a", "none"):
            raise PolicyError(f"bleu: tokenize must be 13a or none, got {tokenize!r}")
        self.tokenize: Tokenizer = tokenize

    def compare(self, text: str, references: list[str]) -> Verdict:
        score = bleu(text, references, lowercase=self.lowercase, tokenize=self.tokenize)
        return Verdict(
            score=unit_score(score / 100),
            explanation=f"BLEU {score:.1f} against {_plural(len(references))}",
        )


@register
class Chrf(ReferenceMetric):
    """chrF / 100 against the expected output(s); ``word_order=2`` for chrF++."""

    name = "chrf"
    default_threshold = 0.5

    def __init__(
        self,
        *,
        word_order: int = CHRF_WORD_ORDER,
        lowercase: bool = False,
        threshold: float | None = None,
        label: str | None = None,
    ) -> None:
        super().__init__(threshold=threshold, label=label)
        if isinstance(word_order, bool) or not isinstance(word_order, int) or word_order < 0:
            raise PolicyError(f"chrf: word_order must be 0, 1 or 2, got {word_order!r}")
        self.word_order = word_order
        self.lowercase = flag(lowercase, "chrf: lowercase")

    def compare(self, text: str, references: list[str]) -> Verdict:
        score = chrf(text, references, word_order=self.word_order, lowercase=self.lowercase)
        name = "chrF" + "+" * self.word_order
        return Verdict(
            score=unit_score(score / 100),
            explanation=f"{name} {score:.1f} against {_plural(len(references))}",
        )


@register
class RougeL(ReferenceMetric):
    """ROUGE-L F-measure against the expected output(s); see :func:`rouge_l`."""

    name = "rouge-l"
    default_threshold = 0.4

    def __init__(
        self, *, use_stemmer: bool = False, threshold: float | None = None, label: str | None = None
    ) -> None:
        super().__init__(threshold=threshold, label=label)
        self.use_stemmer = flag(use_stemmer, "rouge-l: use_stemmer")

    def compare(self, text: str, references: list[str]) -> Verdict:
        score = rouge_l(text, references, use_stemmer=self.use_stemmer)
        return Verdict(score=unit_score(score), explanation=f"ROUGE-L F {score:.3f}")


@register
class RougeN(ReferenceMetric):
    """ROUGE-N F-measure (``n`` 1 by default) against the expected output(s)."""

    name = "rouge-n"
    default_threshold = 0.4

    def __init__(
        self,
        *,
        n: int = 1,
        use_stemmer: bool = False,
        threshold: float | None = None,
        label: str | None = None,
    ) -> None:
        super().__init__(threshold=threshold, label=label)
        self.n = positive_int(n, "rouge-n: n")
        self.use_stemmer = flag(use_stemmer, "rouge-n: use_stemmer")

    def compare(self, text: str, references: list[str]) -> Verdict:
        score = rouge_n(text, references, n=self.n, use_stemmer=self.use_stemmer)
        return Verdict(score=unit_score(score), explanation=f"ROUGE-{self.n} F {score:.3f}")
