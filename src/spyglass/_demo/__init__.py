"""Realistic sample LLM traces, used by ``spyglass demo``, the benchmarks and the tests."""
