"""The database itself refuses rows that break the domain's invariants, whoever writes them."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from directives.models import ExtensionRequest, Task
from units.models import Unit, User

pytestmark = pytest.mark.django_db(transaction=False)


def refused(model: Any, pk: int, **fields: Any) -> bool:
    try:
        with transaction.atomic():
            model.objects.filter(pk=pk).update(**fields)
    except IntegrityError:
        return True
    return False


@pytest.mark.parametrize(
    "fields",
    [
        {"progress": 101},
        {"status": "finished"},
        {"deadline": None},  # original deadline kept while the deadline goes
        {"deadline": date(2023, 10, 1)},  # before the original 30/10
        {"deadline_kind": Task.DeadlineKind.ONGOING},  # ongoing with a date
        {"completed_on": date(2023, 10, 1)},  # a date without a completion report
        {"status": Task.Status.AWAITING_ACCEPTANCE},  # reported without a date
        {"status": Task.Status.DONE, "completed_on": date(2023, 10, 1)},  # done below 100%
        {"status": Task.Status.CANCELLED},  # cancelled without a reason
        {"cancel_reason": "Lý do"},  # a reason on a task that is not cancelled
    ],
    ids=lambda fields: "+".join(f"{k}={v}" for k, v in fields.items()),
)
def test_a_task_row_that_breaks_an_invariant_is_refused(task: Task, fields: dict[str, Any]) -> None:
    assert refused(Task, task.pk, **fields)


def test_a_valid_direct_update_is_accepted(task: Task) -> None:
    assert not refused(Task, task.pk, progress=100)


def test_two_pending_extension_requests_are_refused(task: Task, staff_a: User) -> None:
    ExtensionRequest.objects.create(
        task=task,
        requested_by=staff_a,
        reason="x",
        previous_deadline=date(2023, 10, 30),
        proposed_deadline=date(2023, 11, 30),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ExtensionRequest.objects.create(
            task=task,
            requested_by=staff_a,
            reason="y",
            previous_deadline=date(2023, 10, 30),
            proposed_deadline=date(2023, 12, 30),
        )


def test_an_extension_must_move_the_deadline_later_and_be_decided_by_someone(
    task: Task, staff_a: User
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ExtensionRequest.objects.create(
            task=task,
            requested_by=staff_a,
            reason="x",
            previous_deadline=date(2023, 10, 30),
            proposed_deadline=date(2023, 10, 30),
        )
    request = ExtensionRequest.objects.create(
        task=task,
        requested_by=staff_a,
        reason="x",
        previous_deadline=date(2023, 10, 30),
        proposed_deadline=date(2023, 11, 30),
    )
    assert refused(ExtensionRequest, request.pk, status="approved")
    assert not refused(
        ExtensionRequest,
        request.pk,
        status="approved",
        decided_by=staff_a,
        decided_at=timezone.now(),
    )


def test_unit_staff_must_belong_to_a_unit(db: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(username="x", role=User.Role.STAFF, unit=None)


def test_a_closed_unit_has_a_closing_date_and_is_not_its_own_successor(unit_a: Unit) -> None:
    assert refused(Unit, unit_a.pk, is_active=False)
    assert refused(Unit, unit_a.pk, successor=unit_a)
    assert not refused(Unit, unit_a.pk, is_active=False, closed_on=date(2025, 7, 1))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"progress": 101}, "Tiến độ phải từ 0 đến 100%."),
        ({"cancel_reason": "x"}, "Nhiệm vụ bị hủy phải có lý do hủy."),
    ],
)
def test_model_validation_explains_a_broken_invariant_in_vietnamese(
    task: Task, fields: dict[str, Any], message: str
) -> None:
    for name, value in fields.items():
        setattr(task, name, value)
    with pytest.raises(ValidationError) as caught:
        task.full_clean()
    assert message in caught.value.messages
