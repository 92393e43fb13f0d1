"""OTLP/HTTP ingest: decode, map, queue, batched writer."""
