"""The SDK's global state: set by ``configure``, read by everything else.

Until ``configure`` runs, ``STATE.tracer`` is None and every public API is a cheap no-op.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import Tracer

from spyglass.sdk.payload import Redactor


@dataclass
class SdkState:
    tracer: Tracer | None = None
    provider: TracerProvider | None = None
    processor: Any = None  # BatchProcessor or SimpleSpanProcessor (tests)
    capture: bool = True
    max_payload_chars: int = 20_000
    redact: Redactor | None = None
    endpoint: str = ""
    api_key: str = ""
    timeout_s: float = 10.0
    clock: Callable[[], int] = time.time_ns
    scores: Any = None  # ScoreSender
    instrumented: dict[str, Callable[[], None]] = field(default_factory=dict)


STATE = SdkState()
