"""Attribute names and the mapping of OTel GenAI, OpenInference and OpenLLMetry to our columns."""

from spyglass.semconv.mapping import MappedSpan, map_span

__all__ = ["MappedSpan", "map_span"]
