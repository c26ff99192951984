"""Notices: entering one with its tasks (typed, or imported from a file), correcting its header."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from core.changes import diff_values
from units.models import Unit, UnitGroup, User

from .. import caching
from ..deadlines import Deadline
from ..models import GroupTask, Notice, NoticeRevision, NoticeSection, Task
from .base import require_office
from .groups import assign_group_task
from .tasks import assign_task

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


def check_not_duplicate(
    *, number: str, issuer: str, issued_on: date, exclude: int | None = None
) -> None:
    """The one duplicate rule (`Notice.objects.duplicates_of`, the same as the database's
    constraint): an issuer numbers its notices anew each year."""
    if Notice.objects.duplicates_of(
        number=number, issuer=issuer, issued_on=issued_on, exclude=exclude
    ).exists():
        who = f"{issuer} đã có" if issuer else "Đã có"
        raise ValidationError(
            {
                "number": f"{who} thông báo số {number} trong năm {issued_on.year}; "
                "văn bản này đã có trong hệ thống, không cần nhập lại."
            },
            code="duplicate",
        )


@transaction.atomic
def create_notice(
    *, actor: User, number: str, issued_on: date, title: str, **fields: Any
) -> Notice:
    """Enter a new notice (its tasks are added with `assign_task`)."""
    require_office(actor, "Chỉ Văn phòng được nhập thông báo.")
    number = number.strip()
    if not number:
        raise ValidationError("Số, ký hiệu không được để trống.", code="required")
    fields["issuer"] = (fields.get("issuer") or "").strip()
    check_not_duplicate(number=number, issuer=fields["issuer"], issued_on=issued_on)
    notice = Notice.objects.create(
        number=number, issued_on=issued_on, title=title.strip(), created_by=actor, **fields
    )
    caching.followed_changed()  # the office and the leadership follow every notice
    return notice


def task_row(
    *,
    text: str,
    lead_unit: Unit | None = None,
    lead_units: Sequence[Unit] = (),
    group: UnitGroup | None = None,
    leads_text: str = "",
    support_units: Sequence[Unit] = (),
    ref: str = "",
    deadline: Deadline | None = None,
) -> dict[str, Any]:
    """One task of a notice being entered, as `enter_notice` takes it: from the entry form's
    rows and from an imported file's tasks alike. Several `lead_units` (or a `group`): one
    task per unit, held together (`services.assign_group_task`)."""
    leads = [lead_unit] if lead_unit is not None else list(lead_units)
    return {
        "ref": ref,
        "text": text,
        "lead_unit": leads[0] if len(leads) == 1 else None,
        "lead_units": leads,
        "group": group,
        "leads_text": leads_text,
        "support_units": list(support_units),
        "deadline": deadline.day if deadline else None,
        "deadline_kind": deadline.kind if deadline else None,
        "deadline_text": deadline.text if deadline else "",
    }


@transaction.atomic
def enter_notice(
    *,
    actor: User,
    header: dict[str, Any],
    tasks: Sequence[dict[str, Any]],
    source_name: str = "",
    source_content: bytes | None = None,
) -> Notice:
    """Create a notice and all its tasks at once: either everything is saved or nothing.

    Each task is a `task_row`. The web entry, the import preview and `manage.py import_notice`
    all come here; an imported file is kept with the notice (`source_name`, `source_content`).
    """
    if not tasks:
        raise ValidationError("Thông báo cần có ít nhất một nhiệm vụ.", code="no_tasks")
    notice = create_notice(
        actor=actor, **{k: v for k, v in header.items() if k in _NOTICE_CREATE_FIELDS}
    )
    for order, row in enumerate(tasks, start=1):
        add_task_row(actor=actor, notice=notice, row=row, order=order)
    if source_content is not None:
        notice.source_file.save(source_name or "thong-bao", ContentFile(source_content), save=True)
    return notice


def add_task_row(
    *, actor: User, notice: Notice, row: dict[str, Any], order: int | None = None
) -> Task | GroupTask:
    """Give one `task_row` of a notice: to its one lead unit, or fanned out to several."""
    terms = {
        "actor": actor,
        "notice": notice,
        "order": order,
        "ref": row.get("ref", ""),
        "text": row["text"],
        "support_units": row.get("support_units", []),
        "deadline": row.get("deadline"),
        "deadline_kind": row.get("deadline_kind"),
        "deadline_text": row.get("deadline_text", ""),
    }
    leads = row.get("lead_units") or [row["lead_unit"]]
    if len(leads) > 1:
        return assign_group_task(
            lead_units=leads,
            group=row.get("group"),
            leads_text=row.get("leads_text", ""),
            **terms,
        )
    return assign_task(lead_unit=leads[0], **terms)


@transaction.atomic
def update_notice(*, actor: User, notice: Notice, **changes: Any) -> Notice:
    """The office corrects a notice's header; the old and new values are kept."""
    require_office(actor, "Chỉ Văn phòng được sửa thông báo.")
    unknown = set(changes) - set(NOTICE_FIELDS)
    if unknown:
        raise TypeError(f"update_notice() got unexpected fields: {sorted(unknown)}")
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    diff = diff_values(notice, changes)
    if {"number", "issuer", "issued_on"} & set(diff):
        check_not_duplicate(
            number=changes.get("number", notice.number),
            issuer=changes.get("issuer", notice.issuer),
            issued_on=changes.get("issued_on", notice.issued_on),
            exclude=notice.pk,
        )
    if diff:
        for name in diff:
            setattr(notice, name, changes[name])
        notice.save(update_fields=[*diff, "updated_at"])
        NoticeRevision.objects.create(notice=notice, actor=actor, changes=diff)
        caching.followed_changed()  # its date or chair, as the pickers show them
    return notice


def add_section(
    *, actor: User, notice: Notice, ref: str, heading: str = "", body: str = "", order: int = 0
) -> NoticeSection:
    require_office(actor, "Chỉ Văn phòng được nhập thông báo.")
    return NoticeSection.objects.create(
        notice=notice, ref=ref, heading=heading, body=body, order=order
    )
