"""Annex I and II as one XLSX workbook (XlsxWriter, constant memory)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils import timezone

from directives.models import TaskQuerySet

from .. import queries
from .data import (
    ANNEX_ONE_COLUMNS,
    ANNEX_TWO_COLUMNS,
    ANNEX_TWO_ORDER,
    AnnexRow,
    Report,
    Scope,
    annex_rows,
    as_report,
    footer_text,
)
from .xlsx_book import Book


def open_book(target: IO[bytes] | str | Path) -> tuple[Book, dict[str, Any]]:
    """A workbook in constant memory and the formats the annexes (and the evaluation's
    export) use; its long tables are written through `Book.rows` (xlsx_book.py)."""
    book = Book(target, {"constant_memory": True, "tmpdir": settings.FILE_UPLOAD_TEMP_DIR or None})
    font = {"font_name": "Times New Roman"}
    cell_base = {**font, "font_size": 11, "border": 1, "border_color": "#999999"}
    formats = {
        "body": book.add_format({**cell_base, "text_wrap": True, "valign": "top"}),
        "dated": book.add_format({**cell_base, "valign": "top", "num_format": "dd/mm/yyyy"}),
        "stamp": book.add_format({**cell_base, "valign": "top", "num_format": "dd/mm/yyyy hh:mm"}),
        "percent": book.add_format({**cell_base, "valign": "top", "num_format": "0.0%"}),
        "decimal": book.add_format({**cell_base, "valign": "top", "num_format": "0.0"}),
        "bold": book.add_format({**font, "bold": True, "font_size": 12}),
        "bold_cell": book.add_format({**cell_base, "bold": True, "valign": "top"}),
        "bold_percent": book.add_format({**cell_base, "bold": True, "num_format": "0.0%"}),
        "italic": book.add_format({**font, "italic": True, "font_size": 11}),
        "header": book.add_format(
            {
                **cell_base,
                "bold": True,
                "font_size": 12,
                "bg_color": "#DDEBF7",
                "text_wrap": True,
                "align": "center",
                "valign": "vcenter",
            }
        ),
    }
    return book, formats


def _sheet(
    book: Any,
    formats: dict[str, Any],
    title: str,
    heading: str,
    description: str,
    columns: tuple[tuple[str, int], ...],
) -> Any:
    ws = book.add_worksheet(title)
    for index, (_, width) in enumerate(columns):
        ws.set_column(index, index, width)
    ws.freeze_panes(4, 0)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(3)
    ws.write_string(0, 0, title.upper(), formats["bold"])
    ws.write_string(1, 0, heading, formats["bold"])
    ws.write_string(2, 0, f"({description})", formats["italic"])
    ws.set_row(3, 48)  # the headings wrap to three lines
    for index, (name, _) in enumerate(columns):
        ws.write_string(3, index, name, formats["header"])
    return ws


# Points per wrapped line of 11 pt text, and the characters one column-width unit holds.
LINE_POINTS = 15
CHARS_PER_UNIT = 1.1


def _row_lines(texts: list[str], per_line: list[int]) -> int:
    """The lines of a row's tallest cell (`_lines` for every cell; most fit on one line)."""
    tallest = 1
    for text, room in zip(texts, per_line, strict=True):
        if "\n" in text:
            lines = sum(max(1, -(-len(part) // room)) for part in text.split("\n"))
        elif len(text) > room:
            lines = -(-len(text) // room)
        else:
            continue
        if lines > tallest:
            tallest = lines
    return tallest


def _annex_one(
    book: Book,
    ws: Any,
    formats: dict[str, Any],
    rows: Iterable[AnnexRow],
    *,
    updated: bool = False,
) -> int:
    """Annex I's rows from line 4 (with the last update's time when `updated`), each row as
    tall as its longest cell wraps to (LibreOffice does not grow a row by itself); returns the
    line after the last."""
    body, dated, stamped = formats["body"], formats["dated"], formats["stamp"]
    per_line = [max(1, int(width * CHARS_PER_UNIT)) for _, width in ANNEX_ONE_COLUMNS]
    table = book.rows(ws, 4)
    zone = timezone.get_current_timezone()  # once: localtime() looks it up on every call
    for row in rows:
        texts = row.as_text()
        height = _row_lines(texts, per_line)
        cells: list[tuple[Any, Any]] = [(row.number, body)]
        cells += [(text, body) for text in texts[1:]]
        if row.deadline:
            cells[7] = (row.deadline, dated)
        if updated and row.updated_at is not None:
            cells.append((row.updated_at.astimezone(zone).replace(tzinfo=None), stamped))
        table.write(cells, height=LINE_POINTS * height)
    return table.next


def write_xlsx(subject: Scope | Report, target: IO[bytes] | str | Path) -> Report:
    """Both annexes in one workbook, streamed row by row; returns the report it wrote."""
    report = as_report(subject)
    scope, at, figures = report.scope, report.extracted, report.summary
    book, formats = open_book(target)
    first = _sheet(
        book,
        formats,
        "Phụ lục I",
        "DANH SÁCH NHIỆM VỤ VÀ TÌNH HÌNH THỰC HIỆN",
        scope.description,
        ANNEX_ONE_COLUMNS,
    )
    line = _annex_one(book, first, formats, report.annex_one())
    first.write_string(line + 1, 0, footer_text(scope, at))

    second = _sheet(
        book,
        formats,
        "Phụ lục II",
        "TỔNG HỢP KẾT QUẢ THỰC HIỆN THEO ĐƠN VỊ",
        scope.description,
        ANNEX_TWO_COLUMNS,
    )
    body, percent = formats["body"], formats["percent"]
    line = 4
    for number, unit_row in enumerate(figures.units, start=1):
        lapsed = figures.lapsed.get(unit_row.unit_id, 0)
        _annex_two_row(second, line, number, unit_row.name, unit_row.counts, lapsed, body, percent)
        line += 1
    _annex_two_row(
        second,
        line,
        None,
        "Tổng cộng",
        figures.total,
        figures.total_lapsed,
        formats["bold_cell"],
        formats["bold_percent"],
    )
    second.write_string(line + 2, 0, footer_text(scope, at))
    book.close()
    return report


def write_task_list(
    tasks: TaskQuerySet, *, as_of: date, description: str, target: IO[bytes] | str | Path
) -> int:
    """A filtered task list as Annex I (its columns, plus the last update), streamed;
    returns how many tasks it wrote."""
    book, formats = open_book(target)
    ws = _sheet(
        book,
        formats,
        "Danh sách nhiệm vụ",
        "DANH SÁCH NHIỆM VỤ VÀ TÌNH HÌNH THỰC HIỆN",
        description,
        (*ANNEX_ONE_COLUMNS, ("Cập nhật lần cuối", 16)),
    )
    rows = annex_rows(Scope(as_of=as_of), tasks=tasks, stream=True)  # written, nothing queried
    line = _annex_one(book, ws, formats, rows, updated=True)
    ws.write_string(
        line + 1,
        0,
        f"Trích xuất lúc {timezone.localtime():%H:%M ngày %d/%m/%Y} từ hệ thống Đôn đốc.",
    )
    book.close()
    return line - 4


def _annex_two_row(
    ws: Any,
    line: int,
    number: int | None,
    name: str,
    counts: queries.Counts,
    lapsed: int,
    fmt: Any,
    pct: Any,
) -> None:
    if number is None:
        ws.write_blank(line, 0, None, fmt)
    else:
        ws.write_number(line, 0, number, fmt)
    ws.write_string(line, 1, name, fmt)
    ws.write_number(line, 2, counts.total, fmt)
    for index, category in enumerate(ANNEX_TWO_ORDER):
        count = getattr(counts, category)
        ws.write_number(line, 3 + 2 * index, count, fmt)
        ws.write_number(line, 4 + 2 * index, count / counts.total if counts.total else 0, pct)
    ws.write_number(line, 3 + 2 * len(ANNEX_TWO_ORDER), lapsed, fmt)
