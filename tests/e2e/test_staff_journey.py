"""Unit staff on a phone: the overdue task first, progress with a file, completion reported."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from directives import services
from directives.models import Attachment, Task
from tests.e2e.conftest import check_accessibility, log_in
from units.models import Unit, User

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, object]) -> dict[str, object]:
    return {**browser_context_args, "viewport": PHONE, "locale": "vi-VN"}


def test_staff_on_a_phone_report_progress_with_a_file_and_then_completion(
    page: Page,
    live_server: object,
    office: User,
    staff_a: User,
    staff_b: User,
    unit_a: Unit,
    tmp_path: Path,
) -> None:
    today = timezone.localdate()
    notice = services.create_notice(
        actor=office,
        number="194/TB-UBND",
        issuer="UBND huyện Hương Sơn",
        issued_on=today - timedelta(days=60),
        title="Kết luận họp cải cách hành chính",
    )
    services.assign_task(
        actor=office,
        notice=notice,
        lead_unit=unit_a,
        text="Việc còn hạn dài",
        deadline=today + timedelta(days=40),
    )
    services.assign_task(actor=office, notice=notice, lead_unit=unit_a, text="Việc thường xuyên")
    late = services.assign_task(
        actor=office,
        notice=notice,
        lead_unit=unit_a,
        text="Báo cáo kết quả sáng kiến SMS",
        deadline=today - timedelta(days=5),
    )
    base = str(live_server)

    log_in(page, base, staff_a)
    check_accessibility(page)
    rows = page.locator("tbody tr")
    expect(rows.first).to_contain_text("Báo cáo kết quả sáng kiến SMS")
    expect(rows.first).to_contain_text("Quá hạn 5 ngày")
    rows.first.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Báo cáo kết quả sáng kiến SMS")).to_be_visible()
    check_accessibility(page)

    evidence = tmp_path / "bien-ban-ra-mat.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    page.get_by_text("Báo cáo tiến độ", exact=True).first.click()
    page.get_by_label("Nội dung báo cáo").fill("Đã tổ chức lễ ra mắt, đang tổng hợp kết quả.")
    page.get_by_label("Tiến độ (%)").fill("70")
    page.get_by_label("Tệp minh chứng").set_input_files(str(evidence))
    page.get_by_role("button", name="Báo cáo tiến độ").click()
    expect(page.get_by_role("alert")).to_contain_text("Đã gửi báo cáo tiến độ.")
    expect(page.get_by_role("link", name="bien-ban-ra-mat.pdf")).to_be_visible()

    page.get_by_text("Báo cáo hoàn thành", exact=True).first.click()
    page.get_by_label("Kết quả thực hiện").fill("Đã gửi báo cáo kết quả bước đầu.")
    page.get_by_label("Số, ký hiệu văn bản kết quả").fill("45/BC-UBND")
    page.get_by_role("button", name="Báo cáo hoàn thành").click()
    expect(page.get_by_role("alert")).to_contain_text("chờ Văn phòng xác nhận")
    expect(page.locator("dd").first).to_contain_text("Chờ xác nhận")

    late.refresh_from_db()
    assert late.status == Task.Status.AWAITING_ACCEPTANCE
    assert Attachment.objects.filter(event__task=late, name="bien-ban-ra-mat.pdf").exists()

    # Staff of another unit cannot reach the task, even with its address.
    page.context.clear_cookies()
    log_in(page, base, staff_b)
    response = page.goto(f"{base}/nhiem-vu/{late.pk}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Không tìm thấy")).to_be_visible()
