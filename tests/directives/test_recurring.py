"""Recurring duties: each period's report is due at its cut-off, reminded, and counted."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from directives import services
from directives.models import PeriodReport, Task
from directives.periods import periods, reporting_from_text
from reminders import services as reminders
from tests.conftest import MakeTask, on_day
from units.models import User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("Thường xuyên, báo cáo trước ngày 20 hằng tháng", ("month", 20)),
        ("Định kỳ hằng quý trước ngày 15 tháng cuối quý", ("quarter", 15)),
        ("Báo cáo 6 tháng, năm", ("half", None)),
        ("Báo cáo hằng năm trước ngày 10/12", ("year", 10)),
        ("Thường xuyên", None),
        ("Trước ngày 30/10/2023", None),
    ],
)
def test_the_reporting_period_is_read_from_the_phrase(phrase: str, expected: object) -> None:
    assert reporting_from_text(phrase) == expected


def test_periods_and_cut_offs() -> None:
    quarterly = list(periods(date(2023, 9, 13), date(2024, 1, 2), "quarter", 15))
    # Q3 is due 15/9, after the assignment: asked for; then Q4 (15/12) and Q1 (15/3).
    assert [(s.month, d) for s, _, d in quarterly] == [
        (7, date(2023, 9, 15)),
        (10, date(2023, 12, 15)),
        (1, date(2024, 3, 15)),
    ]
    # A cut-off day past the month's end is its last day; a period cut off before the
    # assignment is not asked for.
    monthly = list(periods(date(2024, 2, 20), date(2024, 3, 1), "month", 31))
    assert [d for _, _, d in monthly] == [date(2024, 2, 29), date(2024, 3, 31)]
    assert list(periods(date(2024, 2, 29), date(2024, 3, 1), "month", 20)) == [
        (date(2024, 3, 1), date(2024, 3, 31), date(2024, 3, 20))
    ]


@pytest.fixture
def duty(make_task: MakeTask, staff_a: User, head_a: User) -> Task:
    with on_day(date(2023, 9, 25)):
        return make_task(
            text="Báo cáo tình hình thực hiện cải cách hành chính",
            deadline_text="Thường xuyên; báo cáo trước ngày 20 hằng tháng",
            assigned_on=date(2023, 9, 25),
            assignee=staff_a,
            started=True,
        )


def test_a_monthly_duty_missed_is_counted_late_listed_and_reminded_that_day(
    client: Client, duty: Task, staff_a: User, head_a: User, leader: User
) -> None:
    assert (duty.report_every, duty.report_day, duty.deadline) == ("month", 20, None)
    day = date(2023, 10, 23)  # Monday; October's cut-off was Friday 20/10
    services.ensure_periods(day)
    assert list(duty.period_reports.values_list("due_on", flat=True)) == [date(2023, 10, 20)]
    assert list(Task.objects.missing_period_report(day)) == [duty]
    assert not Task.objects.missing_period_report(date(2023, 10, 20)).exists()

    # The dashboard counts it; its link lists exactly it.
    client.force_login(leader)
    with on_day(day):
        page = client.get(reverse("dashboard"))
        label, count, url = next(
            r for r in page.context["dashboard"]()["work_rows"] if "định kỳ" in r[0]
        )
        assert count == 1
        listed = client.get(url).context["listing"].page.object_list
    assert [t.pk for t in listed] == [duty.pk]

    # That day's reminders carry it: the holder (every step) and the head (from the day after).
    planned = reminders.plan(day).items
    names = dict(User.objects.values_list("pk", "username"))
    about = {
        names[pk]: [i.label for i in items if i.task_id == duty.pk] for pk, items in planned.items()
    }
    expected = "Báo cáo định kỳ tháng 10/2023: Quá hạn 3 ngày (hạn 20/10/2023)"
    assert about == {"staff_a": [expected], "head_a": [expected]}

    # Reported late: counted as such, no longer missing or reminded.
    with on_day(day):
        period = services.report_period(actor=staff_a, task=duty, note="Đã tổng hợp tháng 10")
    assert (period.reported_on, period.state_on(day)) == (day, "late")
    assert period.event is not None and period.event.data["late"] is True
    assert not Task.objects.missing_period_report(day).exists()
    assert not any(
        i.task_id == duty.pk for items in reminders.plan(day).items.values() for i in items
    )
    duty.refresh_from_db()
    assert duty.status == Task.Status.IN_PROGRESS  # the duty stays open


def test_a_report_before_the_cut_off_is_on_time_and_answers_the_earliest_period(
    duty: Task, staff_a: User
) -> None:
    with on_day(date(2023, 11, 14)):
        first = services.report_period(actor=staff_a, task=duty, note="Tháng 10")
        second = services.report_period(actor=staff_a, task=duty, note="Tháng 11")
        with pytest.raises(Exception, match="đã báo cáo đủ"):
            services.report_period(actor=staff_a, task=duty, note="Thêm")
    assert (first.period_start, first.state_on(date(2023, 11, 14))) == (date(2023, 10, 1), "late")
    assert (second.period_start, second.state_on(date(2023, 11, 14))) == (
        date(2023, 11, 1),
        "on_time",
    )
    assert PeriodReport.objects.filter(task=duty).count() == 2


def test_only_a_recurring_duty_takes_a_period_report(
    make_task: MakeTask, staff_a: User, office: User
) -> None:
    task = make_task(deadline=date(2030, 10, 30))
    with pytest.raises(services.TransitionError, match="không có kỳ báo cáo"):
        services.report_period(actor=staff_a, task=task, note="x")
    # The office sets a reporting period on the edit form; the periods open.
    services.edit_task(actor=office, task=task, report_every="quarter", report_day=15)
    task.refresh_from_db()
    assert (task.report_every, task.report_day) == ("quarter", 15)
    services.edit_task(actor=office, task=task, report_every="")
    task.refresh_from_db()
    assert (task.report_every, task.report_day) == ("", None)


def test_the_missed_list_puts_the_longest_missed_first(
    client: Client, make_task: MakeTask, office: User, staff_a: User, head_a: User
) -> None:
    with on_day(date(2023, 9, 25)):
        monthly = make_task(
            text="Báo cáo hằng tháng",
            deadline_text="báo cáo trước ngày 20 hằng tháng",
            assigned_on=date(2023, 9, 25),
            started=True,
        )
        quarterly = make_task(
            text="Báo cáo hằng quý",
            deadline_text="định kỳ hằng quý trước ngày 15 tháng cuối quý",
            assigned_on=date(2023, 7, 3),
            started=True,
        )
    day = date(2023, 10, 23)
    services.ensure_periods(day)
    quarterly.refresh_from_db()
    monthly.refresh_from_db()
    assert quarterly.report_due == date(2023, 9, 15) and monthly.report_due == date(2023, 10, 20)
    client.force_login(office)
    with on_day(day):
        listed = client.get(reverse("task_list"), {"period": "missed"}).context["listing"].page
    assert [t.pk for t in listed.object_list] == [quarterly.pk, monthly.pk]
    # Ending a duty takes it off the list.
    services.cancel_task(actor=office, task=quarterly, reason="Không còn yêu cầu báo cáo")
    assert list(Task.objects.missing_period_report(day)) == [monthly]
