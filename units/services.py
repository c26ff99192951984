"""Writes about units and accounts."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from .models import User

OFFICE_GROUP = "Văn phòng"
OFFICE_APPS = ("units", "directives")


@transaction.atomic
def grant_office_admin(user: User) -> None:
    """Give an office account the admin screens for units, accounts, notices and tasks.

    Statuses and timelines stay read-only there: the admin itself refuses those edits.
    """
    group, _ = Group.objects.get_or_create(name=OFFICE_GROUP)
    wanted = set(
        Permission.objects.filter(content_type__app_label__in=OFFICE_APPS).values_list(
            "pk", flat=True
        )
    )
    if set(group.permissions.values_list("pk", flat=True)) != wanted:
        group.permissions.set(wanted)
    user.groups.add(group)
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
