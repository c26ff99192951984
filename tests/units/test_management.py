"""The office manages units and accounts; closing a unit hands its open tasks on."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from directives import services as task_services
from directives.models import Task, TaskEvent
from tests.conftest import MakeTask
from units.models import AuditEntry, Unit, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client: Client, office: User) -> Client:
    client.force_login(office)
    return client


def test_closing_a_unit_moves_its_open_tasks_to_the_successor_with_history(
    desk: Client,
    make_task: MakeTask,
    unit_a: Unit,
    unit_b: Unit,
    unit_support: Unit,
    staff_a: User,
    office: User,
) -> None:
    open_led = make_task(text="Đang làm", deadline=date(2023, 12, 31))
    supported = make_task(text="Phối hợp", lead_unit=unit_support, support_units=[unit_a])
    finished = make_task(text="Đã xong")
    task_services.report_completion(actor=staff_a, task=finished, note="Xong")
    task_services.accept_completion(actor=office, task=finished)

    merged = Unit.objects.create(name="Phòng Nội vụ - Tư pháp (sáp nhập)")
    response = desk.post(
        reverse("unit_close", args=[unit_a.pk]), {"closed_on": "2025-07-01", "successor": merged.pk}
    )
    assert response.status_code == 302
    unit_a.refresh_from_db()
    assert (unit_a.is_active, unit_a.closed_on, unit_a.successor) == (
        False,
        date(2025, 7, 1),
        merged,
    )
    open_led.refresh_from_db()
    assert open_led.lead_unit == merged
    assert open_led.events.filter(kind=TaskEvent.Kind.ASSIGNED).exists()  # history kept
    moved = open_led.events.get(kind=TaskEvent.Kind.EDITED)
    assert moved.data["changes"]["lead_unit"] == [
        "Phòng Nội vụ",
        "Phòng Nội vụ - Tư pháp (sáp nhập)",
    ]
    assert list(Task.objects.get(pk=supported.pk).support_units.all()) == [merged]
    assert Task.objects.get(pk=finished.pk).lead_unit == unit_a  # finished work stays where it was
    entry = AuditEntry.objects.get(object_type="unit", object_id=unit_a.pk)
    assert entry.changes["tasks_moved"] == 2 and entry.actor == office


def test_a_unit_with_open_tasks_needs_a_successor(
    desk: Client, make_task: MakeTask, unit_a: Unit
) -> None:
    make_task()
    response = desk.post(reverse("unit_close", args=[unit_a.pk]), {"closed_on": "2025-07-01"})
    assert "hãy chọn đơn vị kế thừa" in response.content.decode()
    unit_a.refresh_from_db()
    assert unit_a.is_active


def test_units_are_created_and_renamed_with_an_audit_trail(desk: Client, office: User) -> None:
    desk.post(
        reverse("unit_create"),
        {
            "name": "Phòng Y tế",
            "short_name": "YT",
            "kind": "department",
            "order": 5,
            "aliases_text": "Phòng YT; Y tế",
        },
    )
    unit = Unit.objects.get(name="Phòng Y tế")
    assert unit.aliases == ["Phòng YT", "Y tế"] and Unit.objects.match("y te") == unit
    desk.post(
        reverse("unit_edit", args=[unit.pk]),
        {
            "name": "Phòng Y tế huyện",
            "short_name": "YT",
            "kind": "department",
            "order": 5,
            "aliases_text": "Phòng YT; Y tế",
        },
    )
    entries = AuditEntry.objects.filter(object_type="unit", object_id=unit.pk).order_by("pk")
    assert [e.action for e in entries] == ["tạo", "sửa"]
    assert entries[1].changes == {"name": ["Phòng Y tế", "Phòng Y tế huyện"]}
    duplicate = desk.post(
        reverse("unit_create"), {"name": "Phòng Y tế huyện", "kind": "department", "order": 1}
    )
    assert "Đã có đơn vị mang tên này." in duplicate.content.decode()


def test_accounts_are_managed_by_the_office(desk: Client, unit_a: Unit, office: User) -> None:
    data = {
        "username": "chuyenvien.moi",
        "full_name": "Nguyễn Văn Mới",
        "role": "staff",
        "unit": unit_a.pk,
        "is_active": "on",
        "notify_by_email": "on",
        "password": "123",
    }
    weak = desk.post(reverse("account_create"), data)
    assert (
        "Mật khẩu này quá ngắn" in weak.content.decode() or "quá phổ biến" in weak.content.decode()
    )
    no_unit = desk.post(
        reverse("account_create"), {**data, "unit": "", "password": "Dondoc-2024-manh"}
    )
    assert "phải thuộc một đơn vị" in no_unit.content.decode()
    assert (
        desk.post(reverse("account_create"), {**data, "password": "Dondoc-2024-manh"}).status_code
        == 302
    )
    account = User.objects.get(username="chuyenvien.moi")
    assert account.check_password("Dondoc-2024-manh") and account.unit == unit_a
    desk.post(reverse("account_edit", args=[account.pk]), {**data, "password": "", "is_active": ""})
    account.refresh_from_db()
    assert not account.is_active and account.check_password("Dondoc-2024-manh")
    actions = list(
        AuditEntry.objects.filter(object_type="user", object_id=account.pk).values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["sửa", "tạo"]


def test_an_office_account_gets_the_admin(desk: Client) -> None:
    desk.post(reverse("account_create"), {"username": "vp2", "role": "office", "is_active": "on"})
    assert User.objects.get(username="vp2").is_staff


@pytest.mark.parametrize("persona", ["staff_a", "head_a", "leader"])
def test_only_the_office_manages_units_and_accounts(
    client: Client, persona: str, request: pytest.FixtureRequest, unit_a: Unit
) -> None:
    client.force_login(request.getfixturevalue(persona))
    for url in (
        reverse("unit_list"),
        reverse("account_list"),
        reverse("unit_close", args=[unit_a.pk]),
        reverse("account_create"),
    ):
        assert client.get(url).status_code == 403
    assert (
        client.post(
            reverse("unit_close", args=[unit_a.pk]), {"closed_on": "2025-07-01"}
        ).status_code
        == 403
    )
    unit_a.refresh_from_db()
    assert unit_a.is_active


def test_closing_into_a_successor_that_leads_the_task_drops_the_closed_unit_as_support(
    desk: Client, make_task: MakeTask, unit_a: Unit, unit_support: Unit
) -> None:
    shared = make_task(text="Cùng làm", lead_unit=unit_support, support_units=[unit_a])
    response = desk.post(
        reverse("unit_close", args=[unit_a.pk]),
        {"closed_on": "2025-07-01", "successor": unit_support.pk},
    )
    assert response.status_code == 302
    shared.refresh_from_db()
    # The successor already leads it: it does not also support it, and the closed unit is gone.
    assert list(shared.support_units.all()) == []
    assert shared.lead_unit == unit_support
    moved = shared.events.get(kind=TaskEvent.Kind.EDITED)
    assert moved.data["changes"]["support_units"] == [unit_a.name, None]
