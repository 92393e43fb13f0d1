"""Register the fake checks of tests/guard/fakes.py for every test here."""

import tests.guard.fakes  # noqa: F401  (registers test-* checks)
