"""Embeddings from any OpenAI-compatible endpoint (``POST /v1/embeddings``), as an ``Embedder``.

:class:`EmbeddingModel` is what ``semantic-topics`` and ``semantic-similarity`` use when a
policy or evaluation names an embeddings ``model`` (OpenAI's ``text-embedding-3-small``, or a
local server's), instead of the model shipped in the ``embeddings`` extra. It needs the
``openai`` package (``pip install 'spyglass[evals]'``). Texts go in batches; each text's vector
is kept in memory (up to ``cache_size`` texts), so a check's topic examples or a dataset's
repeated references are embedded once per client. Endpoint failures are :class:`LLMError`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from spyglass.exceptions import ConfigError, LLMError
from spyglass.llm.client import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT_S,
    ERROR_MESSAGE_CHARS,
    _endpoint_of,
    _import_openai,
    _status_message,
)

__all__ = ["EmbeddingModel"]

# Texts per request: OpenAI accepts up to 2,048 inputs; smaller batches keep one failure
# cheap to retry and stay under local servers' request-size limits.
BATCH_SIZE = 256
# Texts whose vectors are kept in memory (a 1,536-float vector is about 12 KB as a list).
CACHE_SIZE = 10_000


class EmbeddingModel:
    """An embeddings model behind an OpenAI-compatible endpoint; call it with a list of texts.

    ``base_url`` and ``api_key`` default to the openai package's (``OPENAI_BASE_URL``,
    ``OPENAI_API_KEY``). ``dimensions`` is sent when set (OpenAI's text-embedding-3 models
    shorten their vectors). Thread-safe.
    """

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        dimensions: int | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
        max_retries: int = DEFAULT_MAX_RETRIES,
        cache_size: int = CACHE_SIZE,
    ) -> None:
        if not model or not isinstance(model, str):
            raise ConfigError("EmbeddingModel needs a model name")
        if dimensions is not None and (isinstance(dimensions, bool) or dimensions < 1):
            raise ConfigError(f"dimensions must be a positive integer, got {dimensions!r}")
        self._openai = _import_openai()
        self.model = model
        self.dimensions = dimensions
        self.timeout = timeout
        try:
            self._client = self._openai.OpenAI(
                base_url=base_url or None,
                api_key=api_key or None,
                timeout=timeout,
                max_retries=max_retries,
            )
        except self._openai.OpenAIError as exc:
            raise LLMError(
                "no API key for the embeddings endpoint: set OPENAI_API_KEY or pass api_key"
            ) from exc
        self.endpoint = _endpoint_of(self._client.base_url)
        self._cache: OrderedDict[str, list[float]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self.requests = 0

    def __call__(self, texts: list[str]) -> list[list[float]]:
        """One vector per text, in order."""
        found: dict[str, list[float]] = {}
        with self._lock:
            for text in texts:
                vector = self._cache.get(text)
                if vector is not None:
                    self._cache.move_to_end(text)
                    found[text] = vector
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        for start in range(0, len(missing), BATCH_SIZE):
            batch = missing[start : start + BATCH_SIZE]
            vectors = self._request(batch)
            found.update(zip(batch, vectors, strict=True))
            with self._lock:
                for text, vector in zip(batch, vectors, strict=True):
                    self._cache[text] = vector
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return [found[t] for t in texts]

    def _request(self, batch: list[str]) -> list[list[float]]:
        params: dict[str, Any] = {"model": self.model, "input": batch, "encoding_format": "float"}
        if self.dimensions is not None:
            params["dimensions"] = self.dimensions
        openai = self._openai
        where = f"{self.model} at {self.endpoint}"
        try:
            response = self._client.embeddings.create(**params)
        except openai.APIStatusError as exc:
            message = _status_message(exc)[:ERROR_MESSAGE_CHARS]
            raise LLMError(
                f"{where}: HTTP {exc.status_code}: {message}", status=exc.status_code
            ) from None
        except openai.APITimeoutError:
            raise LLMError(f"{where}: timed out after {self.timeout} s") from None
        except openai.APIConnectionError as exc:
            raise LLMError(f"{where}: cannot reach the endpoint ({exc})") from None
        except openai.OpenAIError as exc:
            raise LLMError(f"{where}: {type(exc).__name__}: {exc}"[:ERROR_MESSAGE_CHARS]) from None
        with self._lock:
            self.requests += 1
        data = sorted(response.data, key=lambda item: item.index)
        if len(data) != len(batch):
            raise LLMError(f"{where}: {len(data)} embeddings for {len(batch)} texts")
        return [list(item.embedding) for item in data]

    def __repr__(self) -> str:
        return f"EmbeddingModel({self.model!r}, endpoint={self.endpoint!r})"
