"""A small chat client for any OpenAI-compatible endpoint, with a content cache.

:class:`ChatModel` wraps the real ``openai`` package (an optional dependency, imported when a
client is built) and adds what evaluation needs:

* every answer is cached by content (:mod:`spyglass.llm.cache`): a repeated request is
  answered from the cache, so re-running an unchanged experiment makes no model calls;
  ``refresh=True`` (per client or per call) asks the model again and stores the new answer;
* structured output: ``response_format={"type": "json_schema", ...}`` is sent when asked; an
  endpoint that answers 400 to it gets the schema as plain instructions instead, and the
  client remembers that for its model;
* errors become :class:`LLMError` (a :class:`~spyglass.exceptions.CheckError`): HTTP errors
  after the SDK's retries, timeouts, unreachable endpoints, a missing API key. Errors are
  never cached.

``stats`` counts cache hits and misses, upstream calls and errors.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import sqlite3
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from spyglass.exceptions import ConfigError, LLMError
from spyglass.llm.cache import LLMCache, cache_key, default_cache

if TYPE_CHECKING:
    import openai

__all__ = ["ChatModel", "ClientStats", "Completion", "LLMError", "Usage"]

logger = logging.getLogger(__name__)

Message = Mapping[str, Any]

# Seconds one request may take, SDK retries not included. Judges write a paragraph of
# reasoning; slow local models need well over the SDK's connect-level defaults.
DEFAULT_TIMEOUT_S = 60.0
# Retries of the openai SDK (with its backoff) on 408/409/429/5xx and connection errors
# before the error is ours. Two is the SDK's own default.
DEFAULT_MAX_RETRIES = 2
# Longest endpoint error message quoted in an LLMError; the rest is noise in a result row.
ERROR_MESSAGE_CHARS = 300
# Worker threads of acomplete, shared by every client: the most model calls in flight from
# async code. Each thread mostly waits on the network; 32 covers several judges evaluating a
# batch at Check.arun_batch's default concurrency of 8 each.
ASYNC_WORKERS = 32
# HTTP statuses with which endpoints refuse a response_format they do not support
# (OpenAI-compatible servers answer 400; some validation layers 422).
_SCHEMA_REFUSED = frozenset({400, 422})


@dataclass(frozen=True, slots=True)
class Usage:
    """Tokens of one answer, as the endpoint reported them (0 when it did not)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True, slots=True)
class Completion:
    """One answer: its text, token usage, whether it came from the cache, the raw JSON."""

    text: str
    usage: Usage
    cached: bool
    raw: Mapping[str, Any]  # the chat.completion object as the endpoint sent it
    key: str = ""  # the cache key of the request


@dataclass(frozen=True, slots=True)
class ClientStats:
    """Counts since the client was built: cache hits and misses, upstream calls, errors."""

    hits: int = 0
    misses: int = 0
    calls: int = 0
    errors: int = 0


class _Default:
    """Marker: "use the cache the settings name"."""

    def __repr__(self) -> str:
        return "DEFAULT_CACHE"


DEFAULT_CACHE: Final = _Default()


def _import_openai() -> ModuleType:
    try:
        import openai
    except ModuleNotFoundError as exc:
        raise ConfigError(
            "LLM judges and clients need the openai package: pip install 'spyglass[evals]'"
        ) from exc
    return openai


def _endpoint_of(base_url: object) -> str:
    """Host, port and path of a base URL: what identifies the endpoint in cache keys."""
    parts = urlsplit(str(base_url))
    return f"{parts.netloc.lower()}{parts.path.rstrip('/')}"


def _wants_schema(response_format: Mapping[str, Any] | None) -> bool:
    return response_format is not None and response_format.get("type") == "json_schema"


def json_instructions(response_format: Mapping[str, Any]) -> str:
    """The plain-text form of a json_schema response_format, for endpoints without it."""
    spec = response_format.get("json_schema") or {}
    schema = spec.get("schema") if isinstance(spec, Mapping) else None
    text = "Reply with one JSON object and nothing else: no code fence, no prose."
    if schema:
        text += " It must match this JSON Schema:\n" + json.dumps(schema, sort_keys=True)
    return text


def _with_instructions(messages: Sequence[Message], instructions: str) -> list[dict[str, Any]]:
    """``messages`` with ``instructions`` appended to the system message (or a new one)."""
    out = [dict(m) for m in messages]
    if out and out[0].get("role") == "system" and isinstance(out[0].get("content"), str):
        out[0]["content"] = f"{out[0]['content']}\n\n{instructions}"
    else:
        out.insert(0, {"role": "system", "content": instructions})
    return out


class ChatModel:
    """A chat model behind an OpenAI-compatible endpoint, answers cached by content.

    ``base_url`` and ``api_key`` default to the openai package's own defaults
    (``OPENAI_BASE_URL``, ``OPENAI_API_KEY``). ``cache`` is an :class:`LLMCache`, ``None``
    for no cache, or by default the file of the ``llm_cache_path`` setting (none when the
    ``llm_cache`` setting is off). ``refresh=True`` skips cache lookups for every call of
    this client (answers are still stored). ``json_schema=False`` never sends a json_schema
    response_format and always uses plain instructions.

    Thread-safe; :meth:`acomplete` may be used from any event loop.
    """

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        temperature: float | None = 0.0,
        max_tokens: int | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
        max_retries: int = DEFAULT_MAX_RETRIES,
        cache: LLMCache | _Default | None = DEFAULT_CACHE,
        refresh: bool = False,
        json_schema: bool = True,
    ) -> None:
        if not model:
            raise ConfigError("ChatModel needs a model name")
        self._openai = _import_openai()
        self.model = model
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.refresh = refresh
        self.cache = self._resolve_cache(cache)
        self._schema_supported = json_schema
        self._client_args: dict[str, Any] = {
            "base_url": base_url or None,
            "api_key": api_key or None,
            "timeout": timeout,
            "max_retries": max_retries,
        }
        try:
            self._sync: openai.OpenAI = self._openai.OpenAI(**self._client_args)
        except self._openai.OpenAIError:
            # No key anywhere. Cached answers still work; an upstream call says what to set.
            self._client_args["api_key"] = None
            self._missing_key = True
            self._sync = self._openai.OpenAI(**{**self._client_args, "api_key": _no_sync_key})
        else:
            self._missing_key = False
        self.endpoint = _endpoint_of(self._sync.base_url)
        self._lock = threading.Lock()
        self._hits = self._misses = self._calls = self._errors = 0

    @staticmethod
    def _resolve_cache(cache: LLMCache | _Default | None) -> LLMCache | None:
        if not isinstance(cache, _Default):
            return cache
        from spyglass.settings import load_settings

        settings = load_settings()
        if not settings.llm_cache:
            return None
        return default_cache(settings.resolved_llm_cache_path)

    # -- public API --------------------------------------------------------------------------

    @property
    def stats(self) -> ClientStats:
        with self._lock:
            return ClientStats(self._hits, self._misses, self._calls, self._errors)

    @property
    def supports_json_schema(self) -> bool:
        """False once the endpoint refused a json_schema response_format for this model."""
        return self._schema_supported

    def key(
        self,
        messages: Sequence[Message],
        *,
        response_format: Mapping[str, Any] | None = None,
        sample: int = 0,
        **params: Any,
    ) -> str:
        """The cache key :meth:`complete` uses for these arguments."""
        return cache_key(
            self.endpoint, self.model, self._keyed(messages, response_format, sample, params)
        )

    def complete(
        self,
        messages: Sequence[Message],
        *,
        response_format: Mapping[str, Any] | None = None,
        refresh: bool | None = None,
        sample: int = 0,
        **params: Any,
    ) -> Completion:
        """Ask the model (or the cache). ``params`` go to ``chat.completions.create``.

        ``sample`` tells repeated samples of one request apart (judge repeats): it is part of
        the cache key but not sent. Raises :class:`LLMError` when the endpoint fails.
        """
        keyed = self._keyed(messages, response_format, sample, params)
        key = cache_key(self.endpoint, self.model, keyed)
        use_cache = self.cache is not None and not (self.refresh if refresh is None else refresh)
        if use_cache:
            hit = self._lookup(key)
            if hit is not None:
                return hit
        completion = self._call(key, messages, response_format, params)
        if self.cache is not None:
            self._store(key, completion)
        return completion

    async def acomplete(
        self,
        messages: Sequence[Message],
        *,
        response_format: Mapping[str, Any] | None = None,
        refresh: bool | None = None,
        sample: int = 0,
        **params: Any,
    ) -> Completion:
        """Async :meth:`complete`: the cache lookup and the call run on a worker thread.

        Worker threads share the client's connection pool with every event loop; an async
        client would tie its connections to one loop and leak them when that loop closes.
        """
        call = functools.partial(
            self.complete,
            messages,
            response_format=response_format,
            refresh=refresh,
            sample=sample,
            **params,
        )
        return await asyncio.get_running_loop().run_in_executor(_executor(), call)

    def close(self) -> None:
        """Close the HTTP connections (the cache belongs to whoever opened it)."""
        self._sync.close()

    def __enter__(self) -> ChatModel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ChatModel({self.model!r}, endpoint={self.endpoint!r})"

    # -- cache -------------------------------------------------------------------------------

    def _params(self, params: Mapping[str, Any]) -> dict[str, Any]:
        merged: dict[str, Any] = {"temperature": self.temperature, "max_tokens": self.max_tokens}
        merged.update(params)
        return {k: v for k, v in merged.items() if v is not None}

    def _keyed(
        self,
        messages: Sequence[Message],
        response_format: Mapping[str, Any] | None,
        sample: int,
        params: Mapping[str, Any],
    ) -> dict[str, Any]:
        keyed: dict[str, Any] = {"messages": [dict(m) for m in messages], **self._params(params)}
        if response_format is not None:
            keyed["response_format"] = dict(response_format)
        if sample:
            keyed["sample"] = sample
        return keyed

    def _lookup(self, key: str) -> Completion | None:
        assert self.cache is not None
        try:
            value = self.cache.get(key)
        except sqlite3.Error:  # the cache only saves calls: a broken one must not stop them
            logger.warning("could not read %r; asking the model", self.cache, exc_info=True)
            value = None
        with self._lock:
            if value is None:
                self._misses += 1
            else:
                self._hits += 1
        if value is None:
            return None
        usage = value.get("usage") or {}
        return Completion(
            text=str(value.get("text", "")),
            usage=Usage(int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0))),
            cached=True,
            raw=value.get("raw") or {},
            key=key,
        )

    def _store(self, key: str, completion: Completion) -> None:
        assert self.cache is not None
        value = {
            "text": completion.text,
            "usage": {
                "prompt_tokens": completion.usage.prompt_tokens,
                "completion_tokens": completion.usage.completion_tokens,
            },
            "raw": completion.raw,
        }
        try:
            self.cache.put(key, self.model, value)
        except Exception:  # a full disk must not lose an answer we already paid for
            logger.warning("could not store an answer in %r", self.cache, exc_info=True)

    # -- upstream ----------------------------------------------------------------------------

    def _request(
        self,
        messages: Sequence[Message],
        response_format: Mapping[str, Any] | None,
        params: Mapping[str, Any],
        *,
        schema: bool,
    ) -> dict[str, Any]:
        """Keyword arguments of ``chat.completions.create``; ``schema`` False: instructions."""
        kwargs: dict[str, Any] = {"model": self.model, **self._params(params)}
        if response_format is not None and _wants_schema(response_format) and not schema:
            kwargs["messages"] = _with_instructions(messages, json_instructions(response_format))
        else:
            kwargs["messages"] = [dict(m) for m in messages]
            if response_format is not None:
                kwargs["response_format"] = dict(response_format)
        return kwargs

    def _count_call(self) -> None:
        if self._missing_key:
            raise _missing_key_error()
        with self._lock:
            self._calls += 1

    def _call(
        self,
        key: str,
        messages: Sequence[Message],
        response_format: Mapping[str, Any] | None,
        params: Mapping[str, Any],
    ) -> Completion:
        schema = self._schema_supported and _wants_schema(response_format)
        try:
            self._count_call()
            try:
                response = self._sync.chat.completions.create(
                    **self._request(messages, response_format, params, schema=schema)
                )
            except self._openai.APIStatusError as exc:
                if not (schema and exc.status_code in _SCHEMA_REFUSED):
                    raise
                self._count_call()
                response = self._sync.chat.completions.create(
                    **self._request(messages, response_format, params, schema=False)
                )
                self._schema_refused(exc)
        except Exception as exc:
            error = self._error(exc)
            if error is exc:
                raise
            raise error from exc
        return self._completion(key, response)

    def _schema_refused(self, exc: Exception) -> None:
        with self._lock:
            self._schema_supported = False
        logger.info(
            "%s at %s refused response_format json_schema (%s); using JSON instructions",
            self.model,
            self.endpoint,
            exc,
        )

    def _error(self, exc: Exception) -> Exception:
        """The exception to raise for ``exc``: LLMError for endpoint failures."""
        with self._lock:
            self._errors += 1
        if isinstance(exc, LLMError):
            return exc
        openai = self._openai
        where = f"{self.model} at {self.endpoint}"
        if isinstance(exc, openai.APIStatusError):
            message = _status_message(exc)[:ERROR_MESSAGE_CHARS]
            return LLMError(f"{where}: HTTP {exc.status_code}: {message}", status=exc.status_code)
        if isinstance(exc, openai.APITimeoutError):
            return LLMError(f"{where}: timed out after {self._client_args['timeout']} s")
        if isinstance(exc, openai.APIConnectionError):
            return LLMError(f"{where}: cannot reach the endpoint ({exc})")
        if isinstance(exc, openai.OpenAIError):
            return LLMError(f"{where}: {type(exc).__name__}: {exc}"[:ERROR_MESSAGE_CHARS])
        return exc

    def _completion(self, key: str, response: Any) -> Completion:
        if not response.choices:
            raise LLMError(f"{self.model} at {self.endpoint}: the answer has no choices")
        message = response.choices[0].message
        text = message.content or getattr(message, "refusal", None) or ""
        usage = response.usage
        return Completion(
            text=text,
            usage=Usage(
                int(getattr(usage, "prompt_tokens", 0) or 0),
                int(getattr(usage, "completion_tokens", 0) or 0),
            ),
            cached=False,
            raw=response.to_dict(mode="json"),
            key=key,
        )


def _status_message(exc: Exception) -> str:
    """The endpoint's own error message (OpenAI's ``{"error": {"message": ...}}``)."""
    body = getattr(exc, "body", None)
    if isinstance(body, Mapping):
        inner = body.get("error", body)
        if isinstance(inner, Mapping) and isinstance(inner.get("message"), str):
            return str(inner["message"])
    return str(getattr(exc, "message", "") or exc)


_executor_lock = threading.Lock()
_executor_pool: ThreadPoolExecutor | None = None


def _executor() -> ThreadPoolExecutor:
    global _executor_pool
    with _executor_lock:
        if _executor_pool is None:
            _executor_pool = ThreadPoolExecutor(ASYNC_WORKERS, thread_name_prefix="spyglass-llm")
        return _executor_pool


def _missing_key_error() -> LLMError:
    return LLMError(
        "no API key for the model endpoint: set SPYGLASS_JUDGE_API_KEY or OPENAI_API_KEY, "
        "or pass api_key"
    )


def _no_sync_key() -> str:
    raise _missing_key_error()
