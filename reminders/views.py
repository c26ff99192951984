from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from directives.filters import TaskFilter
from directives.models import Task
from units.access import require_office

from . import delivery, services
from .delivery import MAX_ATTEMPTS, stuck_digests
from .filters import DigestFilter
from .models import ReminderDigest
from .tasks import deliver_digest


@login_required
@require_safe
def send_log(request: HttpRequest) -> HttpResponse:
    """The office's log of every reminder sent, failed or waiting, with filters."""
    require_office(request.user, "Chỉ Văn phòng xem được nhật ký nhắc việc.")
    digest_filter = DigestFilter(
        request.GET or None,
        queryset=ReminderDigest.objects.select_related("recipient__unit")
        .annotate(item_count=Count("items"))
        .order_by("-day", "status", "recipient__full_name"),
    )
    page = Paginator(digest_filter.qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "reminders/send_log.html",
        {
            "filter": digest_filter,
            "page": page,
            "stuck": stuck_digests().count(),
            "now": timezone.now(),
            "max_attempts": MAX_ATTEMPTS,
        },
    )


@login_required
@require_POST
def resend(request: HttpRequest, pk: int) -> HttpResponse:
    """The office sends a failed or stuck digest again (same digest, same idempotency key)."""
    actor = require_office(request.user, "Chỉ Văn phòng được gửi lại nhắc việc.")
    digest = get_object_or_404(ReminderDigest, pk=pk)
    try:
        with transaction.atomic():
            digest = delivery.resend(actor=actor, digest=digest)
            transaction.on_commit(partial(deliver_digest.delay, digest.pk))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Đã đưa lượt nhắc của {digest.recipient} vào hàng gửi lại.")
    back = request.POST.get("next", "")
    log = reverse("reminder_log")
    # Back to the same filtered page of the log, never anywhere else.
    return redirect(back if back.startswith(log + "?") else log)


def _remind(request: HttpRequest, tasks: QuerySet[Task]) -> None:
    """Remind now, queue the deliveries once the reminders are written, and say what was done."""
    actor = require_office(request.user, "Chỉ Văn phòng được nhắc việc.")
    with transaction.atomic():
        result = services.remind_now(actor=actor, tasks=tasks, day=timezone.localdate())
        delivery.mark_queued(result.digest_ids)
        for digest_id in result.digest_ids:
            transaction.on_commit(partial(deliver_digest.delay, digest_id))
    if result.tasks:
        messages.success(request, f"Đã nhắc {result.people} người về {result.tasks} nhiệm vụ.")
    if result.already:
        messages.info(
            request,
            f"{result.already} nhiệm vụ đã được nhắc hôm nay; mỗi người chỉ nhận một lần nhắc "
            "ngay cho mỗi nhiệm vụ mỗi ngày.",
        )
    if result.over_limit:
        messages.warning(
            request,
            f"Mỗi lần chỉ nhắc {services.MANUAL_LIMIT} nhiệm vụ có hạn sớm nhất; còn "
            f"{result.over_limit} nhiệm vụ chưa nhắc.",
        )
    if not (result.tasks or result.already):
        messages.info(
            request,
            "Không có nhiệm vụ nào đang thực hiện để nhắc (nhiệm vụ chờ xác nhận, tạm dừng "
            "hoặc đã kết thúc không được nhắc).",
        )


@login_required
@require_POST
def remind_task(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Nhắc ngay" on a task page: its person responsible (or its unit's heads) now."""
    require_office(request.user, "Chỉ Văn phòng được nhắc việc.")
    task = get_object_or_404(Task.objects.visible_to(request.user), pk=pk)  # type: ignore[arg-type]
    _remind(request, Task.objects.filter(pk=task.pk))
    return redirect(task)


@login_required
@require_POST
def remind_list(request: HttpRequest) -> HttpResponse:
    """ "Nhắc ngay" on a filtered list: every running task the list shows (a notice's late
    tasks, a unit's), up to MANUAL_LIMIT; back to the same list."""
    require_office(request.user, "Chỉ Văn phòng được nhắc việc.")
    query = QueryDict(request.POST.get("query", "")[:2000])
    scope = Task.objects.visible_to(request.user)  # type: ignore[arg-type]
    task_filter = TaskFilter(query or None, queryset=scope, request=request)
    if task_filter.is_bound and not task_filter.form.is_valid():
        messages.error(request, "Bộ lọc của danh sách không hợp lệ; chưa nhắc ai.")
    else:
        _remind(request, task_filter.listed())
    return redirect(f"{reverse('task_list')}?{query.urlencode()}")
