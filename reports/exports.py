"""The office's progress reports (DOMAIN §6): Annex I and II in XLSX, the narrative in DOCX/PDF.

Annex I streams: its rows are read in chunks and written by XlsxWriter in constant-memory mode
(each row goes to disk as it is written), so a year of a province's tasks never sits in memory.
The narrative and its tables are built once (`narrative`) and rendered to DOCX and PDF from
the same data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from directives.models import Notice, Task, TaskEvent, TaskQuerySet
from directives.timeliness import Timeliness
from units.models import Unit

from . import queries

FONTS = Path(__file__).resolve().parent / "fonts"
NOTE_KINDS = (
    TaskEvent.Kind.PROGRESS,
    TaskEvent.Kind.COMPLETION_REPORTED,
    TaskEvent.Kind.EXTENSION_REQUESTED,
    TaskEvent.Kind.CONTRIBUTION,
    TaskEvent.Kind.STARTED,
)
SIGNATURE = ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")
# DOCX and PDF carry the task list as an annex up to this many rows; the XLSX has them all.
NARRATIVE_ANNEX_LIMIT = 2000


@dataclass(frozen=True)
class Scope:
    """Which tasks a report covers and the day its figures are taken on."""

    as_of: date
    notice: Notice | None = None
    date_from: date | None = None
    date_to: date | None = None
    unit: Unit | None = None

    @classmethod
    def build(
        cls,
        *,
        notice: Notice | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        unit: Unit | None = None,
        today: date | None = None,
    ) -> Scope:
        today = today or timezone.localdate()
        as_of = min(date_to, today) if date_to else today
        return cls(as_of=as_of, notice=notice, date_from=date_from, date_to=date_to, unit=unit)

    def tasks(self) -> TaskQuerySet:
        tasks = Task.objects.all()
        if self.notice is not None:
            tasks = tasks.filter(notice=self.notice)
        if self.date_from is not None:
            tasks = tasks.filter(assigned_on__gte=self.date_from)
        if self.date_to is not None:
            tasks = tasks.filter(assigned_on__lte=self.date_to)
        if self.unit is not None:
            tasks = tasks.filter(lead_unit=self.unit)
        return tasks

    @property
    def description(self) -> str:
        parts = []
        if self.notice is not None:
            parts.append(f"Thông báo số {self.notice.number} ngày {self.notice.issued_on:%d/%m/%Y}")
        if self.date_from or self.date_to:
            start = f"{self.date_from:%d/%m/%Y}" if self.date_from else "…"
            end = f"{self.date_to:%d/%m/%Y}" if self.date_to else "…"
            parts.append(f"nhiệm vụ giao từ {start} đến {end}")
        if self.unit is not None:
            parts.append(f"đơn vị chủ trì: {self.unit.name}")
        parts.append(f"số liệu tính đến ngày {self.as_of:%d/%m/%Y}")
        return "; ".join(parts)


# --- Annex I ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnnexRow:
    number: int
    text: str
    source: str
    leader: str
    lead_unit: str
    support_units: str
    deadline: date | None
    situation: str
    timeliness: str
    remarks: str
    latest_note: str

    def as_text(self) -> list[str]:
        """The row's cells as the DOCX and PDF annexes print them (ANNEX_ONE_COLUMNS)."""
        return [
            str(self.number),
            self.text,
            self.source,
            self.leader,
            self.lead_unit,
            self.support_units,
            f"{self.deadline:%d/%m/%Y}" if self.deadline else "Thường xuyên",
            f"{self.situation} — {self.timeliness}",
            self.remarks,
        ]


STATUS_LABELS = dict(Task.Status.choices)


def annex_rows(scope: Scope, *, chunk_size: int = 2000) -> Iterator[AnnexRow]:
    """Annex I, one task at a time, read from the database in chunks.

    Plain rows, not model instances: at a hundred thousand tasks, building the instances and
    their related objects cost more than writing the workbook.
    """
    latest_note = (
        TaskEvent.objects.filter(task=OuterRef("pk"), kind__in=NOTE_KINDS)
        .exclude(note="")
        .order_by("-created_at", "-pk")
        .values("note")[:1]
    )
    support_names = Task.support_units.through.objects.filter(task_id=OuterRef("pk")).values(
        "task_id"
    )
    rows = (
        scope.tasks()
        .with_timeliness(scope.as_of)
        .annotate(
            latest_note=Subquery(latest_note),
            has_support=Exists(support_names),
        )
        .order_by("notice__issued_on", "notice_id", "order", "pk")
        .values_list(
            "pk",
            "text",
            "notice__number",
            "notice__issued_on",
            "notice__chair",
            "lead_unit__name",
            "deadline",
            "original_deadline",
            "status",
            "progress",
            "completed_on",
            "cancel_reason",
            "timeliness",
            "latest_note",
            "has_support",
        )
    )
    number = 0
    chunk: list[tuple] = []
    iterator = rows.iterator(chunk_size=chunk_size)
    while True:
        chunk = list(islice(iterator, chunk_size))
        if not chunk:
            return
        supports = _support_names([row[0] for row in chunk if row[-1]])
        for (
            pk,
            text,
            notice_number,
            issued_on,
            chair,
            lead_unit,
            deadline,
            original_deadline,
            status,
            progress,
            completed_on,
            cancel_reason,
            timeliness,
            latest,
            _,
        ) in chunk:
            number += 1
            bucket = Timeliness(timeliness)
            situation = f"{STATUS_LABELS[status]} ({progress}%)"
            if bucket == Timeliness.OVERDUE:
                end = completed_on or scope.as_of
                situation += f", quá hạn {max(0, (end - deadline).days)} ngày"
            if completed_on:
                situation += f", hoàn thành ngày {completed_on:%d/%m/%Y}"
            remarks = []
            if deadline is None:
                remarks.append("Thường xuyên")
            elif deadline != original_deadline and original_deadline is not None:
                remarks.append(f"Gia hạn từ {original_deadline:%d/%m/%Y}")
            if cancel_reason:
                remarks.append(f"Hủy: {cancel_reason}")
            yield AnnexRow(
                number=number,
                text=text,
                source=f"{notice_number} ngày {issued_on:%d/%m/%Y}",
                leader=chair,
                lead_unit=lead_unit,
                support_units="; ".join(supports.get(pk, ())),
                deadline=deadline,
                situation=situation,
                timeliness=BUCKET_LABELS[bucket],
                remarks="; ".join(remarks),
                latest_note=latest or "",
            )


def _support_names(task_ids: list[int]) -> dict[int, list[str]]:
    """The support units of a chunk of tasks, by task, in the order they were given."""
    names: dict[int, list[str]] = {}
    links = (
        Task.support_units.through.objects.filter(task_id__in=task_ids)
        .order_by("task_id", "pk")
        .values_list("task_id", "unit__name")
    )
    for task_id, name in links:
        names.setdefault(task_id, []).append(name)
    return names


BUCKET_LABELS = {bucket: str(bucket.label) for bucket in Timeliness}


ANNEX_ONE_COLUMNS = (
    ("STT", 6),
    ("Nội dung nhiệm vụ", 60),
    ("Nguồn (số, ký hiệu, ngày)", 20),
    ("Lãnh đạo chỉ đạo", 18),
    ("Đơn vị chủ trì", 24),
    ("Đơn vị phối hợp", 28),
    ("Thời hạn", 12),
    ("Tình hình thực hiện / trạng thái", 42),
    ("Ghi chú", 24),
)
ANNEX_TWO_COLUMNS = (
    ("STT", 6),
    ("Đơn vị", 36),
    ("Tổng số", 9),
    ("Chưa hoàn thành trong hạn", 11),
    ("%", 8),
    ("Chưa hoàn thành quá hạn", 11),
    ("%", 8),
    ("Hoàn thành đúng hạn", 11),
    ("%", 8),
    ("Hoàn thành quá hạn", 11),
    ("%", 8),
    ("Hủy", 8),
    ("%", 8),
)
ANNEX_TWO_ORDER = ("open_in_time", "open_overdue", "done_on_time", "done_late", "cancelled")


@dataclass(frozen=True)
class Summary:
    headline: queries.Headline
    units: list[queries.UnitRow]

    @property
    def total(self) -> queries.Counts:
        return self.headline.counts


def summary(scope: Scope) -> Summary:
    tasks = scope.tasks()
    units = queries.per_unit(tasks, scope.as_of, sort="name")
    return Summary(headline=queries.headline(tasks, scope.as_of), units=units)


def extracted_at() -> dt.datetime:
    return timezone.localtime()


def footer_text(scope: Scope, at: dt.datetime) -> str:
    return (
        f"Phạm vi: {scope.description}. "
        f"Trích xuất lúc {at:%H:%M ngày %d/%m/%Y} từ hệ thống Đôn đốc."
    )


# --- XLSX ---------------------------------------------------------------------------------


def write_xlsx(scope: Scope, target: IO[bytes] | str | Path) -> Summary:
    """Both annexes in one workbook, streamed row by row; returns the figures it wrote."""
    import xlsxwriter

    at = extracted_at()
    figures = summary(scope)
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
    for row in annex_rows(scope):
        situation = row.situation + (f". {row.latest_note}" if row.latest_note else "")
        write_number(line, 0, row.number, body)
        write_string(line, 1, row.text, body)
        write_string(line, 2, row.source, body)
        write_string(line, 3, row.leader, body)
        write_string(line, 4, row.lead_unit, body)
        write_string(line, 5, row.support_units, body)
        if row.deadline:
            first.write_datetime(line, 6, row.deadline, dated)
        else:
            write_string(line, 6, "Thường xuyên", body)
        write_string(line, 7, f"{situation} — {row.timeliness}", body)
        write_string(line, 8, row.remarks, body)
        line += 1
    first.write_string(line + 1, 0, footer_text(scope, at))

    second = sheet("Phụ lục II", "TỔNG HỢP KẾT QUẢ THỰC HIỆN THEO ĐƠN VỊ", ANNEX_TWO_COLUMNS)
    line = 4
    for number, unit_row in enumerate(figures.units, start=1):
        _annex_two_row(second, line, number, unit_row.name, unit_row.counts, body, percent)
        line += 1
    _annex_two_row(second, line, None, "Tổng cộng", figures.total, bold_cell, bold_percent)
    second.write_string(line + 2, 0, footer_text(scope, at))
    book.close()
    return figures


def _annex_two_row(
    ws: Any, line: int, number: int | None, name: str, counts: queries.Counts, fmt: Any, pct: Any
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


# --- the narrative (DOCX and PDF) ---------------------------------------------------------


@dataclass
class Narrative:
    issuer: str
    issuer_upper: str
    place: str
    day: date
    title: str
    scope: Scope
    summary: Summary
    results: list[str] = field(default_factory=list)
    overdue: list[AnnexRow] = field(default_factory=list)
    proposals: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    annex: list[AnnexRow] = field(default_factory=list)
    annex_truncated: bool = False
    extracted: dt.datetime = field(default_factory=extracted_at)

    @property
    def date_line(self) -> str:
        day = self.day
        return f"{self.place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def _place(scope: Scope, issuer: str) -> str:
    """The place name of the date line: the notice's, else the issuer's last two words."""
    if scope.notice is not None and scope.notice.place:
        return scope.notice.place
    return " ".join(issuer.split()[-2:])


def narrative(scope: Scope) -> Narrative:
    figures = summary(scope)
    counts = figures.total
    issuer = str(settings.DONDOC_ISSUER_NAME)
    title = "Kết quả thực hiện các nhiệm vụ được giao tại thông báo kết luận"
    if scope.notice is not None:
        title = f"Kết quả thực hiện các nhiệm vụ tại Thông báo số {scope.notice.number}"
    report = Narrative(
        issuer=issuer.replace("UBND", "Ủy ban nhân dân"),
        issuer_upper=issuer.replace("UBND", "Ủy ban nhân dân").upper(),
        place=scope.notice.place
        if scope.notice and scope.notice.place
        else issuer.split()[-2] + " " + issuer.split()[-1],
        day=timezone.localdate(),
        title=title,
        scope=scope,
        summary=figures,
    )
    report.results = [
        f"Tổng số nhiệm vụ: {counts.total}.",
        f"Đã hoàn thành: {counts.done} nhiệm vụ, trong đó đúng hạn {counts.done_on_time} "
        f"({counts.percent('done_on_time')}%), quá hạn {counts.done_late} "
        f"({counts.percent('done_late')}%).",
        f"Chưa hoàn thành: {counts.open_in_time + counts.open_overdue} nhiệm vụ, "
        f"trong đó trong hạn {counts.open_in_time} ({counts.percent('open_in_time')}%), "
        f"quá hạn {counts.open_overdue} ({counts.percent('open_overdue')}%).",
        f"Hủy: {counts.cancelled} nhiệm vụ.",
    ]
    laggards = [u for u in figures.units if u.counts.open_overdue]
    if laggards:
        listed = ", ".join(
            f"{u.name} ({u.counts.open_overdue})"
            for u in sorted(laggards, key=lambda u: -u.counts.open_overdue)[:10]
        )
        report.results.append(f"Các đơn vị còn nhiệm vụ quá hạn: {listed}.")
    for row in annex_rows(scope):
        if row.timeliness == Timeliness.OVERDUE.label:
            report.overdue.append(row)
        if len(report.annex) < NARRATIVE_ANNEX_LIMIT:
            report.annex.append(row)
        else:
            report.annex_truncated = True
    report.proposals = [
        "Đề nghị các đơn vị có nhiệm vụ quá hạn khẩn trương hoàn thành, báo cáo kết quả về "
        "Ủy ban nhân dân (qua Văn phòng HĐND-UBND).",
        "(Văn phòng bổ sung các đề xuất, kiến nghị trước khi trình ký.)",
    ]
    report.recipients = [
        "Chủ tịch, các Phó Chủ tịch UBND;",
        "Các phòng, ban, đơn vị có liên quan;",
        "Lưu: VT.",
    ]
    return report


def write_docx(scope: Scope, target: IO[bytes] | str | Path) -> Narrative:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    report = narrative(scope)
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
        run = p.add_run(text)
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
    _docx_table(document, [name for name, _ in ANNEX_TWO_COLUMNS], _annex_two_text(report.summary))
    paragraph(footer_text(report.scope, report.extracted), italic=True, size=11)
    document.save(str(target) if isinstance(target, Path) else target)
    return report


def _annex_two_text(figures: Summary) -> Iterator[list[str]]:
    def row(number: str, name: str, counts: queries.Counts) -> list[str]:
        cells = [number, name, str(counts.total)]
        for category in ANNEX_TWO_ORDER:
            cells += [
                str(getattr(counts, category)),
                f"{counts.percent(category)}%".replace(".", ","),
            ]
        return cells

    for number, unit_row in enumerate(figures.units, start=1):
        yield row(str(number), unit_row.name, unit_row.counts)
    yield row("", "Tổng cộng", figures.total)


def _docx_table(document, header: list[str], rows) -> None:
    from docx.shared import Pt

    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(name)
        run.bold, run.font.size = True, Pt(11)
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(value).font.size = Pt(11)


# --- PDF ----------------------------------------------------------------------------------


def _register_fonts() -> None:
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "Tinos" in pdfmetrics.getRegisteredFontNames():
        return
    pdfmetrics.registerFont(TTFont("Tinos", str(FONTS / "Tinos-Regular.ttf")))
    pdfmetrics.registerFont(TTFont("Tinos-Bold", str(FONTS / "Tinos-Bold.ttf")))
    pdfmetrics.registerFont(TTFont("Tinos-Italic", str(FONTS / "Tinos-Italic.ttf")))
    addMapping("Tinos", 0, 0, "Tinos")
    addMapping("Tinos", 1, 0, "Tinos-Bold")
    addMapping("Tinos", 0, 1, "Tinos-Italic")
    addMapping("Tinos", 1, 1, "Tinos-Bold")


def write_pdf(scope: Scope, target: IO[bytes] | str | Path) -> Narrative:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        BaseDocTemplate,
        Frame,
        NextPageTemplate,
        PageBreak,
        PageTemplate,
        Paragraph,
        Spacer,
        Table,
        TableStyle,
    )

    _register_fonts()
    report = narrative(scope)
    base = ParagraphStyle("base", fontName="Tinos", fontSize=13, leading=17, alignment=TA_JUSTIFY)
    center = ParagraphStyle("center", parent=base, alignment=TA_CENTER)
    bold_center = ParagraphStyle("bold_center", parent=center, fontName="Tinos-Bold")
    bold = ParagraphStyle("bold", parent=base, fontName="Tinos-Bold")
    small = ParagraphStyle("small", parent=base, fontSize=9.5, leading=12, alignment=0)
    small_bold = ParagraphStyle("small_bold", parent=small, fontName="Tinos-Bold")

    def p(text: str, style: ParagraphStyle = base) -> Paragraph:
        return Paragraph(escape(text), style)

    portrait = Frame(30 * mm, 20 * mm, A4[0] - 45 * mm, A4[1] - 40 * mm, id="portrait")
    wide = Frame(
        15 * mm, 15 * mm, landscape(A4)[0] - 30 * mm, landscape(A4)[1] - 30 * mm, id="wide"
    )
    document = BaseDocTemplate(
        target,
        pagesize=A4,
        title=f"Báo cáo: {report.title}",
        author=report.issuer,
        pageTemplates=[
            PageTemplate(id="narrative", frames=[portrait], pagesize=A4),
            PageTemplate(id="annex", frames=[wide], pagesize=landscape(A4)),
        ],
    )
    story: list = []
    header = Table(
        [
            [
                p(report.issuer_upper, bold_center),
                p("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold_center),
            ],
            [p("Số:      /BC-UBND", center), p("Độc lập - Tự do - Hạnh phúc", bold_center)],
            [
                "",
                p(
                    report.date_line,
                    ParagraphStyle("date", parent=center, fontName="Tinos-Italic"),
                ),
            ],
        ],
        colWidths=[65 * mm, 100 * mm],
    )
    story += [
        header,
        Spacer(1, 8 * mm),
        p("BÁO CÁO", bold_center),
        p(report.title, bold_center),
        p(
            f"({report.scope.description})",
            ParagraphStyle("scope", parent=center, fontName="Tinos-Italic", fontSize=11),
        ),
        Spacer(1, 5 * mm),
        p("I. KẾT QUẢ THỰC HIỆN", bold),
    ]
    story += [p(f"- {line}") for line in report.results]
    story.append(p("II. NHIỆM VỤ QUÁ HẠN VÀ NGUYÊN NHÂN", bold))
    if not report.overdue:
        story.append(p("Không có nhiệm vụ quá hạn."))
    for row in report.overdue:
        cause = row.latest_note or "đơn vị chưa báo cáo nguyên nhân"
        story.append(
            p(
                f"- {row.text} ({row.source}; chủ trì: {row.lead_unit}; {row.situation}). "
                f"Nguyên nhân, tình hình: {cause}"
            )
        )
    story.append(p("III. ĐỀ XUẤT, KIẾN NGHỊ", bold))
    story += [p(f"- {line}") for line in report.proposals]
    receivers = [p("Nơi nhận:", small_bold)] + [p(f"- {r}", small) for r in report.recipients]
    signer = [p(line, bold_center) for line in SIGNATURE]
    signature = Table([[receivers, signer]], colWidths=[80 * mm, 85 * mm])
    story += [Spacer(1, 6 * mm), signature, NextPageTemplate("annex"), PageBreak()]

    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDEBF7")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
    story.append(p("PHỤ LỤC I: DANH SÁCH NHIỆM VỤ VÀ TÌNH HÌNH THỰC HIỆN", bold_center))
    widths = [9, 70, 26, 22, 28, 30, 18, 40, 24]
    rows = [[p(name, small_bold) for name, _ in ANNEX_ONE_COLUMNS]]
    rows += [[p(value, small) for value in row.as_text()] for row in report.annex]
    story.append(Table(rows, colWidths=[w * mm for w in widths], repeatRows=1, style=grid))
    if report.annex_truncated:
        story.append(
            p(f"(Danh sách đầy đủ trong tệp Excel; ở đây {len(report.annex)} nhiệm vụ đầu.)", small)
        )
    story += [
        Spacer(1, 6 * mm),
        p("PHỤ LỤC II: TỔNG HỢP KẾT QUẢ THỰC HIỆN THEO ĐƠN VỊ", bold_center),
    ]
    two = [[p(name, small_bold) for name, _ in ANNEX_TWO_COLUMNS]]
    two += [[p(v, small) for v in values] for values in _annex_two_text(report.summary)]
    story.append(
        Table(two, colWidths=[10 * mm, 70 * mm] + [16 * mm] * 11, repeatRows=1, style=grid)
    )
    story += [Spacer(1, 4 * mm), p(footer_text(report.scope, report.extracted), small)]
    document.build(story)
    return report
