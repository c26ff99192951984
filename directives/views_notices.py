"""The office's pages for notices: list, entry with its tasks, detail, corrections."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_safe

from units.access import is_office, require_office
from units.models import Unit, User

from . import services
from .deadlines import DeadlineError, parse_deadline
from .forms_notice import Leads, NoticeForm, TaskRowForm, TaskRowFormSet, kept_rows
from .models import Notice, Task


def _require_office(request: HttpRequest) -> User:
    return require_office(request.user, "Chỉ Văn phòng được nhập và sửa thông báo.")


def _visible_notices(user: User) -> Any:
    """Every notice for the office and the leadership (one without tasks yet included: the
    office adds them there); for a unit, the notices that give it a task."""
    return Notice.objects.visible_to(user)


def _unit_names() -> list[str]:
    names: set[str] = set()
    for unit in Unit.objects.active():
        names.update([unit.name, unit.short_name] if unit.short_name else [unit.name])
    return sorted(names)


def _task_row(data: dict[str, Any]) -> dict[str, Any]:
    """A task row of the entry form as the services take it."""
    leads: Leads = data["lead_unit"]
    return services.task_row(
        ref=data.get("ref", ""),
        text=data["text"],
        lead_units=leads.units,
        group=leads.group,
        leads_text=leads.text,
        support_units=data.get("support_units") or [],
        deadline=data["parsed_deadline"],
    )


@login_required
@require_safe
def notice_list(request: HttpRequest) -> HttpResponse:
    """The notices this person follows, newest first, with their task counts."""
    user: User = request.user  # type: ignore[assignment]
    # The counts are of the tasks this person sees, as on the notice's own page.
    visible = Task.objects.visible_to(user).filter(notice=OuterRef("pk")).order_by()

    def counted(tasks: Any) -> Subquery:
        return Subquery(
            tasks.values("notice").annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        )

    notices = (
        _visible_notices(user)
        .annotate(
            task_count=Coalesce(counted(visible), 0),
            open_count=Coalesce(counted(visible.filter(status__in=Task.OPEN_STATUSES)), 0),
        )
        .order_by("-issued_on", "-pk")
    )
    return render(
        request,
        "directives/notice_list.html",
        {"notices": notices[:200], "can_enter": is_office(user)},
    )


@login_required
def notice_create(request: HttpRequest) -> HttpResponse:
    """Enter a notice and its tasks; nothing is saved until every row is right."""
    user = _require_office(request)
    form = NoticeForm(
        request.POST if request.method == "POST" else None, initial={"issuer": _default_issuer()}
    )
    reference = _reference(form)
    formset = TaskRowFormSet(
        request.POST if request.method == "POST" else None, reference=reference, prefix="tasks"
    )
    if request.method == "POST" and "add_row" in request.POST:
        formset = _with_extra_row(request, reference)
    elif request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            notice = services.enter_notice(
                actor=user,
                header=form.cleaned_data,
                tasks=[_task_row(r) for r in kept_rows(formset)],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, f"Đã nhập Thông báo {notice.number} với {notice.tasks.count()} nhiệm vụ."
            )
            return redirect("notice_detail", pk=notice.pk)
    return render(
        request,
        "directives/notice_form.html",
        {"form": form, "formset": formset, "unit_names": _unit_names(), "creating": True},
    )


def _default_issuer() -> str:
    from django.conf import settings

    return str(settings.DONDOC_ISSUER_NAME)


def _reference(form: NoticeForm) -> date | None:
    """The notice's date as typed, to read the tasks' deadline phrases against."""
    if not form.is_bound:
        return None
    field = form.fields["issued_on"]
    try:
        value: date | None = field.clean(form.data.get(form.add_prefix("issued_on")))
    except ValidationError:
        return None
    return value


MAX_TASK_ROWS = 500


def _with_extra_row(request: HttpRequest, reference: date | None) -> Any:
    """The task rows as posted, plus an empty one ("Thêm dòng"); a tampered count is read
    as no rows, never as an error page."""
    data = request.POST.copy()
    try:
        total = int(data.get("tasks-TOTAL_FORMS", "0") or 0)
    except ValueError:
        total = 0
    data["tasks-TOTAL_FORMS"] = str(max(0, min(total, MAX_TASK_ROWS - 1)) + 1)
    formset = TaskRowFormSet(data, reference=reference, prefix="tasks")
    formset.is_valid()  # show what each row understood so far
    return formset


@login_required
@require_safe
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A notice's header and the tasks of it this person follows."""
    user: User = request.user  # type: ignore[assignment]
    notice = get_object_or_404(_visible_notices(user), pk=pk)
    return _render_notice(request, user, notice)


def _render_notice(
    request: HttpRequest, user: User, notice: Notice, add_form: TaskRowForm | None = None
) -> HttpResponse:
    office = is_office(user)
    tasks = (
        Task.objects.visible_to(user)
        .filter(notice=notice)
        .select_related("lead_unit", "section")
        .prefetch_related("support_units")
        .order_by("order", "pk")
    )
    groups: Any = []
    if user.sees_all_units:
        # A task given to many units is one row, its roll-up a click away.
        tasks = tasks.filter(group_task__isnull=True)
        groups = notice.group_tasks.annotate(
            total=Count("children"),
            done=Count("children", filter=Q(children__status=Task.Status.DONE)),
        ).order_by("pk")
    rows, group_rows = list(tasks), list(groups)
    return render(
        request,
        "directives/notice_detail.html",
        {
            "notice": notice,
            "tasks": rows,
            "groups": group_rows,
            "row_count": len(rows) + len(group_rows),
            "revisions": notice.revisions.select_related("actor")[:20],
            "can_edit": office,
            "add_form": (add_form or TaskRowForm(prefix="new")) if office else None,
            "unit_names": _unit_names() if office else [],
        },
    )


@login_required
def notice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a notice's header; the previous values are kept in its history."""
    user = _require_office(request)
    notice = get_object_or_404(Notice, pk=pk)
    form = NoticeForm(request.POST if request.method == "POST" else None, instance=notice)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        services.update_notice(actor=user, notice=notice, **changes)
        messages.success(request, "Đã lưu thay đổi của thông báo.")
        return redirect("notice_detail", pk=pk)
    return render(
        request,
        "directives/notice_form.html",
        {"form": form, "notice": notice, "creating": False},
    )


@login_required
def notice_add_task(request: HttpRequest, pk: int) -> HttpResponse:
    """Add one task to an existing notice."""
    user = _require_office(request)
    notice = get_object_or_404(Notice, pk=pk)
    if request.method != "POST":
        return redirect("notice_detail", pk=pk)
    form = TaskRowForm(request.POST, prefix="new", reference=notice.issued_on)
    if form.is_valid():
        row = _task_row(form.cleaned_data)
        try:
            task = services.add_task_row(actor=user, notice=notice, row=row)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Đã thêm nhiệm vụ.")
            return redirect(task)
    return _render_notice(request, user, notice, add_form=form)


@login_required
@require_GET
def deadline_preview(request: HttpRequest) -> HttpResponse:
    """What a deadline phrase is understood as (for the live hint beside the field)."""
    _require_office(request)
    text = next((str(v) for k, v in request.GET.items() if k.endswith("deadline")), "")
    reference_text = request.GET.get("issued_on") or ""
    try:
        reference = date.fromisoformat(reference_text)
    except ValueError:
        reference = None
    if reference is None:
        return HttpResponse(
            '<span class="text-secondary">Nhập ngày ban hành để tính thời hạn.</span>'
        )
    try:
        deadline = parse_deadline(text, reference=reference)
    except DeadlineError as error:
        return render(request, "directives/_deadline_hint.html", {"error": str(error)})
    return render(request, "directives/_deadline_hint.html", {"deadline": deadline})
