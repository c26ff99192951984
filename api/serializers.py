"""What the API shows of units, notices and tasks, and what its actions take."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from directives.models import ExchangePackage, Notice, Task, TaskEvent
from reports.models import IssuedReport
from units.models import Unit


class UnitSerializer(serializers.ModelSerializer[Unit]):
    class Meta:
        model = Unit
        fields = ["id", "name", "short_name", "kind", "is_active"]


class NoticeSerializer(serializers.ModelSerializer[Notice]):
    class Meta:
        model = Notice
        fields = [
            "id",
            "number",
            "issuer",
            "place",
            "issued_on",
            "title",
            "meeting_on",
            "chair",
            "signer",
        ]


class EventSerializer(serializers.ModelSerializer[TaskEvent]):
    actor = serializers.SerializerMethodField()
    kind_label = serializers.CharField(source="get_kind_display")

    class Meta:
        model = TaskEvent
        fields = [
            "id",
            "kind",
            "kind_label",
            "created_at",
            "actor",
            "status_from",
            "status_to",
            "progress",
            "note",
        ]

    def get_actor(self, event: TaskEvent) -> str:
        return event.actor.full_name or event.actor.username


class TaskSerializer(serializers.ModelSerializer[Task]):
    status_label = serializers.CharField(source="get_status_display")
    lead_unit: serializers.PrimaryKeyRelatedField[Unit] = serializers.PrimaryKeyRelatedField(
        read_only=True
    )
    lead_unit_name = serializers.CharField(source="lead_unit.name")
    notice_number = serializers.CharField(source="notice.number")

    class Meta:
        model = Task
        fields = [
            "id",
            "notice",
            "notice_number",
            "ref",
            "text",
            "lead_unit",
            "lead_unit_name",
            "assignee",
            "assigned_on",
            "deadline",
            "original_deadline",
            "deadline_text",
            "status",
            "status_label",
            "progress",
            "completed_on",
            "version",
            "last_activity_at",
        ]


class TaskDetailSerializer(TaskSerializer):
    support_units = serializers.ManyRelatedField(
        child_relation=serializers.PrimaryKeyRelatedField[Unit](read_only=True), read_only=True
    )
    timeline = serializers.SerializerMethodField()

    class Meta(TaskSerializer.Meta):
        fields = [*TaskSerializer.Meta.fields, "support_units", "timeline"]

    @extend_schema_field(EventSerializer(many=True))
    def get_timeline(self, task: Task) -> list[dict[str, object]]:
        events = task.events.select_related("actor").order_by("-created_at", "-pk")[:200]
        return list(EventSerializer(events, many=True).data)


class VersionedSerializer(serializers.Serializer[None]):
    version = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=2**31 - 1,
        help_text="Phiên bản đã đọc; gửi kèm để không ghi đè thay đổi mới hơn.",
    )


class NoteSerializer(VersionedSerializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=10_000, default="")


class ProgressSerializer(VersionedSerializer):
    note = serializers.CharField(max_length=10_000)
    progress = serializers.IntegerField(min_value=0, max_value=100)


class CompletionSerializer(VersionedSerializer):
    note = serializers.CharField(max_length=10_000)
    completed_on = serializers.DateField(required=False)


class AcceptSerializer(NoteSerializer):
    completed_on = serializers.DateField(required=False)


class ExtensionSerializer(VersionedSerializer):
    reason = serializers.CharField(max_length=10_000)
    proposed_deadline = serializers.DateField()


class PackageSerializer(serializers.ModelSerializer[ExchangePackage]):
    notice_number = serializers.CharField(source="notice.number")

    class Meta:
        model = ExchangePackage
        fields = [
            "id",
            "notice",
            "notice_number",
            "organ_id",
            "organ_name",
            "code",
            "document_id",
            "status_code",
            "description",
            "created_at",
            "collected_at",
        ]


class IssuedReportSerializer(serializers.ModelSerializer[IssuedReport]):
    issued_by = serializers.SerializerMethodField()
    files = serializers.SerializerMethodField()

    class Meta:
        model = IssuedReport
        fields = [
            "id",
            "title",
            "version",
            "notice",
            "unit",
            "date_from",
            "date_to",
            "as_of",
            "issued_at",
            "issued_by",
            "figures",
            "files",
        ]

    def get_issued_by(self, report: IssuedReport) -> str:
        return report.issued_by.full_name or report.issued_by.username

    @extend_schema_field(serializers.DictField(child=serializers.URLField()))
    def get_files(self, report: IssuedReport) -> dict[str, str]:
        """The files as issued (xlsx, docx, pdf), fetched through the API with the token."""
        request = self.context.get("request")
        links = {}
        for fmt in ("xlsx", "docx", "pdf"):
            path = reverse("api-report-file", args=[report.pk, fmt])
            links[fmt] = request.build_absolute_uri(path) if request else path
        return links
