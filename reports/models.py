"""Issued reports: what was sent up the hierarchy for a period, frozen as it was issued."""

from __future__ import annotations

from django.conf import settings
from django.db import models


def issued_path(instance: IssuedReport, filename: str) -> str:
    return f"reports/{instance.issued_at:%Y}/{instance.pk or 'new'}-{filename}"


class IssuedReport(models.Model):
    """A report issued for a scope: its figures and its files never change afterwards.

    Issuing the same scope again makes a new version; earlier versions stay as they were.
    """

    title = models.CharField("tiêu đề", max_length=300)
    notice = models.ForeignKey(
        "directives.Notice",
        verbose_name="thông báo",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issued_reports",
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name="đơn vị",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issued_reports",
    )
    date_from = models.DateField("giao từ ngày", null=True, blank=True)
    date_to = models.DateField("giao đến ngày", null=True, blank=True)
    as_of = models.DateField("số liệu tính đến ngày")
    scope_key = models.CharField("phạm vi", max_length=200, db_index=True)
    version = models.PositiveIntegerField("lần ban hành", default=1)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người ban hành",
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField("thời điểm ban hành")
    figures = models.JSONField("số liệu", default=dict)
    xlsx = models.FileField("tệp Excel", upload_to=issued_path, max_length=255)
    docx = models.FileField("tệp Word", upload_to=issued_path, max_length=255)
    pdf = models.FileField("tệp PDF", upload_to=issued_path, max_length=255)

    class Meta:
        verbose_name = "báo cáo đã ban hành"
        verbose_name_plural = "báo cáo đã ban hành"
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope_key", "version"], name="issued_report_one_version_per_scope"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (lần {self.version})"


class TallyDay(models.Model):
    """The day a tally of the dashboard's figures was built for (reports/tally.py)."""

    day = models.DateField("ngày", unique=True)
    schema = models.CharField("phiên bản chỉ số", max_length=64)
    built_at = models.DateTimeField("lập lúc")

    class Meta:
        verbose_name = "bảng số liệu tổng hợp trong ngày"
        verbose_name_plural = "bảng số liệu tổng hợp trong ngày"

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y}"


class UnitTally(models.Model):
    """Counts of a day's tally: one row per lead unit, and the all-units total in shards.

    `counts` maps each dashboard condition to how many tasks meet it. The total is split over
    `TOTAL_SHARDS` rows (no unit; a task's changes go to shard `task id % TOTAL_SHARDS`) so that
    concurrent changes to different tasks rarely wait for the same row.
    """

    TOTAL_SHARDS = 16

    tally = models.ForeignKey(TallyDay, on_delete=models.CASCADE, related_name="units")
    unit = models.ForeignKey(
        "units.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    shard = models.PositiveSmallIntegerField(default=0)
    counts = models.JSONField(default=dict)

    class Meta:
        verbose_name = "số liệu đơn vị trong ngày"
        verbose_name_plural = "số liệu đơn vị trong ngày"
        constraints = [
            models.UniqueConstraint(
                fields=["tally", "unit"],
                condition=models.Q(unit__isnull=False),
                name="unit_tally_once_per_day",
            ),
            models.UniqueConstraint(
                fields=["tally", "shard"],
                condition=models.Q(unit__isnull=True),
                name="unit_tally_total_shard_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tally} · {self.unit_id or f'tổng {self.shard}'}"
