"""Derive typed span fields from the attribute dialects real instrumentors send.

Dialects understood (see ``docs/ingest-mapping.md`` for the full table):

* OTel GenAI semantic conventions, current and deprecated names, span events, and the
  JSON-string forms of ``gen_ai.input.messages`` / ``gen_ai.output.messages``;
* OpenInference (``openinference.span.kind``, ``llm.*``, ``input.value``, flattened
  ``llm.input_messages.N.*``, ``llm.token_count.*``);
* OpenLLMetry (``traceloop.*``, flattened ``gen_ai.prompt.N.*`` / ``gen_ai.completion.N.*``);
* Spyglass's own SDK (``spyglass.*``) and Langfuse's OTel attributes (``langfuse.*``).

Nothing here drops a span: a value that cannot be read leaves its column empty and adds a
mapping note, and the raw attributes are always kept beside the derived columns.

Token convention (see the README): ``input_tokens`` *includes* cache-read and cache-write
tokens and ``output_tokens`` *includes* reasoning tokens, as in OTel GenAI and OpenAI's usage
object. The three sub-counts are stored separately so cost can price them at their own rates.
Anthropic
reports ``input_tokens`` *excluding* the cache; when an instrumentor passes that through (the
cache counts exceed the input count, which is impossible under our convention) we add them back
and say so in a note.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from spyglass._json import dumps as _dump
from spyglass._json import loads as _loads
from spyglass.semconv import messages as msgs

# The span kinds of OpenInference, which are Spyglass's own too.
SPAN_KINDS = frozenset(
    {
        "LLM",
        "CHAIN",
        "TOOL",
        "RETRIEVER",
        "EMBEDDING",
        "AGENT",
        "RERANKER",
        "GUARDRAIL",
        "EVALUATOR",
        "PROMPT",
    }
)
_TRACELOOP_KINDS = {"workflow": "CHAIN", "task": "CHAIN", "agent": "AGENT", "tool": "TOOL"}
_GENAI_OPERATION_KINDS = {
    "chat": "LLM",
    "text_completion": "LLM",
    "generate_content": "LLM",
    "completion": "LLM",
    "responses": "LLM",
    "embeddings": "EMBEDDING",
    "embedding": "EMBEDDING",
    "execute_tool": "TOOL",
    "invoke_agent": "AGENT",
    "create_agent": "AGENT",
    "retrieval": "RETRIEVER",
}
_REQUEST_TYPE_KINDS = {
    "chat": "LLM",
    "completion": "LLM",
    "embedding": "EMBEDDING",
    "rerank": "RERANKER",
}

# First key present wins; current names before deprecated ones.
_PROVIDER_KEYS = ("gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system")
_MODEL_KEYS = (
    "gen_ai.response.model",
    "gen_ai.request.model",
    "llm.model_name",
    "embedding.model_name",
    "llm.response.model",
    "llm.request.model",
)
_INPUT_TOKEN_KEYS = (
    "gen_ai.usage.input_tokens",
    "gen_ai.usage.prompt_tokens",
    "llm.token_count.prompt",
    "llm.usage.prompt_tokens",
)
_OUTPUT_TOKEN_KEYS = (
    "gen_ai.usage.output_tokens",
    "gen_ai.usage.completion_tokens",
    "llm.token_count.completion",
    "llm.usage.completion_tokens",
)
_TOTAL_TOKEN_KEYS = ("gen_ai.usage.total_tokens", "llm.token_count.total", "llm.usage.total_tokens")
_CACHE_READ_KEYS = (
    "gen_ai.usage.cache_read.input_tokens",
    "gen_ai.usage.cache_read_input_tokens",
    "llm.token_count.prompt_details.cache_read",
    "gen_ai.usage.input_tokens_details.cached_tokens",
)
_CACHE_WRITE_KEYS = (
    "gen_ai.usage.cache_creation.input_tokens",
    "gen_ai.usage.cache_creation_input_tokens",
    "llm.token_count.prompt_details.cache_write",
)
_REASONING_KEYS = (
    "gen_ai.usage.reasoning.output_tokens",
    "gen_ai.usage.reasoning_tokens",
    "llm.token_count.completion_details.reasoning",
    "gen_ai.usage.output_tokens_details.reasoning_tokens",
)
_COST_KEYS = ("gen_ai.usage.cost", "llm.cost.total", "spyglass.cost")
# Seconds, as the OTel GenAI metric of the same name; ours is in milliseconds.
_TTFT_SECONDS_KEYS = (
    "gen_ai.response.time_to_first_chunk",
    "gen_ai.server.time_to_first_token",
    "llm.openai.chat_completions.streaming_time_to_first_token",
)
# (key, factor to ns) in the order they are tried; built once, not per span.
_TTFT_KEYS = (("spyglass.ttft_ms", 1e6), *((k, 1e9) for k in _TTFT_SECONDS_KEYS))
_TTFT_KEY_SET = frozenset(k for k, _ in _TTFT_KEYS)
_SESSION_KEYS = (
    "session.id",
    "gen_ai.conversation.id",
    "spyglass.session.id",
    "langfuse.session.id",
    "traceloop.association.properties.session_id",
)
_USER_KEYS = (
    "user.id",
    "enduser.id",
    "spyglass.user.id",
    "langfuse.user.id",
    "traceloop.association.properties.user_id",
    # OpenAI's `user` request parameter, as OpenLLMetry records it.
    "gen_ai.user",
)
_TAG_KEYS = ("tag.tags", "spyglass.tags", "langfuse.trace.tags")
_ENV_KEYS = (
    "deployment.environment.name",
    "deployment.environment",
    "spyglass.environment",
    "langfuse.environment",
)
_RELEASE_KEYS = ("service.version", "spyglass.release", "langfuse.release")
_SERVICE_KEYS = ("service.name",)
_METADATA_PREFIXES = (
    "spyglass.metadata.",
    "langfuse.trace.metadata.",
    "traceloop.association.properties.",
)
_INDEXED_PREFIXES = (
    "llm.input_messages.",
    "llm.output_messages.",
    "gen_ai.prompt.",
    "gen_ai.completion.",
    "retrieval.documents.",
)
_SCAN_PREFIXES = _INDEXED_PREFIXES + _METADATA_PREFIXES
_MAX_INT64 = 2**63 - 1
_GENAI_MESSAGE_EVENTS = {
    "gen_ai.system.message": "system",
    "gen_ai.user.message": "user",
    "gen_ai.assistant.message": "assistant",
    "gen_ai.tool.message": "tool",
}


@dataclass(slots=True)
class MappedSpan:
    """Typed fields derived from one span's attributes."""

    kind: str = "SPAN"
    model: str | None = None
    provider: str | None = None
    input: str | None = None
    output: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    total_tokens: int | None = None
    cache_read_tokens: int | None = None
    cache_write_tokens: int | None = None
    reasoning_tokens: int | None = None
    cost_reported: float | None = None
    ttft_ns: int | None = None
    session_id: str | None = None
    user_id: str | None = None
    environment: str | None = None
    release: str | None = None
    service: str | None = None
    tags: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


Event = tuple[str, int, dict[str, Any]]


# Each group of keys that ``map_span`` reads, as a bit. One pass over a span's keys finds the
# groups present, and a field whose keys are all absent (most are, on most spans) is not looked
# up at all: the per-key lookups of every dialect's names were the larger part of ingest's
# mapping cost. Within a group the order of the key tuples above still decides.
_G_PROVIDER = 1 << 0
_G_MODEL = 1 << 1
_G_INVOCATION = 1 << 2
_G_TOKENS = 1 << 3
_G_COST = 1 << 4
_G_TTFT = 1 << 5
_G_SESSION = 1 << 6
_G_USER = 1 << 7
_G_ENV = 1 << 8
_G_RELEASE = 1 << 9
_G_TAGS = 1 << 10
_G_METADATA = 1 << 11
_G_IO = 1 << 12
_INVOCATION_KEYS = ("llm.invocation_parameters", "embedding.invocation_parameters")
_METADATA_KEYS = ("metadata", "spyglass.metadata", "langfuse.trace.metadata")
_INPUT_KEYS = (
    "input.value",
    "traceloop.entity.input",
    "spyglass.input",
    "langfuse.observation.input",
    "gen_ai.prompt",
)
_OUTPUT_KEYS = (
    "output.value",
    "traceloop.entity.output",
    "spyglass.output",
    "langfuse.observation.output",
    "gen_ai.completion",
)
_IO_KEYS = (
    "gen_ai.input.messages",
    "gen_ai.output.messages",
    *_INPUT_KEYS,
    *_OUTPUT_KEYS,
)
_KEY_GROUPS: dict[str, int] = {}
for _group, _keys in (
    (_G_PROVIDER, _PROVIDER_KEYS),
    (_G_MODEL, _MODEL_KEYS),
    (_G_INVOCATION, _INVOCATION_KEYS),
    (
        _G_TOKENS,
        _INPUT_TOKEN_KEYS
        + _OUTPUT_TOKEN_KEYS
        + _CACHE_READ_KEYS
        + _CACHE_WRITE_KEYS
        + _REASONING_KEYS
        + _TOTAL_TOKEN_KEYS,
    ),
    (_G_COST, _COST_KEYS),
    (_G_TTFT, tuple(_TTFT_KEY_SET)),
    (_G_SESSION, _SESSION_KEYS),
    (_G_USER, _USER_KEYS),
    (_G_ENV, _ENV_KEYS),
    (_G_RELEASE, _RELEASE_KEYS[1:]),
    (_G_TAGS, _TAG_KEYS),
    (_G_METADATA, _METADATA_KEYS),
    (_G_IO, _IO_KEYS),
):
    for _key in _keys:
        # A key in two groups (none today) would need both bits.
        _KEY_GROUPS[_key] = _KEY_GROUPS.get(_key, 0) | _group
del _group, _keys, _key


@dataclass(slots=True, frozen=True)
class ResourceFields:
    """What a span takes from its resource; a request's spans share one resource."""

    environment: str | None
    release: str | None
    service: str | None


def resource_fields(resource: dict[str, Any]) -> ResourceFields:
    """The fields ``map_span`` reads from a resource, to be computed once per resource."""
    # An empty service name is no service name, as for environment and release: grouped by
    # service, '' and None would otherwise be two lines of one missing value.
    return ResourceFields(
        _first_str(resource, _ENV_KEYS),
        _first_str(resource, _RELEASE_KEYS),
        _first_str(resource, _SERVICE_KEYS),
    )


def map_span(
    attrs: dict[str, Any],
    resource: dict[str, Any],
    events: list[Event] | None = None,
    resource_info: ResourceFields | None = None,
) -> MappedSpan:
    """Map one span's attributes (and its resource's) to typed fields.

    ``resource_info`` is ``resource_fields(resource)``, passed by callers that map many spans
    of one resource.
    """
    m = MappedSpan()
    notes = m.notes
    groups, indexed, prefixed_meta = _scan(attrs)
    m.kind = _kind(attrs, notes)
    if groups & _G_PROVIDER:
        m.provider = _first_str(attrs, _PROVIDER_KEYS)
    if groups & _G_MODEL:
        m.model = _first_str(attrs, _MODEL_KEYS)
    if m.model is None and groups & _G_INVOCATION:
        m.model = _invocation_model(attrs)

    if groups & _G_TOKENS:
        m.input_tokens = _first_int(attrs, _INPUT_TOKEN_KEYS, notes)
        m.output_tokens = _first_int(attrs, _OUTPUT_TOKEN_KEYS, notes)
        m.cache_read_tokens = _first_int(attrs, _CACHE_READ_KEYS, notes)
        m.cache_write_tokens = _first_int(attrs, _CACHE_WRITE_KEYS, notes)
        m.reasoning_tokens = _first_int(attrs, _REASONING_KEYS, notes)
        _apply_token_convention(m)
        m.total_tokens = _first_int(attrs, _TOTAL_TOKEN_KEYS, notes)
        if m.total_tokens is None and (m.input_tokens is not None or m.output_tokens is not None):
            m.total_tokens = (m.input_tokens or 0) + (m.output_tokens or 0)
    if groups & _G_COST:
        m.cost_reported = _first_float(attrs, _COST_KEYS, notes)
    if groups & _G_TTFT:
        m.ttft_ns = _ttft(attrs, notes)

    if groups & _G_SESSION:
        m.session_id = _first_str(attrs, _SESSION_KEYS)
    if groups & _G_USER:
        m.user_id = _first_str(attrs, _USER_KEYS)
    res = resource_info if resource_info is not None else resource_fields(resource)
    m.environment = (_first_str(attrs, _ENV_KEYS) if groups & _G_ENV else None) or res.environment
    m.release = (
        _first_str(attrs, _RELEASE_KEYS[1:]) if groups & _G_RELEASE else None
    ) or res.release
    m.service = res.service
    if groups & _G_TAGS:
        m.tags = _tags(attrs, notes)
    if groups & _G_METADATA or prefixed_meta:
        m.metadata = _metadata(attrs, prefixed_meta, notes)
    if groups & _G_IO or indexed or events:
        try:
            m.input, m.output = _io(attrs, indexed, events or [], notes)
        except Exception as exc:  # a shape nobody foresaw must not cost the span
            notes.append(f"input/output not readable ({type(exc).__name__}); kept in attributes")
    return m


# What ``_scan`` finds depends on a span's keys only, and an instrumentor sends the same keys in
# the same order span after span: the result is kept per key tuple (a few dozen per app), so a
# span costs a tuple and a lookup instead of a test per key. Bounded: a client that sends a new
# key set with every span only empties it now and then; and a span with many keys (a long
# conversation, flattened) or long ones is scanned without keeping its plan, whose size grows
# with its keys (a plan holds them about twice) and which the next span would not reuse. At
# most about 1,024 x 4,096 x 2 characters: ~10 MB.
_PLAN_CACHE_SIZE = 1_024
_PLAN_MAX_KEYS = 64
_PLAN_MAX_KEY_CHARS = 4_096
# (key groups, flattened keys as (key, prefix, index, rest), prefixed metadata as (key, name)).
_Plan = tuple[int, tuple[tuple[str, str, int, str], ...], tuple[tuple[str, str], ...]]
_plans: dict[tuple[str, ...], _Plan] = {}


def _scan(
    attrs: dict[str, Any],
) -> tuple[int, dict[str, dict[int, dict[str, Any]]], dict[str, Any]]:
    """The key groups present (``_G_*`` bits), flattened ``prefix.N.rest`` groups, and
    prefixed metadata of one span's attributes.

    The hot path of ingest: the keys' plan is looked up, and only the values are read here.
    """
    keys = tuple(attrs)
    plan = _plans.get(keys)
    if plan is None:
        plan = _plan(keys)
        if len(keys) <= _PLAN_MAX_KEYS and sum(map(len, keys)) <= _PLAN_MAX_KEY_CHARS:
            if len(_plans) >= _PLAN_CACHE_SIZE:
                _plans.clear()
            _plans[keys] = plan
    groups, flat, prefixed = plan
    indexed: dict[str, dict[int, dict[str, Any]]] = {}
    for key, prefix, num, rest in flat:
        indexed.setdefault(prefix, {}).setdefault(num, {})[rest] = attrs[key]
    meta = {short: attrs[key] for key, short in prefixed}
    return groups, indexed, meta


def _plan(keys: tuple[str, ...]) -> _Plan:
    """One pass over the keys; ``str.startswith`` with a tuple does the filtering in C."""
    groups = 0
    flat: list[tuple[str, str, int, str]] = []
    prefixed: list[tuple[str, str]] = []
    key_groups = _KEY_GROUPS
    for key in keys:
        group = key_groups.get(key)
        if group is not None:
            groups |= group
            continue
        if not key.startswith(_SCAN_PREFIXES):
            continue
        for prefix in _INDEXED_PREFIXES:
            if key.startswith(prefix):
                num, _, rest = key[len(prefix) :].partition(".")
                if msgs.is_index(num) and rest:
                    flat.append((key, prefix, int(num), rest))
                break
        else:
            for prefix in _METADATA_PREFIXES:
                if key.startswith(prefix):
                    short = key[len(prefix) :]
                    if short not in ("session_id", "user_id"):
                        prefixed.append((key, short))
                    break
    return groups, tuple(flat), tuple(prefixed)


def _kind(attrs: dict[str, Any], notes: list[str]) -> str:
    raw = attrs.get("openinference.span.kind") or attrs.get("spyglass.span.kind")
    if isinstance(raw, str):
        upper = raw.upper()
        if upper in SPAN_KINDS:
            return upper
        notes.append(f"unknown span kind {raw!r}")
    raw = attrs.get("traceloop.span.kind")
    if isinstance(raw, str) and raw in _TRACELOOP_KINDS:
        return _TRACELOOP_KINDS[raw]
    raw = attrs.get("gen_ai.operation.name")
    if isinstance(raw, str) and raw in _GENAI_OPERATION_KINDS:
        return _GENAI_OPERATION_KINDS[raw]
    raw = attrs.get("llm.request.type")
    if isinstance(raw, str) and raw in _REQUEST_TYPE_KINDS:
        return _REQUEST_TYPE_KINDS[raw]
    if "gen_ai.request.model" in attrs or "llm.model_name" in attrs:
        return "LLM"
    if "retrieval.documents.0.document.content" in attrs:
        return "RETRIEVER"
    return "SPAN"


def _invocation_model(attrs: dict[str, Any]) -> str | None:
    """The requested model inside OpenInference's invocation parameters (JSON text).

    OpenInference records the model only from the response, so a failed call has no
    ``llm.model_name``; without this its errors would count under no model.
    """
    for key in _INVOCATION_KEYS:
        raw = attrs.get(key)
        if not isinstance(raw, str) or '"model"' not in raw:
            continue
        try:
            params = _loads(raw)
        except ValueError:
            continue
        if isinstance(params, dict) and isinstance(params.get("model"), str):
            return str(params["model"])
    return None


def _first_str(attrs: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = attrs.get(key)
        if value is not None and value != "":
            return value if isinstance(value, str) else str(value)
    return None


def _first_int(attrs: dict[str, Any], keys: tuple[str, ...], notes: list[str]) -> int | None:
    for key in keys:
        value = attrs.get(key)
        if value is None:
            continue
        if isinstance(value, bool):
            notes.append(f"{key}: expected an integer, got a boolean")
            continue
        try:
            number = value if isinstance(value, int) else int(float(value))
        except (TypeError, ValueError, OverflowError):
            notes.append(f"{key}: expected an integer, got {str(value)[:40]!r}")
            continue
        # Counts are stored as BIGINT: anything else would fail the whole write batch.
        if 0 <= number <= _MAX_INT64:
            return number
        notes.append(f"{key}: {str(value)[:40]} is out of range")
    return None


def _first_float(attrs: dict[str, Any], keys: tuple[str, ...], notes: list[str]) -> float | None:
    for key in keys:
        value = attrs.get(key)
        if value is None:
            continue
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):  # OverflowError: a huge int
            notes.append(f"{key}: expected a number, got {str(value)[:40]!r}")
            continue
        if math.isfinite(number):
            return number
        notes.append(f"{key}: expected a finite number, got {number}")
    return None


def _apply_token_convention(m: MappedSpan) -> None:
    cached = (m.cache_read_tokens or 0) + (m.cache_write_tokens or 0)
    if m.input_tokens is not None and cached > m.input_tokens:
        m.notes.append(
            f"input_tokens {m.input_tokens} excluded cache tokens ({cached}); added them "
            "(input includes cached, see the token convention)"
        )
        m.input_tokens += cached
    if (
        m.output_tokens is not None
        and m.reasoning_tokens is not None
        and m.reasoning_tokens > m.output_tokens
    ):
        m.notes.append(
            f"output_tokens {m.output_tokens} excluded reasoning ({m.reasoning_tokens}); added"
        )
        m.output_tokens += m.reasoning_tokens


def _ttft(attrs: dict[str, Any], notes: list[str]) -> int | None:
    if _TTFT_KEY_SET.isdisjoint(attrs):  # the usual case: one C-level pass over the keys
        return None
    for key, to_ns in _TTFT_KEYS:
        value = attrs.get(key)
        if value is None:
            continue
        try:
            ns = int(float(value) * to_ns)
        except (TypeError, ValueError, OverflowError):  # OverflowError: inf
            notes.append(f"{key}: expected a number")
            continue
        if 0 <= ns <= _MAX_INT64:
            return ns
        notes.append(f"{key}: {str(value)[:40]} is out of range")
    return None


def _tags(attrs: dict[str, Any], notes: list[str]) -> list[str]:
    tags: list[str] = []
    for key in _TAG_KEYS:
        value = attrs.get(key)
        if value is None:
            continue
        if isinstance(value, str):
            try:
                value = _loads(value) if value.startswith("[") else value.split(",")
            except ValueError:
                notes.append(f"{key}: not a JSON list")
                continue
        if isinstance(value, (list, tuple)):
            tags.extend(str(v).strip() for v in value if str(v).strip())
        else:
            notes.append(f"{key}: expected a list of strings")
    return sorted(set(tags))


def _metadata(attrs: dict[str, Any], prefixed: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    for key in _METADATA_KEYS:
        raw = attrs.get(key)
        if raw is None:
            continue
        try:
            value = _loads(raw) if isinstance(raw, str) else raw
        except ValueError:
            notes.append(f"{key}: not valid JSON")
            continue
        if isinstance(value, dict):
            meta.update(value)
        else:
            notes.append(f"{key}: expected a JSON object")
    meta.update(prefixed)
    return meta


def _io(
    attrs: dict[str, Any],
    indexed: dict[str, dict[int, dict[str, Any]]],
    events: list[Event],
    notes: list[str],
) -> tuple[str | None, str | None]:
    inp: str | None = None
    out: str | None = None

    raw_in = attrs.get("gen_ai.input.messages")
    if raw_in is not None:
        try:
            parsed = msgs.from_genai_json(raw_in)
        except ValueError:
            parsed = None
        if parsed is None:
            notes.append("gen_ai.input.messages: not the GenAI messages shape; kept raw")
            inp = raw_in if isinstance(raw_in, str) else _dump(raw_in)
        else:
            system = attrs.get("gen_ai.system_instructions")
            sys_msg = msgs.system_instructions(system) if system is not None else None
            inp = _dump(([sys_msg] if sys_msg else []) + parsed)
    raw_out = attrs.get("gen_ai.output.messages")
    if raw_out is not None:
        try:
            parsed = msgs.from_genai_json(raw_out)
        except ValueError:
            parsed = None
        if parsed is None:
            notes.append("gen_ai.output.messages: not the GenAI messages shape; kept raw")
            out = raw_out if isinstance(raw_out, str) else _dump(raw_out)
        else:
            out = _dump(parsed)

    if inp is None and "llm.input_messages." in indexed:
        inp = _dump(msgs.from_indexed(indexed["llm.input_messages."], "openinference"))
    if out is None and "llm.output_messages." in indexed:
        out = _dump(msgs.from_indexed(indexed["llm.output_messages."], "openinference"))
    if inp is None and "gen_ai.prompt." in indexed:
        inp = _dump(msgs.from_indexed(indexed["gen_ai.prompt."], "openllmetry"))
    if out is None and "gen_ai.completion." in indexed:
        out = _dump(msgs.from_indexed(indexed["gen_ai.completion."], "openllmetry"))

    if (inp is None or out is None) and events:
        ev_in, ev_out = _from_events(events, notes)
        inp = inp if inp is not None else ev_in
        out = out if out is not None else ev_out

    if inp is None:
        inp = _first_str(attrs, _INPUT_KEYS)
    if out is None:
        out = _first_str(attrs, _OUTPUT_KEYS)
    if out is None and "retrieval.documents." in indexed:
        docs = indexed["retrieval.documents."]
        out = _dump(
            [{k.removeprefix("document."): v for k, v in docs[i].items()} for i in sorted(docs)]
        )
    return inp, out


def _from_events(events: list[Event], notes: list[str]) -> tuple[str | None, str | None]:
    """Input/output from GenAI span events (the deprecated event-based conventions)."""
    ins: list[dict[str, Any]] = []
    outs: list[dict[str, Any]] = []
    for name, _ts, eattrs in events:
        if name in _GENAI_MESSAGE_EVENTS:
            msg: dict[str, Any] = {"role": eattrs.get("role", _GENAI_MESSAGE_EVENTS[name])}
            if "content" in eattrs:
                msg["content"] = eattrs["content"]
            if "tool_calls" in eattrs:
                calls = eattrs["tool_calls"]
                msg["tool_calls"] = (
                    [msgs.openai_call(c) for c in calls] if isinstance(calls, list) else calls
                )
            if "id" in eattrs and name == "gen_ai.tool.message":
                msg["tool_call_id"] = eattrs["id"]
            ins.append(msg)
        elif name == "gen_ai.choice":
            raw = eattrs.get("message")
            msg = {"role": "assistant"}
            if isinstance(raw, str):
                try:
                    raw = _loads(raw)
                except ValueError:
                    notes.append("gen_ai.choice: message is not JSON")
            if isinstance(raw, dict):
                msg.update(raw)
            elif raw is not None:
                msg["content"] = str(raw)
            if eattrs.get("finish_reason"):
                msg["finish_reason"] = eattrs["finish_reason"]
            outs.append(msg)
        elif name == "gen_ai.content.prompt" and "gen_ai.prompt" in eattrs:
            ins.append({"role": "user", "content": eattrs["gen_ai.prompt"]})
        elif name == "gen_ai.content.completion" and "gen_ai.completion" in eattrs:
            outs.append({"role": "assistant", "content": eattrs["gen_ai.completion"]})
    return (_dump(ins) if ins else None, _dump(outs) if outs else None)
