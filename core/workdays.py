"""Working days in Vietnam: Monday to Friday, less the public holidays (docs/domain.md §4).

The holidays come from the `holidays` package, which follows the government's yearly decisions,
lunar ones included (Tết Nguyên đán, Giỗ Tổ Hùng Vương) with their observed and swapped days.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=128)
def _holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=year, language="vi")


def holiday_name(day: date) -> str | None:
    name: str | None = _holidays(day.year).get(day)
    return name


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_working_days(start: date, count: int) -> date:
    """The day `count` working days after `start` (the start day itself does not count)."""
    if count < 0:
        raise ValueError("count must not be negative")
    day = start
    while count:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def latest_start_past(today: date, count: int) -> date:
    """The latest day `start` for which `count` working days after it have all passed before
    `today` (add_working_days(start, count) < today): anything started on or before it is late
    for a `count`-working-day limit. Walks back `count` working days from yesterday."""
    if count < 0:
        raise ValueError("count must not be negative")
    day = today
    while count:
        day -= timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day - timedelta(days=1)


def next_working_day(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


class WorkdayIndex:
    """Counts working days between dates in O(1) after one pass over the range.

    `offset(deadline)` is the signed number of working days from `deadline` to the reference
    day: 0 on the deadline (or on the last working day before a deadline that falls on a day
    off), -3 three working days before it, +1 on the first working day after it.
    """

    def __init__(self, reference: date, earliest: date, latest: date) -> None:
        self.reference = reference
        self.start = min(earliest, reference)
        end = max(latest, reference)
        self._cumulative = [0]
        day = self.start
        while day <= end:
            self._cumulative.append(self._cumulative[-1] + is_working_day(day))
            day += timedelta(days=1)

    def _count_through(self, day: date) -> int:
        return self._cumulative[(day - self.start).days + 1]

    def offset(self, deadline: date) -> int:
        return self._count_through(self.reference) - self._count_through(deadline)
