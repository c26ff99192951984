from __future__ import annotations

from django.http import HttpRequest

from . import inbox
from .models import Notification


def notifications(request: HttpRequest) -> dict[str, object]:
    """The unread count shown in the header, counted only when a page uses it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": lambda: (
            Notification.objects.unread().filter(recipient=user).count()
        ),
        # What waits for this person's decision (office, leadership, unit heads).
        "inbox_counts": lambda: inbox.counts(user),
    }
