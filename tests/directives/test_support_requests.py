"""The lead unit asks a support unit for its part by a date; answered on time or late."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from directives import services
from directives.models import Notification, Task
from reminders import services as reminders
from tests.conftest import on_day
from units.models import Unit, User

pytestmark = pytest.mark.django_db


def test_a_support_unit_is_asked_reminded_and_answers_late(
    client: Client,
    task: Task,
    staff_a: User,
    staff_support: User,
    unit_support: Unit,
    unit_b: Unit,
    office: User,
) -> None:
    with on_day(date(2023, 10, 2)):
        with pytest.raises(PermissionDenied):
            services.ask_support(
                actor=staff_support,
                task=task,
                unit=unit_support,
                due_on=date(2023, 10, 10),
                note="x",
            )
        with pytest.raises(ValidationError, match="không phải đơn vị phối hợp"):
            services.ask_support(
                actor=staff_a, task=task, unit=unit_b, due_on=date(2023, 10, 10), note="x"
            )
        request = services.ask_support(
            actor=staff_a,
            task=task,
            unit=unit_support,
            due_on=date(2023, 10, 10),
            note="Đề nghị cung cấp số liệu hạ tầng CNTT của các xã",
        )
        with pytest.raises(ValidationError, match="chưa trả lời"):
            services.ask_support(
                actor=staff_a, task=task, unit=unit_support, due_on=date(2023, 10, 12), note="y"
            )
    event = task.events.get(kind="support_asked")
    assert set(Notification.objects.filter(event=event).values_list("recipient", flat=True)) == {
        staff_support.pk
    }

    def reminded(day: date) -> list[str]:
        planned = reminders.plan(day).items.get(staff_support.pk, [])
        return [i.label for i in planned if i.task_id == task.pk and i.step.startswith("support")]

    assert reminded(date(2023, 10, 9)) == []
    assert reminded(date(2023, 10, 10)) == [
        "Đơn vị chủ trì đề nghị gửi phần phối hợp (hạn 10/10/2023)"
    ]
    assert reminded(date(2023, 10, 11)) == [
        "Đơn vị chủ trì đề nghị gửi phần phối hợp (hạn 10/10/2023) – đã quá hạn"
    ]
    request.refresh_from_db()
    assert request.state_on(date(2023, 10, 11)) == "overdue"

    with on_day(date(2023, 10, 12)):
        services.add_contribution(actor=staff_support, task=task, note="Đã gửi số liệu")
    request.refresh_from_db()
    assert request.state_on(date(2023, 10, 12)) == "late" and request.answer is not None
    assert reminded(date(2023, 10, 12)) == []

    # Both units and the office see the request and its lateness on the task page.
    for person in (staff_a, staff_support, office):
        client.force_login(person)
        with on_day(date(2023, 10, 12)):
            html = client.get(reverse("task_detail", args=[task.pk])).content.decode()
        assert "Đề nghị phối hợp" in html and "gửi trễ (12/10/2023)" in html
