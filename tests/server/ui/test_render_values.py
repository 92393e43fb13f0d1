"""Values a page formats that come from users' uploads or feedback, of any type."""

from __future__ import annotations

import jinja2
import pytest

from spyglass.server.ui.render import number, signed, stat
from spyglass.server.ui.traces import score_chips
from spyglass.storage.models import Score, ScoreDataType, ScoreSource


def _score(
    sid: str, value: float | str | bool, kind: ScoreDataType, name: str = "feedback"
) -> Score:
    return Score(
        id=sid,
        name=name,
        data_type=kind,
        value=value,
        source=ScoreSource.HUMAN,
        trace_id="a" * 32,
        span_id=None,
        session_id=None,
        comment=None,
        author=None,
        metadata={},
        created_ns=0,
    )


def test_score_chips_of_one_name_with_several_types() -> None:
    # Newest first, as the store returns them: a number given after a label of the same name
    # used to make float("good") fail the whole traces page.
    scores = [
        _score("3", 4.0, ScoreDataType.NUMERIC),
        _score("2", "good", ScoreDataType.CATEGORICAL),
        _score("1", 2.0, ScoreDataType.NUMERIC),
        _score("0", True, ScoreDataType.BOOLEAN, name="thumbs"),
    ]
    assert score_chips(scores) == ["feedback 3", "thumbs ▲"]
    assert score_chips(scores[1:3]) == ["feedback: good"]


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0.5, "0.500"), (2, "2.000"), (None, "—"), ("0.5", "—"), (True, "—"), ([1], "—")],
)
def test_stat_shows_numbers_and_a_dash_for_anything_else(value: object, shown: str) -> None:
    assert stat(value) == shown
    assert signed(value) == ("—" if shown == "—" else f"+{shown}")


def test_stat_of_a_missing_key_in_a_template() -> None:
    env = jinja2.Environment(autoescape=True)
    env.filters["stat"] = stat
    assert env.from_string("{{ run.pass_rate | stat }}").render(run={}) == "—"


@pytest.mark.parametrize(
    ("value", "shown"),
    [(1234, "1,234"), (2.0, "2"), (0.125, "0.125"), (None, "—"), ("abc", "—"), ([1], "—")],
)
def test_number_of_an_uploaded_value(value: object, shown: str) -> None:
    # A run summary's "items" is whatever was uploaded: a string made the page answer 500.
    assert number(value) == shown
