"""The REST API: the same services and permissions as the pages (`visible_to`, the
transition table). Read: units, notices, tasks with their timeline, the dashboard's figures.
Act: receive, report progress or completion, accept, ask for an extension. Exchange: an
edXML package in, the status packages out."""

from __future__ import annotations

import base64
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, parsers, permissions, serializers, status, viewsets
from rest_framework.decorators import action, api_view, parser_classes, permission_classes
from rest_framework.exceptions import PermissionDenied as DRFPermissionDenied
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from directives import edxml, exchange, services
from directives import permissions as permissions_of_tasks
from directives.filters import TaskFilter
from directives.models import TRANSITIONS, ExchangePackage, Notice, Task
from reports import exports, figures, queries
from reports.models import IssuedReport
from units.access import is_office, is_office_or_leader
from units.models import Unit, User

from . import serializers as s


class OfficeOnly(permissions.BasePermission):
    message = "Chỉ Văn phòng được thực hiện thao tác này."

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_office(request.user)


class ReadersOnly(permissions.BasePermission):
    message = "Chỉ Văn phòng và lãnh đạo UBND xem được báo cáo tổng hợp."

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_office_or_leader(request.user)


class UnitViewSet(viewsets.ReadOnlyModelViewSet[Unit]):
    """Các đơn vị."""

    lookup_value_regex = r"[0-9]{1,18}"  # anything else is not an id: 404

    serializer_class = s.UnitSerializer
    queryset = Unit.objects.order_by("order", "name")


class NoticeViewSet(viewsets.ReadOnlyModelViewSet[Notice]):
    """Thông báo kết luận trong phạm vi của người dùng."""

    lookup_value_regex = r"[0-9]{1,18}"  # anything else is not an id: 404

    serializer_class = s.NoticeSerializer

    def get_queryset(self) -> QuerySet[Notice]:
        return Notice.objects.visible_to(self.request.user).order_by("-issued_on", "-pk")  # type: ignore[arg-type]


MAX_ID = 2**53


class TaskApiFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=Task.Status.choices)
    # Ids within what the database holds: a larger number is a 400, not an overflow.
    lead_unit = filters.NumberFilter(min_value=1, max_value=MAX_ID)
    notice = filters.NumberFilter(min_value=1, max_value=MAX_ID)
    assignee = filters.NumberFilter(min_value=1, max_value=MAX_ID)
    deadline_after = filters.DateFilter(field_name="deadline", lookup_expr="gte")
    deadline_before = filters.DateFilter(field_name="deadline", lookup_expr="lte")

    class Meta:
        model = Task
        fields = ["status", "lead_unit", "notice", "assignee"]


def _act(serializer_class: type[serializers.Serializer[Any]], summary: str) -> Any:
    return extend_schema(
        request=serializer_class,
        responses={
            200: s.TaskDetailSerializer,
            400: OpenApiResponse(description="Dữ liệu chưa hợp lệ"),
            403: OpenApiResponse(description="Không có quyền"),
            404: OpenApiResponse(description="Không thuộc phạm vi"),
            409: OpenApiResponse(description="Nhiệm vụ đã thay đổi"),
        },
        summary=summary,
    )


class TaskViewSet(viewsets.ReadOnlyModelViewSet[Task]):
    """Nhiệm vụ trong phạm vi của người dùng, với diễn biến và các thao tác."""

    lookup_value_regex = r"[0-9]{1,18}"  # anything else is not an id: 404

    filterset_class = TaskApiFilter
    filter_backends = [filters.DjangoFilterBackend]

    def get_queryset(self) -> QuerySet[Task]:
        return (
            Task.objects.visible_to(self.request.user)  # type: ignore[arg-type]
            .select_related("lead_unit", "notice")
            .order_by("notice_id", "order", "pk")
        )

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return s.TaskDetailSerializer if self.action != "list" else s.TaskSerializer

    def _done(self, task: Task) -> Response:
        fresh = self.get_queryset().get(pk=task.pk)
        return Response(s.TaskDetailSerializer(fresh).data)

    def _input(
        self, serializer_class: type[serializers.Serializer[Any]], transition: str
    ) -> tuple[Task, dict[str, Any]]:
        """The task (404 outside the person's scope), who may act (403, as the action table
        says, before any field is read), then the fields (400)."""
        task = self.get_object()
        if not permissions_of_tasks.allows(self.request.user, task, transition):  # type: ignore[arg-type]
            raise DRFPermissionDenied(TRANSITIONS[transition].denied)
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return task, dict(serializer.validated_data)

    @_act(s.NoteSerializer, "Tiếp nhận, bắt đầu thực hiện")
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str | None = None) -> Response:
        task, data = self._input(s.NoteSerializer, "start")
        task = services.start_task(
            actor=request.user,  # type: ignore[arg-type]
            task=task,
            note=data.get("note", ""),
            expected_version=data.get("version"),
        )
        return self._done(task)

    @_act(s.ProgressSerializer, "Báo cáo tiến độ")
    @action(detail=True, methods=["post"])
    def progress(self, request: Request, pk: str | None = None) -> Response:
        task, data = self._input(s.ProgressSerializer, "progress")
        services.report_progress(
            actor=request.user,  # type: ignore[arg-type]
            task=task,
            note=data["note"],
            progress=data["progress"],
            expected_version=data.get("version"),
        )
        return self._done(task)

    @_act(s.CompletionSerializer, "Báo cáo hoàn thành")
    @action(detail=True, methods=["post"])
    def completion(self, request: Request, pk: str | None = None) -> Response:
        task, data = self._input(s.CompletionSerializer, "complete")
        services.report_completion(
            actor=request.user,  # type: ignore[arg-type]
            task=task,
            note=data["note"],
            completed_on=data.get("completed_on"),
            expected_version=data.get("version"),
        )
        return self._done(task)

    @_act(s.AcceptSerializer, "Xác nhận hoàn thành (Văn phòng)")
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        task, data = self._input(s.AcceptSerializer, "accept")
        task = services.accept_completion(
            actor=request.user,  # type: ignore[arg-type]
            task=task,
            completed_on=data.get("completed_on"),
            note=data.get("note", ""),
            expected_version=data.get("version"),
        )
        return self._done(task)

    @_act(s.ExtensionSerializer, "Đề nghị gia hạn")
    @action(detail=True, methods=["post"])
    def extension(self, request: Request, pk: str | None = None) -> Response:
        task, data = self._input(s.ExtensionSerializer, "extend")
        services.request_extension(
            actor=request.user,  # type: ignore[arg-type]
            task=task,
            reason=data["reason"],
            proposed_deadline=data["proposed_deadline"],
            expected_version=data.get("version"),
        )
        return self._done(task)


COUNTS = inline_serializer(
    "Counts",
    {name: serializers.IntegerField() for name in ("total", *queries.CATEGORY_LABELS)},
)


@extend_schema(
    summary="Số liệu bảng điều khiển (như trang Bảng điều khiển, hôm nay)",
    responses=inline_serializer(
        "Dashboard",
        {
            "day": serializers.DateField(),
            "totals": COUNTS,
            "overdue_now": serializers.IntegerField(),
            "due_soon": serializers.IntegerField(),
            "awaiting_acceptance": serializers.IntegerField(),
            "units": inline_serializer(
                "DashboardUnit",
                {
                    "unit": serializers.IntegerField(),
                    "name": serializers.CharField(),
                    "counts": COUNTS,
                },
                many=True,
            ),
        },
    ),
)
@api_view(["GET"])
def dashboard(request: Request) -> Response:
    user: User = request.user  # type: ignore[assignment]
    scope = Task.objects.visible_to(user)
    if not user.sees_all_units:
        scope = scope.filter(lead_unit_id=user.unit_id)
    task_filter = TaskFilter(None, queryset=scope, request=request._request)
    today = timezone.localdate()
    found = figures.dashboard(
        user,
        task_filter,
        today,
        stale_days=queries.DEFAULT_STALE_DAYS,
        granularity="month",
        sort="lag",
        unit_rows=None,
    )

    def counts(c: queries.Counts) -> dict[str, int]:
        return {name: getattr(c, name) for name in ("total", *queries.CATEGORY_LABELS)}

    return Response(
        {
            "day": today,
            "totals": counts(found.head.counts),
            "overdue_now": found.head.counts.open_overdue,
            "due_soon": found.head.due_soon,
            "awaiting_acceptance": found.head.awaiting,
            "units": [
                {"unit": row.unit_id, "name": row.name, "counts": counts(row.counts)}
                for row in found.units
            ],
        }
    )


@extend_schema(
    summary="Nhận gói edXML từ trục liên thông (Văn phòng)",
    description=(
        "Gửi gói tin (multipart, trường `file`; hoặc nội dung XML/MIME nguyên gói). Gói được "
        "đọc thành bản xem trước chờ Văn phòng xác nhận trong “Việc cần xử lý”."
    ),
    request={
        "multipart/form-data": {
            "type": "object",
            "properties": {"file": {"type": "string", "format": "binary"}},
        }
    },
    responses={
        201: inline_serializer(
            "EdxmlIntake",
            {
                "ban_nhap": serializers.IntegerField(),
                "so_ky_hieu": serializers.CharField(),
                "xem_truoc": serializers.CharField(),
                "van_de": serializers.ListField(child=serializers.CharField()),
            },
        ),
        400: OpenApiResponse(description="Gói tin không đọc được"),
    },
)
@api_view(["POST"])
@permission_classes([permissions.IsAuthenticated, OfficeOnly])
@parser_classes([parsers.MultiPartParser, parsers.FileUploadParser])
def edxml_intake(request: Request) -> Response:
    upload = request.data.get("file") if hasattr(request.data, "get") else None
    if upload is None or not hasattr(upload, "read"):
        raise ValidationError({"file": ["Hãy gửi gói edXML trong trường “file”."]})
    try:
        draft = exchange.intake(
            actor=request.user,  # type: ignore[arg-type]
            content=upload.read(edxml.max_bytes() + 1),
            file_name=getattr(upload, "name", "") or "goi-tin.edxml",
        )
    except edxml.EdxmlError as error:
        raise ValidationError({"file": [str(error)]}) from None
    return Response(
        {
            "ban_nhap": draft.pk,
            "so_ky_hieu": draft.number,
            "xem_truoc": request.build_absolute_uri(
                f"{reverse('notice_import')}?ban-nhap={draft.pk}"
            ),
            "van_de": draft.problems,
        },
        status=status.HTTP_201_CREATED,
    )


class StatusPackageViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[ExchangePackage]):
    """Gói trạng thái edXML chờ trục liên thông lấy gửi cơ quan đã gửi văn bản."""

    lookup_value_regex = r"[0-9]{1,18}"  # anything else is not an id: 404

    serializer_class = s.PackageSerializer
    permission_classes = [permissions.IsAuthenticated, OfficeOnly]

    def get_queryset(self) -> QuerySet[ExchangePackage]:
        packages = ExchangePackage.objects.filter(
            direction=ExchangePackage.Direction.STATUS
        ).select_related("notice")
        if self.request.query_params.get("tat_ca") != "1":
            packages = packages.filter(collected_at__isnull=True)
        return packages.order_by("created_at", "pk")

    @extend_schema(
        summary="Nội dung một gói trạng thái (XML) và đánh dấu đã lấy",
        request=None,
        responses=inline_serializer(
            "StatusPackageContent",
            {"id": serializers.IntegerField(), "xml_base64": serializers.CharField()},
        ),
    )
    @action(detail=True, methods=["post"])
    def collect(self, request: Request, pk: str | None = None) -> Response:
        package = get_object_or_404(
            ExchangePackage, pk=pk, direction=ExchangePackage.Direction.STATUS
        )
        with package.file.open("rb") as handle:
            content = handle.read()
        if package.collected_at is None:
            ExchangePackage.objects.filter(pk=package.pk, collected_at__isnull=True).update(
                collected_at=timezone.now()
            )
        return Response({"id": package.pk, "xml_base64": base64.b64encode(content).decode()})


REPORT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


class IssuedReportViewSet(viewsets.ReadOnlyModelViewSet[IssuedReport]):
    """Báo cáo đã ban hành (Văn phòng, lãnh đạo UBND): số liệu và các tệp như lúc ban hành."""

    lookup_value_regex = r"[0-9]{1,18}"  # anything else is not an id: 404

    serializer_class = s.IssuedReportSerializer
    permission_classes = [permissions.IsAuthenticated, ReadersOnly]

    def get_queryset(self) -> QuerySet[IssuedReport]:
        return IssuedReport.objects.select_related("issued_by").order_by("-issued_at", "-pk")

    @extend_schema(
        summary="Tệp của báo cáo đã ban hành (xlsx, docx, pdf), đúng như lúc ban hành",
        responses={(200, "application/octet-stream"): OpenApiResponse(description="Tệp")},
    )
    @action(detail=True, methods=["get"], url_path="tep/(?P<fmt>xlsx|docx|pdf)", url_name="file")
    def file(self, request: Request, pk: str | None = None, fmt: str = "pdf") -> FileResponse:
        report = self.get_object()
        return FileResponse(
            getattr(report, fmt).open("rb"),
            as_attachment=True,
            filename=exports.file_name(report.scope(), fmt, report.version),
            content_type=REPORT_TYPES[fmt],
        )
