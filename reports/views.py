from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse

from directives.filters import TaskFilter
from directives.models import Task
from directives.timeliness import Timeliness
from units.models import User

from . import queries

# Parameters of the dashboard itself; every other one is a task filter, passed on as it is to
# the task list behind each figure so that the list holds exactly the tasks counted.
DASHBOARD_ONLY = ("sort", "trend", "stale_days", "print", "page")
STALE_CHOICES = (7, 14, 30, 60, 90)


class Links:
    """URLs of the task list filtered like the dashboard, plus one figure's own condition."""

    def __init__(self, request: HttpRequest, extra: dict[str, str]) -> None:
        self.base = request.GET.copy()
        for key in DASHBOARD_ONLY:
            self.base.pop(key, None)
        for key, value in extra.items():
            self.base[key] = value

    def __call__(self, **params: str | int | Sequence[str]) -> str:
        query: QueryDict = self.base.copy()
        for key, value in params.items():
            values = [value] if isinstance(value, str | int) else list(value)
            query.setlist(key, [str(v) for v in values])
        encoded = query.urlencode()
        return reverse("task_list") + (f"?{encoded}" if encoded else "")

    def category(self, name: str, **params: str | int) -> str:
        return self(timeliness=[b.value for b in queries.CATEGORIES[name]], **params)


def _int_choice(value: str | None, choices: Sequence[int], default: int) -> int:
    try:
        number = int(value or "")
    except ValueError:
        return default
    return number if number in choices else default


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """What is overdue and which unit lags; every figure links to exactly its tasks."""
    user: User = request.user  # type: ignore[assignment]
    scope = Task.objects.visible_to(user)
    extra: dict[str, str] = {}
    if not user.sees_all_units:
        # A unit's dashboard counts the tasks it leads, as the official tables do.
        scope = scope.filter(lead_unit_id=user.unit_id)
        extra["role"] = "lead"
    task_filter = TaskFilter(request.GET or None, queryset=scope, request=request)
    tasks = task_filter.qs
    today = task_filter.reference_day
    stale_days = _int_choice(request.GET.get("stale_days"), STALE_CHOICES, 30)
    granularity: queries.Granularity = "week" if request.GET.get("trend") == "week" else "month"
    sort = request.GET.get("sort", "lag")
    if sort not in queries.UNIT_SORTS:
        sort = "lag"

    head = queries.headline(tasks, today, stale_days=stale_days)
    units = queries.per_unit(tasks, today, sort=sort, stale_days=stale_days)
    notices = queries.per_notice(tasks, today)
    trend = queries.trend(tasks, today, granularity=granularity)
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
        for row in units
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
    return render(
        request,
        "reports/dashboard.html",
        {
            "filter": task_filter,
            "today": today,
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
            "notice_rows": notice_rows,
            "trend": trend,
            "chart": chart,
            "sort": sort,
            "stale_days": stale_days,
            "stale_choices": STALE_CHOICES,
            "printing": request.GET.get("print") == "1",
            "sees_all_units": user.sees_all_units,
        },
    )
