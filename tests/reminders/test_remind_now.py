"""The office's "Nhắc ngay": from a task page and from a filtered list, through the daily
reminders' exactly-once log (one manual reminder per task, person and day), delivered to a
real SMTP server, and shown on the timeline."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from directives import services as directive_services
from directives.models import Task, TaskEvent
from reminders import delivery
from reminders.models import ReminderDigest, ReminderItem
from tests.conftest import MakeTask, on_day
from tests.reminders.servers import MailServer
from units.models import Unit, User

pytestmark = pytest.mark.django_db

DAY = date(2023, 11, 3)


@pytest.fixture
def mail(settings: Any) -> Iterator[MailServer]:
    server = MailServer(delay=0)
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.DONDOC_RECEIVE_WORKING_DAYS = 1000
    yield server
    server.stop()


@pytest.fixture
def people(staff_a: User, head_a: User, office: User, staff_b: User) -> dict[str, User]:
    for user in (staff_a, head_a, office, staff_b):
        user.email = f"{user.username}@example.gov.vn"
        user.save(update_fields=["email"])
    return {u.username: u for u in (staff_a, head_a, office, staff_b)}


def press(client: Client, url: str, data: dict[str, str], capture: Any, queued: list[int]) -> Any:
    with capture(execute=True):
        response = client.post(url, data, follow=True)
    for digest_id in queued:  # what the worker does with each queued digest
        delivery.deliver(digest_id)
    queued.clear()
    return response


def test_remind_now_from_the_task_page_is_sent_once_a_day_however_often_pressed(
    mail: MailServer,
    people: dict[str, User],
    make_task: MakeTask,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    queued: list[int] = []
    monkeypatch.setattr("reminders.tasks.deliver_digest.delay", queued.append)
    late = make_task(text="Việc quá hạn", deadline=date(2023, 10, 30), assignee=people["staff_a"])
    office = Client()
    office.force_login(people["office"])
    url = reverse("remind_task", args=[late.pk])
    with on_day(DAY):
        first = press(office, url, {}, django_capture_on_commit_callbacks, queued)
        assert "Đã nhắc 1 người về 1 nhiệm vụ." in first.content.decode()
        for _ in range(2):
            again = press(office, url, {}, django_capture_on_commit_callbacks, queued)
            assert "đã được nhắc hôm nay" in again.content.decode()
    # One e-mail to the person holding it; nobody else.
    assert {to: len(ids) for to, ids in mail.mailbox().items()} == {"staff_a@example.gov.vn": 1}
    items = ReminderItem.objects.filter(task=late)
    assert [(i.step, i.label) for i in items.distinct()][:1] == [
        ("manual-late", "Văn phòng nhắc: quá hạn 4 ngày (hạn 30/10/2023)")
    ]
    assert ReminderDigest.objects.filter(status="sent", recipient=people["staff_a"]).count() == 2
    # In the app too, and on the timeline once.
    reminded = TaskEvent.objects.filter(task=late, kind=TaskEvent.Kind.REMINDED)
    assert [e.data["people"] for e in reminded] == [[people["staff_a"].full_name]]
    page = office.get(late.get_absolute_url()).content.decode()
    assert "Nhắc ngay" in page and f"Đã nhắc: {people['staff_a'].full_name}" in page
    # The next day it may be sent again.
    with on_day(date(2023, 11, 6)):
        press(office, url, {}, django_capture_on_commit_callbacks, queued)
    assert len(mail.mailbox()["staff_a@example.gov.vn"]) == 2


def test_remind_now_on_a_filtered_list_reaches_each_late_task_of_the_notice(
    mail: MailServer,
    people: dict[str, User],
    make_task: MakeTask,
    unit_b: Unit,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    queued: list[int] = []
    monkeypatch.setattr("reminders.tasks.deliver_digest.delay", queued.append)
    held = make_task(
        text="Của chuyên viên", deadline=date(2023, 10, 20), assignee=people["staff_a"]
    )
    nobody = make_task(text="Chưa phân công", deadline=date(2023, 10, 25))
    other_unit = make_task(text="Đơn vị B", deadline=date(2023, 10, 26), lead_unit=unit_b)
    in_time = make_task(text="Còn hạn", deadline=date(2023, 12, 30))
    reported = make_task(text="Đã báo cáo xong", deadline=date(2023, 10, 20))
    directive_services.report_completion(actor=people["staff_a"], task=reported, note="Xong")
    office = Client()
    office.force_login(people["office"])
    query = f"notice={held.notice_id}&timeliness=overdue"
    with on_day(DAY):
        response = press(
            office,
            reverse("remind_list"),
            {"query": query},
            django_capture_on_commit_callbacks,
            queued,
        )
        assert response.redirect_chain[-1][0] == f"{reverse('task_list')}?{query}"
        html = response.content.decode()
        assert "Đã nhắc 3 người về 3 nhiệm vụ." in html
        again = press(
            office,
            reverse("remind_list"),
            {"query": query},
            django_capture_on_commit_callbacks,
            queued,
        )
        assert "3 nhiệm vụ đã được nhắc hôm nay" in again.content.decode()
    # The holder for hers, unit A's head for the unassigned one, unit B's staff (no head).
    boxes = mail.mailbox()
    assert set(boxes) == {
        "staff_a@example.gov.vn",
        "head_a@example.gov.vn",
        "staff_b@example.gov.vn",
    }
    assert all(len(ids) == 1 for ids in boxes.values())
    reminded = set(
        TaskEvent.objects.filter(kind=TaskEvent.Kind.REMINDED).values_list("task_id", flat=True)
    )
    assert reminded == {held.pk, nobody.pk, other_unit.pk}
    assert in_time.pk not in reminded and reported.pk not in reminded
    # Staff cannot remind.
    staff = Client()
    staff.force_login(people["staff_a"])
    assert staff.post(reverse("remind_list"), {"query": query}).status_code == 403
    assert Task.objects.filter(pk=held.pk).get().version == held.version  # the task unchanged
