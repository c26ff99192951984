"""A task given to a group or to co-leads: one task per member unit, and their roll-up."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from directives import services
from directives.forms_notice import TaskRowForm
from directives.models import GroupTask, Notice, Task
from tests.conftest import NOTICE_DAY, on_day
from units.models import Unit, UnitGroup, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def communes(db: object) -> list[Unit]:
    return [
        Unit.objects.create(name=f"UBND xã {name}", kind=Unit.Kind.COMMUNE, order=i)
        for i, name in enumerate(["Sơn Tây", "Sơn Kim 1", "Sơn Hồng"])
    ]


@pytest.fixture
def xa_group(communes: list[Unit]) -> UnitGroup:
    group = UnitGroup.objects.create(
        name="UBND các xã, thị trấn", aliases=["các xã, thị trấn", "UBND các xã"]
    )
    group.members.set(communes)
    return group


def _commune_staff(unit: Unit) -> User:
    return User.objects.create_user(
        f"cb-{unit.pk}", password="pw-for-tests", role=User.Role.STAFF, unit=unit
    )


def test_a_row_naming_a_group_becomes_one_task_per_member(
    notice: Notice, office: User, xa_group: UnitGroup, communes: list[Unit], unit_b: Unit
) -> None:
    form = TaskRowForm(
        {
            "text": "Rà soát, cập nhật hộ nghèo trên địa bàn",
            "lead_unit": "ubnd cac xa, thi tran",
            "support_units": "Phòng Tư pháp",
            "deadline": "30/10/2023",
        },
        reference=NOTICE_DAY,
    )
    assert form.is_valid(), form.errors
    leads = form.cleaned_data["lead_unit"]
    assert leads.group == xa_group and leads.units == communes
    row = services.task_row(
        text=form.cleaned_data["text"],
        lead_units=leads.units,
        group=leads.group,
        leads_text=leads.text,
        support_units=form.cleaned_data["support_units"],
        deadline=form.cleaned_data["parsed_deadline"],
    )
    parent = services.add_task_row(actor=office, notice=notice, row=row)
    assert isinstance(parent, GroupTask) and parent.group == xa_group
    children = list(parent.children.order_by("pk"))
    assert [c.lead_unit for c in children] == communes
    for child in children:
        assert child.status == Task.Status.ASSIGNED and child.deadline == date(2023, 10, 30)
        assert list(child.support_units.all()) == [unit_b]
        assert child.events.get().data["group_task"] == parent.pk


def test_co_leads_written_one_by_one_fan_out_and_a_single_unit_does_not(
    notice: Notice, office: User, unit_a: Unit, unit_b: Unit, xa_group: UnitGroup
) -> None:
    form = TaskRowForm(
        {"text": "Phối hợp kiểm tra", "lead_unit": "Phòng Nội vụ; Tư pháp; UBND các xã"},
        reference=NOTICE_DAY,
    )
    assert form.is_valid(), form.errors
    leads = form.cleaned_data["lead_unit"]
    assert leads.group is None and len(leads.units) == 5 and leads.units[:2] == [unit_a, unit_b]
    single = TaskRowForm({"text": "Một việc", "lead_unit": "noi vu"}, reference=NOTICE_DAY)
    assert single.is_valid() and not single.cleaned_data["lead_unit"].fanned_out
    unknown = TaskRowForm(
        {"text": "Một việc", "lead_unit": "Phòng Nội vụ; Phòng Không Có"}, reference=NOTICE_DAY
    )
    assert not unknown.is_valid() and "Không tìm thấy" in str(unknown.errors["lead_unit"])


def test_each_commune_sees_only_its_own_part_and_the_office_sees_the_rollup(
    client: Client,
    notice: Notice,
    office: User,
    leader: User,
    xa_group: UnitGroup,
    communes: list[Unit],
) -> None:
    with on_day(date(2023, 10, 2)):
        parent = services.assign_group_task(
            actor=office,
            notice=notice,
            text="Báo cáo tình hình giải ngân",
            lead_units=communes,
            group=xa_group,
            ref="4.1",
            deadline=date(2023, 10, 30),
        )
    children = {c.lead_unit_id: c for c in parent.children.all()}
    people = {u.pk: _commune_staff(u) for u in communes}
    son_tay, kim, hong = communes
    with on_day(date(2023, 10, 10)):
        services.report_progress(
            actor=people[son_tay.pk], task=children[son_tay.pk], note="Đạt 60%", progress=60
        )
        services.report_completion(
            actor=people[kim.pk], task=children[kim.pk], note="Đã giải ngân hết"
        )
        services.accept_completion(actor=office, task=children[kim.pk])

    for unit in communes:
        client.force_login(people[unit.pk])
        listed = client.get(reverse("task_list")).context["listing"].page.object_list
        assert [t.pk for t in listed] == [children[unit.pk].pk]
        other = next(u for u in communes if u != unit)
        assert client.get(reverse("task_detail", args=[children[other.pk].pk])).status_code == 404
        assert client.get(reverse("group_task_detail", args=[parent.pk])).status_code == 404

    client.force_login(leader)
    with on_day(date(2023, 11, 1)):
        page = client.get(reverse("group_task_detail", args=[parent.pk]))
    assert page.status_code == 200
    assert (page.context["done"], page.context["total"]) == (1, 3)
    assert [c.lead_unit for c in page.context["silent"]] == [hong]
    assert page.context["overdue"] == 2  # Sơn Tây and Sơn Hồng, past 30/10
    html = page.content.decode()
    assert "Đạt 60%" in html and "Chưa báo cáo" in html
    # The figure's list holds exactly those tasks.
    done = client.get(reverse("task_list"), {"group_task": str(parent.pk), "status": "done"})
    assert [t.pk for t in done.context["listing"].page.object_list] == [children[kim.pk].pk]
    everything = client.get(reverse("task_list"), {"group_task": str(parent.pk)})
    assert everything.context["listing"].total == 3
    # The notice shows the parent as one row with its roll-up.
    notice_page = client.get(reverse("notice_detail", args=[notice.pk])).content.decode()
    assert "1/3 đơn vị đã hoàn thành" in notice_page


def test_terms_changed_on_the_parent_reach_the_open_children_only(
    client: Client, notice: Notice, office: User, communes: list[Unit]
) -> None:
    parent = services.assign_group_task(
        actor=office,
        notice=notice,
        text="Kiểm tra an toàn thực phẩm",
        lead_units=communes,
        deadline=date(2023, 10, 30),
    )
    finished = parent.children.order_by("pk").first()
    assert finished is not None
    staff = _commune_staff(finished.lead_unit)
    services.report_completion(actor=staff, task=finished, note="Xong")
    services.accept_completion(actor=office, task=finished)

    client.force_login(office)
    response = client.post(
        reverse("group_task_detail", args=[parent.pk]),
        {"text": "Kiểm tra an toàn thực phẩm dịp Tết", "deadline": "15/11/2023", "note": ""},
    )
    assert response.status_code == 302
    finished.refresh_from_db()
    assert finished.deadline == date(2023, 10, 30) and "Tết" not in finished.text
    for child in parent.children.exclude(pk=finished.pk):
        assert child.deadline == date(2023, 11, 15) and child.text.endswith("dịp Tết")
        assert child.events.filter(kind="edited").count() == 1
    # A bad date is a form error, nothing changed.
    bad = client.post(
        reverse("group_task_detail", args=[parent.pk]), {"text": "x", "deadline": "32/13/2023"}
    )
    assert bad.status_code == 200 and "is-invalid" in bad.content.decode()
    assert not parent.children.filter(text="x").exists()
    # Only the office changes terms.
    client.force_login(User.objects.create_user("pct2", role=User.Role.LEADER))
    assert (
        client.post(reverse("group_task_detail", args=[parent.pk]), {"text": "y"}).status_code
        == 403
    )


def test_the_office_keeps_the_groups_and_their_history(
    client: Client, office: User, communes: list[Unit]
) -> None:
    from units.models import AuditEntry

    client.force_login(office)
    response = client.post(
        reverse("group_create"),
        {
            "name": "UBND các xã, thị trấn",
            "aliases_text": "các xã, thị trấn; UBND các xã",
            "members": [u.pk for u in communes[:2]],
            "order": "1",
        },
    )
    assert response.status_code == 302
    group = UnitGroup.objects.get()
    assert group.aliases == ["các xã, thị trấn", "UBND các xã"]
    assert UnitGroup.objects.match("ubnd cac xa") == group
    client.post(
        reverse("group_edit", args=[group.pk]),
        {"name": group.name, "members": [u.pk for u in communes], "order": "1"},
    )
    assert group.members.count() == 3
    entry = AuditEntry.objects.filter(object_type="unitgroup").order_by("pk").last()
    assert entry is not None and entry.changes["members"][1] == sorted(u.name for u in communes)
    duplicate = client.post(
        reverse("group_create"), {"name": "ubnd các xã, thị trấn", "members": [communes[0].pk]}
    )
    assert "Đã có nhóm mang tên này." in duplicate.content.decode()
    assert UnitGroup.objects.count() == 1


# session, user, the task given to many, its members' tasks with their latest report, those
# reports, unread notifications
ROLLUP_QUERIES = 7  # with the header's inbox count


def test_the_rollup_query_count_does_not_grow_with_the_members(
    client: Client,
    notice: Notice,
    office: User,
    leader: User,
    django_assert_num_queries: object,
) -> None:
    def rollup_of(count: int) -> GroupTask:
        units = [Unit.objects.create(name=f"UBND xã thứ {count}-{i}") for i in range(count)]
        parent = services.assign_group_task(
            actor=office, notice=notice, text=f"Việc chung {count}", lead_units=units
        )
        for child in parent.children.all()[: count // 2]:
            staff = _commune_staff(child.lead_unit)
            services.report_progress(actor=staff, task=child, note="Đang làm", progress=30)
        return parent

    client.force_login(leader)
    for count in (3, 40):
        parent = rollup_of(count)  # a change: the header's inbox count is counted again
        with django_assert_num_queries(ROLLUP_QUERIES):  # type: ignore[operator]
            page = client.get(reverse("group_task_detail", args=[parent.pk]))
        assert page.status_code == 200
        assert page.context["total"] == parent.children.count()


def test_a_unit_cannot_name_a_task_given_to_others_in_its_list(
    client: Client, notice: Notice, office: User, communes: list[Unit], staff_a: User
) -> None:
    parent = services.assign_group_task(
        actor=office, notice=notice, text="Việc của các xã", lead_units=communes
    )
    client.force_login(staff_a)  # Phòng Nội vụ has no part in it
    response = client.get(reverse("task_list"), {"group_task": str(parent.pk)})
    assert response.status_code == 200
    assert (
        response.context["listing"].chips == []
        and "Việc của các xã" not in response.content.decode()
    )
