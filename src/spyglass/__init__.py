"""Spyglass: tracing, monitoring, evaluation and guardrails for LLM applications.

This module is the public Python API. Importing it is cheap and pulls in no web server.
"""

from spyglass._version import __version__

__all__ = ["__version__"]
