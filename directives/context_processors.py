from __future__ import annotations

from django.http import HttpRequest

from . import caching, inbox
from .models import Notification


def notifications(request: HttpRequest) -> dict[str, object]:
    """What the header shows of the person (each worked out only when a page uses it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": lambda: (
            Notification.objects.unread().filter(recipient=user).count()
        ),
        # The person's unit as the header names it, from the units' names kept in the process.
        "header_unit": lambda: caching.unit_shown_name(user.unit_id) if user.unit_id else "",
        # What waits for this person's decision (office, leadership, unit heads), kept like
        # the task lists' counts until a change (directives.caching).
        "inbox_counts": lambda: caching.kept_list(
            caching.inbox_key(user),
            lambda: inbox.counts(user),
        ),
    }
