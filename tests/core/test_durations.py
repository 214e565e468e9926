from __future__ import annotations

import pytest

from infraplane.core.environment import MAX_DURATION_SECONDS, parse_duration


@pytest.mark.parametrize(("text", "seconds"), [("30m", 1800), ("72h", 259200), ("7d", 604800), ("52w", 31449600)])
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["99999999999999999999w", "400d", "53w"])
def test_durations_past_a_year_are_refused_with_a_short_message(text: str) -> None:
    with pytest.raises(ValueError, match=r"not a duration|longer than the maximum") as error:
        parse_duration(text)
    assert len(str(error.value)) < 100


def test_the_maximum_is_a_parameter() -> None:
    assert parse_duration("2000d", maximum=2000 * 86400) == 2000 * 86400
    assert MAX_DURATION_SECONDS // 86400 == 366
