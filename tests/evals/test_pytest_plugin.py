"""The ``spyglass_eval`` fixture: an eval in a test file passes or fails the test."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

TEST_FILE = """
import pytest

ITEMS = [{{"id": f"q{{i}}", "input": f"say {{i}}", "expected": str(i)}} for i in range(60)]

def good(q):
    return q.split()[-1]

def bad(q):
    return "?" if int(q.split()[-1]) % 2 else q.split()[-1]

def test_good(spyglass_eval):
    run = spyglass_eval(good, ITEMS, ["exact-match"], name="plug",
                        gates={{"exact-match": {{"min": 0.9}}}}, evals_dir={root!r})
    assert run.summary.check("exact-match").mean == 1.0

def test_regressed(spyglass_eval):
    spyglass_eval(bad, ITEMS, ["exact-match"], name="plug", baseline="latest",
                  evals_dir={root!r})

def test_inconclusive_allowed(spyglass_eval):
    spyglass_eval(good, ITEMS[:5], ["exact-match"], name="small",
                  gates={{"exact-match": {{"min": 0.9}}}}, allow_inconclusive=True,
                  evals_dir={root!r})
"""


def test_the_fixture_fails_a_regression_with_the_report(pytester: pytest.Pytester) -> None:
    root = str(pytester.path / "runs")
    pytester.makepyfile(test_evals=TEST_FILE.format(root=root))
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "-W", "ignore::pytest.PytestAssertRewriteWarning"
    )
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*eval plug: regression*", "*regressed*"])
