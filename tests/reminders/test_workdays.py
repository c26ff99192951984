"""Working days: weekends and Vietnamese public holidays, lunar ones included."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.workdays import (
    WorkdayIndex,
    add_working_days,
    holiday_name,
    is_working_day,
    next_working_day,
)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2024, 2, 7), True),  # Wednesday before Tết Giáp Thìn
        (date(2024, 2, 8), False),  # 29 tháng Chạp
        (date(2024, 2, 10), False),  # mùng 1 Tết (a Saturday anyway)
        (date(2024, 2, 14), False),  # mùng 5 Tết
        (date(2024, 2, 15), True),
        (date(2024, 4, 18), False),  # Giỗ Tổ Hùng Vương, 10/3 âm lịch
        (date(2023, 9, 1), False),  # Quốc khánh
        (date(2023, 9, 4), False),  # Quốc khánh, observed on the Monday
        (date(2023, 10, 28), False),  # a Saturday
        (date(2023, 10, 30), True),
    ],
)
def test_weekends_and_holidays_are_not_working_days(day: date, working: bool) -> None:
    assert is_working_day(day) is working


def test_holidays_have_vietnamese_names() -> None:
    assert holiday_name(date(2024, 2, 10)) == "Tết Nguyên Đán"
    assert holiday_name(date(2024, 2, 15)) is None


def test_fifteen_working_days_across_tet() -> None:
    # From Thursday 1/2/2024: 5 days to 7/2, then Tết 8–14/2, then 10 more from 15/2.
    assert add_working_days(date(2024, 2, 1), 15) == date(2024, 2, 29)
    assert add_working_days(date(2024, 2, 1), 0) == date(2024, 2, 1)


def test_next_working_day_skips_a_long_weekend() -> None:
    assert next_working_day(date(2023, 9, 1)) == date(2023, 9, 5)


def test_offsets_count_working_days_around_a_deadline() -> None:
    deadline = date(2023, 10, 30)  # a Monday

    def offset(day: date) -> int:
        return WorkdayIndex(day, deadline - timedelta(days=30), deadline).offset(deadline)

    assert offset(date(2023, 10, 19)) == -7
    assert offset(date(2023, 10, 25)) == -3
    assert offset(date(2023, 10, 27)) == -1  # Friday; the weekend does not count
    assert offset(deadline) == 0
    assert offset(date(2023, 10, 31)) == 1
    assert offset(date(2023, 11, 7)) == 6


def test_a_deadline_on_a_day_off_falls_due_on_the_working_day_before() -> None:
    sunday = date(2023, 10, 29)
    index = WorkdayIndex(date(2023, 10, 27), sunday - timedelta(days=10), sunday)
    assert index.offset(sunday) == 0
    assert WorkdayIndex(date(2023, 10, 30), sunday, sunday).offset(sunday) == 1


@pytest.mark.parametrize("count", [0, 1, 2, 5])
@pytest.mark.parametrize(
    "today",
    [
        date(2023, 10, 30),
        date(2023, 10, 28),
        date(2024, 2, 19),
        date(2024, 2, 12),
        date(2024, 9, 3),
    ],
)
def test_the_latest_late_start_is_exactly_where_the_limit_runs_out(today: date, count: int) -> None:
    from core.workdays import latest_start_past

    limit = latest_start_past(today, count)
    assert add_working_days(limit, count) < today
    assert add_working_days(limit + timedelta(days=1), count) >= today
