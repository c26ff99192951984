"""Every change to a notice or a task goes through one function here (DOMAIN §3).

Each function takes keyword arguments and a required `actor`, checks permission and the
transition, locks the task row, writes the change and its timeline row in one transaction, and
bumps `Task.version` when the status or the task's terms change, so a form opened before the
change is refused rather than silently overwriting it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from reports import tally
from units.models import Unit, User
from units.text import fold

from . import permissions
from .models import (
    Attachment,
    ExtensionRequest,
    Notice,
    NoticeRevision,
    NoticeSection,
    Notification,
    Task,
    TaskEvent,
)

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


def _check_version(task: Task, expected_version: int | None) -> None:
    if expected_version is not None and task.version != expected_version:
        raise StaleTaskError()


def _check_status(task: Task, allowed: Iterable[str], action: str) -> None:
    if task.status not in allowed:
        raise TransitionError(
            f"Không thể {action} khi nhiệm vụ đang ở trạng thái “{task.get_status_display()}”.",
            code="transition",
        )


def _clean_note(note: str, *, required: bool, what: str = "Nội dung") -> str:
    note = (note or "").strip()
    if required and not note:
        raise ValidationError(f"{what} không được để trống.", code="required")
    if len(note) > MAX_NOTE_LENGTH:
        raise ValidationError(
            f"{what} quá dài (tối đa {MAX_NOTE_LENGTH:,} ký tự).".replace(",", "."), code="too_long"
        )
    return note


def _check_day(day: date, *, today: date, not_before: date | None, what: str) -> None:
    if day > today:
        raise ValidationError(f"{what} không được sau ngày hôm nay.", code="future")
    if not_before is not None and day < not_before:
        raise ValidationError(
            f"{what} không được trước ngày giao nhiệm vụ ({not_before:%d/%m/%Y}).", code="too_early"
        )


def _search_text(task: Task) -> str:
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
_TELL_OFFICE = {Kind.COMPLETION_REPORTED, Kind.EXTENSION_REQUESTED}
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
}


def _notify(event: TaskEvent) -> None:
    """Write the in-app notifications of a timeline row, in the same transaction."""
    task = event.task
    members = User.objects.filter(is_active=True, role__in=[User.Role.STAFF, User.Role.HEAD])
    if event.kind in _TELL_LEAD_AND_SUPPORT:
        unit_ids = [task.lead_unit_id, *task.support_units.values_list("pk", flat=True)]
        recipients = members.filter(unit_id__in=unit_ids)
    elif event.kind in _TELL_LEAD:
        recipients = members.filter(unit_id=task.lead_unit_id)
    elif event.kind in _TELL_OFFICE:
        recipients = User.objects.filter(is_active=True, role=User.Role.OFFICE)
    else:
        return
    Notification.objects.bulk_create(
        [
            Notification(recipient_id=pk, task=task, event=event, created_at=event.created_at)
            for pk in recipients.exclude(pk=event.actor_id).values_list("pk", flat=True)
        ]
    )


def _record(
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
) -> TaskEvent:
    """Save the task's changed fields and append the timeline row, in the caller's transaction."""
    now = timezone.now()
    status_from = task.status
    update_fields = set(changed_fields) | {"last_activity_at"}
    if status_to is not None and status_to != task.status:
        task.status = status_to
        update_fields.add("status")
    if bump_version:
        task.version += 1
        update_fields.add("version")
    task.last_activity_at = now
    with tally.tracking(task):
        task.save(update_fields=sorted(update_fields))
    event = TaskEvent.objects.create(
        task=task,
        kind=kind,
        actor=actor,
        unit=_acting_unit(actor),
        created_at=now,
        status_from=status_from if status_to and status_to != status_from else "",
        status_to=status_to if status_to and status_to != status_from else "",
        progress=progress,
        note=note,
        data=data or {},
    )
    _attach(event, files)
    _notify(event)
    return event


# --- notices and tasks --------------------------------------------------------------------


@transaction.atomic
def create_notice(
    *, actor: User, number: str, issued_on: date, title: str, **fields: Any
) -> Notice:
    """Enter a new notice (its tasks are added with `assign_task`)."""
    _require(permissions.can_manage_tasks(actor), "Chỉ Văn phòng được nhập thông báo.")
    number = number.strip()
    if not number:
        raise ValidationError("Số, ký hiệu không được để trống.", code="required")
    fields.setdefault("issuer", "")
    if Notice.objects.filter(number=number, issuer=fields["issuer"], issued_on=issued_on).exists():
        raise ValidationError(
            f"Thông báo {number} ngày {issued_on:%d/%m/%Y} đã có trong hệ thống.", code="duplicate"
        )
    return Notice.objects.create(
        number=number, issued_on=issued_on, title=title.strip(), created_by=actor, **fields
    )


NOTICE_FIELDS = (
    "number",
    "issuer",
    "place",
    "issued_on",
    "title",
    "meeting_on",
    "chair",
    "chair_title",
    "signer",
    "signer_title",
    "recipients",
)
_NOTICE_CREATE_FIELDS = (*NOTICE_FIELDS, "source_text")


@transaction.atomic
def enter_notice(*, actor: User, header: dict[str, Any], tasks: Sequence[dict[str, Any]]) -> Notice:
    """Create a notice and all its tasks at once: either everything is saved or nothing.

    Each task is a dict with `text`, `lead_unit`, `support_units`, `ref` and optionally
    `deadline` (a date or None), `deadline_kind` and `deadline_text`.
    """
    if not tasks:
        raise ValidationError("Thông báo cần có ít nhất một nhiệm vụ.", code="no_tasks")
    notice = create_notice(
        actor=actor, **{k: v for k, v in header.items() if k in _NOTICE_CREATE_FIELDS}
    )
    for order, row in enumerate(tasks, start=1):
        assign_task(
            actor=actor,
            notice=notice,
            order=order,
            ref=row.get("ref", ""),
            text=row["text"],
            lead_unit=row["lead_unit"],
            support_units=row.get("support_units", []),
            deadline=row.get("deadline"),
            deadline_kind=row.get("deadline_kind"),
            deadline_text=row.get("deadline_text", ""),
        )
    return notice


@transaction.atomic
def update_notice(*, actor: User, notice: Notice, **changes: Any) -> Notice:
    """The office corrects a notice's header; the old and new values are kept."""
    _require(permissions.can_manage_tasks(actor), "Chỉ Văn phòng được sửa thông báo.")
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    diff = {}
    for name, value in changes.items():
        if name not in NOTICE_FIELDS:
            raise TypeError(f"update_notice() got an unexpected field {name!r}")
        old = getattr(notice, name)
        if old != value:
            diff[name] = [
                str(old) if old is not None else None,
                str(value) if value is not None else None,
            ]
            setattr(notice, name, value)
    if diff:
        notice.save(update_fields=[*diff, "updated_at"])
        NoticeRevision.objects.create(notice=notice, actor=actor, changes=diff)
    return notice


def add_section(
    *, actor: User, notice: Notice, ref: str, heading: str = "", body: str = "", order: int = 0
) -> NoticeSection:
    _require(permissions.can_manage_tasks(actor), "Chỉ Văn phòng được nhập thông báo.")
    return NoticeSection.objects.create(
        notice=notice, ref=ref, heading=heading, body=body, order=order
    )


def _check_units(lead_unit: Unit, support_units: Sequence[Unit]) -> None:
    if not lead_unit.is_active:
        raise ValidationError(
            f"Đơn vị {lead_unit} đã ngừng hoạt động; hãy giao cho đơn vị kế thừa.", code="inactive"
        )
    if any(unit.pk == lead_unit.pk for unit in support_units):
        raise ValidationError(
            "Đơn vị chủ trì không đồng thời là đơn vị phối hợp "
            "(mỗi việc chỉ giao một đơn vị chủ trì).",
            code="lead_is_support",
        )


def _deadline_kind(deadline: date | None, kind: str | None) -> str:
    if deadline is None:
        return Task.DeadlineKind.ONGOING
    if kind is None or kind == Task.DeadlineKind.ONGOING:
        return Task.DeadlineKind.DATE
    return kind


@transaction.atomic
def assign_task(
    *,
    actor: User,
    notice: Notice,
    text: str,
    lead_unit: Unit,
    support_units: Sequence[Unit] = (),
    ref: str = "",
    order: int | None = None,
    section: NoticeSection | None = None,
    deadline: date | None = None,
    deadline_kind: str | None = None,
    deadline_text: str = "",
    assigned_on: date | None = None,
) -> Task:
    """Create a task of `notice` for its one lead unit; it starts as `Mới giao`."""
    _require(permissions.can_manage_tasks(actor), "Chỉ Văn phòng được giao nhiệm vụ.")
    text = _clean_note(text, required=True, what="Nội dung nhiệm vụ")
    _check_units(lead_unit, support_units)
    assigned_on = assigned_on or notice.issued_on
    if deadline is not None and deadline < assigned_on:
        raise ValidationError(
            f"Thời hạn {deadline:%d/%m/%Y} trước ngày giao {assigned_on:%d/%m/%Y}.",
            code="deadline_before_assignment",
        )
    if order is None:
        order = notice.tasks.count() + 1
    task = Task(
        notice=notice,
        section=section,
        ref=ref,
        order=order,
        text=text,
        lead_unit=lead_unit,
        assigned_on=assigned_on,
        deadline=deadline,
        original_deadline=deadline,
        deadline_kind=_deadline_kind(deadline, deadline_kind),
        deadline_text=deadline_text,
        status=Status.ASSIGNED,
    )
    task.search_text = _search_text(task)
    with tally.tracking(task):
        task.save()
    if support_units:
        task.support_units.set(support_units)
    event = TaskEvent.objects.create(
        task=task,
        kind=Kind.ASSIGNED,
        actor=actor,
        unit=_acting_unit(actor),
        status_to=Status.ASSIGNED,
        data={
            "lead_unit": lead_unit.name,
            "support_units": [u.name for u in support_units],
            "deadline": deadline.isoformat() if deadline else None,
        },
    )
    _notify(event)
    return task


_EDITABLE = ("text", "ref", "order", "deadline_text")


@transaction.atomic
def edit_task(
    *,
    actor: User,
    task: Task,
    expected_version: int | None = None,
    note: str = "",
    **changes: Any,
) -> Task:
    """The office corrects a task's terms; the timeline keeps the old and new values.

    Accepts `text`, `ref`, `order`, `deadline_text`, `lead_unit`, `support_units`,
    `deadline` and `deadline_kind`. A corrected deadline replaces the assigned one (the
    original); moving a deadline later at a unit's request is an extension instead.
    """
    _require(permissions.can_manage_tasks(actor), "Chỉ Văn phòng được sửa nhiệm vụ.")
    unknown = set(changes) - {*_EDITABLE, "lead_unit", "support_units", "deadline", "deadline_kind"}
    if unknown:
        raise TypeError(f"edit_task() got unexpected fields: {sorted(unknown)}")
    task = _lock(task)
    _check_version(task, expected_version)
    _check_status(task, Task.OPEN_STATUSES, "sửa")

    diff: dict[str, list[Any]] = {}
    fields: set[str] = set()
    for name in _EDITABLE:
        if name in changes and changes[name] != getattr(task, name):
            diff[name] = [getattr(task, name), changes[name]]
            setattr(task, name, changes[name])
            fields.add(name)
    if "text" in fields:
        task.text = _clean_note(task.text, required=True, what="Nội dung nhiệm vụ")

    lead = changes.get("lead_unit", task.lead_unit)
    current_support = list(task.support_units.all())
    support = list(changes.get("support_units", current_support))
    _check_units(lead, support)
    if lead.pk != task.lead_unit_id:
        diff["lead_unit"] = [task.lead_unit.name, lead.name]
        task.lead_unit = lead
        fields.add("lead_unit")
    if {u.pk for u in support} != {u.pk for u in current_support}:
        diff["support_units"] = [
            sorted(u.name for u in current_support),
            sorted(u.name for u in support),
        ]
        task.support_units.set(support)

    if "deadline" in changes or "deadline_kind" in changes:
        deadline = changes.get("deadline", task.deadline)
        kind = _deadline_kind(deadline, changes.get("deadline_kind", task.deadline_kind))
        if deadline is not None and deadline < task.assigned_on:
            raise ValidationError(
                f"Thời hạn {deadline:%d/%m/%Y} trước ngày giao {task.assigned_on:%d/%m/%Y}.",
                code="deadline_before_assignment",
            )
        if deadline != task.deadline or kind != task.deadline_kind:
            diff["deadline"] = [
                task.deadline.isoformat() if task.deadline else None,
                deadline.isoformat() if deadline else None,
            ]
            task.deadline = task.original_deadline = deadline
            task.deadline_kind = kind
            fields |= {"deadline", "original_deadline", "deadline_kind"}

    if not diff:
        return task
    task.search_text = _search_text(task)
    fields.add("search_text")
    _record(
        task,
        actor=actor,
        kind=Kind.EDITED,
        note=_clean_note(note, required=False),
        data={"changes": diff},
        changed_fields=fields,
    )
    return task


@transaction.atomic
def transfer_open_tasks(*, actor: User, source: Unit, target: Unit) -> int:
    """Move a closing unit's open tasks (led or supported) to its successor, history kept."""
    _require(permissions.can_manage_tasks(actor), "Chỉ Văn phòng được chuyển giao nhiệm vụ.")
    moved = 0
    led = Task.objects.select_for_update().filter(lead_unit=source, status__in=Task.OPEN_STATUSES)
    for task in led:
        supports = [u for u in task.support_units.all() if u.pk != target.pk]
        task.support_units.set(supports)
        task.lead_unit = target
        task.search_text = _search_text(task)
        _record(
            task,
            actor=actor,
            kind=Kind.EDITED,
            note=f"{source.name} giải thể/sáp nhập; nhiệm vụ chuyển cho {target.name}.",
            data={"changes": {"lead_unit": [source.name, target.name]}},
            changed_fields=["lead_unit", "search_text"],
        )
        moved += 1
    supported = Task.objects.filter(support_units=source, status__in=Task.OPEN_STATUSES)
    for task in supported.exclude(lead_unit=target):
        task.support_units.remove(source)
        task.support_units.add(target)
        _record(
            task,
            actor=actor,
            kind=Kind.EDITED,
            note=f"{source.name} giải thể/sáp nhập; phần phối hợp chuyển cho {target.name}.",
            data={"changes": {"support_units": [source.name, target.name]}},
            bump_version=False,
        )
        moved += 1
    return moved


# --- the lead unit's actions --------------------------------------------------------------


@transaction.atomic
def start_task(
    *, actor: User, task: Task, note: str = "", expected_version: int | None = None
) -> Task:
    """The lead unit takes up a newly assigned task: Mới giao → Đang thực hiện."""
    task = _lock(task)
    _require(permissions.is_lead_member(actor, task), "Chỉ đơn vị chủ trì được tiếp nhận nhiệm vụ.")
    _check_version(task, expected_version)
    _check_status(task, [Status.ASSIGNED], "tiếp nhận")
    _record(
        task,
        actor=actor,
        kind=Kind.STARTED,
        note=_clean_note(note, required=False),
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
    task = _lock(task)
    _require(permissions.is_lead_member(actor, task), "Chỉ đơn vị chủ trì được báo cáo tiến độ.")
    _check_version(task, expected_version)
    _check_status(task, [Status.ASSIGNED, Status.IN_PROGRESS], "báo cáo tiến độ")
    note = _clean_note(note, required=True, what="Nội dung báo cáo")
    if not 0 <= progress <= 100:
        raise ValidationError("Tiến độ phải từ 0 đến 100%.", code="progress_range")
    task.progress = progress
    return _record(
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
def add_contribution(
    *, actor: User, task: Task, note: str, files: Sequence[UploadedFile] = ()
) -> TaskEvent:
    """A support unit adds what it did (note and files); the status stays the lead's."""
    task = _lock(task)
    _require(
        permissions.is_support_member(actor, task),
        "Chỉ đơn vị phối hợp được cập nhật phần phối hợp.",
    )
    _check_status(task, Task.OPEN_STATUSES, "cập nhật")
    return _record(
        task,
        actor=actor,
        kind=Kind.CONTRIBUTION,
        note=_clean_note(note, required=True),
        files=files,
        bump_version=False,
    )


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
    """The lead unit reports the task done; it waits for the office (Chờ xác nhận)."""
    task = _lock(task)
    _require(permissions.is_lead_member(actor, task), "Chỉ đơn vị chủ trì được báo cáo hoàn thành.")
    _check_version(task, expected_version)
    _check_status(task, [Status.ASSIGNED, Status.IN_PROGRESS], "báo cáo hoàn thành")
    today = timezone.localdate()
    completed_on = completed_on or today
    _check_day(completed_on, today=today, not_before=task.assigned_on, what="Ngày hoàn thành")
    if document_date is not None and document_date > today:
        raise ValidationError("Ngày văn bản không được sau ngày hôm nay.", code="future")
    task.completed_on = completed_on
    task.progress = 100
    return _record(
        task,
        actor=actor,
        kind=Kind.COMPLETION_REPORTED,
        note=_clean_note(note, required=True, what="Kết quả thực hiện"),
        status_to=Status.AWAITING_ACCEPTANCE,
        progress=100,
        data={
            "completed_on": completed_on.isoformat(),
            "document_number": document_number.strip(),
            "document_date": document_date.isoformat() if document_date else None,
        },
        files=files,
        changed_fields=["completed_on", "progress"],
    )


@transaction.atomic
def request_extension(
    *,
    actor: User,
    task: Task,
    reason: str,
    proposed_deadline: date,
    expected_version: int | None = None,
) -> ExtensionRequest:
    """The lead unit asks, before the deadline, to move it; the office or leadership decides."""
    task = _lock(task)
    _require(permissions.is_lead_member(actor, task), "Chỉ đơn vị chủ trì được đề nghị gia hạn.")
    _check_version(task, expected_version)
    _check_status(task, [Status.ASSIGNED, Status.IN_PROGRESS, Status.PAUSED], "đề nghị gia hạn")
    reason = _clean_note(reason, required=True, what="Lý do đề nghị gia hạn")
    today = timezone.localdate()
    if task.deadline is None:
        raise TransitionError("Nhiệm vụ thường xuyên không có thời hạn để gia hạn.", code="ongoing")
    if task.deadline < today:
        raise TransitionError(
            f"Nhiệm vụ đã quá hạn ({task.deadline:%d/%m/%Y}); đề nghị gia hạn phải gửi trước hạn.",
            code="past_deadline",
        )
    if proposed_deadline <= task.deadline:
        raise ValidationError(
            f"Thời hạn đề nghị phải sau thời hạn hiện tại ({task.deadline:%d/%m/%Y}).",
            code="not_later",
        )
    if task.extension_requests.filter(status=ExtensionRequest.Status.PENDING).exists():
        raise TransitionError(
            "Nhiệm vụ đang có một đề nghị gia hạn chờ quyết định.", code="pending_exists"
        )
    request = ExtensionRequest.objects.create(
        task=task,
        requested_by=actor,
        reason=reason,
        previous_deadline=task.deadline,
        proposed_deadline=proposed_deadline,
    )
    _record(
        task,
        actor=actor,
        kind=Kind.EXTENSION_REQUESTED,
        note=reason,
        data={"request": request.pk, "proposed_deadline": proposed_deadline.isoformat()},
        bump_version=False,
    )
    return request


# --- the office's and leadership's decisions ----------------------------------------------


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
    _require(permissions.can_manage_tasks(actor), "Chỉ Văn phòng được xác nhận hoàn thành.")
    task = _lock(task)
    _check_version(task, expected_version)
    _check_status(task, [Status.AWAITING_ACCEPTANCE], "xác nhận hoàn thành")
    if completed_on is not None:
        _check_day(
            completed_on,
            today=timezone.localdate(),
            not_before=task.assigned_on,
            what="Ngày hoàn thành",
        )
        task.completed_on = completed_on
    assert task.completed_on is not None
    _record(
        task,
        actor=actor,
        kind=Kind.ACCEPTED,
        note=_clean_note(note, required=False),
        status_to=Status.DONE,
        data={"completed_on": task.completed_on.isoformat()},
        changed_fields=["completed_on"],
    )
    return task


@transaction.atomic
def return_completion(
    *, actor: User, task: Task, reason: str, expected_version: int | None = None
) -> Task:
    """The office returns a completion report (Thực hiện lại): back to Đang thực hiện."""
    _require(permissions.can_manage_tasks(actor), "Chỉ Văn phòng được trả lại báo cáo hoàn thành.")
    task = _lock(task)
    _check_version(task, expected_version)
    _check_status(task, [Status.AWAITING_ACCEPTANCE], "trả lại")
    reason = _clean_note(reason, required=True, what="Lý do trả lại")
    task.completed_on = None
    _record(
        task,
        actor=actor,
        kind=Kind.RETURNED,
        note=reason,
        status_to=Status.IN_PROGRESS,
        changed_fields=["completed_on"],
    )
    return task


def _decide_extension(
    *, actor: User, request: ExtensionRequest, approve: bool, note: str
) -> ExtensionRequest:
    _require(
        permissions.can_decide_extensions(actor),
        "Chỉ Văn phòng hoặc lãnh đạo UBND được quyết định gia hạn.",
    )
    task = _lock(request.task)
    request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != ExtensionRequest.Status.PENDING:
        raise TransitionError("Đề nghị gia hạn này đã được quyết định.", code="decided")
    note = _clean_note(note, required=not approve, what="Lý do không đồng ý")
    request.status = (
        ExtensionRequest.Status.APPROVED if approve else ExtensionRequest.Status.REFUSED
    )
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = note
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    data: dict[str, Any] = {"request": request.pk}
    changed: list[str] = []
    if approve:
        data |= {
            "previous_deadline": task.deadline.isoformat() if task.deadline else None,
            "deadline": request.proposed_deadline.isoformat(),
        }
        task.deadline = request.proposed_deadline
        changed.append("deadline")
    _record(
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
    *, actor: User, request: ExtensionRequest, note: str = ""
) -> ExtensionRequest:
    """Move the task's deadline to the proposed date; the original deadline is kept."""
    return _decide_extension(actor=actor, request=request, approve=True, note=note)


@transaction.atomic
def refuse_extension(*, actor: User, request: ExtensionRequest, note: str) -> ExtensionRequest:
    """Refuse an extension, with the reason; the deadline stays."""
    return _decide_extension(actor=actor, request=request, approve=False, note=note)


@transaction.atomic
def pause_task(
    *, actor: User, task: Task, reason: str, expected_version: int | None = None
) -> Task:
    """The office pauses a task (Tạm dừng), with the reason."""
    _require(permissions.can_manage_tasks(actor), "Chỉ Văn phòng được tạm dừng nhiệm vụ.")
    task = _lock(task)
    _check_version(task, expected_version)
    _check_status(task, [Status.ASSIGNED, Status.IN_PROGRESS], "tạm dừng")
    _record(
        task,
        actor=actor,
        kind=Kind.PAUSED,
        note=_clean_note(reason, required=True, what="Lý do tạm dừng"),
        status_to=Status.PAUSED,
    )
    return task


@transaction.atomic
def resume_task(
    *, actor: User, task: Task, note: str = "", expected_version: int | None = None
) -> Task:
    """The office resumes a paused task in the state it was paused from."""
    _require(permissions.can_manage_tasks(actor), "Chỉ Văn phòng được cho tiếp tục nhiệm vụ.")
    task = _lock(task)
    _check_version(task, expected_version)
    _check_status(task, [Status.PAUSED], "tiếp tục")
    paused = task.events.filter(kind=Kind.PAUSED).order_by("-created_at", "-pk").first()
    resume_to = paused.status_from if paused and paused.status_from else Status.IN_PROGRESS
    _record(
        task,
        actor=actor,
        kind=Kind.RESUMED,
        note=_clean_note(note, required=False),
        status_to=resume_to,
    )
    return task


@transaction.atomic
def cancel_task(
    *, actor: User, task: Task, reason: str, expected_version: int | None = None
) -> Task:
    """The office cancels a task (Hủy), with the reason; pending extension requests lapse."""
    _require(permissions.can_manage_tasks(actor), "Chỉ Văn phòng được hủy nhiệm vụ.")
    task = _lock(task)
    _check_version(task, expected_version)
    _check_status(task, Task.OPEN_STATUSES, "hủy")
    reason = _clean_note(reason, required=True, what="Lý do hủy")
    task.extension_requests.filter(status=ExtensionRequest.Status.PENDING).update(
        status=ExtensionRequest.Status.REFUSED,
        decided_by=actor,
        decided_at=timezone.now(),
        decision_note="Nhiệm vụ đã bị hủy.",
    )
    task.cancel_reason = reason
    task.completed_on = None
    _record(
        task,
        actor=actor,
        kind=Kind.CANCELLED,
        note=reason,
        status_to=Status.CANCELLED,
        changed_fields=["cancel_reason", "completed_on"],
    )
    return task


def mark_notifications_read(*, user: User, task: Task | None = None) -> int:
    """Mark `user`'s unread notifications (of one task, or all) as read."""
    unread = Notification.objects.unread().filter(recipient=user)
    if task is not None:
        unread = unread.filter(task=task)
    return unread.update(read_at=timezone.now())


@transaction.atomic
def add_comment(*, actor: User, task: Task, note: str) -> TaskEvent:
    """The office or leadership writes a comment (ý kiến chỉ đạo) on a task."""
    _require(permissions.can_comment(actor), "Chỉ Văn phòng hoặc lãnh đạo UBND được cho ý kiến.")
    task = _lock(task)
    return _record(
        task,
        actor=actor,
        kind=Kind.COMMENT,
        note=_clean_note(note, required=True, what="Ý kiến"),
        bump_version=False,
    )
