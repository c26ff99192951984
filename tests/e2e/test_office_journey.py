"""The office: import notice 194 from its Word file, correct a unit, confirm; accept and return
completion reports; download the reports and read them back."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import openpyxl
import pytest
from playwright.sync_api import Page, expect

from directives import services
from directives.demo.seed import seed_units
from directives.models import Notice, Task
from tests.directives.test_importer import plain_lines
from tests.e2e.conftest import check_accessibility, log_in
from units.models import Unit, User

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def word_file(path: Path) -> Path:
    """Notice 194 as a .docx, with 3.7's unit written in a way the registry does not know."""
    document = docx.Document()
    for line in plain_lines():
        if line:
            document.add_paragraph(
                line.replace("Đối với Ủy ban nhân dân xã Sơn Tây", "Đối với UBND xã Sơn Tây (mới)")
            )
    document.save(str(path))
    return path


def test_the_office_imports_accepts_returns_and_exports(
    page: Page, live_server: object, office: User, tmp_path: Path
) -> None:
    seed_units()
    base = str(live_server)
    log_in(page, base, office)

    page.goto(f"{base}/thong-bao-ket-luan/nhap-tu-tep/")
    check_accessibility(page)
    page.get_by_label("Tệp thông báo").set_input_files(
        str(word_file(tmp_path / "194-TB-UBND.docx"))
    )
    page.get_by_role("button", name="Đọc thông báo").click()
    expect(page.get_by_role("heading", name="Xem trước: kiểm tra rồi xác nhận")).to_be_visible()
    expect(page.get_by_label("Số, ký hiệu")).to_have_value("194/TB-UBND")
    check_accessibility(page)
    page.get_by_role("button", name="Xác nhận và lưu thông báo").click()
    expect(page.get_by_text("Có 1 ô đơn vị chưa khớp với danh mục")).to_be_visible()
    wrong = page.locator('input[name$="-lead_unit"][value="UBND xã Sơn Tây (mới)"]')
    expect(wrong).to_have_count(1)
    wrong.fill("xa son tay")  # accents optional: the registry's "Ủy ban nhân dân xã Sơn Tây"
    page.get_by_role("button", name="Xác nhận và lưu thông báo").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Đã nhập Thông báo 194/TB-UBND với 28 nhiệm vụ."
    )
    notice = Notice.objects.get(number="194/TB-UBND")
    initiative = notice.tasks.get(ref="3.7")
    assert initiative.lead_unit.name == "Ủy ban nhân dân xã Sơn Tây"
    assert notice.source_file.name.endswith(".docx")

    # Two units report completion; the office accepts one and returns the other.
    staff = {}
    for name, unit_name in (("noivu", "Phòng Nội vụ"), ("tuphap", "Phòng Tư pháp")):
        staff[name] = User.objects.create_user(
            username=name,
            role=User.Role.STAFF,
            unit=Unit.objects.get(name=unit_name),
        )
    done = notice.tasks.filter(ref="3.1").order_by("order").first()
    redo = notice.tasks.filter(ref="3.2").order_by("order").first()
    assert done is not None and redo is not None
    services.report_completion(
        actor=staff["noivu"], task=done, note="Đã trình Quyết định thành lập Ban Chỉ đạo."
    )
    services.report_completion(actor=staff["tuphap"], task=redo, note="Đã hướng dẫn.")

    page.goto(f"{base}/nhiem-vu/{done.pk}/")
    page.get_by_text("Xác nhận hoàn thành", exact=True).first.click()
    page.get_by_role("button", name="Xác nhận hoàn thành").click()
    expect(page.get_by_role("alert")).to_contain_text("Đã xác nhận hoàn thành.")
    page.goto(f"{base}/nhiem-vu/{redo.pk}/")
    page.get_by_text("Trả lại, yêu cầu thực hiện lại", exact=True).first.click()
    page.get_by_label("Lý do trả lại").fill("Chưa kèm văn bản hướng dẫn đã ban hành.")
    page.get_by_role("button", name="Trả lại, yêu cầu thực hiện lại").click()
    expect(page.get_by_role("alert")).to_contain_text("Đã trả lại báo cáo")
    assert Task.objects.get(pk=done.pk).status == Task.Status.DONE
    assert Task.objects.get(pk=redo.pk).status == Task.Status.IN_PROGRESS

    page.goto(f"{base}/bao-cao/")
    page.get_by_label("Thông báo").select_option(label=str(notice))
    page.get_by_role("button", name="Xem số liệu").click()
    check_accessibility(page)
    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Tải Excel (Phụ lục I, II)").click()
    book = openpyxl.load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes()))
    tasks = [
        r for r in book["Phụ lục I"].iter_rows(min_row=5, values_only=True) if isinstance(r[0], int)
    ]
    assert len(tasks) == 28
    assert any(r[2] == done.text and "Hoàn thành" in r[8] for r in tasks)
    with page.expect_download() as docx_download:
        page.get_by_role("link", name="Tải Word (báo cáo)").click()
    report = docx.Document(io.BytesIO(Path(docx_download.value.path()).read_bytes()))
    text = "\n".join(p.text for p in report.paragraphs)
    assert "Thông báo số 194/TB-UBND" in text and "Đã hoàn thành: 1 nhiệm vụ" in text
