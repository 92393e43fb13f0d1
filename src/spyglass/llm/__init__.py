"""LLM calls made by Spyglass itself (judges, evaluations), cached by content.

:class:`ChatModel` talks to any OpenAI-compatible endpoint through the ``openai`` package
(``pip install 'spyglass[evals]'``); :class:`LLMCache` is the SQLite file of answers it
reuses. See :mod:`spyglass.llm.client` and :mod:`spyglass.llm.cache`.
"""

from spyglass.llm.cache import LLMCache, cache_key, default_cache
from spyglass.llm.client import ChatModel, ClientStats, Completion, LLMError, Usage

__all__ = [
    "ChatModel",
    "ClientStats",
    "Completion",
    "LLMCache",
    "LLMError",
    "Usage",
    "cache_key",
    "default_cache",
]
