"""Two people acting on one task at once: one wins, the other is told, nothing is half-written.

Real threads with their own database connections; on PostgreSQL the row lock orders them, on
SQLite the write transactions do.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
from django.db import connection

from directives import services
from directives.models import Task, TaskEvent
from tests.conftest import MakeTask, on_day
from units.models import User

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(*actions: Any) -> list[BaseException | None]:
    barrier = threading.Barrier(len(actions))
    outcomes: list[BaseException | None] = [None] * len(actions)

    def worker(index: int, action: Any) -> None:
        try:
            barrier.wait(timeout=10)
            action()
        except BaseException as error:  # noqa: BLE001 - reported to the test
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_progress_reports_from_the_same_page_keep_one_and_refuse_the_other(
    make_task: MakeTask, staff_a: User, head_a: User
) -> None:
    with on_day(date(2023, 10, 2)):
        task = make_task(deadline=date(2023, 10, 30))
    opened = task.version

    def report(actor: User, percent: int) -> Any:
        return lambda: services.report_progress(
            actor=actor, task=task, note=f"{percent}%", progress=percent, expected_version=opened
        )

    outcomes = run_together(report(staff_a, 30), report(head_a, 60))
    errors = [o for o in outcomes if o is not None]
    assert len(errors) == 1 and isinstance(errors[0], services.StaleTaskError)
    task = Task.objects.get(pk=task.pk)
    assert task.version == opened + 1
    progress_rows = TaskEvent.objects.filter(task=task, kind=TaskEvent.Kind.PROGRESS)
    assert progress_rows.count() == 1
    assert task.progress == progress_rows.get().progress  # the kept report is the one applied


def test_accepting_and_returning_at_once_never_breaks_the_transition(
    make_task: MakeTask, staff_a: User, office: User
) -> None:
    with on_day(date(2023, 10, 2)):
        task = make_task()
        services.report_completion(actor=staff_a, task=task, note="Xong")
    second_office = User.objects.create_user(username="office2", role=User.Role.OFFICE)
    outcomes = run_together(
        lambda: services.accept_completion(actor=office, task=task),
        lambda: services.return_completion(actor=second_office, task=task, reason="Thiếu hồ sơ"),
    )
    errors = [o for o in outcomes if o is not None]
    assert len(errors) == 1 and isinstance(errors[0], services.TransitionError)
    task = Task.objects.get(pk=task.pk)
    decided = TaskEvent.objects.filter(
        task=task, kind__in=[TaskEvent.Kind.ACCEPTED, TaskEvent.Kind.RETURNED]
    )
    assert decided.count() == 1
    assert task.status == (
        Task.Status.DONE if decided.get().kind == "accepted" else Task.Status.IN_PROGRESS
    )
