"""`{% timeline_rows task %}`: a task's timeline on its page, written in one pass.

A task's page shows its latest timeline rows (twenty on a typical task, up to fifty), each
tested in the template language against a dozen kinds of detail: ~0.2 ms a row, half the
page's rendering. The markup is the one the template had (with the same white space between
inline elements); every text is escaped here, and a detail missing from a row's data shows
nothing, as the template showed nothing for a lookup that failed.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from django import template
from django.template.defaultfilters import filesizeformat, join
from django.template.defaulttags import CsrfTokenNode
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe

from ..rows import TimelineRow
from .dondoc import isodate

register = template.Library()

_MISSING = object()  # a lookup that failed


def _get(value: Any, *path: str | int) -> Any:
    """`value.a.0` as the template language reads it (a key, else an index), or _MISSING."""
    for step in path:
        try:
            value = value[step]
        except (TypeError, KeyError, IndexError):
            return _MISSING
    return value


def _text(value: Any) -> str:
    """A value as `{{ value }}` shows it: nothing for a failed lookup, else escaped."""
    if value is _MISSING:
        return ""
    return escape(value if isinstance(value, str) else str(localize(value)))


def _given(value: Any) -> bool:
    """`{% if value %}`: a failed lookup is false."""
    return value is not _MISSING and bool(value)


def _day(value: Any) -> str:
    """`{{ value|isodate|date:"d/m/Y" }}` of a date kept as ISO text."""
    day = isodate("" if value is _MISSING else value)
    return f"{day:%d/%m/%Y}" if day else ""


def _joined(value: Any) -> str:
    """`{{ value|join:", " }}`."""
    return "" if value is _MISSING else str(join(value, ", ", autoescape=True))


def _warning(data: Any, key: str, text: str) -> str:
    """` · <warning>` after a line, when the row's data says `key`."""
    return (
        f' · <span class="text-warning-emphasis">{text}</span>' if _given(_get(data, key)) else ""
    )


def _details(event: TimelineRow) -> str:
    """The lines that say more about some kinds of row, from its data."""
    kind, data = event.kind, event.data
    lines = []
    if kind == "person_assigned":
        before = _get(data, "assignee", 0)
        helpers = _get(data, "helpers")
        lines.append(
            '<div class="small">'
            + (f"{_text(before)} → " if _given(before) else "")
            + _text(_get(data, "assignee", 1))
            + (f"; cùng thực hiện: {_joined(helpers)}" if _given(helpers) else "")
            + "</div>"
        )
    elif kind == "reminded":
        lines.append(f'<div class="small">Đã nhắc: {_joined(_get(data, "people"))}</div>')
    elif kind == "support_asked":
        lines.append(
            f'<div class="small">Gửi {_text(_get(data, "unit"))}, '
            f"hạn {_day(_get(data, 'due_on'))}</div>"
        )
    elif kind == "period_reported":
        late = _warning(data, "late", "trễ hạn")
        lines.append(
            f'<div class="small">Kỳ {_text(_get(data, "period"))} '
            f"(hạn {_day(_get(data, 'due_on'))}){late}</div>"
        )
    elif kind == "reassigned":
        lines.append(
            f'<div class="small">{_text(_get(data, "changes", "lead_unit", 0))} → '
            f"{_text(_get(data, 'changes', 'lead_unit', 1))}</div>"
        )
    elif kind == "handed_back" and _given(_get(data, "proposed_unit")):
        lines.append(f'<div class="small">Đề xuất giao: {_text(_get(data, "proposed_unit"))}</div>')
    number, dated = _get(data, "document_number"), _get(data, "document_date")
    if _given(number) or _given(dated):
        lines.append(
            '<div class="small">Văn bản kết quả:'
            + (f" số {_text(number)}" if _given(number) else "")
            + (f" ngày {_day(dated)}" if _given(dated) else "")
            + "</div>"
        )
    if kind == "extension_requested":
        after = _warning(data, "after_deadline", "đề nghị sau thời hạn")
        lines.append(
            f'<div class="small">Đề nghị gia hạn đến {_day(_get(data, "proposed_deadline"))}'
            f"{after}</div>"
        )
    elif kind == "extension_approved" and _given(deadline := _get(data, "deadline")):
        proposed = _get(data, "proposed_deadline")
        other = (
            f" (đơn vị đề nghị {_day(proposed)})"
            if _given(proposed) and proposed != deadline
            else ""
        )
        lines.append(f'<div class="small">Thời hạn mới: {_day(deadline)}{other}</div>')
    return "\n".join(lines)


def _cause(event: TimelineRow, page: dict[str, Any]) -> str:
    """The objective cause the office recorded on a row, or (for the office, on a return or a
    late completion's acceptance) the form to record one."""
    if event.cause is not None:
        return (
            '<div class="small text-success">Nguyên nhân khách quan (Văn phòng ghi nhận): '
            f"{escape(event.cause)}</div>"
        )
    if not page["office"] or event.kind not in page["objective_kinds"]:
        return ""
    if event.kind == "accepted" and not page["late_done"]:
        return ""
    address = reverse("objective_cause", args=[page["task_pk"], event.pk])
    return (
        '<details class="small no-print"><summary class="text-primary">'
        "Ghi nhận nguyên nhân khách quan</summary>\n"
        f'<form method="post" action="{address}" class="d-flex gap-1 mt-1">{page["csrf"]}\n'
        f'<label class="visually-hidden" for="cause-{event.pk}">Nguyên nhân khách quan</label>\n'
        f'<input class="form-control form-control-sm" id="cause-{event.pk}" name="note" '
        'maxlength="2000" required placeholder="Ví dụ: chờ văn bản của Sở">\n'
        '<button class="btn btn-sm btn-outline-primary" type="submit">Ghi nhận</button>'
        "</form></details>"
    )


def _row(event: TimelineRow, page: dict[str, Any]) -> str:
    unit = f" ({escape(event.unit)})" if event.unit is not None else ""
    status = (
        f'<span class="small">: {escape(event.status_from_label or "—")} → '
        f"{escape(event.status_to_label)}</span>"
        if event.status_to
        else ""
    )
    progress = (
        f'<span class="badge text-bg-info">{event.progress}%</span>'
        if event.progress is not None
        else ""
    )
    note = f'<div class="task-text">{escape(event.note)}</div>' if event.note else ""
    files = (
        '<ul class="small mb-0">'
        + "".join(
            f'\n<li><a href="{reverse("attachment_download", args=[a.pk])}">'
            f'<i class="bi bi-paperclip" aria-hidden="true"></i> {escape(a.name)}</a> '
            f'<span class="text-secondary">({filesizeformat(a.size)})</span></li>\n'
            for a in event.files
        )
        + "</ul>"
        if event.files
        else ""
    )
    return (
        '<li class="border-start border-3 ps-3 pb-3">\n'
        f'<div class="small text-secondary">'
        f"{timezone.localtime(event.created_at):%d/%m/%Y %H:%M} · {escape(event.actor)}"
        f"{unit}</div>\n"
        f"<div><strong>{escape(event.kind_label)}</strong>\n{status}\n{progress}\n</div>\n"
        f"{note}\n{_details(event)}\n{_cause(event, page)}\n{files}\n</li>"
    )


@register.simple_tag(takes_context=True)
def timeline_rows(context: template.Context, events: Iterable[TimelineRow]) -> SafeString:
    """The rows of `events` (the page's `task`, `user`, `objective_kinds` and `late_done`
    decide which rows offer the office's objective-cause form)."""
    user = context.get("user")
    task = context["task"]
    page = {
        "office": bool(getattr(user, "is_office", False)),
        "objective_kinds": context.get("objective_kinds", ()),
        "late_done": context.get("late_done", False),
        "task_pk": task.pk,
        "csrf": CsrfTokenNode().render(context),
    }
    html = "\n".join(_row(event, page) for event in events)
    return mark_safe(html)  # noqa: S308 - every text escaped in _row
