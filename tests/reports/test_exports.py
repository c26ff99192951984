"""Exports read back: every task, totals that add up, Vietnamese intact; issued reports frozen."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date
from io import StringIO
from pathlib import Path

import docx
import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from directives import services
from directives.models import Notice, Task
from reports.models import IssuedReport
from tests.conftest import on_day
from units.models import User

pytestmark = pytest.mark.django_db

TODAY = date(2023, 11, 15)


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with on_day(TODAY):
        yield


@pytest.fixture
def demo() -> Notice:
    call_command("seed_demo", stdout=StringIO())
    return Notice.objects.get(number="194/TB-UBND")


def export(tmp_path: Path, fmt: str, *args: str) -> Path:
    output = tmp_path / f"report.{fmt}"
    call_command(
        "export_report", *args, "--format", fmt, "--output", str(output), stdout=StringIO()
    )
    return output


def annex_one(book: openpyxl.Workbook) -> list[tuple]:
    sheet = book["Phụ lục I"]
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    return [r for r in rows if isinstance(r[0], int)]


def test_the_xlsx_holds_every_task_and_annex_two_adds_up(demo: Notice, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(export(tmp_path, "xlsx", "--notice", "194/TB-UBND"))
    assert book.sheetnames == ["Phụ lục I", "Phụ lục II"]
    rows = annex_one(book)
    tasks = list(demo.tasks.select_related("lead_unit").order_by("order"))
    assert len(rows) == len(tasks) == 28
    for row, task in zip(rows, tasks, strict=True):
        assert row[1] == task.ref  # the Mục column: 3.1 … 3.7
        assert row[2] == task.text  # the Vietnamese text, intact
        assert row[3] == "194/TB-UBND ngày 13/09/2023"
        assert row[4] == "Hồ Thái Sơn"
        assert row[5] == task.lead_unit.name
        if task.deadline:
            assert row[7].date() == task.deadline  # a real date, not text
        else:
            assert row[7] == "Thường xuyên"
            assert "Thường xuyên" not in (row[9] or "")  # said once per row
    first = book["Phụ lục I"]
    assert first.freeze_panes == "A5"
    assert first.page_setup.orientation == "landscape"
    assert int(first.column_dimensions["C"].width) == 55  # 55 characters (Excel adds padding)
    # Every row has a height its wrapped text fits in (LibreOffice does not grow rows itself).
    for number in range(5, 5 + len(rows)):
        height = first.row_dimensions[number].height
        text = str(first.cell(number, 3).value)
        assert height is not None and height >= 15 * (len(text) // 61 + 1), number
    footer = [r[0] for r in first.iter_rows(values_only=True) if r and isinstance(r[0], str)]
    assert any(
        text.startswith("Phạm vi: Thông báo số 194/TB-UBND") and "Trích xuất lúc" in text
        for text in footer
    )

    second = book["Phụ lục II"]
    lines = [r for r in second.iter_rows(min_row=5, values_only=True) if r and r[1]]
    total = next(r for r in lines if r[1] == "Tổng cộng")
    units = [r for r in lines if isinstance(r[0], int)]
    assert total[2] == len(rows) == sum(r[2] for r in units)
    for column in (3, 5, 7, 9, 11):
        assert total[column] == sum(r[column] for r in units)
    assert sum(total[c] for c in (3, 5, 7, 9, 11)) == total[2]
    assert isinstance(units[0][4], float) and 0 <= units[0][4] <= 1  # percentages as numbers
    son_tay = next(r for r in units if r[1] == "Ủy ban nhân dân xã Sơn Tây")
    assert (son_tay[2], son_tay[5], son_tay[6]) == (1, 1, 1.0)  # its one task is overdue


def test_the_docx_is_the_administrative_report_with_its_annexes(
    demo: Notice, tmp_path: Path
) -> None:
    document = docx.Document(str(export(tmp_path, "docx", "--notice", "194/TB-UBND")))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in cells and "Độc lập - Tự do - Hạnh phúc" in cells
    assert "ỦY BAN NHÂN DÂN HUYỆN HƯƠNG SƠN" in cells
    assert "Hương Sơn, ngày 15 tháng 11 năm 2023" in cells
    assert "BÁO CÁO" in text and "Thông báo số 194/TB-UBND" in text
    assert "II. NHIỆM VỤ QUÁ HẠN, HOÀN THÀNH QUÁ HẠN VÀ NGUYÊN NHÂN" in text
    # The overdue Sơn Tây task with the cause from the unit's own last note.
    assert "Đã tổ chức lễ ra mắt sáng kiến ngày 28/9/2023" in text
    assert "Ủy ban nhân dân xã Sơn Tây" in cells and "Phòng Tài nguyên và Môi trường" in cells
    assert "Nơi nhận:" in cells and "TM. ỦY BAN NHÂN DÂN" in cells
    annex = document.tables[2]
    assert len(annex.rows) == 1 + 28
    assert document.styles["Normal"].font.name == "Times New Roman"


def test_the_pdf_renders_vietnamese_text(demo: Notice, tmp_path: Path) -> None:
    reader = PdfReader(str(export(tmp_path, "pdf", "--notice", "194/TB-UBND")))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 3
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "194/TB-UBND",
        "Ủy ban nhân dân xã Sơn Tây",
        "Phòng Tài chính - Kế hoạch",
        "Tập trung hoàn thiện sáng kiến kinh nghiệm",
        "Nguyên nhân, tình hình",
    ):
        assert expected in " ".join(text.split()), expected
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()  # type: ignore[index]
    }
    assert any("Tinos" in name for name in fonts)  # an embedded font with Vietnamese glyphs


def test_a_unit_and_a_period_narrow_the_report(demo: Notice, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(
        export(tmp_path, "xlsx", "--unit", "noi vu", "--from", "2023-09-01", "--to", "2023-09-30")
    )
    rows = annex_one(book)
    assert len(rows) == 8 and {r[5] for r in rows} == {"Phòng Nội vụ"}
    empty = openpyxl.load_workbook(export(tmp_path, "xlsx", "--from", "2024-01-01"))
    assert annex_one(empty) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--notice", "999/TB-UBND"], "Không có thông báo số"),
        (["--unit", "Phòng Y tế"], "Không tìm thấy đơn vị"),
        (["--from", "2023-13-01"], "ngày không hợp lệ"),
        (["--from", "2023-10-01", "--to", "2023-09-01"], "--from phải trước --to"),
    ],
)
def test_the_command_refuses_bad_input_clearly(
    demo: Notice, tmp_path: Path, args: list[str], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        export(tmp_path, "xlsx", *args)


def test_an_issued_report_is_frozen_and_a_new_issue_is_a_new_version(
    client: Client, demo: Notice
) -> None:
    office = User.objects.get(username="vanphong")
    client.force_login(office)
    scope = {"notice": demo.pk}
    response = client.post(reverse("report_issue"), scope)
    first = IssuedReport.objects.get()
    assert response.status_code == 302 and first.version == 1
    before_pdf = first.pdf.read()
    assert first.figures["total"]["open_overdue"] == 1

    son_tay = Task.objects.get(ref="3.7")
    services.report_completion(actor=User.objects.get(username="sontay"), task=son_tay, note="Xong")
    services.accept_completion(actor=office, task=son_tay)

    page = client.get(reverse("issued_report", args=[first.pk]))
    first.refresh_from_db()
    assert first.figures["total"]["open_overdue"] == 1  # what was issued
    assert page.context["report"].figures["total"]["done_late"] == 0
    stored = client.get(reverse("issued_report_file", args=[first.pk, "pdf"]))
    assert b"".join(stored.streaming_content) == before_pdf  # type: ignore[attr-defined]

    client.post(reverse("report_issue"), scope)
    second = IssuedReport.objects.get(version=2)
    assert second.figures["total"]["open_overdue"] == 0
    assert second.figures["total"]["done_late"] == 1
    assert IssuedReport.objects.get(version=1).figures["total"]["open_overdue"] == 1


def test_downloads_from_the_browser(client: Client, demo: Notice) -> None:
    client.force_login(User.objects.get(username="pct"))
    page = client.get(reverse("report_center"), {"notice": demo.pk})
    assert page.status_code == 200 and page.context["preview"].total.total == 28
    assert "lưu cố định số liệu" not in page.content.decode()  # leadership reads, the office issues
    response = client.get(reverse("report_download", args=["xlsx"]), {"notice": demo.pk})
    assert response["Content-Disposition"].startswith('attachment; filename="bao-cao-')
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    assert len(annex_one(book)) == 28
    bad = client.get(
        reverse("report_download", args=["xlsx"]),
        {"date_from": "2023-10-01", "date_to": "2023-09-01"},
    )
    assert bad.status_code == 302
    assert client.get(reverse("report_download", args=["odt"])).status_code == 404
    assert client.post(reverse("report_issue"), {"notice": demo.pk}).status_code == 403


def test_unit_staff_cannot_open_the_reports(client: Client, demo: Notice) -> None:
    client.force_login(User.objects.get(username="noivu"))
    assert client.get(reverse("report_center")).status_code == 403
    assert (
        client.get(reverse("report_download", args=["pdf"]), {"notice": demo.pk}).status_code == 403
    )


def test_a_control_character_in_a_note_never_breaks_a_report(demo: Notice, tmp_path: Path) -> None:
    """Word pastes U+000B for a line break; a note saved with it (before notes were cleaned)
    must not make the DOCX, the PDF or issuing fail."""
    task = Task.objects.filter(notice=demo, status=Task.Status.IN_PROGRESS).first()
    assert task is not None
    event = task.events.filter(kind="progress").first() or task.events.first()
    assert event is not None
    type(event).objects.filter(pk=event.pk).update(note="Đã họp\x0bxong\x01 bước 1\x0c")
    type(task).objects.filter(pk=task.pk).update(text=task.text + "\x0b(bổ sung)")
    document = docx.Document(str(export(tmp_path, "docx")))
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    assert "(bổ sung)" in text and "\x0b" not in text
    assert PdfReader(str(export(tmp_path, "pdf"))).pages
    openpyxl.load_workbook(export(tmp_path, "xlsx"))
    client = Client()
    client.force_login(User.objects.get(username="vanphong"))
    response = client.post(reverse("report_issue"), {"notice": demo.pk})
    assert response.status_code == 302
    assert IssuedReport.objects.count() == 1


def test_notes_are_saved_without_characters_documents_cannot_hold(demo: Notice) -> None:
    task = Task.objects.filter(notice=demo, status=Task.Status.IN_PROGRESS).first()
    assert task is not None
    staff = User.objects.filter(unit=task.lead_unit, role="staff").first()
    assert staff is not None
    event = services.report_progress(
        actor=staff, task=task, note="Dòng 1\x0bDòng 2\x00\x1f", progress=40
    )
    assert event.note == "Dòng 1\nDòng 2"


def test_a_missed_monthly_duty_is_counted_late_in_both_annexes(
    demo: Notice, tmp_path: Path
) -> None:
    from directives.models import PeriodReport

    office = User.objects.get(username="vanphong")
    noi_vu = Task.objects.filter(lead_unit__name="Phòng Nội vụ").first()
    assert noi_vu is not None
    duty = services.assign_task(
        actor=office,
        notice=demo,
        lead_unit=noi_vu.lead_unit,
        text="Báo cáo tình hình tổ chức bộ máy",
        deadline_text="Thường xuyên, báo cáo trước ngày 20 hằng tháng",
        assigned_on=date(2023, 9, 25),
    )
    services.ensure_periods(TODAY)
    missed = PeriodReport.objects.filter(task=duty, due_on__lt=TODAY, reported_on__isnull=True)
    assert missed.count() >= 1
    book = openpyxl.load_workbook(export(tmp_path, "xlsx", "--notice", "194/TB-UBND"))
    row = next(r for r in annex_one(book) if r[2] == duty.text)
    assert f"{missed.count()} kỳ báo cáo định kỳ trễ hạn" in row[9]
    second = book["Phụ lục II"]
    lines = [r for r in second.iter_rows(min_row=5, values_only=True) if r and r[1]]
    header = next(second.iter_rows(min_row=4, max_row=4, values_only=True))
    column = header.index("Kỳ báo cáo định kỳ trễ hạn")
    unit_line = next(r for r in lines if r[1] == "Phòng Nội vụ")
    total = next(r for r in lines if r[1] == "Tổng cộng")
    assert unit_line[column] == total[column] == missed.count()


def test_the_narrative_shows_a_task_given_to_several_units_with_its_members(
    demo: Notice,
) -> None:
    from reports.exports.data import Scope, compute
    from units.models import Unit

    office = User.objects.get(username="vanphong")
    units = list(Unit.objects.filter(kind=Unit.Kind.DEPARTMENT).order_by("order", "name")[:3])
    parent = services.assign_group_task(
        actor=office,
        notice=demo,
        text="Rà soát thủ tục hành chính",
        lead_units=units,
        ref="4",
        deadline=date(2023, 12, 31),
    )
    first = parent.children.get(lead_unit=units[0])
    staff = User.objects.create_user("cv-x", role=User.Role.STAFF, unit=units[0])
    services.report_completion(actor=staff, task=first, note="Xong")
    services.accept_completion(actor=office, task=first)
    report = compute(Scope.build(notice=demo, today=TODAY))
    line = next(r for r in report.results if r.startswith("Nhiệm vụ mục 4 giao"))
    assert "1/3 đơn vị hoàn thành" in line
    waiting = line.split("chưa hoàn thành: ")[1]
    assert units[1].name in waiting and units[2].name in waiting and units[0].name not in waiting


def test_the_office_writes_the_proposals_and_names_the_signer_before_issuing(
    client: Client, demo: Notice
) -> None:
    client.force_login(User.objects.get(username="vanphong"))
    scope: dict[str, str | int] = {
        "notice": demo.pk,
        "number": "125",
        "authority": "ct",
        "signer": "Nguyễn Văn Chủ",
        "proposals": (
            "- Đề nghị Phòng Nội vụ hoàn thành đề án trước 15/12.\n\nGiao Văn phòng theo dõi."
        ),
    }
    download = client.get(reverse("report_download", args=["docx"]), scope)
    assert download["Content-Disposition"].endswith('filename="bao-cao-194-TB-UBND-20231115.docx"')
    document = docx.Document(io.BytesIO(b"".join(download.streaming_content)))  # type: ignore[attr-defined]
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "- Đề nghị Phòng Nội vụ hoàn thành đề án trước 15/12." in text
    assert "- Giao Văn phòng theo dõi." in text
    assert "khẩn trương hoàn thành" not in text  # the office's proposals replace the drawn ones
    assert "Số: 125/BC-UBND" in cells and "Nguyễn Văn Chủ" in cells
    assert "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH" in cells
    assert "(Kèm theo Báo cáo số 125/BC-UBND ngày 15/11/2023 của Ủy ban nhân dân huyện" in text
    client.post(reverse("report_issue"), scope)
    issued = IssuedReport.objects.get()
    assert issued.figures["proposals"] == [
        "Đề nghị Phòng Nội vụ hoàn thành đề án trước 15/12.",
        "Giao Văn phòng theo dõi.",
    ]
    assert issued.figures["signing"]["signer"] == "Nguyễn Văn Chủ"
    assert "bao-cao-194-TB-UBND-20231115-lan1" in issued.docx.name
    stored = client.get(reverse("issued_report_file", args=[issued.pk, "docx"]))
    assert stored["Content-Disposition"].endswith(
        'filename="bao-cao-194-TB-UBND-20231115-lan1.docx"'
    )
    page = client.get(reverse("issued_report", args=[issued.pk])).content.decode()
    assert "Giao Văn phòng theo dõi." in page and "Nguyễn Văn Chủ" in page
    bad = client.get(reverse("report_download", args=["pdf"]), {**scope, "number": "12a"})
    assert bad.status_code == 302  # back to the form, which says why


def test_the_narrative_never_contradicts_itself(demo: Notice, tmp_path: Path) -> None:
    document = docx.Document(str(export(tmp_path, "docx", "--notice", "194/TB-UBND")))
    text = "\n".join(p.text for p in document.paragraphs)
    # One task is overdue: II names it, III urges its unit; no "không có nhiệm vụ quá hạn".
    assert "Không có nhiệm vụ chưa hoàn thành quá hạn." not in text
    assert "Đề nghị Ủy ban nhân dân xã Sơn Tây khẩn trương hoàn thành" in text
    assert "Không có nhiệm vụ hoàn thành quá hạn." in text  # none finished late, said so
    assert "(Văn phòng bổ sung" not in text
    assert re.search(r"\(\d+,\d%\)", text) and not re.search(r"\d\.\d%", text)
    with on_day(TODAY):
        for task in Task.objects.filter(status__in=Task.OPEN_STATUSES):
            services.cancel_task(
                actor=User.objects.get(username="vanphong"), task=task, reason="Thôi"
            )
    document = docx.Document(str(export(tmp_path, "docx", "--notice", "194/TB-UBND")))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Không có nhiệm vụ chưa hoàn thành quá hạn." in text
    assert "khẩn trương hoàn thành" not in text
