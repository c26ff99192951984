"""One task for the communes, as the office, three xã, a head and a chuyên viên live it."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from directives import services
from directives.models import GroupTask, Task
from tests.e2e.conftest import log_in
from units.models import Unit, UnitGroup, User

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def person(username: str, role: str, unit: Unit) -> User:
    return User.objects.create_user(
        username=username,
        password="pw-for-tests",
        role=role,
        unit=unit,
        full_name=username,
    )


def test_a_task_for_the_communes_fanned_out_returned_assigned_reviewed_and_rolled_up(
    page: Page, live_server: object, office: User, leader: User
) -> None:
    base = str(live_server)
    communes = [
        Unit.objects.create(name=f"UBND xã {name}", kind=Unit.Kind.COMMUNE, order=i)
        for i, name in enumerate(["Sơn Tây", "Sơn Kim", "Sơn Hồng"])
    ]
    tay, kim, hong = communes
    tay.head_review = True
    tay.save(update_fields=["head_review"])
    group = UnitGroup.objects.create(name="UBND các xã, thị trấn", aliases=["các xã, thị trấn"])
    group.members.set(communes)
    noi_vu = Unit.objects.create(name="Phòng Nội vụ", short_name="Nội vụ")
    head_tay = person("ct-sontay", User.Role.HEAD, tay)
    staff_tay = person("cv-sontay", User.Role.STAFF, tay)
    staff_kim = person("cv-sonkim", User.Role.STAFF, kim)
    staff_hong = person("cv-sonhong", User.Role.STAFF, hong)
    notice = services.create_notice(
        actor=office,
        number="12/TB-UBND",
        issuer="UBND huyện Hương Sơn",
        issued_on=timezone.localdate(),
        title="Kết luận giao ban tháng",
    )

    # 1. The office gives one task to "UBND các xã, thị trấn".
    log_in(page, base, office)
    page.goto(f"{base}/thong-bao-ket-luan/{notice.pk}/")
    page.get_by_text("Thêm nhiệm vụ cho thông báo này").click()
    page.get_by_label("Nội dung nhiệm vụ").fill("Rà soát, cập nhật danh sách hộ nghèo năm 2026")
    page.get_by_label("Đơn vị chủ trì").fill("UBND các xã, thị trấn")
    page.get_by_role("button", name="Thêm nhiệm vụ").click()
    expect(page.get_by_text("0/3 đơn vị đã hoàn thành")).to_be_visible()
    parent = GroupTask.objects.get()
    children = {c.lead_unit_id: c for c in parent.children.all()}
    assert set(children) == {u.pk for u in communes}

    # 2. Each xã sees only its own part.
    for staff in (staff_tay, staff_kim, staff_hong):
        page.context.clear_cookies()
        log_in(page, base, staff)
        rows = page.locator("tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("Rà soát, cập nhật danh sách hộ nghèo")
        assert staff.unit_id is not None
        own = children[staff.unit_id]
        others = [c for c in children.values() if c.pk != own.pk]
        response = page.goto(f"{base}/nhiem-vu/{others[0].pk}/")
        assert response is not None and response.status == 404
        response = page.goto(f"{base}/nhiem-vu-nhieu-don-vi/{parent.pk}/")
        assert response is not None and response.status == 404

    # 3. Sơn Hồng returns it as not its own; the office gives it to Phòng Nội vụ.
    page.context.clear_cookies()
    log_in(page, base, staff_hong)
    page.goto(f"{base}/nhiem-vu/{children[hong.pk].pk}/")
    page.locator("summary", has_text="Trả lại nhiệm vụ (không đúng chức năng)").click()
    page.get_by_label("Lý do trả lại").fill("Không đúng chức năng: việc của Phòng Nội vụ")
    page.get_by_label("Đơn vị đề xuất giao").fill("noi vu")
    page.get_by_role("button", name="Trả lại nhiệm vụ (không đúng chức năng)").click()
    expect(page.get_by_role("alert")).to_contain_text("Đã trả lại nhiệm vụ")

    page.context.clear_cookies()
    log_in(page, base, office)
    page.goto(f"{base}/nhiem-vu/?receipt=returned")
    page.locator("tbody tr").first.get_by_role("link").click()
    page.locator("summary", has_text="Giao cho đơn vị khác").click()
    expect(page.get_by_label("Giao cho đơn vị")).to_have_value("Phòng Nội vụ")
    page.get_by_role("button", name="Giao cho đơn vị khác").click()
    expect(page.get_by_role("alert")).to_contain_text("Đã giao nhiệm vụ cho đơn vị khác.")
    moved = Task.objects.get(pk=children[hong.pk].pk)
    assert moved.lead_unit == noi_vu and moved.group_task_id == parent.pk

    # 4. Sơn Tây's head gives it to a chuyên viên, who reports it done; the head forwards it.
    page.context.clear_cookies()
    log_in(page, base, head_tay)
    page.goto(f"{base}/nhiem-vu/{children[tay.pk].pk}/")
    page.locator("summary", has_text="Phân công người thực hiện").click()
    page.get_by_label("Người thực hiện").select_option(label="cv-sontay (Chuyên viên đơn vị)")
    page.get_by_role("button", name="Phân công người thực hiện").click()
    expect(page.get_by_role("alert")).to_contain_text("Đã phân công người thực hiện.")

    page.context.clear_cookies()
    log_in(page, base, staff_tay, landing="/nhiem-vu/?person=mine")
    expect(page.get_by_role("heading", name="Việc của tôi")).to_be_visible()
    page.locator("tbody tr").first.get_by_role("link").click()
    page.locator("summary", has_text="Báo cáo hoàn thành").click()
    page.get_by_label("Kết quả thực hiện").fill("Đã rà soát 1.204 hộ; danh sách kèm theo.")
    page.get_by_role("button", name="Báo cáo hoàn thành").click()
    expect(page.get_by_text("chờ lãnh đạo đơn vị duyệt").first).to_be_visible()

    page.context.clear_cookies()
    log_in(page, base, head_tay)
    page.goto(f"{base}/nhiem-vu/{children[tay.pk].pk}/")
    page.locator("summary", has_text="Đồng ý, chuyển Văn phòng xác nhận").click()
    page.get_by_role("button", name="Đồng ý, chuyển Văn phòng xác nhận").click()
    expect(page.get_by_role("alert")).to_contain_text("Đã chuyển báo cáo hoàn thành")

    # 5. The office accepts it.
    page.context.clear_cookies()
    log_in(page, base, office)
    page.goto(f"{base}/nhiem-vu/{children[tay.pk].pk}/")
    page.locator("summary", has_text="Xác nhận hoàn thành").click()
    page.get_by_role("button", name="Xác nhận hoàn thành").click()
    expect(page.get_by_role("alert")).to_contain_text("Đã xác nhận hoàn thành.")

    # 6. The roll-up and the dashboard say 1 of 3; the list behind the 1 holds exactly it.
    page.context.clear_cookies()
    log_in(page, base, leader, landing="/bang-dieu-khien/")
    row = page.locator("#groups-heading + div tbody tr").first
    expect(row).to_contain_text("1/3")
    row.get_by_role("link", name="1", exact=True).click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Sơn Tây")
    page.goto(f"{base}/nhiem-vu-nhieu-don-vi/{parent.pk}/")
    expect(page.get_by_text("1/3 đơn vị đã hoàn thành")).to_be_visible()
    expect(page.locator("tbody tr", has_text="Nội vụ")).to_contain_text("Mới giao")
