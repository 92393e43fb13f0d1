"""LLM calls made by Spyglass itself (judges, evaluations), cached by content.

:class:`ChatModel` talks to any OpenAI-compatible endpoint through the ``openai`` package
(``pip install 'spyglass[evals]'``); :class:`LLMCache` is the SQLite file of answers it
reuses; :class:`EmbeddingModel` gets embeddings from such an endpoint. See
:mod:`spyglass.llm.client`, :mod:`spyglass.llm.cache` and :mod:`spyglass.llm.embeddings`.
"""

from spyglass.llm.cache import LLMCache, cache_key, default_cache
from spyglass.llm.client import ChatModel, ClientStats, Completion, LLMError, Usage
from spyglass.llm.embeddings import EmbeddingModel

__all__ = [
    "ChatModel",
    "ClientStats",
    "Completion",
    "EmbeddingModel",
    "LLMCache",
    "LLMError",
    "Usage",
    "cache_key",
    "default_cache",
]
