"""Span attribute names the SDK writes (the server's mapping reads the same names)."""

from spyglass.semconv.mapping import SPAN_KINDS

SPAN_KIND = "spyglass.span.kind"
INPUT = "spyglass.input"
OUTPUT = "spyglass.output"
TAGS = "spyglass.tags"
METADATA = "spyglass.metadata"
METADATA_PREFIX = "spyglass.metadata."
TTFT_MS = "spyglass.ttft_ms"
SESSION_ID = "session.id"
USER_ID = "user.id"
KINDS = SPAN_KINDS
