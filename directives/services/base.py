"""The pieces every service shares: checks, the timeline row, the in-app notifications.

Each service takes keyword arguments and a required `actor`, locks the task row and checks the
action against the transition table (`begin`), then writes the change and its timeline row in
one transaction (`record`), bumping `Task.version` when the status or the task's terms change,
so a form opened before the change is refused rather than silently overwriting it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q, QuerySet
from django.utils import timezone

from core import seams
from core.text import fold, printable
from units.access import is_office
from units.models import Unit, User

from .. import caching, exchange, permissions
from ..models import TRANSITIONS, Attachment, Notification, Task, TaskEvent

Status = Task.Status
Kind = TaskEvent.Kind

MAX_NOTE_LENGTH = 10_000


class TransitionError(ValidationError):
    """The task is not in a state that allows this action."""


class StaleTaskError(ValidationError):
    """The task changed after the person opened the form."""

    def __init__(self) -> None:
        super().__init__(
            "Nhiệm vụ vừa được người khác cập nhật sau khi bạn mở trang. "
            "Nội dung bạn nhập chưa được lưu; hãy xem lại diễn biến mới nhất rồi gửi lại.",
            code="stale",
        )


# --- helpers ------------------------------------------------------------------------------


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _lock(task: Task) -> Task:
    return Task.objects.select_for_update().select_related("notice").get(pk=task.pk)


def check_version(task: Task, expected_version: int | None) -> None:
    if expected_version is not None and task.version != expected_version:
        raise StaleTaskError()


def _check_status(task: Task, action: str) -> None:
    transition = TRANSITIONS[action]
    if task.status not in transition.from_statuses:
        raise TransitionError(
            f"Không thể {transition.verb} khi nhiệm vụ đang ở trạng thái "
            f"“{task.get_status_display()}”.",
            code="transition",
        )
    if transition.returned is not None and transition.returned != (task.returned_at is not None):
        raise TransitionError(
            f"Không thể {transition.verb}: "
            + (
                "đơn vị đã trả lại nhiệm vụ, đang chờ Văn phòng xử lý."
                if task.returned_at
                else "đơn vị chủ trì không trả lại nhiệm vụ này."
            ),
            code="handed_back",
        )
    if transition.at_head is not None and transition.at_head != task.awaiting_head:
        where = "lãnh đạo đơn vị" if task.awaiting_head else "Văn phòng"
        raise TransitionError(
            f"Không thể {transition.verb}: báo cáo hoàn thành đang chờ {where} xem xét.",
            code="review_stage",
        )


def require_office(actor: User, message: str) -> None:
    _require(is_office(actor), message)


def begin(task: Task, action: str, *, actor: User, expected_version: int | None = None) -> Task:
    """Lock the task and check `action` against the transition table: who, version, status.

    Returns the locked task, as it is now in the database.
    """
    task = _lock(task)
    _require(permissions.allows(actor, task, action), TRANSITIONS[action].denied)
    check_version(task, expected_version)
    _check_status(task, action)
    return task


def clean_note(note: str, *, required: bool, what: str = "Nội dung") -> str:
    note = printable(note or "").strip()
    if required and not note:
        raise ValidationError(f"{what} không được để trống.", code="required")
    if len(note) > MAX_NOTE_LENGTH:
        raise ValidationError(
            f"{what} quá dài (tối đa {MAX_NOTE_LENGTH:,} ký tự).".replace(",", "."), code="too_long"
        )
    return note


def check_day(day: date, *, today: date, not_before: date | None, what: str) -> None:
    if day > today:
        raise ValidationError(f"{what} không được sau ngày hôm nay.", code="future")
    if not_before is not None and day < not_before:
        raise ValidationError(
            f"{what} không được trước ngày giao nhiệm vụ ({not_before:%d/%m/%Y}).", code="too_early"
        )


def search_text(task: Task) -> str:
    return fold(f"{task.ref} {task.text}")


def _acting_unit(actor: User) -> Unit | None:
    return actor.unit if actor.is_unit_member else None


def _attach(event: TaskEvent, files: Sequence[UploadedFile]) -> None:
    for upload in files:
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        attachment = Attachment(
            event=event,
            name=(upload.name or "tep")[:255],
            size=upload.size or 0,
            content_type=(upload.content_type or "application/octet-stream")[:100],
            sha256=digest.hexdigest(),
        )
        attachment.file.save(upload.name or "tep", upload, save=False)
        attachment.save()


# Who hears of each kind of timeline row in the app (besides the person who wrote it).
_TELL_LEAD_AND_SUPPORT = {Kind.ASSIGNED}
_TELL_OFFICE = {Kind.EXTENSION_REQUESTED, Kind.FORWARDED, Kind.HANDED_BACK}
_TELL_LEAD = {
    Kind.CONTRIBUTION,
    Kind.ACCEPTED,
    Kind.RETURNED,
    Kind.EXTENSION_APPROVED,
    Kind.EXTENSION_REFUSED,
    Kind.PAUSED,
    Kind.RESUMED,
    Kind.CANCELLED,
    Kind.COMMENT,
    Kind.EDITED,
    Kind.PERSON_ASSIGNED,
    Kind.HEAD_RETURNED,
    Kind.REASSIGNED,
    Kind.INSISTED,
}


def lead_audience(task: Task) -> QuerySet[User]:
    """Who in the lead unit hears of a task: its person responsible, the helpers and the
    unit's heads once someone holds it; the whole unit while nobody does."""
    members = User.objects.filter(
        is_active=True, role__in=[User.Role.STAFF, User.Role.HEAD], unit_id=task.lead_unit_id
    )
    if task.assignee_id is None:
        return members
    return members.filter(
        Q(role=User.Role.HEAD) | Q(pk=task.assignee_id) | Q(helped_tasks=task)
    ).distinct()


def _recipients(event: TaskEvent) -> QuerySet[User] | None:
    task = event.task
    members = User.objects.filter(is_active=True, role__in=[User.Role.STAFF, User.Role.HEAD])
    if event.kind in _TELL_LEAD_AND_SUPPORT:
        unit_ids = [task.lead_unit_id, *task.support_units.values_list("pk", flat=True)]
        return members.filter(unit_id__in=unit_ids)
    if event.kind in _TELL_LEAD:
        return lead_audience(task)
    if event.kind == Kind.SUPPORT_ASKED:
        return members.filter(unit_id=event.data["unit_id"])
    if event.kind == Kind.COMPLETION_REPORTED:
        if task.awaiting_head:  # the unit's head reviews it first
            return members.filter(unit_id=task.lead_unit_id, role=User.Role.HEAD)
        return User.objects.filter(is_active=True, role=User.Role.OFFICE)
    if event.kind in _TELL_OFFICE:
        return User.objects.filter(is_active=True, role=User.Role.OFFICE)
    return None


def _notify(event: TaskEvent) -> None:
    """Write the in-app notifications of a timeline row, in the same transaction."""
    recipients = _recipients(event)
    if recipients is None:
        return
    task = event.task
    Notification.objects.bulk_create(
        [
            Notification(recipient_id=pk, task=task, event=event, created_at=event.created_at)
            for pk in recipients.exclude(pk=event.actor_id).values_list("pk", flat=True)
        ]
    )


def record(
    task: Task,
    *,
    actor: User,
    kind: str,
    note: str = "",
    status_to: str | None = None,
    progress: int | None = None,
    data: dict[str, Any] | None = None,
    files: Sequence[UploadedFile] = (),
    changed_fields: Iterable[str] = (),
    bump_version: bool = True,
    support_units: Sequence[Unit] | None = None,
) -> TaskEvent:
    """Save the task (a new one, or its changed fields) and append the timeline row, in the
    caller's transaction; every write to a task goes through here.

    A new task (no pk yet) is inserted whole with `status_to` as its status; its timeline row
    shows no "from". `support_units`, when given, replaces the task's support units.
    """
    now = timezone.now()
    creating = task.pk is None
    status_from = "" if creating else task.status
    update_fields = set(changed_fields) | {"last_activity_at"}
    if status_to is not None and status_to != task.status:
        task.status = status_to
        update_fields.add("status")
    if bump_version and not creating:
        task.version += 1
        update_fields.add("version")
    task.last_activity_at = now
    with seams.task_write.around(task):
        if creating:
            task.save()
        else:
            task.save(update_fields=sorted(update_fields))
        if support_units is not None:
            task.support_units.set(support_units)
    if creating or "lead_unit" in update_fields or support_units is not None:
        caching.followed_changed()  # a unit may follow another notice now
    moved = status_to is not None and status_to != status_from
    event = TaskEvent.objects.create(
        task=task,
        kind=kind,
        actor=actor,
        unit=_acting_unit(actor),
        created_at=now,
        status_from=status_from if moved else "",
        status_to=status_to if moved and status_to else "",
        progress=progress,
        note=note,
        data=data or {},
    )
    _attach(event, files)
    _notify(event)
    if kind in exchange.STATUS_FOR_KIND:
        exchange.emit_status(task, kind, actor)
    seams.task_event.call(event)
    return event


def mark_notifications_read(*, user: User, task: Task | None = None) -> int:
    """Mark `user`'s unread notifications (of one task, or all) as read."""
    unread = Notification.objects.unread().filter(recipient=user)
    if task is not None:
        unread = unread.filter(task=task)
    return unread.update(read_at=timezone.now())
