"""The narrative report (Nghị định 30/2020) with its annexes, as a Word document."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO

from core.text import printable

from .. import queries
from .data import (
    ANNEX_ONE_COLUMNS,
    ANNEX_TWO_COLUMNS,
    ANNEX_TWO_ORDER,
    SIGNATURE,
    Report,
    Scope,
    Summary,
    as_report,
    footer_text,
)


def write_docx(subject: Scope | Report, target: IO[bytes] | str | Path) -> Report:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    report = as_report(subject)
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(14)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "Times New Roman")
    section = document.sections[0]
    section.page_height, section.page_width = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)

    def paragraph(
        text: str = "",
        *,
        bold: bool = False,
        italic: bool = False,
        size: int = 14,
        align: int | None = None,
        container=None,
    ):
        p = (container or document).add_paragraph()
        run = p.add_run(printable(text))
        run.bold, run.italic, run.font.size = bold, italic, Pt(size)
        if align is not None:
            p.alignment = align
        p.paragraph_format.space_after = Pt(3)
        return p

    header = document.add_table(rows=1, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = header.rows[0].cells
    left.paragraphs[0].text = ""
    paragraph(
        report.issuer_upper, bold=True, size=13, align=WD_ALIGN_PARAGRAPH.CENTER, container=left
    )
    paragraph("Số:      /BC-UBND", size=13, align=WD_ALIGN_PARAGRAPH.CENTER, container=left)
    paragraph(
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        bold=True,
        size=13,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        container=right,
    )
    paragraph(
        "Độc lập - Tự do - Hạnh phúc",
        bold=True,
        size=14,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        container=right,
    )
    paragraph(
        report.date_line,
        italic=True,
        size=14,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        container=right,
    )
    paragraph()
    paragraph("BÁO CÁO", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph(report.title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph(
        f"({report.scope.description})", italic=True, size=13, align=WD_ALIGN_PARAGRAPH.CENTER
    )

    paragraph("I. KẾT QUẢ THỰC HIỆN", bold=True)
    for line in report.results:
        paragraph(f"- {line}", align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    paragraph("II. NHIỆM VỤ QUÁ HẠN VÀ NGUYÊN NHÂN", bold=True)
    if not report.overdue:
        paragraph("Không có nhiệm vụ quá hạn.")
    for row in report.overdue:
        cause = row.latest_note or "đơn vị chưa báo cáo nguyên nhân"
        paragraph(
            f"- {row.text} ({row.source}; chủ trì: {row.lead_unit}; {row.situation}). "
            f"Nguyên nhân, tình hình: {cause}",
            align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        )
    paragraph("III. ĐỀ XUẤT, KIẾN NGHỊ", bold=True)
    for line in report.proposals:
        paragraph(f"- {line}", align=WD_ALIGN_PARAGRAPH.JUSTIFY)

    signature = document.add_table(rows=1, cols=2)
    receivers, signer = signature.rows[0].cells
    paragraph("Nơi nhận:", bold=True, italic=True, size=12, container=receivers)
    for line in report.recipients:
        paragraph(f"- {line}", size=11, container=receivers)
    for line in SIGNATURE:
        paragraph(line, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, container=signer)

    annexes = document.add_section()
    annexes.orientation = WD_ORIENT.LANDSCAPE
    annexes.page_width, annexes.page_height = Mm(297), Mm(210)
    annexes.left_margin = annexes.right_margin = Mm(15)
    paragraph(
        "PHỤ LỤC I: DANH SÁCH NHIỆM VỤ VÀ TÌNH HÌNH THỰC HIỆN",
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    _docx_table(
        document,
        [name for name, _ in ANNEX_ONE_COLUMNS],
        (row.as_text() for row in report.annex),
    )
    if report.annex_truncated:
        paragraph(
            f"(Danh sách đầy đủ trong tệp Excel; ở đây {len(report.annex)} nhiệm vụ đầu.)",
            italic=True,
            size=11,
        )
    paragraph()
    paragraph(
        "PHỤ LỤC II: TỔNG HỢP KẾT QUẢ THỰC HIỆN THEO ĐƠN VỊ",
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    _docx_table(document, [name for name, _ in ANNEX_TWO_COLUMNS], annex_two_text(report.summary))
    paragraph(footer_text(report.scope, report.extracted), italic=True, size=11)
    document.save(str(target) if isinstance(target, Path) else target)
    return report


def annex_two_text(figures: Summary) -> Iterator[list[str]]:
    def row(number: str, name: str, counts: queries.Counts, lapsed: int) -> list[str]:
        cells = [number, name, str(counts.total)]
        for category in ANNEX_TWO_ORDER:
            cells += [
                str(getattr(counts, category)),
                f"{counts.percent(category)}%".replace(".", ","),
            ]
        return [*cells, str(lapsed)]

    for number, unit_row in enumerate(figures.units, start=1):
        lapsed = figures.lapsed.get(unit_row.unit_id, 0)
        yield row(str(number), unit_row.name, unit_row.counts, lapsed)
    yield row("", "Tổng cộng", figures.total, figures.total_lapsed)


def _docx_table(document, header: list[str], rows) -> None:
    from docx.shared import Pt

    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(printable(name))
        run.bold, run.font.size = True, Pt(11)
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(printable(value)).font.size = Pt(11)


# --- PDF ----------------------------------------------------------------------------------
