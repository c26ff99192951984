from __future__ import annotations

import functools
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from directives import caching
from directives.filters import TaskFilter, applied_filters
from directives.models import GroupTask, Task
from directives.timeliness import Timeliness
from units.access import is_office, is_office_or_leader, require_office
from units.models import User

from . import audit, exports, figures, queries, services
from .audit import AuditFilterForm
from .exports import write_docx, write_pdf, write_xlsx
from .forms import ScopeForm
from .models import IssuedReport

T = TypeVar("T")

# Parameters of the dashboard itself; every other one is a task filter, passed on as it is to
# the task list behind each figure so that the list holds exactly the tasks counted.
DASHBOARD_ONLY = ("sort", "trend", "stale_days", "print", "page", "units")
# Units shown in the per-unit table, in the chosen order (laggards first by default); the rest
# are one click away. A province has hundreds of units; nobody reads them all at once.
UNIT_ROWS = 30
STALE_CHOICES = queries.STALE_CHOICES


GROUP_ROWS = 10  # the latest tasks given to several units, each drilled down on its own page


def latest_group_ids(tasks: Any) -> list[int]:
    """The latest tasks given to several units that have members in `tasks`: their ids."""
    return list(
        GroupTask.objects.filter(Exists(tasks.filter(group_task=OuterRef("pk"))))
        .order_by("-pk")
        .values_list("pk", flat=True)[:GROUP_ROWS]
    )


def latest_group_tasks(tasks: Any, ids: Sequence[int]) -> list[GroupTask]:
    """The tasks given to several units `ids` (`latest_group_ids`), latest first, each with
    its members' total and done counted within `tasks` (as the links behind them list): one
    query, each count an indexed subquery of one parent's children."""
    members = tasks.filter(group_task=OuterRef("pk")).order_by().values("group_task")
    total = members.annotate(n=Count("pk")).values("n")
    done = members.filter(status=Task.Status.DONE).annotate(n=Count("pk")).values("n")
    return list(
        GroupTask.objects.filter(pk__in=ids)
        .annotate(
            total=Subquery(total, output_field=IntegerField()),
            done=Coalesce(Subquery(done, output_field=IntegerField()), 0),
        )
        .select_related("notice")
        .order_by("-pk")
    )


class Links:
    """URLs of the task list filtered like the dashboard, plus one figure's own condition."""

    def __init__(self, request: HttpRequest, extra: dict[str, str]) -> None:
        base = request.GET.copy()
        for key in DASHBOARD_ONLY:
            base.pop(key, None)
        for key, value in extra.items():
            base[key] = value
        # Each parameter of the address encoded once: a page builds hundreds of links.
        self.base: dict[str, str] = {
            key: urlencode([(key, value) for value in base.getlist(key)]) for key in base
        }
        self.path = reverse("task_list")
        self._parts: dict[tuple[str, tuple[str | int, ...]], str] = {}

    def __call__(self, **params: str | int | Sequence[str]) -> str:
        """The task list's address with the dashboard's filters and `params` (which replace a
        filter of the same name where it stands; the others follow): what `urlencode` makes
        of the merged parameters."""
        own = {key: self._encoded(key, value) for key, value in params.items()}
        parts = [own.pop(key) if key in own else encoded for key, encoded in self.base.items()]
        encoded = "&".join(part for part in (*parts, *own.values()) if part)
        return self.path + (f"?{encoded}" if encoded else "")

    def _encoded(self, key: str, value: str | int | Sequence[str]) -> str:
        """One parameter encoded, once per page: the same unit or tab recurs in many links."""
        values = (value,) if isinstance(value, str | int) else tuple(value)
        found = self._parts.get((key, values))
        if found is None:
            found = urlencode([(key, str(v)) for v in values])
            self._parts[(key, values)] = found
        return found

    def category(self, name: str, **params: str | int) -> str:
        return self(timeliness=[b.value for b in queries.CATEGORIES[name]], **params)


def _int_choice(value: str | None, choices: Sequence[int], default: int) -> int:
    try:
        number = int(value or "")
    except ValueError:
        return default
    return number if number in choices else default


@login_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    """What is overdue and which unit lags; every figure links to exactly its tasks.

    The page's content is kept as HTML until a change, like the task list's (directives.
    caching): asked again, none of it is computed. Its heading and filter form show no task's
    data and are kept apart, across the tasks' changes: after a change to a task only the
    figures are made afresh."""
    filters_key = caching.html_key(request, "dashboard-filters", of_tasks=False)
    key = caching.html_key(request, "dashboard")
    # What the page may find kept, asked for at once: its two parts and the header's counts.
    caching.prefetch([filters_key, key, caching.inbox_key(request.user)])
    # The filter set of the page's scope, made once for whichever part is rendered.
    scope = functools.cache(partial(_dashboard_filter, request))
    return render(
        request,
        "reports/dashboard.html",
        {
            "filters_key": filters_key,
            "filters": functools.cache(partial(_filters_context, request, scope)),
            "dashboard_key": key,
            # Called when the content is rendered (and by tests: once, the same values).
            "dashboard": functools.cache(partial(_dashboard_context, request, scope)),
            "printing": request.GET.get("print") == "1",
        },
    )


@dataclass(frozen=True)
class _Choices:
    """The dashboard's own parameters (`DASHBOARD_ONLY`) as read from the address."""

    stale_days: int
    granularity: queries.Granularity
    sort: str
    all_units: bool

    @classmethod
    def of(cls, request: HttpRequest) -> _Choices:
        query = request.GET
        sort = query.get("sort", "lag")
        return cls(
            stale_days=_int_choice(query.get("stale_days"), STALE_CHOICES, 30),
            granularity="week" if query.get("trend") == "week" else "month",
            sort=sort if sort in queries.UNIT_SORTS else "lag",
            all_units=query.get("units") == "all",
        )


def _dashboard_filter(request: HttpRequest) -> tuple[TaskFilter, dict[str, str]]:
    """The task filter of the dashboard's scope, and what its links add to the task list's
    address for that scope."""
    user: User = request.user  # type: ignore[assignment]
    scope = Task.objects.visible_to(user)
    extra: dict[str, str] = {}
    if not user.sees_all_units:
        # A unit's dashboard counts the tasks it leads, as the official tables do.
        scope = scope.filter(lead_unit_id=user.unit_id)
        extra["role"] = "lead"
    return TaskFilter(request.GET or None, queryset=scope, request=request), extra


_Scope = Callable[[], tuple[TaskFilter, dict[str, str]]]


def _filters_context(request: HttpRequest, scope: _Scope) -> dict[str, Any]:
    """What the dashboard's heading and filter form show (kept apart from its figures)."""
    user: User = request.user  # type: ignore[assignment]
    task_filter, _ = scope()
    choices = _Choices.of(request)
    return {
        "filter": task_filter,
        "today": task_filter.reference_day,
        "granularity": choices.granularity,
        "stale_days": choices.stale_days,
        "stale_choices": STALE_CHOICES,
        "sees_all_units": user.sees_all_units,
    }


def _dashboard_context(request: HttpRequest, scope: _Scope) -> dict[str, Any]:
    """What the dashboard's content shows."""
    user: User = request.user  # type: ignore[assignment]
    task_filter, extra = scope()
    tasks = task_filter.qs
    today = task_filter.reference_day
    choices = _Choices.of(request)
    stale_days, granularity, sort = choices.stale_days, choices.granularity, choices.sort
    all_units = choices.all_units

    def count() -> tuple[figures.Figures, list[Any], dict[str, int], list[GroupTask]]:
        found = figures.dashboard(
            user,
            task_filter,
            today,
            stale_days=stale_days,
            granularity=granularity,
            sort=sort,
            unit_rows=None if all_units else UNIT_ROWS,
        )
        notices, groups = _rows_kept_by_their_tasks(
            request, tasks, today, groups=user.sees_all_units
        )
        return (found, notices, queries.work_counts(tasks, today, found.tallied), groups)

    # Kept until a task or what the figures read changes, as the task lists are
    # (directives.caching): the figures of a person's scope, day and filters.
    found, notices, work, group_rows = caching.kept_list(
        caching.list_key(user, today, request.GET, "dashboard"), count
    )
    head, units, unit_count, trend = found.head, found.units, found.unit_count, found.trend
    link = Links(request, extra)

    categories = [
        (name, label, getattr(head.counts, name), head.counts.percent(name), link.category(name))
        for name, label in queries.CATEGORY_LABELS.items()
    ]
    unit_rows = [
        {
            "row": row,
            "total_link": link(unit=row.unit_id),
            "cells": [
                (
                    getattr(row.counts, name),
                    row.counts.percent(name),
                    link.category(name, unit=row.unit_id),
                )
                for name in queries.CATEGORIES
            ],
            "stale_link": link(unit=row.unit_id, stale=stale_days),
        }
        for row in (units if all_units else units[:UNIT_ROWS])
    ]
    done = [
        b.value for b in (*queries.CATEGORIES["done_on_time"], *queries.CATEGORIES["done_late"])
    ]
    notice_rows = [
        {
            "row": row,
            "total_link": link(notice=row.notice_id),
            "done_link": link(notice=row.notice_id, timeliness=done),
            "overdue_link": link.category("open_overdue", notice=row.notice_id),
        }
        for row in notices
    ]
    work_rows = [
        ("Chưa phân công người thực hiện", work["unassigned"], link(person="none")),
        ("Chưa tiếp nhận, quá thời hạn tiếp nhận", work["not_received"], link(receipt="late")),
        ("Đơn vị trả lại, chờ Văn phòng xử lý", work["handed_back"], link(receipt="returned")),
        ("Báo cáo định kỳ quá hạn chưa nộp", work["missed_period"], link(period="missed")),
    ]
    chart: dict[str, Any] = {
        "trend": {
            "labels": [p.label for p in trend.points],
            "completed": [p.completed for p in trend.points],
            "overdue": [p.overdue for p in trend.points],
        },
        "units": {
            "labels": [r.short_name for r in units[:15]],
            **{name: [getattr(r.counts, name) for r in units[:15]] for name in queries.CATEGORIES},
            "names": queries.CATEGORY_LABELS,
        },
    }
    return {
        "lag_rule": queries.LAG_RULE,
        "head": head,
        "categories": categories,
        "links": {
            "total": link(),
            "no_deadline": link(timeliness=Timeliness.NO_DEADLINE.value),
            "due_soon": link(timeliness=Timeliness.DUE_SOON.value),
            "awaiting": link(status=Task.Status.AWAITING_ACCEPTANCE.value),
            "stale": link(stale=stale_days),
        },
        "ageing": [
            (label, count, link(ageing=f"{low}-{high or ''}"))
            for label, low, high, count in head.ageing
        ],
        "unit_rows": unit_rows,
        "unit_count": unit_count,
        "notice_rows": notice_rows,
        "work_rows": work_rows,
        "group_rows": [
            (group, link(group_task=group.pk), link(group_task=group.pk, status="done"))
            for group in group_rows
        ],
        "trend": trend,
        "chart": chart,
        "sort": sort,
        "stale_days": stale_days,
    }


def _rows_kept_by_their_tasks(
    request: HttpRequest, tasks: Any, today: date, *, groups: bool
) -> tuple[list[queries.NoticeRow], list[GroupTask]]:
    """The dashboard's rows of the newest notices and (`groups`) of the latest tasks given to
    several units: which ones, read each time (one query each); their figures kept until a
    change to one of their tasks (caching.tasks_of_version), not made again at every change
    elsewhere. Both parts' versions are read in one round trip, then both parts."""
    notice_ids = list(queries.newest_notices(tasks))
    group_ids = latest_group_ids(tasks) if groups else []
    notices_version, groups_version = caching.tasks_of_versions(notice_ids, group_ids)
    notices_key = _kept_key(request, today, "dashboard-notices", notices_version)
    groups_key = _kept_key(request, today, "dashboard-groups", groups_version) if groups else None
    caching.prefetch([notices_key, groups_key])
    notices = caching.kept_list(
        notices_key, lambda: queries.per_notice(tasks, today, notices=notice_ids)
    )
    if groups_key is None:
        return notices, []
    return notices, caching.kept_list(groups_key, lambda: latest_group_tasks(tasks, group_ids))


def _kept_key(request: HttpRequest, today: date, part: str, version: str) -> str:
    """The key of a part kept for the person, the day and the dashboard's filters under
    `version`."""
    return caching.list_key(request.user, today, request.GET, part, version=version)


# --- exports and issued reports -----------------------------------------------------------

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {
    "xlsx": (XLSX_TYPE, write_xlsx),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", write_docx),
    "pdf": ("application/pdf", write_pdf),
}


def _require_reader(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not is_office_or_leader(user):
        raise PermissionDenied("Chỉ Văn phòng và lãnh đạo UBND xem được báo cáo tổng hợp.")
    return user


@login_required
@require_safe
def report_center(request: HttpRequest) -> HttpResponse:
    """Choose a scope, download the reports, issue them; the issued versions below."""
    user = _require_reader(request)
    form = ScopeForm(request.GET or None)
    preview = form.scope() if form.is_bound and form.is_valid() else None
    return render(
        request,
        "reports/report_center.html",
        {
            "form": form,
            "preview": exports.summary(preview) if preview else None,
            "scope": preview,
            "issued": IssuedReport.objects.select_related("issued_by", "notice")[:50],
            "can_issue": is_office(user),
        },
    )


@login_required
@require_safe
def report_download(request: HttpRequest, fmt: str) -> HttpResponse | FileResponse:
    """The report of the chosen scope, made now and streamed from a temporary file."""
    _require_reader(request)
    if fmt not in FORMATS:
        raise Http404("Không có định dạng này.")
    form = ScopeForm(request.GET)
    if not form.is_valid():
        messages.error(request, "Phạm vi báo cáo chưa hợp lệ; hãy kiểm tra lại các ô đã chọn.")
        return redirect(f"{reverse('report_center')}?{request.GET.urlencode()}")
    content_type, writer = FORMATS[fmt]
    scope = form.scope()
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    writer(exports.compute(scope, form.signing(scope)), handle)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=exports.file_name(scope, fmt),
        content_type=content_type,
    )


@login_required
@require_POST
def report_issue(request: HttpRequest) -> HttpResponse:
    """Issue the report of the chosen scope: its figures and files are frozen as a new version."""
    user = _require_reader(request)
    form = ScopeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Phạm vi báo cáo chưa hợp lệ; chưa ban hành.")
        return redirect("report_center")
    scope = form.scope()
    issued = services.issue_report(actor=user, scope=scope, signing=form.signing(scope))
    messages.success(
        request, f"Đã ban hành báo cáo (lần {issued.version}); số liệu được lưu cố định."
    )
    return redirect("issued_report", pk=issued.pk)


@login_required
@require_safe
def issued_report(request: HttpRequest, pk: int) -> HttpResponse:
    """An issued report exactly as it was issued."""
    _require_reader(request)
    report = get_object_or_404(
        IssuedReport.objects.select_related("issued_by", "notice", "unit"), pk=pk
    )
    return render(request, "reports/issued_report.html", {"report": report})


@login_required
@require_safe
def issued_report_file(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    """One of the files of an issued report, as stored when it was issued."""
    _require_reader(request)
    if fmt not in FORMATS:
        raise Http404("Không có định dạng này.")
    report = get_object_or_404(IssuedReport, pk=pk)
    stored = getattr(report, fmt)
    return FileResponse(
        stored.open("rb"),
        as_attachment=True,
        # A name that says what it is: "bao-cao-194-TB-UBND-20261201-lan2.pdf".
        filename=exports.file_name(report.scope(), fmt, report.version),
        content_type=FORMATS[fmt][0],
    )


AUDIT_PAGE_SIZE = 50


@login_required
@require_safe
def audit_log(request: HttpRequest) -> HttpResponse:
    """Every recorded change to units, accounts, notices and tasks, newest first."""
    require_office(request.user, "Chỉ Văn phòng xem được nhật ký thay đổi.")
    form = AuditFilterForm(request.GET or None)
    values = form.cleaned_data if form.is_valid() else {}
    rows = audit.entries(values.get("kind", ""), values.get("since"), values.get("until"))
    page = Paginator(rows, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/audit_log.html",
        {"form": form, "page": page, "entries": audit.describe(list(page.object_list))},
    )


def _list_filter(request: HttpRequest) -> TaskFilter | None:
    """The task list's filter as the person set it, for an export of that list; None (and a
    message) when it is not valid, to send them back to the list."""
    scope = Task.objects.visible_to(request.user)  # type: ignore[arg-type]
    task_filter = TaskFilter(request.GET or None, queryset=scope, request=request)
    if task_filter.is_bound and not task_filter.form.is_valid():
        messages.error(request, "Bộ lọc của danh sách không hợp lệ; hãy kiểm tra lại rồi xuất.")
        return None
    return task_filter


@login_required
@require_safe
def task_list_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The task list as the person filtered it, as CSV (Annex I's columns and the last
    update), streamed as it is read."""
    task_filter = _list_filter(request)
    if task_filter is None:
        return redirect(f"{reverse('task_list')}?{request.GET.urlencode()}")
    today = task_filter.reference_day
    response = StreamingHttpResponse(
        exports.task_list_csv(task_filter.listed(), as_of=today),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="danh-sach-nhiem-vu-{today:%Y%m%d}.csv"'
    )
    return response


@login_required
@require_safe
def task_list_export(request: HttpRequest) -> HttpResponse | FileResponse:
    """The task list as the person filtered it, as an XLSX with Annex I's columns and the
    last update; streamed from a temporary file (memory stays flat at any size)."""
    task_filter = _list_filter(request)
    if task_filter is None:
        return redirect(f"{reverse('task_list')}?{request.GET.urlencode()}")
    today = task_filter.reference_day
    user: User = request.user  # type: ignore[assignment]
    parts = [f"{label}: {shown}" for _, label, shown in applied_filters(task_filter)]
    whose = "các đơn vị" if user.sees_all_units else (user.unit.name if user.unit else "")
    description = "; ".join(
        [f"Nhiệm vụ của {whose}", *parts, f"số liệu tính đến ngày {today:%d/%m/%Y}"]
    )
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    exports.write_task_list(
        task_filter.listed(), as_of=today, description=description, target=handle
    )
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"danh-sach-nhiem-vu-{today:%Y%m%d}.xlsx",
        content_type=XLSX_TYPE,
    )
