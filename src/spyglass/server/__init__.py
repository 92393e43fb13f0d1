"""The Spyglass server: OTLP ingest, query API."""
