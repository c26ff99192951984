"""What waits for a person's decision ("Việc cần xử lý"): for the office, completions to
accept, extension requests, tasks a unit returned and imports left in preview; for the
leadership, extension requests; for a unit's head, completions waiting for their review.

Each part is an indexed count (the header shows the total on every page) and a short list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Q, QuerySet

from units.access import is_office, is_office_or_leader

from .models import ExtensionRequest, ImportDraft, Task

if TYPE_CHECKING:
    from units.models import User

Status = Task.Status

# Completions the office accepts: reported and past the unit head's review.
TO_ACCEPT = Q(status=Status.AWAITING_ACCEPTANCE, awaiting_head=False)
AT_HEAD = Q(status=Status.AWAITING_ACCEPTANCE, awaiting_head=True)
HANDED_BACK = Q(status=Status.ASSIGNED, returned_at__isnull=False)


def is_head(user: User) -> bool:
    return bool(user.is_active and user.role == user.Role.HEAD and user.unit_id)


@dataclass
class InboxCounts:
    accept: int = 0
    extensions: int = 0
    handed_back: int = 0
    at_head: int = 0
    drafts: int = 0
    parts: tuple[str, ...] = field(default=())

    @property
    def total(self) -> int:
        return self.accept + self.extensions + self.handed_back + self.at_head + self.drafts


def parts_for(user: User) -> tuple[str, ...]:
    """The parts of the inbox this person decides."""
    parts: list[str] = []
    if is_office(user):
        parts += ["accept", "extensions", "handed_back", "drafts"]
    elif is_office_or_leader(user):
        parts += ["extensions"]
    if is_head(user):
        parts += ["at_head"]
    return tuple(parts)


def _counts(conditions: dict[str, Q]) -> dict[str, int]:
    """How many tasks meet each condition, in one round trip: one `SELECT (SELECT COUNT(*) …),
    …`, each count read from its own partial index (one OR of the conditions would read the
    rows themselves)."""
    selects, params = [], []
    for name, condition in conditions.items():
        rows = Task.objects.filter(condition).order_by().values("pk")
        sql, row_params = rows.query.get_compiler(using=rows.db).as_sql()
        selects.append(f"(SELECT COUNT(*) FROM ({sql}) AS {name}_rows)")
        params.extend(row_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), params)
        found = cursor.fetchone()
    return dict(zip(conditions, found, strict=True))


def counts(user: User) -> InboxCounts:
    """How many items wait in each part (one query per kind of record, all indexed)."""
    parts = parts_for(user)
    result = InboxCounts(parts=parts)
    task_parts = {
        name: condition
        for name, condition in (
            ("accept", TO_ACCEPT),
            ("handed_back", HANDED_BACK),
            ("at_head", AT_HEAD & Q(lead_unit_id=user.unit_id)),
        )
        if name in parts
    }
    if task_parts:
        for name, value in _counts(task_parts).items():
            setattr(result, name, value)
    if "extensions" in parts:
        result.extensions = ExtensionRequest.objects.filter(
            status=ExtensionRequest.Status.PENDING
        ).count()
    if "drafts" in parts:
        result.drafts = ImportDraft.objects.count()
    return result


def tasks_to_accept() -> QuerySet[Task]:
    return Task.objects.filter(TO_ACCEPT)


def tasks_at_head(user: User) -> QuerySet[Task]:
    return Task.objects.filter(AT_HEAD, lead_unit_id=user.unit_id)


def tasks_handed_back() -> QuerySet[Task]:
    return Task.objects.filter(HANDED_BACK)


def pending_extensions() -> QuerySet[ExtensionRequest]:
    return ExtensionRequest.objects.filter(status=ExtensionRequest.Status.PENDING)


def drafts() -> QuerySet[ImportDraft]:
    return ImportDraft.objects.all()
