"""Deadlines as people write them (docs/domain.md §4).

`parse_deadline` reads what the office types in a deadline field: a date, or a phrase such as
"trước ngày 30-10-2023", "trong tháng 9/2023", "quý IV/2023", "năm 2023", "15 ngày làm việc"
or "thường xuyên". `find_deadline` looks for deadline phrases inside a task's own words, where
only phrases that say "by when" count ("chỉ số năm 2023" is not a deadline).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from core.forms import FIRST_DAY, LAST_DAY
from core.text import fold
from core.workdays import add_working_days

from .models import Task

Kind = Task.DeadlineKind

ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
ONGOING_WORDS = (
    "thuong xuyen",
    "tiep tuc",
    "hang thang",
    "hang quy",
    "hang nam",
    "dinh ky",
    "lien tuc",
)

HELP = (
    "Hãy nhập ngày (dd/mm/yyyy) hoặc một cụm như “trước ngày 30/10/2023”, “trong tháng 9/2023”, "
    "“quý IV/2023”, “năm 2023”, “15 ngày làm việc”, “thường xuyên”."
)


class DeadlineError(ValueError):
    """A deadline phrase that cannot be read; the message is for the person who typed it."""


@dataclass(frozen=True)
class Deadline:
    day: date | None
    kind: str
    text: str

    @property
    def is_ongoing(self) -> bool:
        return self.day is None


def _valid(day: int, month: int, year: int, phrase: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise DeadlineError(f"“{phrase}” không phải là một ngày có thật.") from None


def _year(text: str | None, reference: date) -> int:
    if not text:
        return reference.year
    year = int(text)
    return year + 2000 if year < 100 else year


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


# Each pattern reads folded text (lowercase, no accents) and yields a Deadline.
_DATE = r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?:\s*[/.\-]\s*(\d{2,4}))?"
_WORDY_DATE = r"ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})(?:\s+nam\s+(\d{4}))?"
_MONTH = r"thang\s+(\d{1,2})(?:\s*(?:/|-|nam)\s*(\d{4}))?"
_QUARTER = r"quy\s+(iv|iii|ii|i|[1-4])(?:\s*(?:/|-|nam)\s*(\d{4}))?"
_YEAR = r"nam\s+(\d{4})"
_FIRST_MONTHS = r"(6|9)\s+thang\s+dau\s+nam(?:\s+(\d{4}))?"
_WORKING_DAYS = r"(\d{1,3})\s+ngay\s+lam\s+viec"
_DAYS = r"(\d{1,3})\s+ngay(?!\s+lam)"


def _explicit(match: re.Match[str], reference: date, phrase: str) -> Deadline:
    day, month, year_text = match.group(1), match.group(2), match.group(3)
    year = _year(year_text, reference)
    result = _valid(int(day), int(month), year, phrase)
    if year_text is None and result < reference:
        result = _valid(int(day), int(month), year + 1, phrase)
    return Deadline(result, Kind.DATE, phrase)


def _read(folded: str, reference: date, phrase: str) -> Deadline | None:
    """The deadline that `folded` states as a whole, or None when it is not one of the forms.

    A day the calendar cannot hold ("năm 0000", 30 days after 31/12/9999) or outside the
    range the app works in is a DeadlineError, like any other phrase that cannot be read.
    """
    try:
        deadline = _read_form(folded, reference, phrase)
    except DeadlineError:
        raise
    except (ValueError, OverflowError):
        raise DeadlineError(f"“{phrase}” không phải là một ngày hệ thống xử lý được.") from None
    day = deadline.day if deadline is not None else None
    if day is not None and not FIRST_DAY <= day <= LAST_DAY:
        raise DeadlineError(
            f"Thời hạn “{phrase}” ({day:%d/%m/%Y}) nằm ngoài khoảng "
            f"{FIRST_DAY:%d/%m/%Y} – {LAST_DAY:%d/%m/%Y}."
        )
    return deadline


def _read_form(folded: str, reference: date, phrase: str) -> Deadline | None:
    if match := re.fullmatch(rf"(?:.*?\s)?{_WORDY_DATE}", folded):
        return _explicit(match, reference, phrase)
    if match := re.fullmatch(rf"(?:.*?\s)?{_DATE}", folded):
        return _explicit(match, reference, phrase)
    if match := re.fullmatch(rf"(?:.*?\s)?{_FIRST_MONTHS}", folded):
        year = _year(match.group(2), reference)
        return Deadline(_month_end(year, int(match.group(1))), Kind.MONTH, phrase)
    if match := re.fullmatch(rf"(?:.*?\s)?{_MONTH}", folded):
        month = int(match.group(1))
        if not 1 <= month <= 12:
            raise DeadlineError(f"Tháng {month} không có thật.")
        return Deadline(_month_end(_year(match.group(2), reference), month), Kind.MONTH, phrase)
    if match := re.fullmatch(rf"(?:.*?\s)?{_QUARTER}", folded):
        quarter = ROMAN.get(match.group(1)) or int(match.group(1))
        year = _year(match.group(2), reference)
        return Deadline(_month_end(year, quarter * 3), Kind.QUARTER, phrase)
    if match := re.fullmatch(rf"(?:.*?\s)?{_YEAR}", folded):
        return Deadline(date(int(match.group(1)), 12, 31), Kind.YEAR, phrase)
    if match := re.fullmatch(rf"(?:.*?\s)?{_WORKING_DAYS}(?:\s.*)?", folded):
        return Deadline(add_working_days(reference, int(match.group(1))), Kind.WORKING_DAYS, phrase)
    if match := re.fullmatch(rf"(?:trong|truoc|sau)?\s*{_DAYS}(?:\s.*)?", folded):
        return Deadline(reference + timedelta(days=int(match.group(1))), Kind.DATE, phrase)
    return None


def parse_deadline(text: str, *, reference: date) -> Deadline:
    """Read a deadline typed by a person; `reference` is the notice's date.

    Raises DeadlineError with a message in Vietnamese when the text cannot be read.
    """
    phrase = " ".join((text or "").split())
    folded = fold(phrase).strip(" .;,")
    if not folded or any(word in folded for word in ONGOING_WORDS):
        return Deadline(None, Kind.ONGOING, phrase)
    result = _read(folded, reference, phrase)
    if result is None:
        raise DeadlineError(f"Không hiểu thời hạn “{phrase}”. {HELP}")
    return result


# Words that make a date in running text a deadline.
_MARKERS = (
    r"(?:truoc(?:\s+\d{1,2}\s*(?:gio|h)(?:\s*\d{1,2}(?:\s*phut)?)?\s*,?)?"
    r"|cham\s+nhat(?:\s+(?:la|den|vao))*|han\s+chot(?:\s+la)?|thoi\s+han(?:\s+la)?"
    r"|xong\s+truoc|hoan\s+thanh(?:\s+(?:truoc|trong|xong))?)"
    r"(?:\s+ngay)?"
)
_IN_TEXT = [
    rf"{_MARKERS}\s+{_WORDY_DATE}",
    rf"{_MARKERS}\s+{_DATE}",
    rf"trong\s+{_FIRST_MONTHS}",
    rf"trong\s+{_MONTH}",
    rf"trong\s+{_QUARTER}",
    rf"trong\s+{_YEAR}",
    rf"(?:trong(?:\s+thoi\s+han)?|sau)\s+{_WORKING_DAYS}",
    # "trong 15 ngày kể từ ngày ban hành": counted from the document's date.
    rf"(?:trong(?:\s+thoi\s+han)?|sau)\s+{_DAYS}\s*,?\s*(?:ke\s+)?tu\s+ngay\s+(?:ban\s+hanh|ky)",
]


def find_deadline(text: str, *, reference: date) -> Deadline | None:
    """The deadline a task's own words set, if any: the latest of the phrases found.

    "tổ chức lễ ra mắt trong tháng 9/2023 và báo cáo … trước ngày 30/10/2023" finishes on
    30/10/2023. A text that only says "thường xuyên" or "tiếp tục" and no date is ongoing.
    """
    folded = fold(text)
    found: list[Deadline] = []
    for pattern in _IN_TEXT:
        for match in re.finditer(pattern, folded):
            phrase = match.group(0)
            original = _original_slice(text, folded, match.start(), match.end())
            try:
                deadline = _read(phrase, reference, original)
            except DeadlineError:
                continue
            if deadline is not None and deadline.day is not None:
                found.append(deadline)
    if not found:
        return None
    return max(found, key=lambda d: d.day or date.min)


def _original_slice(text: str, folded: str, start: int, end: int) -> str:
    """The words of the original text behind a span of its folded form (same word count)."""
    before = len(folded[:start].split())
    length = len(folded[start:end].split())
    words = text.split()
    return " ".join(words[before : before + length])
