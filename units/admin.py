from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import Unit, User


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "is_active", "successor", "order"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name", "aliases"]
    list_editable = ["order"]
    autocomplete_fields = ["successor"]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "aliases", "kind", "order"]}),
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
        ("Vai trò trong Đôn đốc", {"fields": ["role", "unit"]}),
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
