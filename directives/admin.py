"""The admin for the office. Statuses and the timeline are read-only here: tasks change only
through the services, which the admin calls on save and in its actions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from core.admin import ReadOnlyAdmin

from . import services
from .models import Attachment, ExtensionRequest, Notice, NoticeSection, Task, TaskEvent


class NoticeSectionInline(admin.TabularInline):
    model = NoticeSection
    extra = 0
    fields = ["order", "ref", "heading", "body"]


class TaskInline(admin.TabularInline):
    model = Task
    extra = 0
    fields = readonly_fields = (
        "order",
        "ref",
        "text",
        "lead_unit",
        "deadline",
        "status",
        "progress",
    )
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["number", "issued_on", "issuer", "title", "chair"]
    list_filter = ["issuer", "chair", "issued_on"]
    search_fields = ["number", "title", "chair", "signer"]
    date_hierarchy = "issued_on"
    inlines = [NoticeSectionInline, TaskInline]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["number", "issuer", "place", "issued_on", "title"]}),
        ("Cuộc họp", {"fields": ["meeting_on", "chair", "chair_title"]}),
        ("Ký, nơi nhận", {"fields": ["signer", "signer_title", "recipients"]}),
        ("Văn bản gốc", {"classes": ["collapse"], "fields": ["source_text", "source_file"]}),
        ("Theo dõi", {"fields": ["created_by", "created_at", "updated_at"]}),
    ]

    def save_model(self, request: HttpRequest, obj: Notice, form: ModelForm, change: bool) -> None:
        if change:
            # Through the service, so the change is kept in the notice's history.
            changed = {
                name: form.cleaned_data[name]
                for name in services.NOTICE_FIELDS
                if name in form.changed_data
            }
            services.update_notice(actor=request.user, notice=obj, **changed)  # type: ignore[arg-type]
            return
        obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)

    def get_readonly_fields(self, request: HttpRequest, obj: Notice | None = None) -> list[str]:
        # The source document is what was received: kept as it is once the notice exists.
        fields = list(self.readonly_fields)
        return [*fields, "source_text", "source_file"] if obj is not None else fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A notice's tasks and their timelines are the record: cancel tasks, never delete.
        return False


class TaskEventInline(admin.TabularInline):
    model = TaskEvent
    extra = 0
    fields = readonly_fields = (
        "created_at",
        "kind",
        "actor",
        "unit",
        "status_from",
        "status_to",
        "progress",
        "note",
    )
    can_delete = False
    ordering = ["created_at", "pk"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["__str__", "lead_unit", "deadline", "status", "progress", "last_activity_at"]
    list_filter = ["status", "deadline_kind", "lead_unit", "notice"]
    search_fields = ["text", "search_text", "notice__number", "lead_unit__name"]
    list_select_related = ["notice", "lead_unit"]
    autocomplete_fields = ["lead_unit", "support_units"]
    date_hierarchy = "deadline"
    inlines = [TaskEventInline]
    readonly_fields = [
        "status",
        "progress",
        "completed_on",
        "original_deadline",
        "cancel_reason",
        "version",
        "last_activity_at",
    ]
    fieldsets = [
        (None, {"fields": ["notice", "section", "ref", "order", "text"]}),
        ("Đơn vị", {"fields": ["lead_unit", "support_units"]}),
        (
            "Thời hạn",
            {
                "fields": [
                    "assigned_on",
                    "deadline_kind",
                    "deadline_text",
                    "deadline",
                    "original_deadline",
                ]
            },
        ),
        (
            "Tình hình thực hiện",
            {"fields": ["status", "progress", "completed_on", "cancel_reason", "last_activity_at"]},
        ),
    ]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The timeline is the record: a task is cancelled (with its reason), never deleted.
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Task | None = None) -> list[str]:
        fields = list(self.readonly_fields)
        if obj is not None:
            fields += ["notice", "assigned_on"]
        return fields

    def save_model(self, request: HttpRequest, obj: Task, form: ModelForm, change: bool) -> None:
        data = form.cleaned_data
        actor: Any = request.user
        if change:
            changes = {
                name: data[name]
                for name in (
                    "text",
                    "ref",
                    "order",
                    "deadline_text",
                    "lead_unit",
                    "deadline",
                    "deadline_kind",
                )
                if name in form.changed_data
            }
            if "support_units" in form.changed_data:
                changes["support_units"] = list(data["support_units"])
            services.edit_task(actor=actor, task=obj, **changes)
            return
        task = services.assign_task(
            actor=actor,
            notice=data["notice"],
            section=data.get("section"),
            ref=data.get("ref", ""),
            order=data.get("order"),
            text=data["text"],
            lead_unit=data["lead_unit"],
            support_units=list(data.get("support_units", [])),
            deadline=data.get("deadline"),
            deadline_kind=data.get("deadline_kind"),
            deadline_text=data.get("deadline_text", ""),
            assigned_on=data.get("assigned_on"),
        )
        obj.pk = task.pk
        obj._state.adding = False

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool
    ) -> None:
        # Support units were written by the service together with the timeline row.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(admin.ModelAdmin):
    list_display = [
        "task",
        "requested_by",
        "requested_at",
        "previous_deadline",
        "proposed_deadline",
        "status",
    ]
    list_filter = ["status"]
    search_fields = ["task__text", "reason"]
    list_select_related = ["task__notice", "requested_by"]
    actions = ["approve"]
    readonly_fields = [
        "task",
        "requested_by",
        "requested_at",
        "reason",
        "previous_deadline",
        "proposed_deadline",
        "status",
        "decided_by",
        "decided_at",
        "decision_note",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Đồng ý gia hạn các đề nghị đã chọn")
    def approve(self, request: HttpRequest, queryset: QuerySet[ExtensionRequest]) -> None:
        approved = 0
        for extension in queryset.filter(status=ExtensionRequest.Status.PENDING):
            try:
                services.approve_extension(actor=request.user, request=extension)  # type: ignore[arg-type]
            except (PermissionDenied, ValidationError) as error:
                self.message_user(request, f"{extension.task}: {error}", messages.ERROR)
            else:
                approved += 1
        self.message_user(request, f"Đã đồng ý gia hạn {approved} đề nghị.", messages.SUCCESS)


@admin.register(TaskEvent)
class TaskEventAdmin(ReadOnlyAdmin):
    """The timeline can be read here, never edited or deleted."""

    list_display = ["created_at", "task", "kind", "actor", "unit", "status_to", "progress"]
    list_filter = ["kind", "unit"]
    search_fields = ["note", "task__text", "actor__username", "actor__full_name"]
    list_select_related = ["task__notice", "actor", "unit"]
    date_hierarchy = "created_at"


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["name", "event", "size", "content_type", "created_at"]
    search_fields = ["name", "sha256"]
