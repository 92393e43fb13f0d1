"""The language check (extra: language): allowed languages pass, others fail."""

from __future__ import annotations

import pytest

from spyglass.checks import create_check
from spyglass.exceptions import PolicyError


def test_allowed_languages_pass_and_others_fail() -> None:
    check = create_check("language", allowed=["en", "fr"])
    assert check.run("Could you tell me when the next train to Porto leaves?").passed
    assert check.run("Pourriez-vous me dire quand part le prochain train ?").passed
    german = check.run("Können Sie mir sagen, wann der nächste Zug nach Porto fährt?")
    assert german.passed is False and german.label == "de"
    assert "detected de" in german.explanation


def test_short_texts_pass_because_they_cannot_be_identified() -> None:
    check = create_check("language", allowed=["en"])
    result = check.run("ok merci")
    assert result.passed and result.score == 0.0


@pytest.mark.parametrize(
    ("params", "message"),
    [({}, "needs 'allowed'"), ({"allowed": ["xx"]}, r"unknown language codes \['xx'\]")],
)
def test_bad_parameters(params: dict[str, object], message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        create_check("language", **params)
