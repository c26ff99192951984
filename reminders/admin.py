from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.admin import ReadOnlyAdmin

from .models import ReminderDigest, ReminderItem, ReminderStep


@admin.register(ReminderStep)
class ReminderStepAdmin(admin.ModelAdmin):
    """The office sets the ladder here."""

    list_display = [
        "name",
        "offset",
        "repeat_every",
        "to_staff",
        "to_head",
        "to_office",
        "is_active",
    ]
    list_editable = ["repeat_every", "to_staff", "to_head", "to_office", "is_active"]


class ReminderItemInline(admin.TabularInline):
    model = ReminderItem
    extra = 0
    fields = readonly_fields = ("task", "step", "label")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReminderDigest)
class ReminderDigestAdmin(ReadOnlyAdmin):
    """The send log: read-only, it is the proof of what was sent."""

    list_display = ["day", "recipient", "channel", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel", "day"]
    search_fields = ["recipient__username", "recipient__full_name"]
    date_hierarchy = "day"
    inlines = [ReminderItemInline]
