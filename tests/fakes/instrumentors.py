"""Run a fixed OpenAI scenario under each real OpenTelemetry instrumentor.

The ingest mapping must be tested on what instrumentors really emit, not on
hand-written spans. Each run uses private providers (traces, logs, metrics)
so nothing global is touched, and uninstruments afterwards, so several
instrumentors can run one after another in the same process.

Instrumentors (``INSTRUMENTORS``):

- ``openinference``: ``openinference-instrumentation-openai`` (Arize/Phoenix).
- ``openllmetry``: ``opentelemetry-instrumentation-openai`` (Traceloop).
- ``otel_genai``: ``opentelemetry-instrumentation-openai-v2`` (official OTel
  GenAI), no message content (its default).
- ``otel_genai_content_true``: the same with
  ``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true``. Recent
  ``opentelemetry-util-genai`` versions no longer accept ``true`` (they log a
  warning and capture nothing), so this documents what users who follow older
  docs get.
- ``otel_genai_content``: the same with ``...CAPTURE_MESSAGE_CONTENT=span_and_event``,
  which puts content on span attributes *and* emits log-record events.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from openai import BadRequestError, OpenAI
from openai.types.chat import ChatCompletionFunctionToolParam, ChatCompletionMessageParam
from opentelemetry.sdk._logs import LoggerProvider, ReadableLogRecord
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from .openai_upstream import FakeOpenAI, Script

__all__ = [
    "INSTRUMENTORS",
    "SCENARIO_STEPS",
    "Capture",
    "available_instrumentors",
    "run_scenario",
]

CHAT_MODEL = "gpt-4o-mini"
# OpenAI answers with a dated snapshot; a distinct value shows which keys carry
# the requested model and which the response model.
CHAT_RESPONSE_MODEL = "gpt-4o-mini-2024-07-18"
EMBEDDING_MODEL = "text-embedding-3-small"
SESSION_ID = "sess-42"
USER_ID = "user-7"

WEATHER_TOOL: ChatCompletionFunctionToolParam = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {
                "location": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["location"],
        },
    },
}
MESSAGES: list[ChatCompletionMessageParam] = [
    {"role": "system", "content": "You are a terse assistant."},
    {"role": "user", "content": "Say hello."},
]
TOOL_MESSAGES: list[ChatCompletionMessageParam] = [
    {"role": "user", "content": "What is the weather in Paris?"},
]

SCENARIO_STEPS = ("chat", "chat_stream", "tool_call", "tool_call_stream", "embedding", "error")


@dataclass
class Capture:
    """What one instrumentor emitted for the scenario.

    ``steps`` maps each scenario step to the spans (and log records) that ended
    during it, so a test can look at "the streamed chat span" directly.
    """

    instrumentor: str
    spans: list[ReadableSpan] = field(default_factory=list)
    logs: list[ReadableLogRecord] = field(default_factory=list)
    steps: dict[str, list[ReadableSpan]] = field(default_factory=dict)
    step_logs: dict[str, list[ReadableLogRecord]] = field(default_factory=dict)
    metric_names: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Providers:
    tracer_provider: TracerProvider
    spans: InMemorySpanExporter
    logger_provider: LoggerProvider
    logs: InMemoryLogRecordExporter
    meter_provider: MeterProvider
    metrics: InMemoryMetricReader


def _providers(resource_attrs: Mapping[str, str]) -> _Providers:
    resource = Resource.create(dict(resource_attrs))
    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider(resource=resource)
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    logs = InMemoryLogRecordExporter()  # type: ignore[no-untyped-call]
    logger_provider = LoggerProvider(resource=resource)
    logger_provider.add_log_record_processor(SimpleLogRecordProcessor(logs))
    metrics = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[metrics], resource=resource)
    return _Providers(tracer_provider, spans, logger_provider, logs, meter_provider, metrics)


@contextmanager
def _env(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of a run, then restore them."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


@dataclass(frozen=True)
class _Spec:
    """How to build one instrumentor and what to wrap the scenario in."""

    factory: Callable[[], Any]
    env: Mapping[str, str] = field(default_factory=dict)
    # A context to run the whole scenario in (e.g. OpenInference's session/user).
    context: Callable[[], AbstractContextManager[Any]] = nullcontext


def _openinference() -> Any:
    from openinference.instrumentation.openai import OpenAIInstrumentor

    return OpenAIInstrumentor()


def _openinference_context() -> AbstractContextManager[Any]:
    from openinference.instrumentation import using_attributes

    return using_attributes(
        session_id=SESSION_ID,
        user_id=USER_ID,
        metadata={"tenant": "acme"},
        tags=["fake-upstream"],
    )


def _openllmetry() -> Any:
    from opentelemetry.instrumentation.openai import OpenAIInstrumentor

    # Its v1 module (imported lazily by instrument()) declares a pydantic model
    # with a class-based `Config`, which warns at import time; that is the
    # library's business, and pytest's filterwarnings=error would turn it into
    # a failure. Import it here once with exactly that warning silenced.
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore",
            message="Support for class-based `config` is deprecated",
            category=DeprecationWarning,
        )
        import opentelemetry.instrumentation.openai.v1  # noqa: F401

    return OpenAIInstrumentor()


def _otel_genai() -> Any:
    from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor

    return OpenAIInstrumentor()  # type: ignore[no-untyped-call]


_CAPTURE = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
_SPECS: dict[str, _Spec] = {
    "openinference": _Spec(_openinference, context=_openinference_context),
    "openllmetry": _Spec(_openllmetry),
    "otel_genai": _Spec(_otel_genai, env={_CAPTURE: ""}),
    "otel_genai_content_true": _Spec(_otel_genai, env={_CAPTURE: "true"}),
    "otel_genai_content": _Spec(_otel_genai, env={_CAPTURE: "span_and_event"}),
}
INSTRUMENTORS = tuple(_SPECS)


def available_instrumentors() -> list[str]:
    """The instrumentors whose package imports in this environment."""
    names = []
    for name, spec in _SPECS.items():
        try:
            spec.factory()
        except ImportError:
            continue
        names.append(name)
    return names


def _strip_openai_wrappers() -> None:
    """Remove any wrapt wrapper still installed on ``openai`` classes.

    opentelemetry-instrumentation-openai's uninstrument() calls
    ``unwrap("openai.resources.chat.completions", "Completions.create")``, which
    the current ``opentelemetry.instrumentation.utils.unwrap`` resolves to the
    *module* and then looks up the dotted name ``"Completions.create"`` on it:
    nothing is unwrapped, and its spans keep going to the old provider. So after
    every uninstrument we restore the originals ourselves.
    """
    from wrapt import BaseObjectProxy

    for name, module in list(sys.modules.items()):
        if module is None or not (name == "openai" or name.startswith("openai.")):
            continue
        for cls in list(vars(module).values()):
            if not isinstance(cls, type) or not cls.__module__.startswith("openai"):
                continue
            for attr, value in list(vars(cls).items()):
                original = value
                while isinstance(original, BaseObjectProxy) and hasattr(original, "__wrapped__"):
                    original = original.__wrapped__
                if original is not value:
                    setattr(cls, attr, original)


def _scenario_steps(client: OpenAI) -> dict[str, Callable[[], object]]:
    """The fixed calls, in order; streams are consumed fully so their spans end."""

    def chat() -> object:
        return client.chat.completions.create(
            model=CHAT_MODEL, messages=MESSAGES, temperature=0.2, max_tokens=64, user=USER_ID
        )

    def chat_stream() -> object:
        stream = client.chat.completions.create(
            model=CHAT_MODEL,
            messages=MESSAGES,
            stream=True,
            stream_options={"include_usage": True},
        )
        return list(stream)

    def tool_call() -> object:
        return client.chat.completions.create(
            model=CHAT_MODEL, messages=TOOL_MESSAGES, tools=[WEATHER_TOOL]
        )

    def tool_call_stream() -> object:
        stream = client.chat.completions.create(
            model=CHAT_MODEL,
            messages=TOOL_MESSAGES,
            tools=[WEATHER_TOOL],
            stream=True,
            stream_options={"include_usage": True},
        )
        return list(stream)

    def embedding() -> object:
        return client.embeddings.create(
            model=EMBEDDING_MODEL, input=["The quick brown fox", "jumps over"]
        )

    def error() -> object:
        try:
            return client.chat.completions.create(model="does-not-exist", messages=MESSAGES)
        except BadRequestError as exc:
            return exc

    steps: dict[str, Callable[[], object]] = {
        "chat": chat,
        "chat_stream": chat_stream,
        "tool_call": tool_call,
        "tool_call_stream": tool_call_stream,
        "embedding": embedding,
        "error": error,
    }
    assert tuple(steps) == SCENARIO_STEPS
    return steps


def run_scenario(
    instrumentor: str,
    fake: FakeOpenAI,
    resource_attrs: Mapping[str, str] | None = None,
) -> Capture:
    """Run the scenario under ``instrumentor`` against ``fake``; return what was emitted.

    Scripts ``fake`` with non-zero cached/reasoning tokens and a dated response
    model so every token and model key shows up; restores the script afterwards.
    """
    spec = _SPECS[instrumentor]
    providers = _providers(resource_attrs or {"service.name": "spyglass-fake-app"})
    saved_script = fake.script
    fake.script = Script(model=CHAT_RESPONSE_MODEL, cached_tokens=4, reasoning_tokens=3)
    capture = Capture(instrumentor)
    with _env(spec.env):
        inst = spec.factory()
        inst.instrument(
            tracer_provider=providers.tracer_provider,
            logger_provider=providers.logger_provider,
            meter_provider=providers.meter_provider,
        )
        try:
            with (
                OpenAI(base_url=fake.base_url, api_key="sk-test", max_retries=0) as client,
                spec.context(),
            ):
                for step, call in _scenario_steps(client).items():
                    fake.script.error_status = 400 if step == "error" else None
                    spans_before = len(providers.spans.get_finished_spans())
                    logs_before = len(providers.logs.get_finished_logs())
                    call()
                    capture.steps[step] = list(providers.spans.get_finished_spans()[spans_before:])
                    capture.step_logs[step] = list(providers.logs.get_finished_logs()[logs_before:])
        finally:
            inst.uninstrument()
            _strip_openai_wrappers()
            fake.script = saved_script
    capture.spans = list(providers.spans.get_finished_spans())
    capture.logs = list(providers.logs.get_finished_logs())
    data = providers.metrics.get_metrics_data()
    if data is not None:
        capture.metric_names = sorted(
            {m.name for rm in data.resource_metrics for sm in rm.scope_metrics for m in sm.metrics}
        )
    providers.tracer_provider.shutdown()
    providers.logger_provider.shutdown()
    providers.meter_provider.shutdown()
    return capture
