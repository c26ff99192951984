"""The inbox, "Việc cần xử lý": what waits for this person's decision, and accepting
several completions at once with one note."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from units.access import require_office
from units.models import User

from . import inbox, services
from .forms import note_field
from .services.base import clean_note

# Each list shows the longest waiting first, up to this many (the count says how many wait).
SHOWN = 100


@login_required
@require_safe
def inbox_page(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    counts = inbox.counts(user)
    if not counts.parts:
        raise PermissionDenied(
            "Trang “Việc cần xử lý” dành cho Văn phòng, lãnh đạo UBND và lãnh đạo đơn vị; "
            "việc của bạn ở mục Nhiệm vụ."
        )
    related = ("notice", "lead_unit", "assignee")
    parts = counts.parts
    return render(
        request,
        "directives/inbox.html",
        {
            "counts": counts,
            "to_accept": (
                list(
                    inbox.tasks_to_accept()
                    .select_related(*related)
                    .order_by("last_activity_at", "pk")[:SHOWN]
                )
                if "accept" in parts
                else []
            ),
            "extensions": (
                list(
                    inbox.pending_extensions()
                    .select_related("task__notice", "task__lead_unit", "requested_by")
                    .order_by("requested_at", "pk")[:SHOWN]
                )
                if "extensions" in parts
                else []
            ),
            "handed_back": (
                list(
                    inbox.tasks_handed_back()
                    .select_related(*related, "proposed_unit")
                    .order_by("returned_at", "pk")[:SHOWN]
                )
                if "handed_back" in parts
                else []
            ),
            "at_head": (
                list(
                    inbox.tasks_at_head(user)
                    .select_related(*related)
                    .order_by("last_activity_at", "pk")[:SHOWN]
                )
                if "at_head" in parts
                else []
            ),
            "drafts": (
                list(inbox.drafts().select_related("created_by")[:SHOWN])
                if "drafts" in parts
                else []
            ),
            "note_field": note_field("Ý kiến chung", required=False, rows=2),
            "shown": SHOWN,
        },
    )


@login_required
@require_POST
def accept_many(request: HttpRequest) -> HttpResponse:
    """Accept the ticked completions, each as the office saw it (its version), with one
    note; each acceptance is its own transaction, and what could not be accepted is named."""
    user = require_office(request.user, "Chỉ Văn phòng được xác nhận hoàn thành.")
    ids = [int(v) for v in request.POST.getlist("task") if v.isdigit() and len(v) < 12]
    if not ids:
        messages.error(request, "Hãy chọn ít nhất một nhiệm vụ để xác nhận hoàn thành.")
        return redirect("inbox")
    try:
        note = clean_note(request.POST.get("note", ""), required=False, what="Ý kiến")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("inbox")
    accepted, refused = 0, []
    for task in inbox.tasks_to_accept().filter(pk__in=ids).select_related("notice"):
        version = request.POST.get(f"v{task.pk}", "")
        try:
            services.accept_completion(
                actor=user,
                task=task,
                note=note,
                expected_version=int(version) if version.isdigit() else None,
            )
        except ValidationError as error:
            refused.append(f"{task.notice.number} mục {task.ref or task.pk}: {error.messages[0]}")
        else:
            accepted += 1
    missing = len(set(ids)) - accepted - len(refused)
    if accepted:
        messages.success(request, f"Đã xác nhận hoàn thành {accepted} nhiệm vụ.")
    if missing:
        refused.append(f"{missing} nhiệm vụ không còn chờ xác nhận (đã được xử lý trước đó).")
    for line in refused:
        messages.warning(request, f"Chưa xác nhận: {line}")
    return redirect("inbox")
