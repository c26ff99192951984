from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from .models import Unit, User


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "is_active", "successor", "order"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name", "aliases"]
    list_editable = ["order"]
    autocomplete_fields = ["successor"]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "aliases", "kind", "order", "head_review"]}),
        ("Giải thể, sáp nhập", {"fields": ["is_active", "closed_on", "successor"]}),
    ]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "full_name", "role", "unit", "is_active", "last_login"]
    list_filter = ["role", "unit", "is_active"]
    search_fields = ["username", "full_name", "email", "unit__name"]
    autocomplete_fields = ["unit"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Thông tin cá nhân", {"fields": ["full_name", "job_title", "email", "phone"]}),
        ("Vai trò trong Đôn đốc", {"fields": ["role", "unit", "assigns_work"]}),
        (
            "Quyền quản trị",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups"]},
        ),
        ("Thời điểm", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "full_name", "role", "unit", "password1", "password2"],
            },
        ),
    ]

    # Rights above the office's own: only a superuser sees or grants them.
    PRIVILEGED = ("is_staff", "is_superuser", "groups", "user_permissions")

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        allowed = [
            (name, [f for f in options["fields"] if f not in self.PRIVILEGED])
            for name, options in fieldsets
        ]
        return [(name, {"fields": fields}) for name, fields in allowed if fields]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """The office manages accounts, never one with more rights than its own."""
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)
