"""The narrative report (Nghị định 30/2020) with its annexes, as a PDF (ReportLab, Tinos)."""

from __future__ import annotations

from pathlib import Path
from typing import IO

from core.text import printable

from .data import (
    ANNEX_ONE_COLUMNS,
    ANNEX_ONE_MM,
    ANNEX_TWO_COLUMNS,
    ANNEX_TWO_MM,
    FONTS,
    Report,
    Scope,
    as_report,
    footer_text,
    narrative_late_lines,
)
from .docx_writer import annex_two_text


def register_fonts() -> None:
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


def write_pdf(subject: Scope | Report, target: IO[bytes] | str | Path) -> Report:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        BaseDocTemplate,
        Frame,
        HRFlowable,
        KeepTogether,
        NextPageTemplate,
        PageBreak,
        PageTemplate,
        Paragraph,
        Spacer,
        Table,
        TableStyle,
    )

    register_fonts()
    report = as_report(subject)
    base = ParagraphStyle("base", fontName="Tinos", fontSize=13, leading=17, alignment=TA_JUSTIFY)
    center = ParagraphStyle("center", parent=base, alignment=TA_CENTER)
    bold_center = ParagraphStyle("bold_center", parent=center, fontName="Tinos-Bold")
    bold = ParagraphStyle("bold", parent=base, fontName="Tinos-Bold")
    small = ParagraphStyle("small", parent=base, fontSize=9.5, leading=12, alignment=0)
    small_bold = ParagraphStyle("small_bold", parent=small, fontName="Tinos-Bold")

    def p(text: str, style: ParagraphStyle = base) -> Paragraph:
        return Paragraph(escape(printable(text)), style)

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
    italic_center = ParagraphStyle("italic_center", parent=center, fontName="Tinos-Italic")
    motto_top = ParagraphStyle("motto_top", parent=bold_center, fontSize=12, leading=15)

    def short_rule(width_mm: float) -> HRFlowable:
        return HRFlowable(
            width=width_mm * mm,
            thickness=0.6,
            color=colors.black,
            spaceBefore=1,
            spaceAfter=1,
            hAlign="CENTER",
        )

    # Nghị định 30/2020, Phụ lục I: the issuing body and the national motto side by side,
    # about 2 : 3 of the 165 mm line, level at the top.
    left = [
        p(report.issuer_upper, bold_center),
        short_rule(26),
        Spacer(1, 1.5 * mm),
        p(report.number_line, center),
    ]
    right = [
        p("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", motto_top),
        p("Độc lập - Tự do - Hạnh phúc", bold_center),
        short_rule(58),
        Spacer(1, 1.5 * mm),
        p(report.date_line, italic_center),
    ]
    header = Table(
        [[left, right]],
        colWidths=[66 * mm, 99 * mm],
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
            ]
        ),
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
    story.append(p("II. NHIỆM VỤ QUÁ HẠN, HOÀN THÀNH QUÁ HẠN VÀ NGUYÊN NHÂN", bold))
    story += [p(line) for line in narrative_late_lines(report)]
    story.append(p("III. ĐỀ XUẤT, KIẾN NGHỊ", bold))
    story += [p(f"- {line}") for line in report.proposals]
    receivers_title = ParagraphStyle("receivers_title", parent=small, fontSize=12, leading=15)
    receivers = [Paragraph(f"<b><i>{escape('Nơi nhận:')}</i></b>", receivers_title)] + [
        p(f"- {r}", ParagraphStyle("receiver", parent=small, fontSize=11, leading=13))
        for r in report.recipients
    ]
    signer = [p(line, bold_center) for line in report.signing.authority]
    signer += [Spacer(1, 22 * mm), p(report.signing.signer, bold_center)]
    signature = Table(
        [[receivers, signer]],
        colWidths=[80 * mm, 85 * mm],
        style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]),
    )
    story += [Spacer(1, 6 * mm), KeepTogether(signature), NextPageTemplate("annex"), PageBreak()]

    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDEBF7")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
    story += [
        p("Phụ lục I", bold_center),
        p("DANH SÁCH NHIỆM VỤ VÀ TÌNH HÌNH THỰC HIỆN", bold_center),
        p(report.annex_reference, ParagraphStyle("ref", parent=italic_center, fontSize=11)),
        Spacer(1, 3 * mm),
    ]
    rows = [[p(name, small_bold) for name, _ in ANNEX_ONE_COLUMNS]]
    rows += [[p(value, small) for value in row.as_text()] for row in report.annex]
    # A row is never split across pages (ReportLab moves a row that does not fit whole).
    story.append(
        Table(
            rows,
            colWidths=[w * mm for w in ANNEX_ONE_MM],
            repeatRows=1,
            style=grid,
            splitInRow=0,
        )
    )
    if report.annex_truncated:
        story.append(
            p(f"(Danh sách đầy đủ trong tệp Excel; ở đây {len(report.annex)} nhiệm vụ đầu.)", small)
        )
    story += [
        PageBreak(),
        p("Phụ lục II", bold_center),
        p("TỔNG HỢP KẾT QUẢ THỰC HIỆN THEO ĐƠN VỊ", bold_center),
        p(report.annex_reference, ParagraphStyle("ref2", parent=italic_center, fontSize=11)),
        Spacer(1, 3 * mm),
    ]
    two = [[p(name, small_bold) for name, _ in ANNEX_TWO_COLUMNS]]
    two += [[p(v, small) for v in values] for values in annex_two_text(report.summary)]
    story.append(Table(two, colWidths=[w * mm for w in ANNEX_TWO_MM], repeatRows=1, style=grid))
    story += [Spacer(1, 4 * mm), p(footer_text(report.scope, report.extracted), small)]
    document.build(story)
    return report
