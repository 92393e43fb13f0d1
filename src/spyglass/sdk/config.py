"""``configure()``: set the SDK up from arguments, environment variables or the config file."""

from __future__ import annotations

import atexit
import logging
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.id_generator import IdGenerator, RandomIdGenerator
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

from spyglass._version import __version__
from spyglass.exceptions import ConfigError
from spyglass.sdk._state import STATE
from spyglass.sdk.exporter import BatchProcessor, OtlpHttpExporter
from spyglass.sdk.payload import Redactor
from spyglass.sdk.scores import ScoreSender
from spyglass.settings import load_settings

logger = logging.getLogger("spyglass")
_atexit_registered = False


def configure(
    *,
    endpoint: str | None = None,
    api_key: str | None = None,
    service_name: str | None = None,
    environment: str | None = None,
    release: str | None = None,
    sample_rate: float | None = None,
    capture: bool | None = None,
    max_payload_chars: int | None = None,
    redact: Redactor | None = None,
    exporter: SpanExporter | None = None,
    id_generator: IdGenerator | None = None,
    set_global_provider: bool = True,
) -> None:
    """Start tracing. Arguments override ``SPYGLASS_*`` environment variables, which override
    ``$SPYGLASS_HOME/config.toml``.

    ``redact`` is called with every captured input/output text and returns what to keep.
    ``exporter`` replaces the OTLP export (tests use an in-memory one). With
    ``set_global_provider`` (the default) and no tracer provider set yet, Spyglass's becomes
    the global one, so other OpenTelemetry instrumentation in the app reports to Spyglass too;
    spans of either nest correctly either way, through the shared OpenTelemetry context.
    Calling ``configure`` again replaces the earlier setup.
    """
    global _atexit_registered
    settings = load_settings(
        {
            "endpoint": endpoint,
            "api_key": api_key,
            "service_name": service_name,
            "environment": environment,
            "release": release,
            "sample_rate": sample_rate,
            "capture": capture,
            "max_payload_chars": max_payload_chars,
        }
    )
    rate = float(settings.sample_rate)
    if not 0.0 <= rate <= 1.0:
        raise ConfigError(f"sample_rate must be between 0 and 1, got {rate}")
    shutdown()

    attrs: dict[str, Any] = {
        "service.name": settings.service_name,
        "telemetry.sdk.name": "spyglass",
        "spyglass.sdk.version": __version__,
    }
    if settings.environment:
        attrs["deployment.environment.name"] = settings.environment
    if settings.release:
        attrs["service.version"] = settings.release
    provider = TracerProvider(
        resource=Resource.create(attrs),
        sampler=ParentBased(TraceIdRatioBased(rate)),
        id_generator=id_generator or RandomIdGenerator(),
    )
    processor: SpanProcessor | None = None
    if exporter is not None:
        processor = SimpleSpanProcessor(exporter)
    elif settings.endpoint:
        if not settings.api_key:
            raise ConfigError(
                f"SPYGLASS_API_KEY (api_key) is needed to send spans to {settings.endpoint}"
            )
        processor = BatchProcessor(
            OtlpHttpExporter(settings.endpoint, settings.api_key, settings.export_timeout_seconds),
            max_queue=settings.export_queue_spans,
        )
    else:
        logger.info("spyglass: no endpoint configured; spans are created but not exported")
    if processor is not None:
        provider.add_span_processor(processor)

    STATE.provider = provider
    STATE.processor = processor
    STATE.tracer = provider.get_tracer("spyglass", __version__)
    STATE.capture = bool(settings.capture)
    STATE.max_payload_chars = int(settings.max_payload_chars)
    STATE.redact = redact
    STATE.endpoint = str(settings.endpoint)
    STATE.api_key = str(settings.api_key)
    STATE.timeout_s = float(settings.export_timeout_seconds)
    STATE.scores = (
        ScoreSender(STATE.endpoint, STATE.api_key, STATE.timeout_s)
        if settings.endpoint and exporter is None
        else None
    )
    if set_global_provider and _global_is_unset():
        trace.set_tracer_provider(provider)
    if not _atexit_registered:
        atexit.register(shutdown)
        _atexit_registered = True


def _global_is_unset() -> bool:
    return isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)


def flush(timeout_s: float = 30.0) -> bool:
    """Send every finished span and queued score now; True when all were handed over."""
    ok = True
    if STATE.provider is not None:
        ok = STATE.provider.force_flush(int(timeout_s * 1000))
    if STATE.scores is not None:
        ok = STATE.scores.flush(timeout_s) and ok
    return ok


def shutdown() -> None:
    """Flush and stop exporting (runs at interpreter exit); the SDK is a no-op afterwards."""
    provider, scores = STATE.provider, STATE.scores
    if provider is not None:
        from spyglass.sdk.instrumentation._common import end_open_streams

        end_open_streams()
    STATE.tracer = None
    STATE.provider = None
    STATE.processor = None
    STATE.scores = None
    if scores is not None:
        scores.close()
    if provider is not None:
        provider.shutdown()
