"""Documents exchanged with the e-office system (edXML, QCVN 102:2016): the package a notice
arrived in, and the status packages sent back to its sender."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class ExchangePackage(models.Model):
    class Direction(models.TextChoices):
        INCOMING = "in", "Nhận"
        STATUS = "status", "Trạng thái gửi lại"

    direction = models.CharField("chiều", max_length=8, choices=Direction)
    notice = models.ForeignKey(
        "directives.Notice",
        verbose_name="thông báo",
        on_delete=models.CASCADE,
        related_name="packages",
    )
    # The other party: the organ that sent the document (for a status, its addressee).
    organ_id = models.CharField("mã định danh cơ quan", max_length=64, blank=True)
    organ_name = models.CharField("tên cơ quan", max_length=255, blank=True)
    code = models.CharField("số, ký hiệu văn bản", max_length=100, blank=True)
    document_id = models.CharField("mã văn bản (DocumentId)", max_length=255, blank=True)
    status_code = models.CharField("mã trạng thái", max_length=4, blank=True)
    description = models.CharField("mô tả", max_length=500, blank=True)
    file = models.FileField("gói edXML", upload_to="edxml/%Y/%m/", max_length=255)
    created_at = models.DateTimeField("thời điểm", default=timezone.now)
    # When the exchange gateway collected a status package (None: waiting).
    collected_at = models.DateTimeField("đã lấy lúc", null=True, blank=True)

    class Meta:
        verbose_name = "gói edXML"
        verbose_name_plural = "gói edXML"
        ordering = ["created_at", "pk"]
        constraints = [
            # Each status is told once per document.
            models.UniqueConstraint(
                fields=["notice", "status_code"],
                condition=Q(direction="status"),
                name="exchange_status_once",
            )
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="exchange_waiting",
                condition=Q(direction="status", collected_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.code} {self.status_code}".strip()
