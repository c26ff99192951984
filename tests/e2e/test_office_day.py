"""The office's day in the browser (an English-language Chromium, as many desks have): the
inbox with bulk acceptance, "Nhắc ngay", an extension asked after the deadline with its
letter and approved to another date; and a chuyên viên's phone."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from directives import services
from directives.models import ExtensionRequest, Task, TaskEvent
from tests.conftest import MakeTask
from tests.e2e.conftest import check_accessibility, log_in
from units.models import User

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_inbox_bulk_acceptance_remind_now_and_an_extension_after_the_deadline(
    page: Page,
    live_server: object,
    make_task: MakeTask,
    office: User,
    staff_a: User,
    head_a: User,
    tmp_path: Path,
) -> None:
    base = str(live_server)
    today = timezone.localdate()
    done = [
        make_task(text=f"Báo cáo sơ kết {n}", deadline=today + timedelta(days=20), ref=f"1.{n}")
        for n in range(2)
    ]
    for task in done:
        services.report_completion(actor=staff_a, task=task, note="Đã gửi báo cáo")
    late = make_task(
        text="Rà soát thủ tục hành chính",
        deadline=today - timedelta(days=3),
        ref="2.1",
        assignee=staff_a,
    )

    # The chuyên viên asks, after the deadline, with the unit's letter; the date is typed
    # as people write it, whatever the browser's language.
    log_in(page, base, staff_a, landing="/nhiem-vu/?person=mine")
    page.goto(f"{base}/nhiem-vu/{late.pk}/")
    page.locator("summary", has_text="Đề nghị gia hạn").click()
    form = page.locator("form[action$='/de-nghi-gia-han/']")
    asked = today + timedelta(days=30)
    date_box = form.get_by_label("Thời hạn đề nghị")
    expect(date_box).to_have_attribute("placeholder", "dd/mm/yyyy")
    date_box.fill(f"{asked:%d/%m/%Y}")
    date_box.press("Tab")
    form.get_by_label("Lý do đề nghị gia hạn").fill("Chờ số liệu của các xã.")
    expect(form.get_by_text("Chưa chọn tệp nào")).to_be_visible()  # not "No file chosen"
    letter = tmp_path / "cong-van-xin-gia-han.pdf"
    letter.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    form.locator("input[type=file]").set_input_files(str(letter))
    expect(form.get_by_text("cong-van-xin-gia-han.pdf")).to_be_visible()
    form.get_by_role("button", name="Đề nghị gia hạn", exact=True).click()
    expect(page.get_by_text("Đã gửi đề nghị gia hạn.")).to_be_visible()
    assert ExtensionRequest.objects.get().after_deadline

    # The office's inbox: two completions, the request marked as late, the count in the header.
    page.context.clear_cookies()
    log_in(page, base, office)
    inbox_link = page.get_by_role("link", name="Việc cần xử lý")
    expect(inbox_link).to_contain_text("3")
    inbox_link.click()
    expect(page.get_by_text("Báo cáo hoàn thành chờ xác nhận (2)")).to_be_visible()
    expect(page.get_by_text("Đề nghị sau thời hạn")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("Chọn tất cả").check()
    page.get_by_label("Ý kiến chung").fill("Đồng ý kết quả.")
    page.get_by_role("button", name="Xác nhận hoàn thành các nhiệm vụ đã chọn").click()
    expect(page.get_by_text("Đã xác nhận hoàn thành 2 nhiệm vụ.")).to_be_visible()
    assert set(
        Task.objects.filter(pk__in=[t.pk for t in done]).values_list("status", flat=True)
    ) == {Task.Status.DONE}

    # The extension, approved to another date than asked, after reading the letter.
    page.get_by_role("link", name=f"{late.notice.number} · mục 2.1").click()
    expect(page.get_by_role("link", name="cong-van-xin-gia-han.pdf")).to_be_visible()
    decide = page.locator("form[action$='/quyet-dinh-gia-han/']")
    page.locator("summary", has_text="Quyết định gia hạn").click()
    decide.get_by_label("Đồng ý gia hạn").check()
    granted = today + timedelta(days=15)
    decide.get_by_label("Thời hạn được đồng ý").fill(f"{granted:%d/%m/%Y}")
    decide.get_by_label("Thời hạn được đồng ý").press("Tab")
    decide.get_by_label("Ý kiến", exact=True).fill("Đồng ý 15 ngày, kịp báo cáo quý.")
    decide.get_by_role("button", name="Quyết định gia hạn", exact=True).click()
    expect(page.get_by_text("Đã ghi nhận quyết định gia hạn.")).to_be_visible()
    expect(page.get_by_text(f"Thời hạn mới: {granted:%d/%m/%Y}")).to_be_visible()
    late.refresh_from_db()
    assert late.deadline == granted

    # "Nhắc ngay", pressed twice: one reminder, one timeline row.
    page.get_by_role("button", name="Nhắc ngay").click()
    expect(page.get_by_text("Đã nhắc 1 người về 1 nhiệm vụ.")).to_be_visible()
    page.get_by_role("button", name="Nhắc ngay").click()
    expect(page.get_by_text("1 nhiệm vụ đã được nhắc hôm nay")).to_be_visible()
    assert TaskEvent.objects.filter(task=late, kind=TaskEvent.Kind.REMINDED).count() == 1


def test_on_a_phone_the_counts_stay_in_sight_and_the_filters_fold(
    page: Page,
    live_server: object,
    make_task: MakeTask,
    staff_a: User,
    head_a: User,
    leader: User,
) -> None:
    base = str(live_server)
    task = make_task(text="Việc trên điện thoại", assignee=staff_a)
    services.add_comment(actor=leader, task=task, note="Đề nghị khẩn trương.")
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, base, staff_a, landing="/nhiem-vu/?person=mine")
    unread = page.get_by_role("link", name="Tin mới")
    expect(unread).to_be_visible()  # outside the collapsed menu
    expect(unread).to_contain_text("tin chưa đọc")  # the count, read out
    expect(page.get_by_role("link", name="Thông báo kết luận")).to_be_hidden()  # in the menu
    filters = page.locator("#task-filters")
    expect(filters).to_be_hidden()
    expect(page.locator("tbody tr").first).to_be_in_viewport()
    page.get_by_role("button", name=re.compile(r"^Bộ lọc")).click()
    expect(filters).to_be_visible()
    page.get_by_role("button", name="Mở menu").click()
    badge = page.locator(".navbar .badge.text-bg-light")
    expect(badge).to_be_visible()
    box = badge.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390  # the role is not cut


def test_a_search_of_many_tasks_shows_its_rows_then_its_counts(
    page: Page,
    live_server: object,
    make_task: MakeTask,
    office: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A search estimated to match many tasks shows its rows first; the tabs then ask for
    their counts and show them (directives.views.task_list_counts)."""
    from directives import views

    monkeypatch.setattr(views, "DEFERRED_COUNTS", 5)
    late = timezone.localdate() - timedelta(days=3)
    for n in range(30):
        make_task(text=f"Giải phóng mặt bằng dự án {n}", deadline=late if n < 12 else None)
    make_task(text="Việc khác")
    base = str(live_server)
    log_in(page, base, office)
    messages: list[str] = []
    asked: list[str] = []
    page.on("console", lambda m: messages.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: asked.append(r.url))
    page.goto(f"{base}/nhiem-vu/?q=giai+phong")
    tabs = page.get_by_role("navigation", name="Theo tình trạng thời hạn")
    everything = tabs.get_by_role("link", name=re.compile(r"^Tất cả"))
    expect(everything).to_have_text(re.compile(r"Tất cả\s+30$"))
    expect(tabs).not_to_have_attribute("aria-busy", "true")
    expect(tabs.get_by_role("link", name=re.compile(r"^Quá hạn"))).to_have_text(
        re.compile(r"Quá hạn\s+12$")
    )
    expect(page.locator("tbody tr")).to_have_count(25)
    assert f"{base}/nhiem-vu/dem/?q=giai+phong" in asked  # the counts came after the rows
    check_accessibility(page)
    page.get_by_role("link", name=re.compile(r"^Quá hạn")).click()
    expect(page.locator("tbody tr")).to_have_count(12)
    expect(tabs.get_by_role("link", name=re.compile(r"^Quá hạn"))).to_have_attribute(
        "aria-current", "page"
    )
    assert messages == []
