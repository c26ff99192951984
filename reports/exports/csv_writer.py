"""A filtered task list as CSV: Annex I's columns and the last update, one line per task,
produced as the rows come from the database (the response streams; memory stays flat).

UTF-8 with a byte-order mark and CRLF line ends, so that Excel opens the Vietnamese text as it
is; a cell that a spreadsheet would read as a formula (=, +, -, @ …) is quoted as text.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date

from django.utils import timezone

from core.text import minute_text, printable
from directives.models import TaskQuerySet

from .data import ANNEX_ONE_COLUMNS, Scope, annex_rows

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A formula-like start of a cell in a row joined by NULs (plain_line): the same characters.
FORMULA_CELL = re.compile("\0[" + re.escape("".join(FORMULA_START)) + "]")
LINES_PER_CHUNK = 500


def _cell(text: str) -> str:
    # The common case checked in C first: nothing to remove, not formula-like.
    if text.isprintable() and not text.startswith(FORMULA_START):
        return text
    text = printable(text)
    return "'" + text if text.startswith(FORMULA_START) else text


def plain_line(cells: list[str]) -> str | None:
    """The common row, checked in C as a whole: every cell printable (no line break), no
    quote, none formula-like (a cell's start follows a NUL in the joined row). Its line as the
    csv module writes it (a cell quoted when it holds the delimiter, and only then); None for
    any other row, which the csv module writes after `_cell`."""
    text = "".join(cells)
    if (
        not text.isprintable()
        or '"' in text
        or FORMULA_CELL.search("\0" + "\0".join(cells)) is not None
    ):
        return None
    return ",".join([f'"{c}"' if "," in c else c for c in cells]) + "\r\n"


def task_list_csv(tasks: TaskQuerySet, *, as_of: date) -> Iterator[bytes]:
    """The CSV's bytes, a few hundred lines at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([name for name, _ in ANNEX_ONE_COLUMNS] + ["Cập nhật lần cuối"])
    yield "\ufeff".encode() + buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    zone = timezone.get_current_timezone()  # once: localtime() looks it up on every call
    rows = annex_rows(Scope(as_of=as_of), tasks=tasks, stream=True)  # this loop only writes
    for written, row in enumerate(rows, start=1):
        updated = minute_text(row.updated_at.astimezone(zone)) if row.updated_at else ""
        cells = row.as_text()
        cells.append(updated)
        line = plain_line(cells)
        if line is not None:
            buffer.write(line)
        else:
            writer.writerow([_cell(c) for c in cells])
        if written % LINES_PER_CHUNK == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()
