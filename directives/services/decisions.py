"""The office's and the leadership's decisions on a task, and their comments."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from units.models import User

from .. import caching
from ..models import ExtensionRequest, ObjectiveCause, Task, TaskEvent
from .base import (
    TransitionError,
    _acting_unit,
    begin,
    check_day,
    clean_note,
    record,
    require_office,
)

Status = Task.Status
Kind = TaskEvent.Kind


@transaction.atomic
def accept_completion(
    *,
    actor: User,
    task: Task,
    completed_on: date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Task:
    """The office accepts a completion report: Chờ xác nhận → Hoàn thành."""
    task = begin(task, "accept", actor=actor, expected_version=expected_version)
    if completed_on is not None:
        check_day(
            completed_on,
            today=timezone.localdate(),
            not_before=task.assigned_on,
            what="Ngày hoàn thành",
        )
        task.completed_on = completed_on
    assert task.completed_on is not None
    task.report_due = None  # an ended duty owes no more period reports
    record(
        task,
        actor=actor,
        kind=Kind.ACCEPTED,
        note=clean_note(note, required=False),
        status_to=Status.DONE,
        data={"completed_on": task.completed_on.isoformat()},
        changed_fields=["completed_on", "report_due"],
    )
    return task


@transaction.atomic
def return_completion(
    *, actor: User, task: Task, reason: str, expected_version: int | None = None
) -> Task:
    """The office returns a completion report (Thực hiện lại): back to Đang thực hiện."""
    task = begin(task, "return", actor=actor, expected_version=expected_version)
    reason = clean_note(reason, required=True, what="Lý do trả lại")
    task.completed_on = None
    record(
        task,
        actor=actor,
        kind=Kind.RETURNED,
        note=reason,
        status_to=Status.IN_PROGRESS,
        changed_fields=["completed_on"],
    )
    return task


def _decide_extension(
    *,
    actor: User,
    request: ExtensionRequest,
    approve: bool,
    note: str,
    deadline: date | None = None,
) -> ExtensionRequest:
    task = begin(request.task, "decide_extension", actor=actor)
    request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != ExtensionRequest.Status.PENDING:
        raise TransitionError("Đề nghị gia hạn này đã được quyết định.", code="decided")
    new_deadline = (deadline or request.proposed_deadline) if approve else None
    other_date = new_deadline is not None and new_deadline != request.proposed_deadline
    note = clean_note(
        note,
        required=not approve or other_date,
        what="Lý do không đồng ý" if not approve else "Lý do đồng ý thời hạn khác",
    )
    if new_deadline is not None and new_deadline <= request.previous_deadline:
        raise ValidationError(
            {
                "deadline": "Thời hạn được đồng ý phải sau thời hạn cũ "
                f"({request.previous_deadline:%d/%m/%Y})."
            },
            code="not_later",
        )
    request.status = (
        ExtensionRequest.Status.APPROVED if approve else ExtensionRequest.Status.REFUSED
    )
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = note
    request.approved_deadline = new_deadline
    request.save(
        update_fields=["status", "decided_by", "decided_at", "decision_note", "approved_deadline"]
    )
    data: dict[str, Any] = {"request": request.pk}
    changed: list[str] = []
    if new_deadline is not None:
        data |= {
            "previous_deadline": task.deadline.isoformat() if task.deadline else None,
            "deadline": new_deadline.isoformat(),
            "proposed_deadline": request.proposed_deadline.isoformat(),
        }
        task.deadline = new_deadline
        changed.append("deadline")
    record(
        task,
        actor=actor,
        kind=Kind.EXTENSION_APPROVED if approve else Kind.EXTENSION_REFUSED,
        note=note,
        data=data,
        changed_fields=changed,
        bump_version=approve,
    )
    return request


@transaction.atomic
def approve_extension(
    *, actor: User, request: ExtensionRequest, note: str = "", deadline: date | None = None
) -> ExtensionRequest:
    """Move the task's deadline to the date asked, or to another (`deadline`, with the
    reason in `note`); the original deadline is kept."""
    return _decide_extension(
        actor=actor, request=request, approve=True, note=note, deadline=deadline
    )


@transaction.atomic
def refuse_extension(*, actor: User, request: ExtensionRequest, note: str) -> ExtensionRequest:
    """Refuse an extension, with the reason; the deadline stays."""
    return _decide_extension(actor=actor, request=request, approve=False, note=note)


@transaction.atomic
def pause_task(
    *, actor: User, task: Task, reason: str, expected_version: int | None = None
) -> Task:
    """The office pauses a task (Tạm dừng), with the reason."""
    task = begin(task, "pause", actor=actor, expected_version=expected_version)
    record(
        task,
        actor=actor,
        kind=Kind.PAUSED,
        note=clean_note(reason, required=True, what="Lý do tạm dừng"),
        status_to=Status.PAUSED,
    )
    return task


@transaction.atomic
def resume_task(
    *, actor: User, task: Task, note: str = "", expected_version: int | None = None
) -> Task:
    """The office resumes a paused task in the state it was paused from."""
    task = begin(task, "resume", actor=actor, expected_version=expected_version)
    paused = task.events.filter(kind=Kind.PAUSED).order_by("-created_at", "-pk").first()
    resume_to = paused.status_from if paused and paused.status_from else Status.IN_PROGRESS
    record(
        task,
        actor=actor,
        kind=Kind.RESUMED,
        note=clean_note(note, required=False),
        status_to=resume_to,
    )
    return task


@transaction.atomic
def cancel_task(
    *, actor: User, task: Task, reason: str, expected_version: int | None = None
) -> Task:
    """The office cancels a task (Hủy), with the reason; pending extension requests lapse."""
    task = begin(task, "cancel", actor=actor, expected_version=expected_version)
    reason = clean_note(reason, required=True, what="Lý do hủy")
    task.extension_requests.filter(status=ExtensionRequest.Status.PENDING).update(
        status=ExtensionRequest.Status.REFUSED,
        decided_by=actor,
        decided_at=timezone.now(),
        decision_note="Nhiệm vụ đã bị hủy.",
    )
    task.cancel_reason = reason
    task.completed_on = None
    task.awaiting_head = False
    task.returned_at = None  # a return waiting for the office lapses with the task
    task.report_due = None  # and so do its period reports
    record(
        task,
        actor=actor,
        kind=Kind.CANCELLED,
        note=reason,
        status_to=Status.CANCELLED,
        changed_fields=[
            "cancel_reason",
            "completed_on",
            "awaiting_head",
            "returned_at",
            "report_due",
        ],
    )
    return task


@transaction.atomic
def add_comment(*, actor: User, task: Task, note: str) -> TaskEvent:
    """The office or leadership writes a comment (ý kiến chỉ đạo) on a task."""
    task = begin(task, "comment", actor=actor)
    return record(
        task,
        actor=actor,
        kind=Kind.COMMENT,
        note=clean_note(note, required=True, what="Ý kiến"),
        bump_version=False,
    )


def note_reminded(*, actor: User, people: Mapping[int, Sequence[str]]) -> int:
    """The timeline rows of the office's "Nhắc ngay" (task id → the people reminded). The
    reminder itself goes through the reminders' exactly-once log; the task does not change,
    so its version and its last activity stay."""
    now = timezone.now()
    unit = _acting_unit(actor)
    TaskEvent.objects.bulk_create(
        TaskEvent(
            task_id=task_id,
            kind=Kind.REMINDED,
            actor=actor,
            unit=unit,
            created_at=now,
            data={"people": list(names)},
        )
        for task_id, names in people.items()
    )
    caching.lists_changed()  # a bulk insert: no signal tells the kept lists
    return len(people)


@transaction.atomic
def mark_objective_cause(*, actor: User, event: TaskEvent, note: str) -> ObjectiveCause:
    """The office records that a return at review, or the lateness of a completion it
    accepted, had an objective cause (the evaluation then deducts nothing for it)."""
    require_office(actor, "Chỉ Văn phòng được ghi nhận nguyên nhân khách quan.")
    note = clean_note(note, required=True, what="Nguyên nhân khách quan")
    if event.kind not in (Kind.RETURNED, Kind.HEAD_RETURNED, Kind.ACCEPTED):
        raise ValidationError(
            "Chỉ ghi nhận nguyên nhân khách quan cho lần trả lại hoặc lần xác nhận hoàn thành.",
            code="kind",
        )
    task = event.task
    if event.kind == Kind.ACCEPTED and not (
        task.deadline is not None and task.completed_on and task.completed_on > task.deadline
    ):
        raise ValidationError(
            "Nhiệm vụ hoàn thành đúng hạn; không có gì để ghi nhận.", code="in_time"
        )
    if ObjectiveCause.objects.filter(event=event).exists():
        raise ValidationError("Lần này đã được ghi nhận nguyên nhân khách quan.", code="exists")
    cause = ObjectiveCause.objects.create(event=event, note=note, marked_by=actor)
    record(
        task,
        actor=actor,
        kind=Kind.COMMENT,
        note=f"Ghi nhận nguyên nhân khách quan ({event.get_kind_display().lower()} ngày "
        f"{timezone.localtime(event.created_at):%d/%m/%Y}): {note}",
        data={"objective_cause": event.pk},
        bump_version=False,
    )
    return cause
