"""The narrative report (Nghị định 30/2020) with its annexes, as a Word document."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO

from core.text import printable, vn_number, vn_percent

from .. import queries
from .data import (
    ANNEX_ONE_COLUMNS,
    ANNEX_ONE_MM,
    ANNEX_TWO_COLUMNS,
    ANNEX_TWO_MM,
    ANNEX_TWO_ORDER,
    Report,
    Scope,
    Summary,
    as_report,
    footer_text,
    narrative_late_lines,
)


def write_docx(subject: Scope | Report, target: IO[bytes] | str | Path) -> Report:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_ALIGN_VERTICAL, WD_TABLE_ALIGNMENT
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

    # Nghị định 30/2020, Phụ lục I: the issuing body and the national motto side by side,
    # about 2 : 3 of the 165 mm line, level at the top.
    header = document.add_table(rows=1, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    _fixed_widths(header, (66, 99))
    left, right = header.rows[0].cells
    for cell in (left, right):
        cell.vertical_alignment = WD_ALIGN_VERTICAL.TOP
        cell._tc.remove(cell.paragraphs[0]._p)  # no empty first line in either column
    paragraph(
        report.issuer_upper, bold=True, size=13, align=WD_ALIGN_PARAGRAPH.CENTER, container=left
    )
    _rule(left, indent_mm=20)
    paragraph(report.number_line, size=13, align=WD_ALIGN_PARAGRAPH.CENTER, container=left)
    paragraph(
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        bold=True,
        size=12,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        container=right,
    )
    paragraph(
        "Độc lập - Tự do - Hạnh phúc",
        bold=True,
        size=13,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        container=right,
    )
    _rule(right, indent_mm=20)
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
    paragraph("II. NHIỆM VỤ QUÁ HẠN, HOÀN THÀNH QUÁ HẠN VÀ NGUYÊN NHÂN", bold=True)
    for line in narrative_late_lines(report):
        paragraph(line, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    paragraph("III. ĐỀ XUẤT, KIẾN NGHỊ", bold=True)
    for line in report.proposals:
        paragraph(f"- {line}", align=WD_ALIGN_PARAGRAPH.JUSTIFY)

    signature = document.add_table(rows=1, cols=2)
    _fixed_widths(signature, (80, 85))
    receivers, signer = signature.rows[0].cells
    for cell in (receivers, signer):
        cell.vertical_alignment = WD_ALIGN_VERTICAL.TOP
        cell._tc.remove(cell.paragraphs[0]._p)
    paragraph("Nơi nhận:", bold=True, italic=True, size=12, container=receivers)
    for line in report.recipients:
        paragraph(f"- {line}", size=11, container=receivers)
    for line in report.signing.authority:
        paragraph(line, bold=True, size=13, align=WD_ALIGN_PARAGRAPH.CENTER, container=signer)
    for _ in range(4):  # room for the signature and the seal
        paragraph(size=13, container=signer)
    paragraph(
        report.signing.signer, bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER, container=signer
    )

    annexes = document.add_section()
    _quiet_section_break(document)
    annexes.orientation = WD_ORIENT.LANDSCAPE
    annexes.page_width, annexes.page_height = Mm(297), Mm(210)
    annexes.left_margin = annexes.right_margin = Mm(15)
    annexes.top_margin = annexes.bottom_margin = Mm(15)
    paragraph("Phụ lục I", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph(
        "DANH SÁCH NHIỆM VỤ VÀ TÌNH HÌNH THỰC HIỆN", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER
    )
    paragraph(report.annex_reference, italic=True, size=12, align=WD_ALIGN_PARAGRAPH.CENTER)
    _docx_table(
        document,
        [name for name, _ in ANNEX_ONE_COLUMNS],
        (row.as_text() for row in report.annex),
        ANNEX_ONE_MM,
    )
    if report.annex_truncated:
        paragraph(
            f"(Danh sách đầy đủ trong tệp Excel; ở đây {len(report.annex)} nhiệm vụ đầu.)",
            italic=True,
            size=11,
        )
    document.add_page_break()
    paragraph("Phụ lục II", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph("TỔNG HỢP KẾT QUẢ THỰC HIỆN THEO ĐƠN VỊ", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph(report.annex_reference, italic=True, size=12, align=WD_ALIGN_PARAGRAPH.CENTER)
    _docx_table(
        document,
        [name for name, _ in ANNEX_TWO_COLUMNS],
        annex_two_text(report.summary),
        ANNEX_TWO_MM,
    )
    paragraph(footer_text(report.scope, report.extracted), italic=True, size=11)
    document.save(str(target) if isinstance(target, Path) else target)
    return report


def annex_two_text(figures: Summary) -> Iterator[list[str]]:
    def row(number: str, name: str, counts: queries.Counts, lapsed: int) -> list[str]:
        cells = [number, name, vn_number(counts.total)]
        for category in ANNEX_TWO_ORDER:
            cells += [
                str(getattr(counts, category)),
                vn_percent(counts.percent(category)),
            ]
        return [*cells, vn_number(lapsed)]

    for number, unit_row in enumerate(figures.units, start=1):
        lapsed = figures.lapsed.get(unit_row.unit_id, 0)
        yield row(str(number), unit_row.name, unit_row.counts, lapsed)
    yield row("", "Tổng cộng", figures.total, figures.total_lapsed)


def _quiet_section_break(document) -> None:
    """The paragraph that carries a section break takes no room: after a full page it would
    otherwise make a blank page of its own."""
    from docx.shared import Pt

    for paragraph in reversed(document.paragraphs):
        if paragraph._p.pPr is not None and paragraph._p.pPr.sectPr is not None:
            fmt = paragraph.paragraph_format
            fmt.space_before = fmt.space_after = Pt(0)
            fmt.line_spacing = Pt(1)
            return


def _fixed_widths(table, widths_mm) -> None:
    """Columns of the given widths, kept by Word and LibreOffice alike (a fixed layout, the
    grid and every cell say the same)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    table.autofit = False
    properties = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    properties.append(layout)
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)


def _rule(cell, *, indent_mm: float) -> None:
    """The short line under the issuer's name and under the motto."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    p = cell.add_paragraph()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    p._p.get_or_add_pPr().append(borders)
    fmt = p.paragraph_format
    fmt.left_indent = fmt.right_indent = Mm(indent_mm)
    fmt.space_before, fmt.space_after = Pt(0), Pt(4)
    fmt.line_spacing = Pt(2)


def _row_properties(row, *, header: bool) -> None:
    """A row never split across pages; the header row repeated on every page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = row._tr.get_or_add_trPr()
    keep = OxmlElement("w:cantSplit")
    keep.set(qn("w:val"), "true")
    properties.append(keep)
    if header:
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        properties.append(repeat)


def _docx_table(document, header: list[str], rows, widths_mm) -> None:
    from docx.shared import Mm, Pt

    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    _fixed_widths(table, widths_mm)
    _row_properties(table.rows[0], header=True)
    for cell, name in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(printable(name))
        run.bold, run.font.size = True, Pt(10.5)
    widths = [Mm(w) for w in widths_mm]
    for values in rows:
        row = table.add_row()
        _row_properties(row, header=False)
        for cell, value, width in zip(row.cells, values, widths, strict=True):
            cell.width = width
            cell.text = ""
            cell.paragraphs[0].add_run(printable(value)).font.size = Pt(10.5)


# --- PDF ----------------------------------------------------------------------------------
