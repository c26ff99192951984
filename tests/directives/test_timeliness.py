"""The timeliness axis of docs/domain.md §3 on days around a deadline."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directives import services
from directives.models import Task
from directives.timeliness import Timeliness, timeliness_counts
from tests.conftest import MakeTask, on_day
from units.models import User

pytestmark = pytest.mark.django_db

DEADLINE = date(2023, 10, 30)  # a Monday


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    # Services check dates against today; the tests then look at other reference days.
    with on_day(date(2023, 10, 2)):
        yield


def bucket(task: Task, today: date) -> Timeliness:
    """The bucket by the Python rule, checked against the database's annotation and filter."""
    annotated = Task.objects.with_timeliness(today).get(pk=task.pk).timeliness  # type: ignore[attr-defined]
    in_python = task.timeliness_on(today)
    filtered = [
        b for b in Timeliness if Task.objects.in_bucket(b, today).filter(pk=task.pk).exists()
    ]
    assert filtered == [in_python], "exactly one bucket must hold the task"
    assert annotated == in_python
    return in_python


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (DEADLINE - timedelta(days=30), Timeliness.IN_TIME),
        (DEADLINE - timedelta(days=4), Timeliness.IN_TIME),
        (DEADLINE - timedelta(days=3), Timeliness.DUE_SOON),
        (DEADLINE - timedelta(days=1), Timeliness.DUE_SOON),
        (DEADLINE, Timeliness.DUE_SOON),
        (DEADLINE + timedelta(days=1), Timeliness.OVERDUE),
        (DEADLINE + timedelta(days=400), Timeliness.OVERDUE),
    ],
)
def test_an_open_task_around_its_deadline(make_task: MakeTask, today: date, expected: str) -> None:
    task = make_task(deadline=DEADLINE)
    assert bucket(task, today) == expected


def test_days_overdue_count_from_the_deadline(make_task: MakeTask) -> None:
    task = make_task(deadline=DEADLINE)
    assert task.days_overdue(DEADLINE) == 0
    assert task.days_overdue(DEADLINE + timedelta(days=9)) == 9


def test_the_due_soon_window_is_a_setting(make_task: MakeTask, settings: object) -> None:
    task = make_task(deadline=DEADLINE)
    settings.DONDOC_DUE_SOON_DAYS = 7  # type: ignore[attr-defined]
    assert bucket(task, DEADLINE - timedelta(days=7)) == Timeliness.DUE_SOON
    assert bucket(task, DEADLINE - timedelta(days=8)) == Timeliness.IN_TIME


def test_an_ongoing_task_has_no_deadline_bucket(make_task: MakeTask) -> None:
    task = make_task()
    assert bucket(task, date(2030, 1, 1)) == Timeliness.NO_DEADLINE


def test_a_reported_task_is_measured_on_the_day_it_was_reported(
    make_task: MakeTask, staff_a: User
) -> None:
    on_time = make_task(deadline=date(2023, 10, 1))
    services.report_completion(
        actor=staff_a, task=on_time, note="x", completed_on=date(2023, 9, 30)
    )
    late = make_task(deadline=date(2023, 9, 20))
    services.report_completion(actor=staff_a, task=late, note="x", completed_on=date(2023, 9, 25))
    later = date(2023, 12, 1)
    assert bucket(Task.objects.get(pk=on_time.pk), later) == Timeliness.IN_TIME
    late = Task.objects.get(pk=late.pk)
    assert bucket(late, later) == Timeliness.OVERDUE
    assert late.days_overdue(later) == 5  # frozen on the reported day


@pytest.mark.parametrize(
    ("completed_on", "expected"),
    [
        (date(2023, 9, 29), Timeliness.DONE_ON_TIME),
        (date(2023, 9, 30), Timeliness.DONE_ON_TIME),
        (date(2023, 10, 1), Timeliness.DONE_LATE),
    ],
)
def test_a_finished_task_is_on_time_or_late_by_its_completion_date(
    make_task: MakeTask, staff_a: User, office: User, completed_on: date, expected: str
) -> None:
    task = make_task(deadline=date(2023, 9, 30))
    services.report_completion(actor=staff_a, task=task, note="x", completed_on=completed_on)
    services.accept_completion(actor=office, task=task)
    assert bucket(Task.objects.get(pk=task.pk), date(2024, 1, 1)) == expected


def test_a_finished_ongoing_task_and_a_cancelled_task(
    make_task: MakeTask, staff_a: User, office: User
) -> None:
    ongoing = make_task()
    services.report_completion(actor=staff_a, task=ongoing, note="x")
    services.accept_completion(actor=office, task=ongoing)
    cancelled = make_task(deadline=DEADLINE)
    services.cancel_task(actor=office, task=cancelled, reason="Không còn phù hợp.")
    today = date(2024, 1, 1)
    assert bucket(Task.objects.get(pk=ongoing.pk), today) == Timeliness.DONE_NO_DEADLINE
    assert bucket(Task.objects.get(pk=cancelled.pk), today) == Timeliness.CANCELLED


def test_timeliness_against_the_original_deadline_ignores_the_extension(
    make_task: MakeTask, staff_a: User, office: User
) -> None:
    # Due 5/10, extended to 31/10, finished on 20/10: on time by the extension, late by the
    # original deadline. Reports count both (docs/domain.md §4).
    task = make_task(deadline=date(2023, 10, 5))
    extension = services.request_extension(
        actor=staff_a, task=task, reason="x", proposed_deadline=date(2023, 10, 31)
    )
    services.approve_extension(actor=office, request=extension)
    with on_day(date(2023, 10, 20)):
        services.report_completion(actor=staff_a, task=task, note="x")
        services.accept_completion(actor=office, task=task)
    task = Task.objects.get(pk=task.pk)
    later = date(2024, 1, 1)
    assert task.timeliness_on(later) == Timeliness.DONE_ON_TIME
    assert task.timeliness_on(later, against="original_deadline") == Timeliness.DONE_LATE
    against_original = (
        Task.objects.with_timeliness(later, against="original_deadline").get(pk=task.pk).timeliness  # type: ignore[attr-defined]
    )
    assert against_original == Timeliness.DONE_LATE


def test_an_extension_turns_an_overdue_task_back_to_in_time(
    make_task: MakeTask, staff_a: User, office: User
) -> None:
    task = make_task(deadline=date(2023, 10, 10))
    extension = services.request_extension(
        actor=staff_a, task=task, reason="x", proposed_deadline=date(2023, 11, 30)
    )
    services.approve_extension(actor=office, request=extension)
    task = Task.objects.get(pk=task.pk)
    day = date(2023, 10, 20)
    assert bucket(task, day) == Timeliness.IN_TIME
    overdue_by_original = Task.objects.in_bucket(
        Timeliness.OVERDUE, day, against="original_deadline"
    )
    assert list(overdue_by_original) == [task]


def test_overdue_and_due_within_are_the_buckets(make_task: MakeTask) -> None:
    late = make_task(deadline=date(2023, 10, 3))
    soon = make_task(deadline=date(2023, 10, 12))
    make_task(deadline=date(2023, 11, 30))
    make_task()
    today = date(2023, 10, 10)
    assert list(Task.objects.overdue(today)) == [late]
    assert list(Task.objects.due_within(2, today)) == [soon]
    assert list(Task.objects.due_within(1, today)) == []


def test_bucket_counts_add_up_in_one_query(make_task: MakeTask, staff_a: User) -> None:
    for day in (date(2023, 10, 3), date(2023, 10, 12), date(2023, 11, 30)):
        make_task(deadline=day)
    make_task()
    with CaptureQueriesContext(connection) as queries:
        counts = timeliness_counts(Task.objects.all(), date(2023, 10, 10))
    assert len(queries) == 1
    assert counts[Timeliness.OVERDUE] == 1
    assert counts[Timeliness.DUE_SOON] == 1
    assert counts[Timeliness.IN_TIME] == 1
    assert counts[Timeliness.NO_DEADLINE] == 1
    assert sum(counts.values()) == Task.objects.count()
