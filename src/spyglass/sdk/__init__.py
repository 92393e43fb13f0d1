"""The Spyglass SDK: tracing on OpenTelemetry, instrumentation of LLM clients, scores.

Public names are re-exported from ``spyglass``; everything here is implementation.
"""
