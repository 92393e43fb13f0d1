"""The JSON query API."""
