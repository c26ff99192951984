"""A new task is acknowledged (tiếp nhận) or returned as not the unit's, within the days it has."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from directives import services
from directives.models import Notification, Task, TaskEvent
from reminders import services as reminders
from tests.conftest import MakeTask, on_day
from units.models import Unit, User

pytestmark = pytest.mark.django_db

MONDAY = date(2023, 10, 2)  # assigned; 2 working days to receive: until Wednesday 4/10


@pytest.fixture
def new_task(make_task: MakeTask) -> Task:
    with on_day(MONDAY):
        return make_task(text="Thẩm định văn bản", deadline=date(2023, 10, 30), assigned_on=MONDAY)


def test_a_unit_returns_a_task_not_its_own_and_the_office_gives_it_to_the_proposed_unit(
    new_task: Task, staff_a: User, office: User, unit_b: Unit, staff_b: User, head_a: User
) -> None:
    assert new_task.receive_by() == date(2023, 10, 4)
    with on_day(date(2023, 10, 4)):
        event = services.hand_back(
            actor=staff_a,
            task=new_task,
            reason="Không đúng chức năng, nhiệm vụ: thẩm định văn bản là việc của Phòng Tư pháp",
            proposed_unit=unit_b,
        )
        told = set(
            Notification.objects.filter(event=event).values_list("recipient__username", flat=True)
        )
        assert told == {"office"}
        # While the office decides, the unit does not take it up.
        with pytest.raises(services.TransitionError, match="đang chờ Văn phòng"):
            services.start_task(actor=head_a, task=new_task)
        with pytest.raises(PermissionDenied):
            services.reassign_lead(actor=staff_a, task=new_task, lead_unit=unit_b)
        services.reassign_lead(actor=office, task=new_task, lead_unit=unit_b, note="Đồng ý")
    new_task.refresh_from_db()
    assert new_task.lead_unit == unit_b and new_task.returned_at is None
    assert new_task.assigned_on == date(2023, 10, 4)  # the new unit's days count from today
    assert new_task.status == Task.Status.ASSIGNED and new_task.assignee is None
    assert list(Task.objects.for_unit(unit_b)) == [new_task]
    assert staff_a.unit is not None and not Task.objects.for_unit(staff_a.unit).exists()
    kinds = list(new_task.events.values_list("kind", flat=True))
    assert kinds == ["assigned", "handed_back", "reassigned"]
    reassigned = new_task.events.get(kind="reassigned")
    assert reassigned.data["changes"]["lead_unit"] == ["Phòng Nội vụ", "Phòng Tư pháp"]
    assert Notification.objects.filter(event=reassigned, recipient=staff_b).exists()
    with on_day(date(2023, 10, 5)):
        services.start_task(actor=staff_b, task=new_task)


def test_the_office_may_insist_and_the_unit_then_receives_it(
    new_task: Task, staff_a: User, office: User
) -> None:
    with on_day(date(2023, 10, 3)):
        services.hand_back(actor=staff_a, task=new_task, reason="Không thuộc chức năng")
        with pytest.raises(ValidationError, match="Ý kiến của Văn phòng"):
            services.insist_on_lead(actor=office, task=new_task, note="")
        services.insist_on_lead(
            actor=office, task=new_task, note="Theo Quyết định 12, việc này thuộc Phòng Nội vụ"
        )
        # Returned once and answered: not twice.
        services.start_task(actor=staff_a, task=new_task)
    new_task.refresh_from_db()
    assert new_task.status == Task.Status.IN_PROGRESS and new_task.returned_at is None
    assert new_task.events.filter(kind=TaskEvent.Kind.INSISTED).count() == 1


def test_after_the_days_to_receive_a_task_cannot_be_returned_and_is_shown_and_reminded(
    client: Client, new_task: Task, staff_a: User, head_a: User, office: User
) -> None:
    with on_day(date(2023, 10, 5)):
        with pytest.raises(services.TransitionError, match="quá thời hạn trả lại"):
            services.hand_back(actor=staff_a, task=new_task, reason="Không thuộc chức năng")
        assert new_task.not_received_on(date(2023, 10, 5))
        assert list(Task.objects.not_received(date(2023, 10, 5))) == [new_task]
        client.force_login(office)
        listed = client.get(reverse("task_list"), {"receipt": "late"})
        assert [t.pk for t in listed.context["listing"].page.object_list] == [new_task.pk]
        page = client.get(reverse("task_detail", args=[new_task.pk])).content.decode()
        assert "Chưa tiếp nhận; hạn tiếp nhận 04/10/2023" in page
        client.force_login(staff_a)
        page = client.get(reverse("task_detail", args=[new_task.pk])).content.decode()
        assert "Trả lại nhiệm vụ" not in page and "Tiếp nhận nhiệm vụ" in page

    planned = reminders.plan(date(2023, 10, 5)).items
    names = dict(User.objects.values_list("pk", "username"))
    late = {
        names[pk]
        for pk, items in planned.items()
        if any(i.step == reminders.NOT_RECEIVED and i.task_id == new_task.pk for i in items)
    }
    assert late == {"head_a", "office"}  # nobody holds it yet: the head, and the office
    # The next working day the unit is reminded again; the office, told once, has its list.
    again = reminders.plan(date(2023, 10, 6)).items
    assert {
        names[pk]
        for pk, items in again.items()
        if any(i.step == reminders.NOT_RECEIVED and i.task_id == new_task.pk for i in items)
    } == {"head_a"}
    # On the last day it is not late yet.
    assert not Task.objects.not_received(date(2023, 10, 4)).exists()
    with on_day(date(2023, 10, 5)):
        services.start_task(actor=staff_a, task=new_task)
    assert not Task.objects.not_received(date(2023, 10, 5)).exists()


def test_cancelling_a_returned_task_closes_the_return(
    new_task: Task, staff_a: User, office: User
) -> None:
    with on_day(date(2023, 10, 3)):
        services.hand_back(actor=staff_a, task=new_task, reason="Không thuộc chức năng")
        assert list(Task.objects.handed_back()) == [new_task]
        services.cancel_task(actor=office, task=new_task, reason="Đã có văn bản khác")
    new_task.refresh_from_db()
    assert new_task.status == Task.Status.CANCELLED and new_task.returned_at is None


def test_the_returned_task_is_offered_to_the_office_with_the_proposed_unit(
    client: Client, new_task: Task, staff_a: User, office: User, unit_b: Unit
) -> None:
    with on_day(date(2023, 10, 3)):
        client.force_login(staff_a)
        response = client.post(
            reverse("task_action", args=[new_task.pk, "tra-lai-nhiem-vu"]),
            {
                "version": new_task.version,
                "reason": "Không thuộc chức năng",
                "proposed_unit": "tu phap",
            },
        )
        assert response.status_code == 302
        client.force_login(office)
        page = client.get(reverse("task_detail", args=[new_task.pk]))
    html = page.content.decode()
    assert "Giao cho đơn vị khác" in html and "Giữ nguyên việc giao" in html
    reassign = next(f for a, f in page.context["action_forms"] if a.slug == "giao-lai")
    assert reassign.initial["lead_unit"] == unit_b.name
