"""Leadership: the dashboard, one unit's overdue figure, exactly those tasks, a timeline, print."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from directives import services
from tests.e2e.conftest import check_accessibility, log_in
from units.models import Unit, User

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_leadership_drill_down_from_a_units_overdue_figure_to_a_timeline(
    page: Page,
    live_server: object,
    office: User,
    leader: User,
    staff_a: User,
    unit_a: Unit,
    unit_b: Unit,
) -> None:
    today = timezone.localdate()
    notice = services.create_notice(
        actor=office,
        number="194/TB-UBND",
        issued_on=today - timedelta(days=90),
        title="Kết luận họp",
    )
    for days, text in ((3, "Nội vụ trễ 3 ngày"), (40, "Nội vụ trễ 40 ngày")):
        services.assign_task(
            actor=office,
            notice=notice,
            lead_unit=unit_a,
            text=text,
            deadline=today - timedelta(days=days),
        )
    services.assign_task(actor=office, notice=notice, lead_unit=unit_a, text="Nội vụ thường xuyên")
    services.assign_task(
        actor=office,
        notice=notice,
        lead_unit=unit_b,
        text="Tư pháp trễ",
        deadline=today - timedelta(days=10),
    )
    late = notice.tasks.get(text="Nội vụ trễ 40 ngày")
    services.report_progress(
        actor=staff_a, task=late, note="Đang chờ ý kiến Sở Nội vụ.", progress=40
    )
    base = str(live_server)

    log_in(page, base, leader, landing="/bang-dieu-khien/")
    expect(page.get_by_role("heading", name="Bảng điều khiển")).to_be_visible()
    expect(page.locator('[data-figure="open_overdue"]')).to_have_text("3")
    check_accessibility(page)

    row = page.locator('tr[data-unit="Phòng Nội vụ"]')
    overdue_cell = row.locator("td").nth(5).get_by_role("link")
    expect(overdue_cell).to_have_text("2")
    overdue_cell.click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Nội vụ trễ 40 ngày")
    expect(rows.nth(1)).to_contain_text("Nội vụ trễ 3 ngày")
    expect(page.get_by_text("Tư pháp trễ")).to_have_count(0)

    rows.nth(0).get_by_role("link").click()
    timeline = page.get_by_role("region", name="Diễn biến thực hiện")
    expect(timeline).to_contain_text("Đang chờ ý kiến Sở Nội vụ.")
    expect(timeline).to_contain_text("Giao nhiệm vụ")
    check_accessibility(page)

    # "Bản in A4" opens the browser's print dialog by itself …
    page.add_init_script("window.print = () => { window.__printed = true; };")
    page.get_by_role("link", name="Bảng điều khiển").first.click()
    page.get_by_role("link", name="Bản in A4").click()
    for _ in range(40):  # (the page's CSP forbids wait_for_function's eval)
        if page.evaluate("() => window.__printed === true"):
            break
        page.wait_for_timeout(100)
    assert page.evaluate("() => window.__printed === true"), "the print dialog did not open"
    expect(page.locator("nav.navbar")).to_have_count(0)
    # … and prints as an A4 brief: one or two pages, charts drawn and sized, tables whole.
    page.goto(f"{base}/bang-dieu-khien/?print=1&auto=0")
    page.emulate_media(media="print")
    trend = page.evaluate(
        """() => { const c = Chart.getChart('trend-chart');
                   return {ticks: c.scales.y.ticks.length, offset: c.scales.x.options.offset,
                           height: c.height}; }"""
    )
    assert trend["ticks"] >= 4 and trend["offset"] is True, trend
    units_drawn = page.evaluate("() => Chart.getChart('unit-chart').data.datasets.length")
    assert units_drawn == 5
    pdf = page.pdf(format="A4", print_background=True)
    from io import BytesIO

    from pypdf import PdfReader

    assert 1 <= len(PdfReader(BytesIO(pdf)).pages) <= 2
