from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from reports.queries import timeliness_counts

from .models import Attachment, Task, TaskEvent
from .timeliness import OPEN_BUCKETS, Timeliness

PAGE_SIZE = 25


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The tasks this person follows, most urgent first, with the count of each bucket."""
    today = timezone.localdate()
    scope = Task.objects.visible_to(request.user)  # type: ignore[arg-type]
    counts = timeliness_counts(scope, today)
    bucket = request.GET.get("bucket", "")
    tasks = scope
    if bucket in Timeliness.values:
        tasks = tasks.in_bucket(bucket, today)
    else:
        bucket = ""
    paginator = Paginator(
        tasks.with_timeliness(today)
        .by_urgency(today)
        .select_related("notice", "lead_unit")
        .prefetch_related("support_units"),
        PAGE_SIZE,
    )
    # The bucket counts already hold the size of the list: no second COUNT query.
    paginator.count = counts[Timeliness(bucket)] if bucket else sum(counts.values())
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "directives/task_list.html",
        {
            "page": page,
            "today": today,
            "bucket": bucket,
            "counts": [(b, counts[b]) for b in Timeliness],
            "open_buckets": OPEN_BUCKETS,
            "total": sum(counts.values()),
        },
    )


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A task with its notice, units, both status axes and its whole timeline."""
    task = get_object_or_404(
        Task.objects.visible_to(request.user)  # type: ignore[arg-type]
        .select_related("notice", "section", "lead_unit")
        .prefetch_related(
            "support_units",
            Prefetch(
                "events",
                queryset=TaskEvent.objects.select_related("actor", "unit").prefetch_related(
                    Prefetch("attachments", queryset=Attachment.objects.order_by("pk"))
                ),
            ),
            "extension_requests",
        ),
        pk=pk,
    )
    today = timezone.localdate()
    return render(
        request,
        "directives/task_detail.html",
        {
            "task": task,
            "today": today,
            "timeliness": task.timeliness_on(today),
            "days_overdue": task.days_overdue(today),
        },
    )
