"""The lead and support units' actions on a task: take it up, report, contribute, ask more time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from units.models import Unit, User

from ..models import ExtensionRequest, SupportRequest, Task, TaskEvent
from .base import TransitionError, begin, check_day, clean_note, record

Status = Task.Status
Kind = TaskEvent.Kind


@transaction.atomic
def start_task(
    *, actor: User, task: Task, note: str = "", expected_version: int | None = None
) -> Task:
    """The lead unit takes up a newly assigned task: Mới giao → Đang thực hiện."""
    task = begin(task, "start", actor=actor, expected_version=expected_version)
    record(
        task,
        actor=actor,
        kind=Kind.STARTED,
        note=clean_note(note, required=False),
        status_to=Status.IN_PROGRESS,
    )
    return task


@transaction.atomic
def report_progress(
    *,
    actor: User,
    task: Task,
    note: str,
    progress: int,
    files: Sequence[UploadedFile] = (),
    expected_version: int | None = None,
) -> TaskEvent:
    """The lead unit reports progress; a first report also takes up a new task."""
    task = begin(task, "progress", actor=actor, expected_version=expected_version)
    note = clean_note(note, required=True, what="Nội dung báo cáo")
    if not 0 <= progress <= 100:
        raise ValidationError("Tiến độ phải từ 0 đến 100%.", code="progress_range")
    task.progress = progress
    return record(
        task,
        actor=actor,
        kind=Kind.PROGRESS,
        note=note,
        status_to=Status.IN_PROGRESS,
        progress=progress,
        files=files,
        changed_fields=["progress"],
    )


@transaction.atomic
def ask_support(
    *,
    actor: User,
    task: Task,
    unit: Unit,
    due_on: date,
    note: str,
    expected_version: int | None = None,
) -> SupportRequest:
    """The lead unit asks one of its support units for its part by `due_on`."""
    task = begin(task, "ask_support", actor=actor, expected_version=expected_version)
    note = clean_note(note, required=True, what="Nội dung đề nghị")
    if not task.support_units.filter(pk=unit.pk).exists():
        raise ValidationError(
            {"unit": f"{unit} không phải đơn vị phối hợp của nhiệm vụ này."}, code="not_support"
        )
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": "Hạn gửi không được trước ngày hôm nay."})
    if task.support_requests.filter(unit=unit, answered_at__isnull=True).exists():
        raise ValidationError(
            {"unit": f"{unit} đang có một đề nghị phối hợp chưa trả lời."}, code="open_request"
        )
    request = SupportRequest.objects.create(
        task=task, unit=unit, asked_by=actor, due_on=due_on, note=note
    )
    record(
        task,
        actor=actor,
        kind=Kind.SUPPORT_ASKED,
        note=note,
        data={"unit": unit.name, "unit_id": unit.pk, "due_on": due_on.isoformat()},
        bump_version=False,
    )
    return request


@transaction.atomic
def add_contribution(
    *, actor: User, task: Task, note: str, files: Sequence[UploadedFile] = ()
) -> TaskEvent:
    """A support unit adds what it did (note and files); the status stays the lead's. It
    answers the unit's open request for its part, if the lead unit asked for one."""
    task = begin(task, "contribute", actor=actor)
    event = record(
        task,
        actor=actor,
        kind=Kind.CONTRIBUTION,
        note=clean_note(note, required=True),
        files=files,
        bump_version=False,
    )
    if actor.unit_id is not None:
        task.support_requests.filter(unit_id=actor.unit_id, answered_at__isnull=True).update(
            answered_at=event.created_at, answer=event
        )
    return event


@transaction.atomic
def report_completion(
    *,
    actor: User,
    task: Task,
    note: str,
    completed_on: date | None = None,
    document_number: str = "",
    document_date: date | None = None,
    files: Sequence[UploadedFile] = (),
    expected_version: int | None = None,
) -> TaskEvent:
    """The lead unit reports the task done; it waits for the office (Chờ xác nhận), or first
    for the unit head where the unit wants its head's review (`Unit.head_review`)."""
    task = begin(task, "complete", actor=actor, expected_version=expected_version)
    today = timezone.localdate()
    completed_on = completed_on or today
    check_day(completed_on, today=today, not_before=task.assigned_on, what="Ngày hoàn thành")
    if document_date is not None and document_date > today:
        raise ValidationError("Ngày văn bản không được sau ngày hôm nay.", code="future")
    task.completed_on = completed_on
    task.progress = 100
    # A unit that wants its head's review: a member's report waits for the head first.
    task.awaiting_head = (
        task.lead_unit.head_review
        and actor.role != User.Role.HEAD
        and User.objects.filter(
            unit_id=task.lead_unit_id, role=User.Role.HEAD, is_active=True
        ).exists()  # a unit without a head account sends it straight to the office
    )
    return record(
        task,
        actor=actor,
        kind=Kind.COMPLETION_REPORTED,
        note=clean_note(note, required=True, what="Kết quả thực hiện"),
        status_to=Status.AWAITING_ACCEPTANCE,
        progress=100,
        data={
            "completed_on": completed_on.isoformat(),
            "document_number": document_number.strip(),
            "document_date": document_date.isoformat() if document_date else None,
        },
        files=files,
        changed_fields=["completed_on", "progress", "awaiting_head"],
    )


@transaction.atomic
def request_extension(
    *,
    actor: User,
    task: Task,
    reason: str,
    proposed_deadline: date,
    files: Sequence[UploadedFile] = (),
    expected_version: int | None = None,
) -> ExtensionRequest:
    """The lead unit asks to move the deadline, with its letter (files) if it has one; the
    office or leadership decides. Asked after the deadline it is allowed and marked so."""
    task = begin(task, "extend", actor=actor, expected_version=expected_version)
    reason = clean_note(reason, required=True, what="Lý do đề nghị gia hạn")
    today = timezone.localdate()
    if task.deadline is None:
        raise TransitionError("Nhiệm vụ thường xuyên không có thời hạn để gia hạn.", code="ongoing")
    if proposed_deadline <= task.deadline:
        raise ValidationError(
            f"Thời hạn đề nghị phải sau thời hạn hiện tại ({task.deadline:%d/%m/%Y}).",
            code="not_later",
        )
    if proposed_deadline < today:
        raise ValidationError(
            "Thời hạn đề nghị không được trước ngày hôm nay.", code="before_today"
        )
    if task.extension_requests.filter(status=ExtensionRequest.Status.PENDING).exists():
        raise TransitionError(
            "Nhiệm vụ đang có một đề nghị gia hạn chờ quyết định.", code="pending_exists"
        )
    after_deadline = task.deadline < today
    request = ExtensionRequest.objects.create(
        task=task,
        requested_by=actor,
        reason=reason,
        previous_deadline=task.deadline,
        proposed_deadline=proposed_deadline,
        after_deadline=after_deadline,
    )
    record(
        task,
        actor=actor,
        kind=Kind.EXTENSION_REQUESTED,
        note=reason,
        data={
            "request": request.pk,
            "proposed_deadline": proposed_deadline.isoformat(),
            "after_deadline": after_deadline,
        },
        files=files,
        bump_version=False,
    )
    return request
