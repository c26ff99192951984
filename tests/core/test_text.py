"""core.text's date and time texts: as strftime writes them, made faster for long exports."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import text

DAYS = st.dates()


@given(DAYS)
def test_a_day_is_written_as_strftime_writes_it(day: dt.date) -> None:
    assert text.day_text(day) == day.strftime("%d/%m/%Y")
    assert text.day_text(day) == day.strftime("%d/%m/%Y")  # made once, then kept


@given(st.datetimes(timezones=st.just(dt.UTC)))
def test_a_minute_is_written_as_strftime_writes_it(moment: dt.datetime) -> None:
    assert text.minute_text(moment) == moment.strftime("%d/%m/%Y %H:%M")


def test_the_kept_days_start_afresh_past_their_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    days = text._Days()
    monkeypatch.setattr(text._Days, "LIMIT", 3)
    for offset in range(7):
        day = dt.date(2026, 1, 1) + dt.timedelta(days=offset)
        assert days[day] == day.strftime("%d/%m/%Y")
        assert len(days) <= 3
