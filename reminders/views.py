from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from units.access import require_office

from . import delivery
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
