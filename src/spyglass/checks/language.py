"""The ``language`` check: is the text in one of the allowed languages?

Needs the ``language`` extra (``pip install 'spyglass[language]'``), which installs
py3langid: a naive-Bayes identifier for 97 languages whose model ships inside the wheel, so it
loads from site-packages with no download (about 0.8 s, once per process, on first use).

Parameters:

- ``allowed``: ISO 639-1 codes the text may be in (required), e.g. ``["en", "fr"]``.
- ``min_chars`` (default 20): shorter texts pass unscored-as-clean, because a few words do not
  identify a language reliably ("ok" is classified as Serbian).
- ``threshold`` (default 0.5): the score is the probability mass *outside* the allowed
  languages, so the check fails when the identifier is more sure of a foreign language than
  of the allowed ones.
"""

from __future__ import annotations

import threading
from typing import Any

from spyglass.checks.base import Check, CheckContext, Verdict
from spyglass.checks.registry import register
from spyglass.exceptions import CheckError, PolicyError

__all__ = ["Language"]

EXTRA_HINT = "the language check needs the extra: pip install 'spyglass[language]'"
# Below this many characters the identifier guesses; see the module docstring.
DEFAULT_MIN_CHARS = 20

_identifier: Any = None
_lock = threading.Lock()


def _load() -> Any:
    global _identifier
    with _lock:
        if _identifier is None:
            try:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier
            except ImportError as exc:
                raise CheckError(EXTRA_HINT) from exc
            _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        return _identifier


@register
class Language(Check):
    """Fails when the text is not in one of the ``allowed`` languages (extra: language)."""

    name = "language"

    def __init__(
        self,
        *,
        allowed: list[str] | None = None,
        min_chars: int = DEFAULT_MIN_CHARS,
        threshold: float | None = None,
        label: str | None = None,
    ) -> None:
        super().__init__(threshold=threshold, label=label)
        if not allowed:
            raise PolicyError("the language check needs 'allowed': a list of ISO 639-1 codes")
        identifier = self._identifier()
        known = set(identifier.nb_classes)
        unknown = sorted(set(allowed) - known)
        if unknown:
            raise PolicyError(f"unknown language codes {unknown}; known: {sorted(known)}")
        self.allowed = frozenset(allowed)
        self.min_chars = min_chars

    @staticmethod
    def _identifier() -> Any:
        try:
            return _load()
        except CheckError as exc:
            raise PolicyError(str(exc)) from exc

    def evaluate(self, text: str, context: CheckContext) -> Verdict:
        stripped = text.strip()
        if len(stripped) < self.min_chars:
            return Verdict(score=0.0, explanation=f"shorter than {self.min_chars} characters")
        ranked = _load().rank(stripped)
        inside = sum(p for lang, p in ranked if lang in self.allowed)
        top, top_p = ranked[0]
        score = max(0.0, min(1.0, 1.0 - float(inside)))
        return Verdict(
            score=score,
            label=str(top),
            explanation=f"detected {top} ({top_p:.0%}); allowed {sorted(self.allowed)}",
        )
