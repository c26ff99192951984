"""Reminders (docs/domain.md §5): the ladder of steps, and the log of every digest sent.

A digest is what one person receives on one day through one channel; it lists items, each a
task at a step of the ladder. The database's uniqueness rules make a second send impossible:
one digest per (person, day, channel), one item per (digest, task, step).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Prefetch, Q

from directives.models import Task


class ReminderStep(models.Model):
    """One rung of the ladder, counted in working days from the deadline; editable by the office."""

    name = models.CharField("tên bước", max_length=100)
    offset = models.SmallIntegerField(
        "số ngày làm việc so với hạn",
        help_text=(
            "Âm: trước hạn (−7 là 7 ngày làm việc trước hạn); 0: đúng ngày hạn; dương: sau hạn."
        ),
    )
    repeat_every = models.PositiveSmallIntegerField(
        "lặp lại sau mỗi (ngày làm việc)",
        default=0,
        help_text="0: chỉ một lần. 5: hằng tuần cho đến khi hoàn thành.",
    )
    to_staff = models.BooleanField("gửi chuyên viên đơn vị chủ trì", default=True)
    to_head = models.BooleanField("gửi lãnh đạo đơn vị chủ trì", default=False)
    to_office = models.BooleanField("gửi Văn phòng", default=False)
    is_active = models.BooleanField("đang dùng", default=True)

    class Meta:
        verbose_name = "bước nhắc việc"
        verbose_name_plural = "các bước nhắc việc"
        ordering = ["offset"]
        constraints = [
            models.UniqueConstraint(fields=["offset"], name="reminder_step_unique_offset"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def key(self) -> str:
        return f"step-{self.offset}"

    def fires_at(self, offset: int) -> bool:
        if offset == self.offset:
            return True
        return (
            bool(self.repeat_every)
            and offset > self.offset
            and ((offset - self.offset) % self.repeat_every == 0)
        )


class Channel(models.TextChoices):
    IN_APP = "inapp", "Trong ứng dụng"
    EMAIL = "email", "Thư điện tử"
    SMS = "sms", "Tin nhắn SMS"


class ReminderDigest(models.Model):
    """What one person receives on one day through one channel.

    Delivered at least once, and never twice where the channel honours the digest's
    idempotency key (the e-mail's Message-ID, the SMS gateway's request id). Items planned after
    the day's digest went out go into the next one (`sequence` 1, 2, …), never into a sent one.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Chờ gửi"
        SENDING = "sending", "Đang gửi"
        SENT = "sent", "Đã gửi"
        FAILED = "failed", "Gửi lỗi"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người nhận",
        on_delete=models.CASCADE,
        related_name="reminder_digests",
    )
    day = models.DateField("ngày nhắc")
    channel = models.CharField("kênh", max_length=8, choices=Channel)
    sequence = models.PositiveSmallIntegerField("lượt trong ngày", default=0)
    status = models.CharField(
        "kết quả", max_length=8, choices=Status, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField("số lần gửi", default=0)
    last_error = models.TextField("lỗi gần nhất", blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    sent_at = models.DateTimeField("gửi lúc", null=True, blank=True)
    # When it was last handed to the queue (the sweeper hands it again if it never arrived).
    queued_at = models.DateTimeField("đưa vào hàng đợi lúc", null=True, blank=True)
    # A worker holds a digest it is sending until then; past it, the digest is taken again.
    lease_until = models.DateTimeField("giữ để gửi đến", null=True, blank=True)
    # A failed digest is tried again from then on, until MAX_ATTEMPTS.
    next_attempt_at = models.DateTimeField("thử lại lúc", null=True, blank=True)

    class Meta:
        verbose_name = "lượt nhắc việc"
        verbose_name_plural = "nhật ký nhắc việc"
        ordering = ["-day", "recipient_id", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "day", "channel", "sequence"],
                name="reminder_digest_once_a_day",
            ),
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False) | ~Q(status="sent"),
                name="reminder_digest_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.day:%d/%m/%Y} · {self.get_channel_display()}"

    @property
    def idempotency_key(self) -> str:
        """The same for every attempt at this digest: the channel drops a repeat it has seen."""
        return f"dondoc-reminder-{self.pk}"


class ReminderItem(models.Model):
    """One line of a digest: a task at a step of the ladder (or the leadership's summary)."""

    digest = models.ForeignKey(
        ReminderDigest, verbose_name="lượt nhắc", on_delete=models.CASCADE, related_name="items"
    )
    task = models.ForeignKey(
        Task,
        verbose_name="nhiệm vụ",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminder_items",
    )
    step = models.CharField("bước", max_length=32)
    label = models.CharField("nội dung nhắc", max_length=200)

    class Meta:
        verbose_name = "nội dung nhắc việc"
        verbose_name_plural = "nội dung nhắc việc"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["digest", "task", "step"], name="reminder_item_once_per_task_step"
            ),
            models.UniqueConstraint(
                fields=["digest", "step"],
                condition=Q(task__isnull=True),
                name="reminder_item_once_per_summary",
            ),
        ]

    def __str__(self) -> str:
        return self.label


def sent_reminders_prefetch() -> list[Prefetch[Any]]:
    """The reminders delivered about a task, newest day first, as `task.sent_reminders`."""
    return [
        Prefetch(
            "reminder_items",
            queryset=ReminderItem.objects.filter(digest__status=ReminderDigest.Status.SENT)
            .select_related("digest__recipient")
            .order_by("-digest__day", "digest__recipient_id"),
            to_attr="sent_reminders",
        )
    ]
