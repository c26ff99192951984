"""The reminder ladder, escalation, digests and exactly-once delivery (docs/domain.md §5)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from directives import services as task_services
from directives.models import Notification, Task
from reminders import delivery, services
from reminders.models import ReminderDigest, ReminderItem, ReminderStep
from reminders.sms import LocmemBackend
from tests.conftest import MakeTask, on_day
from units.models import Unit, User

pytestmark = pytest.mark.django_db

DEADLINE = date(2023, 10, 30)  # a Monday


@pytest.fixture(autouse=True)
def received_long_enough(settings: Any) -> None:
    """These tests follow the deadline ladder; a task nobody acknowledged is reminded too
    (test_receiving.py), which they leave out by giving units all the time to acknowledge."""
    settings.DONDOC_RECEIVE_WORKING_DAYS = 1000


@pytest.fixture
def people(
    staff_a: User, head_a: User, office: User, leader: User, staff_b: User
) -> dict[str, User]:
    for user in (staff_a, head_a, office, leader, staff_b):
        user.email = f"{user.username}@example.gov.vn"
        user.save(update_fields=["email"])
    return {u.username: u for u in (staff_a, head_a, office, leader, staff_b)}


def who_gets(day: date) -> dict[str, list[str]]:
    planned = services.plan(day)
    names = dict(User.objects.values_list("pk", "username"))
    return {names[pk]: sorted(i.label for i in items) for pk, items in planned.items.items()}


@pytest.fixture
def due(make_task: MakeTask, people: dict[str, User]) -> Task:
    with on_day(date(2023, 10, 1)):
        return make_task(text="Báo cáo kết quả", deadline=DEADLINE, assignee=people["staff_a"])


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2023, 10, 18), {}),  # 8 working days before: no step
        (date(2023, 10, 19), {"staff_a": ["Còn 7 ngày làm việc đến hạn (30/10/2023)"]}),
        (date(2023, 10, 25), {"staff_a": ["Còn 3 ngày làm việc đến hạn (30/10/2023)"]}),
        (date(2023, 10, 27), {"staff_a": ["Còn 1 ngày làm việc đến hạn (30/10/2023)"]}),  # Friday
        (date(2023, 10, 28), {}),  # Saturday: nothing is sent on a day off
        (DEADLINE, {"staff_a": ["Đến hạn (30/10/2023)"]}),
        (
            date(2023, 10, 31),
            {
                "staff_a": ["Quá hạn 1 ngày (hạn 30/10/2023)"],
                "head_a": ["Quá hạn 1 ngày (hạn 30/10/2023)"],
            },
        ),
        (date(2023, 11, 1), {}),
        (
            date(2023, 11, 7),
            {
                "staff_a": ["Quá hạn 8 ngày (hạn 30/10/2023)"],
                "head_a": ["Quá hạn 8 ngày (hạn 30/10/2023)"],
                "office": ["Quá hạn 8 ngày (hạn 30/10/2023)"],
            },
        ),
        (date(2023, 11, 10), {}),
        (date(2023, 11, 14), {"staff_a", "head_a", "office"}),  # weekly: 11 working days late
    ],
)
def test_the_ladder_around_a_deadline_and_a_weekend(due: Task, day: date, expected: Any) -> None:
    got = who_gets(day)
    if isinstance(expected, set):
        assert set(got) == expected
    else:
        assert got == expected


def test_a_task_reminds_its_person_first_and_while_nobody_holds_it_the_head(
    make_task: MakeTask, people: dict[str, User], staff_b: User
) -> None:
    colleague = User.objects.create_user(
        "staff_a2", role=User.Role.STAFF, unit=people["staff_a"].unit, full_name="Lê Văn Hai"
    )
    with on_day(date(2023, 10, 1)):
        held = make_task(text="Việc đã phân công", deadline=DEADLINE, assignee=colleague)
        unheld = make_task(text="Việc chưa ai nhận", deadline=DEADLINE)
    planned = services.plan(DEADLINE).items
    names = dict(User.objects.values_list("pk", "username"))
    by_person = {names[pk]: [i.task_id for i in items] for pk, items in planned.items()}
    # Due today (a staff step): the holder, not the rest of the unit; the unheld task goes
    # to the head, who divides the unit's work.
    assert by_person == {"staff_a2": [held.pk], "head_a": [unheld.pk]}
    # The holder leaves: the head is reminded instead.
    colleague.is_active = False
    colleague.save(update_fields=["is_active"])
    planned = services.plan(DEADLINE).items
    assert {names[pk] for pk in planned} == {"head_a"}


def test_the_week_of_tet_sends_nothing_and_counts_no_days(
    make_task: MakeTask, people: dict[str, User]
) -> None:
    # Due Friday 16/2/2024, right after Tết (8–14/2): the working days before it are 15/2,
    # 7/2, 6/2…, so "3 working days before" is Tuesday 6/2, not 13/2 in the middle of Tết.
    with on_day(date(2024, 1, 2)):
        make_task(text="Sau Tết", deadline=date(2024, 2, 16), assignee=people["staff_a"])
    assert who_gets(date(2024, 2, 12)) == {}  # a holiday
    assert who_gets(date(2024, 2, 6))["staff_a"] == ["Còn 3 ngày làm việc đến hạn (16/02/2024)"]
    assert who_gets(date(2024, 2, 7)) == {}  # 2 working days before: no step
    assert who_gets(date(2024, 2, 15))["staff_a"] == ["Còn 1 ngày làm việc đến hạn (16/02/2024)"]
    assert who_gets(date(2024, 2, 19))["head_a"] == ["Quá hạn 3 ngày (hạn 16/02/2024)"]


def test_finished_paused_and_ongoing_tasks_remind_nobody(
    make_task: MakeTask, people: dict[str, User], office: User
) -> None:
    with on_day(date(2023, 10, 1)):
        make_task(text="Thường xuyên")
        paused = make_task(text="Tạm dừng", deadline=DEADLINE)
        task_services.pause_task(actor=office, task=paused, reason="Chờ tỉnh")
    assert who_gets(DEADLINE) == {}


def test_the_office_is_reminded_of_what_waits_for_it(
    due: Task, make_task: MakeTask, people: dict[str, User]
) -> None:
    with on_day(date(2023, 10, 2)):
        task_services.report_completion(actor=people["staff_a"], task=due, note="Xong")
        other = make_task(text="Xin gia hạn", deadline=date(2023, 11, 30))
        task_services.request_extension(
            actor=people["staff_a"],
            task=other,
            reason="Chờ Sở",
            proposed_deadline=date(2023, 12, 29),
        )
    got = who_gets(date(2023, 10, 3))
    assert got == {
        "office": ["Chờ Văn phòng xác nhận hoàn thành", "Đề nghị gia hạn chờ quyết định"]
    }


def test_leadership_gets_a_weekly_summary_on_the_first_working_day_of_the_week(
    due: Task, people: dict[str, User]
) -> None:
    assert "pct" in who_gets(date(2023, 11, 6))  # Monday
    assert "pct" not in who_gets(date(2023, 11, 7))
    # The week of 2/9/2024: Monday 2 and Tuesday 3 are holidays, so Wednesday is the first.
    with on_day(date(2024, 8, 1)):
        task_services.edit_task(actor=people["office"], task=due, deadline=date(2024, 8, 20))
    assert "pct" not in who_gets(date(2024, 9, 2))
    assert "pct" in who_gets(date(2024, 9, 4))


def test_one_digest_per_person_per_day_groups_all_their_tasks(
    make_task: MakeTask, people: dict[str, User]
) -> None:
    with on_day(date(2023, 10, 1)):
        for number in range(3):
            make_task(
                text=f"Việc {number}", deadline=date(2023, 10, 31), assignee=people["staff_a"]
            )
        make_task(text="Việc quá hạn", deadline=date(2023, 10, 27), assignee=people["staff_a"])
    with on_day(DEADLINE):
        result = services.run_day(DEADLINE)
    assert result.failed == 0
    emails = [m for m in mail.outbox if m.to == ["staff_a@example.gov.vn"]]
    assert len(emails) == 1
    body = emails[0].body
    assert body.count("Còn 1 ngày làm việc đến hạn") == 3
    assert "Quá hạn 3 ngày (hạn 27/10/2023)" in body  # calendar days, as on every screen
    digest = ReminderDigest.objects.get(recipient=people["staff_a"], channel="email")
    assert digest.items.count() == 4 and digest.status == "sent"


def test_rerunning_the_day_sends_nothing_twice(due: Task, people: dict[str, User]) -> None:
    day = date(2023, 10, 31)
    first = services.run_day(day)
    assert (first.sent, first.already_sent, first.failed) == (4, 0, 0)  # 2 people × in-app, e-mail
    second = services.run_day(day)
    assert (second.sent, second.already_sent, second.failed) == (0, 4, 0)
    assert len(mail.outbox) == 2
    assert Notification.objects.filter(event__isnull=True).count() == 2


def test_two_schedulers_recording_the_same_day_make_one_set_of_digests(
    due: Task, people: dict[str, User]
) -> None:
    day = date(2023, 10, 31)
    first = services.record(services.plan(day))
    second = services.record(services.plan(day))
    assert sorted(first) == sorted(second)
    assert ReminderDigest.objects.count() == 4 and ReminderItem.objects.count() == 4
    assert [delivery.deliver(pk) for pk in first] == ["sent"] * 4
    assert [delivery.deliver(pk) for pk in second] == ["already"] * 4
    assert len(mail.outbox) == 2


def test_a_failed_send_is_recorded_retried_and_then_sent_once(
    due: Task, people: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    day = date(2023, 10, 31)
    digest_ids = services.record(services.plan(day))
    email = ReminderDigest.objects.get(recipient=people["staff_a"], channel="email")

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise ConnectionRefusedError("SMTP server unavailable")

    monkeypatch.setattr("reminders.channels.send_email", refuse)
    with pytest.raises(delivery.DeliveryError):
        delivery.deliver(email.pk)
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("failed", 1)
    assert "SMTP server unavailable" in email.last_error
    assert email.next_attempt_at is not None and email.next_attempt_at > timezone.now()
    monkeypatch.undo()
    assert delivery.deliver(email.pk) == "already"  # not before its next attempt
    with time_machine.travel(email.next_attempt_at + timedelta(seconds=1)):
        assert delivery.deliver(email.pk) == "sent"
        assert delivery.deliver(email.pk) == "already"
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == ("sent", 2, "")
    assert len([m for m in mail.outbox if m.to == ["staff_a@example.gov.vn"]]) == 1
    assert email.pk in digest_ids


def test_channels_follow_each_persons_choice(due: Task, people: dict[str, User]) -> None:
    staff = people["staff_a"]
    staff.email = ""
    staff.phone = "0912345678"
    staff.notify_by_sms = True
    staff.save()
    LocmemBackend.outbox.clear()
    services.run_day(date(2023, 10, 31))
    channels = set(ReminderDigest.objects.filter(recipient=staff).values_list("channel", flat=True))
    assert channels == {"inapp", "sms"}  # no e-mail address: no e-mail
    assert [m.to for m in LocmemBackend.outbox] == ["0912345678"]
    assert LocmemBackend.outbox[0].text.startswith("Don doc 31/10: 1 nhiem vu qua han")
    assert Notification.objects.filter(recipient=staff, task=due, event__isnull=True).exists()


def test_the_task_page_shows_the_reminders_sent_for_it(
    client: Any, due: Task, people: dict[str, User]
) -> None:
    client.force_login(people["office"])
    # The page is kept until the lists' version moves (directives.caching); the reminders
    # recorded since (no version moved) still show: they are read each time.
    assert "Đã nhắc việc" not in client.get(due.get_absolute_url()).content.decode()
    services.run_day(date(2023, 10, 31))
    html = client.get(due.get_absolute_url()).content.decode()
    assert "Đã nhắc việc" in html and "31/10/2023" in html


def test_the_office_sees_the_send_log_and_others_do_not(
    client: Any, due: Task, people: dict[str, User]
) -> None:
    services.run_day(date(2023, 10, 31))
    client.force_login(people["staff_a"])
    assert client.get("/nhac-viec/").status_code == 403
    client.force_login(people["office"])
    response = client.get("/nhac-viec/", {"channel": "email", "status": "sent"})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 2


def test_the_ladder_is_the_offices_to_change(due: Task, people: dict[str, User]) -> None:
    ReminderStep.objects.filter(offset=-7).update(to_head=True)
    ReminderStep.objects.filter(offset=0).update(is_active=False)
    assert set(who_gets(date(2023, 10, 19))) == {"staff_a", "head_a"}
    assert who_gets(DEADLINE) == {}


def test_the_command_on_the_demo_data_reminds_son_tay_once() -> None:
    call_command("seed_demo", stdout=StringIO())
    son_tay = User.objects.get(username="sontay")
    out = StringIO()
    call_command("send_reminders", "--date", "2023-10-31", "--json", stdout=out)
    first = json.loads(out.getvalue())
    assert first["sent"] >= 2 and first["failed"] == 0
    initiative = Task.objects.get(ref="3.7")
    digest = ReminderDigest.objects.get(recipient=son_tay, channel="email")
    assert list(digest.items.values_list("task_id", flat=True)) == [initiative.pk]
    assert any(
        m.to == [son_tay.email] and "Quá hạn 1 ngày (hạn 30/10/2023)" in m.body for m in mail.outbox
    )
    out = StringIO()
    call_command("send_reminders", "--date", "2023-10-31", "--json", stdout=out)
    second = json.loads(out.getvalue())
    assert (second["sent"], second["already_sent"]) == (0, first["sent"])


def test_the_command_refuses_a_bad_date_and_dry_runs_write_nothing(
    due: Task, people: dict[str, User]
) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Ngày không hợp lệ"):
        call_command("send_reminders", "--date", "31/10/2023")
    out = StringIO()
    call_command("send_reminders", "--date", "2023-10-31", "--dry-run", "--json", stdout=out)
    assert json.loads(out.getvalue())["recipients"] == 2
    assert not ReminderDigest.objects.exists()


def test_a_unit_without_staff_accounts_is_skipped_quietly(
    make_task: MakeTask, people: dict[str, User]
) -> None:
    lonely = Unit.objects.create(name="Chi cục Thuế khu vực")
    with on_day(date(2023, 10, 1)):
        make_task(text="Không ai nhận", lead_unit=lonely, deadline=DEADLINE)
    assert who_gets(DEADLINE) == {}


def test_a_big_digest_lists_the_first_tasks_and_counts_the_rest(
    make_task: MakeTask, people: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    from reminders import channels

    monkeypatch.setattr(channels, "DIGEST_LINES", 3)
    with on_day(date(2023, 10, 1)):
        for number in range(5):
            make_task(
                text=f"Việc quá hạn số {number}",
                deadline=date(2023, 10, 27),
                assignee=people["staff_a"],
            )
        for number in range(2):
            make_task(
                text=f"Việc sắp đến hạn số {number}",
                deadline=date(2023, 10, 31),
                assignee=people["staff_a"],
            )
    with on_day(DEADLINE):
        result = services.run_day(DEADLINE)
    assert result.failed == 0
    [email] = [m for m in mail.outbox if m.to == ["staff_a@example.gov.vn"]]
    assert "QUÁ HẠN (5)" in email.body
    assert email.body.count("Việc quá hạn số") == 3  # the first three, then the count
    assert "… và 2 nhiệm vụ quá hạn khác: http" in email.body
    assert "timeliness=overdue" in email.body
    assert email.body.count("Việc sắp đến hạn số") == 2 and "sắp đến hạn khác" not in email.body
    html = str(email.alternatives[0][0])  # type: ignore[attr-defined]
    assert "… và 2 nhiệm vụ quá hạn khác" in html
    # In the app: one line per section instead of seven task notifications.
    messages = sorted(
        Notification.objects.filter(recipient=people["staff_a"], event__isnull=True).values_list(
            "message", flat=True
        )
    )
    assert messages == [
        "Nhắc việc: 2 nhiệm vụ sắp đến hạn hoặc đến hạn",
        "Nhắc việc: 5 nhiệm vụ quá hạn",
    ]


def test_the_job_records_the_day_chunk_by_chunk_as_the_whole_plan_would(
    make_task: MakeTask, people: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    with on_day(date(2023, 10, 1)):
        for number in range(7):
            make_task(text=f"Việc {number}", deadline=date(2023, 10, (27, 30, 31)[number % 3]))
    whole = services.plan(DEADLINE)
    monkeypatch.setattr(services, "CHUNK_TASKS", 2)
    chunks = list(services.plan_chunks(DEADLINE))
    assert len(chunks) > 2
    recorded = services.record_chunks(DEADLINE, iter(chunks))
    # Items: what was planned for people; new items: the lines written, one per channel.
    assert recorded.items == sum(len(items) for items in whole.items.values())
    assert recorded.new_items == sum(
        len(items) * len(services.channels_for(User.objects.get(pk=pk)))
        for pk, items in whole.items.items()
    )
    assert recorded.recipients == whole.recipients
    held = {
        (d.recipient_id, i.task_id, i.step)
        for d in ReminderDigest.objects.filter(day=DEADLINE)
        for i in d.items.all()
    }
    assert held == {(pk, i.task_id, i.step) for pk, items in whole.items.items() for i in items}
    again = services.record_chunks(DEADLINE, services.plan_chunks(DEADLINE))
    assert ReminderItem.objects.count() == recorded.new_items  # a rerun adds nothing
    assert (again.items, again.new_items) == (recorded.items, 0)
    assert sorted(again.digest_ids) == sorted(recorded.digest_ids)


def test_a_digest_left_sending_by_a_dead_worker_is_taken_again_and_shown_meanwhile(
    client: Any, due: Task, people: dict[str, User], caplog: pytest.LogCaptureFixture
) -> None:
    from reminders.tasks import send_daily_reminders, sweep_reminders

    with on_day(date(2023, 10, 31)):
        digest_ids = services.record(services.plan(date(2023, 10, 31)))
        # A worker claimed this one and died before marking it: its lease ran out.
        stuck = ReminderDigest.objects.filter(pk=digest_ids[0])
        stuck.update(status="sending", lease_until=timezone.now() - timedelta(minutes=1))
        # This one was just claimed by a live worker.
        ReminderDigest.objects.filter(pk=digest_ids[1]).update(
            status="sending", lease_until=timezone.now() + delivery.LEASE
        )
        client.force_login(people["office"])
        html = client.get("/nhac-viec/").content.decode()
        assert "1 lượt nhắc cần Văn phòng xem" in html
        assert "Tiến trình gửi đã dừng giữa chừng; hệ thống sẽ gửi lại." in html
        with caplog.at_level("WARNING", logger="reminders.tasks"):
            send_daily_reminders.apply(kwargs={"day": "2023-11-01"}).get()
        assert "1 reminder digests need the office" in caplog.text
        assert delivery.deliver(digest_ids[1]) == "already"  # a live worker holds it
        assert digest_ids[0] in set(delivery.due_for_delivery().values_list("pk", flat=True))
        assert sweep_reminders.apply().get() >= 1  # handed to the queue again
        assert stuck.get().queued_at is not None
        assert delivery.deliver(digest_ids[0]) == "sent"  # what the queued task runs
        assert stuck.get().status == "sent"
        assert delivery.deliver(digest_ids[0]) == "already"  # once


def test_an_item_planned_after_the_digest_went_out_goes_into_the_next_digest(
    client: Any, due: Task, make_task: MakeTask, people: dict[str, User]
) -> None:
    day = date(2023, 10, 31)
    with on_day(day):
        first = services.run_day(day)
        assert first.sent >= 2 and first.new_items >= 2
        sent = ReminderDigest.objects.get(recipient=people["staff_a"], channel="email")
        assert (sent.status, sent.sequence) == ("sent", 0)
        # Later that day a second task of the unit is found overdue (the office corrected its
        # deadline); the day's job runs again.
        late = make_task(text="Báo cáo bổ sung", deadline=DEADLINE, assignee=people["staff_a"])
        again = services.run_day(day)
    emails = ReminderDigest.objects.filter(recipient=people["staff_a"], channel="email")
    assert sorted(emails.values_list("sequence", "status")) == [(0, "sent"), (1, "sent")]
    # The sent digest kept what it carried; the new one holds only the new task.
    assert list(sent.items.values_list("task_id", flat=True)) == [due.pk]
    later = emails.get(sequence=1)
    assert list(later.items.values_list("task_id", flat=True)) == [late.pk]
    assert (
        again.new_items
        == later.items.count()
        + ReminderItem.objects.filter(digest__sequence=1).exclude(digest=later).count()
    )
    staff_mail = [m for m in mail.outbox if m.to == ["staff_a@example.gov.vn"]]
    assert len(staff_mail) == 2
    assert staff_mail[0].extra_headers["Message-ID"] != staff_mail[1].extra_headers["Message-ID"]
    # A third run adds nothing and sends nothing.
    with on_day(day):
        third = services.run_day(day)
    assert (third.new_items, third.sent) == (0, 0)
    assert emails.count() == 2
    # Each task page's "Đã nhắc việc" lists exactly the e-mails that were received about it.
    client.force_login(people["office"])
    for task in (due, late):
        page = client.get(f"/nhiem-vu/{task.pk}/").content.decode()
        shown = page.split('id="reminders-heading"')[1].split("</section>")[0]
        received = [m for m in mail.outbox if task.text in m.body]
        assert received and shown.count("Thư điện tử") == len(received)


def test_a_digest_whose_item_was_already_sent_is_not_reopened_by_a_rerun(
    due: Task, people: dict[str, User]
) -> None:
    day = date(2023, 10, 31)
    with on_day(day):
        services.run_day(day)
        before = ReminderDigest.objects.count()
        rerun = services.run_day(day)
    assert ReminderDigest.objects.count() == before  # no empty next digest
    assert (rerun.new_items, rerun.sent) == (0, 0)


def test_the_office_sends_a_given_up_digest_again(
    client: Any,
    due: Task,
    people: dict[str, User],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    day = date(2023, 10, 31)
    with on_day(day):
        services.record(services.plan(day))
    email = ReminderDigest.objects.get(recipient=people["staff_a"], channel="email")
    email_q = ReminderDigest.objects.filter(pk=email.pk)
    email_q.update(status="failed", attempts=delivery.MAX_ATTEMPTS, last_error="SMTP down")
    assert delivery.deliver(email.pk) == "already"  # given up: not tried by itself
    assert email.pk in set(delivery.stuck_digests().values_list("pk", flat=True))
    queued: list[int] = []
    monkeypatch.setattr("reminders.tasks.deliver_digest.delay", queued.append)
    client.force_login(people["staff_a"])
    assert client.post(f"/nhac-viec/{email.pk}/gui-lai/").status_code == 403
    client.force_login(people["office"])
    log = client.get("/nhac-viec/?status=failed").content.decode()
    assert "Đã ngừng thử sau 12 lần." in log and "Gửi lại" in log
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/nhac-viec/{email.pk}/gui-lai/", {"next": "https://evil.example/"})
    assert response["Location"] == "/nhac-viec/"  # never elsewhere
    assert queued == [email.pk]
    assert (email_q.get().status, email_q.get().attempts) == ("pending", 0)
    assert delivery.deliver(email.pk) == "sent"
    again = client.post(f"/nhac-viec/{email.pk}/gui-lai/", follow=True).content.decode()
    assert "Lượt nhắc này đã gửi xong; không gửi lại." in again


def test_the_dry_run_names_people_and_tasks_as_the_office_knows_them(
    due: Task, people: dict[str, User]
) -> None:
    out = StringIO()
    call_command("send_reminders", "--date", "2023-10-31", "--dry-run", stdout=out)
    text = out.getvalue()
    assert text.startswith("Ngày 31/10/2023: 2 người nhận.")
    assert f"Thông báo {due.notice.number}" in text and str(people["staff_a"]) in text
    assert "#" not in text and "None" not in text  # no database ids


def test_days_late_are_counted_one_way_on_the_page_and_in_the_reminder(
    client: Any, due: Task, people: dict[str, User]
) -> None:
    # Tuesday 7/11: 6 working days, 8 calendar days after Monday 30/10. The page and the
    # reminder both say 8, and the page says how it counts.
    day = date(2023, 11, 7)
    labels = who_gets(day)["staff_a"]
    assert labels == ["Quá hạn 8 ngày (hạn 30/10/2023)"]
    client.force_login(people["staff_a"])
    with on_day(day):
        page = client.get(f"/nhiem-vu/{due.pk}/").content.decode()
    assert "Quá hạn 8 ngày" in page and "Số ngày theo lịch" in page
