"""The one test of "the office only" (Văn phòng, or a superuser), for every app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied

if TYPE_CHECKING:
    from .models import User


def is_office(user: Any) -> bool:
    """An active office account (or superuser): enters notices, decides, manages units."""
    return bool(getattr(user, "is_active", False) and getattr(user, "is_office", False))


def is_office_or_leader(user: Any) -> bool:
    """The office or the leadership (Chủ tịch, Phó Chủ tịch), on an active account."""
    return is_office(user) or bool(
        getattr(user, "is_active", False) and getattr(user, "is_leader", False)
    )


def require_office(user: Any, message: str) -> User:
    """`user` if they are the office; otherwise a 403 with `message` (Vietnamese)."""
    if not is_office(user):
        raise PermissionDenied(message)
    return user
