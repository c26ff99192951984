"""Recurring duties: a "thường xuyên" task reported every month, quarter, half-year or year.

Each period's report is due at its cut-off: day `report_day` of the period's last month
("trước ngày 20 hằng tháng"; "hằng quý trước ngày 15 tháng cuối quý"), or the period's last
day when no day is given; a day past the month's end means its last day.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from datetime import date

from core.text import fold

MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def period_of(day: date, every: str) -> tuple[date, date]:
    """The period of `every` holding `day`: (first day, last day)."""
    length = MONTHS[every]
    first_month = (day.month - 1) // length * length + 1
    last_month = first_month + length - 1
    return date(day.year, first_month, 1), _month_end(day.year, last_month)


def due_of(end: date, report_day: int | None) -> date:
    """The cut-off of the period ending on `end`."""
    if report_day is None:
        return end
    return date(end.year, end.month, min(report_day, end.day))


def periods(
    first_day: date, today: date, every: str, report_day: int | None
) -> Iterator[tuple[date, date, date]]:
    """(start, end, due) of every period from the one holding `first_day` to the one holding
    `today`; a period whose cut-off falls on or before `first_day` (the task was given after
    it) is not asked for."""
    start, end = period_of(first_day, every)
    while start <= today:
        due = due_of(end, report_day)
        if due > first_day:
            yield start, end, due
        next_day = date(end.year + (end.month == 12), end.month % 12 + 1, 1)
        start, end = period_of(next_day, every)


def label(start: date, every: str) -> str:
    """How people name a period: "tháng 10/2023", "quý IV/2023", "6 tháng đầu năm 2023"."""
    if every == "month":
        return f"tháng {start.month}/{start.year}"
    if every == "quarter":
        return f"quý {('I', 'II', 'III', 'IV')[(start.month - 1) // 3]}/{start.year}"
    if every == "half":
        return f"6 tháng {'đầu' if start.month == 1 else 'cuối'} năm {start.year}"
    return f"năm {start.year}"


_EVERY = (
    (re.compile(r"\b(?:hang|moi) quy\b|\bdinh ky quy\b"), "quarter"),
    (re.compile(r"\bbao cao (?:6|sau) thang\b|\b(?:6|sau) thang (?:mot|1) lan\b"), "half"),
    (re.compile(r"\b(?:hang|moi) thang\b|\bdinh ky thang\b"), "month"),
    (re.compile(r"\b(?:hang|moi) nam\b|\bdinh ky nam\b"), "year"),
)
_DAY = re.compile(r"\bngay (\d{1,2})\b")


def reporting_from_text(text: str, *, of_task: bool = False) -> tuple[str, int | None] | None:
    """The reporting period a deadline phrase asks for, if any: "báo cáo trước ngày 20 hằng
    tháng" → ("month", 20); "định kỳ hằng quý trước ngày 15 tháng cuối quý" → ("quarter", 15).
    Read from a task's whole text (`of_task`), only where it asks for a report ("hội nghị
    hằng năm" is no reporting period)."""
    folded = fold(text or "")
    if of_task and "bao cao" not in folded:
        return None
    for pattern, every in _EVERY:
        if pattern.search(folded):
            found = _DAY.search(folded)
            day = int(found.group(1)) if found else None
            return every, day if day and 1 <= day <= 31 else None
    return None
