"""The office's whole audit trail: changes to units, accounts, notices and tasks, newest first.

Three tables keep the record (`AuditEntry` for units and accounts, `NoticeRevision` for notice
headers, `TaskEvent` rows of kind "edited" for tasks); this module reads them as one list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db.models import CharField, F, QuerySet, Value
from django.urls import reverse
from django.utils import timezone

from core.forms import date_field
from directives.models import Notice, NoticeRevision, Task, TaskEvent
from units.models import AuditEntry, Unit, User

KINDS = {
    "unit": "Đơn vị",
    "user": "Tài khoản",
    "notice": "Thông báo kết luận",
    "task": "Nhiệm vụ",
}
_URLS = {
    "unit": "unit_edit",
    "user": "account_edit",
    "notice": "notice_detail",
    "task": "task_detail",
}
EXTRA_LABELS = {"tasks_moved": "số nhiệm vụ chuyển giao", "password": "mật khẩu"}
_MODELS: dict[str, type[Any]] = {"unit": Unit, "user": User, "notice": Notice, "task": Task}


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="Đối tượng", required=False, choices=[("", "Tất cả"), *KINDS.items()]
    )
    since = date_field("Từ ngày")
    until = date_field("Đến ngày")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "Ngày kết thúc phải sau ngày bắt đầu.")
        return data


def _field_label(kind: str, name: str) -> str:
    try:
        return str(_MODELS[kind]._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # an old record may name a field that is gone
        return name


def _change(kind: str, name: str, values: Any) -> tuple[str, Any, Any]:
    """(label, old, new); a closing records plain values, an edit [old, new] pairs."""
    label = EXTRA_LABELS.get(name) or _field_label(kind, name)
    if isinstance(values, list) and len(values) == 2:
        return label, values[0], values[1]
    return label, None, values


@dataclass(frozen=True)
class Entry:
    kind: str
    object_id: int
    label: str
    action: str
    actor: str
    created_at: dt.datetime
    changes: list[tuple[str, Any, Any]]
    url: str

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)


def _rows(kind: str) -> QuerySet[Any, Any]:
    """(kind, object id, label, action, actor id, time, changes) rows of one source."""
    if kind in ("unit", "user"):
        return (
            AuditEntry.objects.filter(object_type=kind)
            .annotate(
                kind=Value(kind, output_field=CharField()), label=F("object_repr"), act=F("action")
            )
            .values_list("kind", "object_id", "label", "act", "actor_id", "created_at", "changes")
            .order_by()
        )
    if kind == "notice":
        return (
            NoticeRevision.objects.annotate(
                kind=Value(kind, output_field=CharField()),
                label=F("notice__number"),
                act=Value("sửa", output_field=CharField()),
            )
            .values_list("kind", "notice_id", "label", "act", "actor_id", "created_at", "changes")
            .order_by()
        )
    return (
        TaskEvent.objects.filter(kind=TaskEvent.Kind.EDITED)
        .annotate(
            source=Value(kind, output_field=CharField()),
            label=F("task__notice__number"),
            act=Value("sửa", output_field=CharField()),
        )
        .values_list("source", "task_id", "label", "act", "actor_id", "created_at", "data")
        .order_by()
    )


def entries(kind: str = "", since: dt.date | None = None, until: dt.date | None = None) -> Any:
    """Every change of the chosen kind in the date range, as one query (a UNION), newest first."""
    kinds = [kind] if kind in KINDS else list(KINDS)
    parts = []
    for name in kinds:
        rows = _rows(name)
        if since:
            start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
            rows = rows.filter(created_at__gte=start)
        if until:
            next_day = until + dt.timedelta(days=1)
            end = timezone.make_aware(dt.datetime.combine(next_day, dt.time.min))
            rows = rows.filter(created_at__lt=end)
        parts.append(rows)
    first, *rest = parts
    return (first.union(*rest, all=True) if rest else first).order_by("-created_at")


def describe(rows: list[tuple[Any, ...]]) -> list[Entry]:
    """Turn one page of raw rows into entries, with actors' names and field labels."""
    actors = {
        user.pk: str(user)  # the full name, else the username
        for user in User.objects.filter(pk__in={row[4] for row in rows})
    }
    result = []
    for kind, object_id, label, action, actor_id, created_at, changes in rows:
        if kind == "task":
            changes = (changes or {}).get("changes", {})
            label = f"Nhiệm vụ #{object_id} ({label})"
        result.append(
            Entry(
                kind=kind,
                object_id=object_id,
                label=label,
                action=action,
                actor=actors.get(actor_id, "—"),
                created_at=created_at,
                changes=[_change(kind, name, values) for name, values in (changes or {}).items()],
                url=reverse(_URLS[kind], args=[object_id]),
            )
        )
    return result
