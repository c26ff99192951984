"""A task given to several units: the roll-up of its members' tasks, and its shared terms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from units.access import is_office
from units.models import User

from . import services
from .deadlines import DeadlineError, parse_deadline
from .forms import note_field
from .models import GroupTask, Task, TaskEvent
from .timeliness import Timeliness

# What counts as a member's report on the roll-up.
REPORTS = (
    TaskEvent.Kind.PROGRESS,
    TaskEvent.Kind.COMPLETION_REPORTED,
)


class GroupTermsForm(forms.Form):
    ref = forms.CharField(label="Mục", max_length=32, required=False)
    text = note_field("Nội dung nhiệm vụ", rows=3)
    deadline = forms.CharField(
        label="Thời hạn",
        required=False,
        max_length=255,
        help_text="Áp dụng cho các đơn vị chưa hoàn thành. Để trống: thường xuyên.",
    )
    note = note_field("Lý do chỉnh sửa", required=False, rows=2)


def _group_task(request: HttpRequest, pk: int) -> GroupTask:
    user: User = request.user  # type: ignore[assignment]
    if not user.sees_all_units:
        # A unit sees its own part (its task), never the other members' (docs/domain.md §2).
        raise Http404("Không tìm thấy nhiệm vụ.")
    return get_object_or_404(GroupTask.objects.select_related("notice", "group"), pk=pk)


def rollup(group_task: GroupTask) -> dict[str, Any]:
    """Each member's task with its person, timeliness and latest report; the counts."""
    today = timezone.localdate()
    latest = (
        TaskEvent.objects.filter(task=OuterRef("pk"), kind__in=REPORTS)
        .order_by("-created_at", "-pk")
        .values("pk")[:1]
    )
    children = list(
        group_task.children.select_related("lead_unit", "assignee")
        .with_timeliness(today)
        .annotate(latest_report_id=Subquery(latest))
        .order_by("lead_unit__order", "lead_unit__name", "pk")
    )
    reports = TaskEvent.objects.in_bulk(
        [c.latest_report_id for c in children if c.latest_report_id]  # type: ignore[attr-defined]
    )
    for child in children:
        child.latest_report = reports.get(child.latest_report_id)  # type: ignore[attr-defined]
    done = [c for c in children if c.status == Task.Status.DONE]
    silent = [c for c in children if c.latest_report is None and c.is_open]  # type: ignore[attr-defined]
    overdue = [c for c in children if c.timeliness == Timeliness.OVERDUE]  # type: ignore[attr-defined]
    return {
        "children": children,
        "today": today,
        "total": len(children),
        "done": len(done),
        "silent": silent,
        "overdue": len(overdue),
    }


@login_required
def group_task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The roll-up: n of m done, who has not reported, each member's latest report and
    timeliness; the office changes the shared terms here (every open member's task takes them)."""
    group_task = _group_task(request, pk)
    user: User = request.user  # type: ignore[assignment]
    form = None
    if is_office(user):
        first = group_task.children.order_by("pk").first()
        initial = {
            "ref": group_task.ref,
            "text": group_task.text,
            "deadline": first.deadline_input if first else "",
        }
        form = GroupTermsForm(request.POST if request.method == "POST" else None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                deadline = parse_deadline(data["deadline"], reference=group_task.notice.issued_on)
                changed = services.edit_group_task(
                    actor=user,
                    group_task=group_task,
                    note=data["note"],
                    ref=data["ref"],
                    text=data["text"],
                    deadline=deadline.day,
                    deadline_kind=deadline.kind,
                    deadline_text=deadline.text if deadline.day else "",
                )
            except DeadlineError as error:
                form.add_error("deadline", str(error))
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"Đã áp dụng cho {changed} đơn vị chưa hoàn thành.")
                return redirect(group_task)
    elif request.method == "POST":
        raise PermissionDenied("Chỉ Văn phòng được sửa nhiệm vụ.")
    return render(
        request,
        "directives/group_task_detail.html",
        {"group_task": group_task, "form": form, **rollup(group_task)},
    )
