"""The main screens on the demo data, on a phone and a desktop.

Each page must render for its persona and pass the accessibility check; with
DONDOC_SCREENSHOTS_DIR set (`make screenshots`) the pictures are kept there for the README.
"""

from __future__ import annotations

import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, ViewportSize, expect

from directives.models import Task
from tests.directives.test_importer import plain_lines
from tests.e2e.conftest import check_accessibility

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1366, "height": 900}


def test_the_main_screens(browser: Browser, live_server: object, tmp_path: Path) -> None:
    call_command("seed_demo", stdout=StringIO())
    target = Path(os.environ.get("DONDOC_SCREENSHOTS_DIR") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    base = str(live_server)
    initiative = Task.objects.get(ref="3.7")
    source = tmp_path / "194-TB-UBND.txt"
    source.write_text(
        "\n".join(plain_lines()).replace("194/TB-UBND", "195/TB-UBND"), encoding="utf-8"
    )

    def session(username: str, viewport: ViewportSize) -> Page:
        context = browser.new_context(viewport=viewport, locale="vi-VN")
        page = context.new_page()
        page.goto(f"{base}/dang-nhap/")
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill("dondoc123")
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_load_state()
        return page

    def shot(page: Page, name: str, *, full_page: bool = False) -> None:
        check_accessibility(page)
        page.screenshot(path=str(target / name), full_page=full_page)
        assert (target / name).stat().st_size > 10_000

    staff = session("sontay", PHONE)
    expect(staff.locator("tbody tr").first).to_contain_text("Quá hạn")
    shot(staff, "1-staff-list-phone.png", full_page=True)
    staff.goto(f"{base}/nhiem-vu/{initiative.pk}/")
    shot(staff, "2-task-page-phone.png")

    leader = session("pct", DESKTOP)
    expect(leader.get_by_role("heading", name="Bảng điều khiển")).to_be_visible()
    leader.wait_for_timeout(500)  # the charts' first draw
    shot(leader, "3-dashboard.png", full_page=True)

    office = session("vanphong", DESKTOP)
    office.goto(f"{base}/nhiem-vu/{initiative.pk}/")
    shot(office, "4-task-page-office.png")
    office.goto(f"{base}/thong-bao-ket-luan/nhap-tu-tep/")
    office.get_by_label("Tệp thông báo").set_input_files(str(source))
    office.get_by_role("button", name="Đọc thông báo").click()
    expect(office.get_by_role("heading", name="Xem trước: kiểm tra rồi xác nhận")).to_be_visible()
    shot(office, "5-import-preview.png")


@pytest.mark.libreoffice
def test_the_reports_and_the_a4_brief_as_they_print(
    browser: Browser, live_server: object, tmp_path: Path
) -> None:
    """Page images of each report as LibreOffice prints it (and of the PDF as made), and of
    the dashboard's A4 brief as Chromium prints it."""
    import subprocess

    from tests.reports.test_printing import pages, print_with_libreoffice

    call_command("seed_demo", stdout=StringIO())
    target = Path(os.environ.get("DONDOC_SCREENSHOTS_DIR") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    printed = {}
    for fmt in ("docx", "xlsx", "pdf"):
        made = tmp_path / f"bao-cao-{fmt}.{fmt}"
        call_command(
            "export_report",
            "--notice",
            "194/TB-UBND",
            "--format",
            fmt,
            "--output",
            str(made),
            stdout=StringIO(),
        )
        printed[fmt] = made if fmt == "pdf" else print_with_libreoffice(made)

    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    base = str(live_server)
    page.goto(f"{base}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("pct")
    page.get_by_label("Mật khẩu").fill("dondoc123")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    page.goto(f"{base}/bang-dieu-khien/?print=1&auto=0")
    page.emulate_media(media="print")
    brief = tmp_path / "ban-in-a4.pdf"
    page.pdf(path=str(brief), format="A4", print_background=True)
    printed["a4"] = brief
    assert pages(brief) <= 2

    for name, pdf in printed.items():
        subprocess.run(
            ["pdftoppm", "-r", "60", "-png", "-singlefile", str(pdf), str(target / f"6-in-{name}")],
            check=True,
        )
        assert (target / f"6-in-{name}.png").stat().st_size > 10_000
