"""Issued reports: what was sent up the hierarchy for a period, frozen as it was issued."""

from __future__ import annotations

import uuid
from typing import Any

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

    def scope(self) -> Any:
        """The scope it was issued for (reports.exports.Scope)."""
        from .exports import Scope

        return Scope(
            as_of=self.as_of,
            notice=self.notice,
            date_from=self.date_from,
            date_to=self.date_to,
            unit=self.unit,
        )


class TallyDay(models.Model):
    """The day a tally of the dashboard's figures was built for (reports/tally.py)."""

    day = models.DateField("ngày", unique=True)
    schema = models.CharField("phiên bản chỉ số", max_length=64)
    built_at = models.DateTimeField("lập lúc")
    # New at every build (a rebuild of the same day included): what a process kept of the
    # rows before it is not read again (reports.tally.unit_table).
    build = models.UUIDField("lần lập", default=uuid.uuid4)

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
    # Which write moved the row last (reports.tally._revision_written: on PostgreSQL the
    # writing transaction's id; elsewhere one more than any row's): a process that keeps the
    # unit table reads again only the rows moved since it last read them.
    revision = models.BigIntegerField(default=0)

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
        indexes = [models.Index(fields=["tally", "revision"], name="unit_tally_revision")]

    def __str__(self) -> str:
        return f"{self.tally} · {self.unit_id or f'tổng {self.shard}'}"


class GeneralScore(models.Model):
    """The general criteria of Nghị định 335 (up to 30 points: political quality, ethics,
    discipline, attitude …) for one person and one period, entered by the unit's head."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="công chức",
        on_delete=models.CASCADE,
        related_name="general_scores",
    )
    period = models.CharField("kỳ đánh giá", max_length=8)
    points = models.DecimalField("điểm tiêu chí chung", max_digits=4, decimal_places=1)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người chấm",
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_at = models.DateTimeField("thời điểm chấm", auto_now=True)

    class Meta:
        verbose_name = "điểm tiêu chí chung"
        verbose_name_plural = "điểm tiêu chí chung"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "period"], name="general_score_once_per_period"
            ),
            models.CheckConstraint(
                condition=models.Q(points__gte=0, points__lte=30),
                name="general_score_0_30",
                violation_error_message="Điểm tiêu chí chung từ 0 đến 30.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.period}: {self.points}"


class EvaluationClosing(models.Model):
    """A period closed by the office: its figures are frozen as they were, like an issued
    report; the general scores can no longer change."""

    period = models.CharField("kỳ đánh giá", max_length=8, unique=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người chốt",
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField("thời điểm chốt")
    figures = models.JSONField("số liệu đã chốt", default=dict)

    class Meta:
        verbose_name = "kỳ đánh giá đã chốt"
        verbose_name_plural = "kỳ đánh giá đã chốt"

    def __str__(self) -> str:
        return self.period
