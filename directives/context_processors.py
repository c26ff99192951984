from __future__ import annotations

from django.http import HttpRequest

from .models import Notification


def notifications(request: HttpRequest) -> dict[str, object]:
    """The unread count shown in the header, counted only when a page uses it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": lambda: Notification.objects.unread().filter(recipient=user).count()
    }
