"""Annex I and II as one XLSX workbook (XlsxWriter, constant memory)."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from django.conf import settings

from core.text import printable

from .. import queries
from .data import (
    ANNEX_ONE_COLUMNS,
    ANNEX_TWO_COLUMNS,
    ANNEX_TWO_ORDER,
    Report,
    Scope,
    as_report,
    footer_text,
)


def write_xlsx(subject: Scope | Report, target: IO[bytes] | str | Path) -> Report:
    """Both annexes in one workbook, streamed row by row; returns the report it wrote."""
    import xlsxwriter

    report = as_report(subject)
    scope, at, figures = report.scope, report.extracted, report.summary
    book = xlsxwriter.Workbook(
        str(target) if isinstance(target, Path) else target,
        {"constant_memory": True, "tmpdir": settings.FILE_UPLOAD_TEMP_DIR or None},
    )
    font = {"font_name": "Times New Roman"}
    cell_base = {**font, "font_size": 11, "border": 1, "border_color": "#999999"}
    body = book.add_format({**cell_base, "text_wrap": True, "valign": "top"})
    dated = book.add_format({**cell_base, "valign": "top", "num_format": "dd/mm/yyyy"})
    percent = book.add_format({**cell_base, "valign": "top", "num_format": "0.0%"})
    bold = book.add_format({**font, "bold": True, "font_size": 12})
    bold_cell = book.add_format({**cell_base, "bold": True, "valign": "top"})
    bold_percent = book.add_format({**cell_base, "bold": True, "num_format": "0.0%"})
    italic = book.add_format({**font, "italic": True, "font_size": 11})
    header = book.add_format(
        {
            **cell_base,
            "bold": True,
            "font_size": 12,
            "bg_color": "#DDEBF7",
            "text_wrap": True,
            "align": "center",
            "valign": "vcenter",
        }
    )

    def sheet(title: str, heading: str, columns: tuple[tuple[str, int], ...]) -> Any:
        ws = book.add_worksheet(title)
        for index, (_, width) in enumerate(columns):
            ws.set_column(index, index, width)
        ws.freeze_panes(4, 0)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(3)
        ws.write_string(0, 0, title.upper(), bold)
        ws.write_string(1, 0, heading, bold)
        ws.write_string(2, 0, f"({scope.description})", italic)
        for index, (name, _) in enumerate(columns):
            ws.write_string(3, index, name, header)
        return ws

    first = sheet("Phụ lục I", "DANH SÁCH NHIỆM VỤ VÀ TÌNH HÌNH THỰC HIỆN", ANNEX_ONE_COLUMNS)
    line = 4
    write_string, write_number = first.write_string, first.write_number
    for row in report.annex_one():
        situation = row.situation + (f". {row.latest_note}" if row.latest_note else "")
        write_number(line, 0, row.number, body)
        write_string(line, 1, printable(row.text), body)
        write_string(line, 2, row.source, body)
        write_string(line, 3, row.leader, body)
        write_string(line, 4, row.lead_unit, body)
        write_string(line, 5, row.support_units, body)
        if row.deadline:
            first.write_datetime(line, 6, row.deadline, dated)
        else:
            write_string(line, 6, "Thường xuyên", body)
        write_string(line, 7, printable(f"{situation} — {row.timeliness}"), body)
        write_string(line, 8, printable(row.remarks), body)
        line += 1
    first.write_string(line + 1, 0, footer_text(scope, at))

    second = sheet("Phụ lục II", "TỔNG HỢP KẾT QUẢ THỰC HIỆN THEO ĐƠN VỊ", ANNEX_TWO_COLUMNS)
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
        bold_cell,
        bold_percent,
    )
    second.write_string(line + 2, 0, footer_text(scope, at))
    book.close()
    return report


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
