from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from units.access import require_office

from .filters import DigestFilter
from .models import ReminderDigest
from .services import stuck_digests


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
        {"filter": digest_filter, "page": page, "stuck": stuck_digests().count()},
    )
