"""Access tokens of the REST API: one per account or connected system, issued and revoked by
the office. Only a hash of the token is kept; the token itself is shown once."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

PREFIX = "dd_"


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    name = models.CharField("tên (hệ thống hoặc mục đích)", max_length=150)
    # The token acts as this account: its role and unit decide what it sees and does.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="tài khoản",
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    key_hash = models.CharField(max_length=64, unique=True)
    # The first characters, to tell tokens apart in the list.
    hint = models.CharField("đầu mã", max_length=12)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người cấp",
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("cấp lúc", default=timezone.now)
    last_used_at = models.DateTimeField("dùng lần cuối", null=True, blank=True)
    revoked_at = models.DateTimeField("thu hồi lúc", null=True, blank=True)

    class Meta:
        verbose_name = "mã truy cập API"
        verbose_name_plural = "mã truy cập API"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @classmethod
    def issue(cls, *, name: str, user: object, created_by: object) -> tuple[ApiToken, str]:
        """A new token; returns it with the key, which is not kept anywhere."""
        key = PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            name=name,
            user=user,
            key_hash=digest(key),
            hint=key[:10],
            created_by=created_by,
        )
        return token, key


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class Webhook(models.Model):
    """A connected system told of task events: each event is posted to `url` as JSON, signed
    with the webhook's secret, retried until the system answers 2xx (api/webhooks.py)."""

    name = models.CharField("tên hệ thống", max_length=150)
    url = models.URLField("địa chỉ nhận (URL)", max_length=500)
    # Events of the tasks this account sees (its role and unit), as with an API token.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="tài khoản (phạm vi nhiệm vụ)",
        on_delete=models.CASCADE,
        related_name="webhooks",
    )
    # Timeline kinds (TaskEvent.Kind) to send; empty: every kind.
    kinds = models.JSONField("loại sự kiện", default=list, blank=True)
    secret = models.CharField(max_length=100, default=new_secret)
    is_active = models.BooleanField("đang gửi", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người tạo",
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("tạo lúc", default=timezone.now)

    class Meta:
        verbose_name = "webhook"
        verbose_name_plural = "webhook"
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(models.Model):
    """One event for one webhook: its body is fixed when the event happens, and every attempt
    sends the same body with the same key (`X-DonDoc-Delivery`), so the receiver can drop a
    repeat."""

    class Status(models.TextChoices):
        PENDING = "pending", "Chờ gửi"
        SENDING = "sending", "Đang gửi"
        DELIVERED = "delivered", "Đã nhận"
        FAILED = "failed", "Lỗi, sẽ thử lại"
        GIVEN_UP = "given_up", "Đã thôi thử"

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    # The timeline row it tells of; none for a test message.
    event = models.ForeignKey(
        "directives.TaskEvent",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    key = models.UUIDField(unique=True)
    kind = models.CharField("sự kiện", max_length=40)
    body = models.TextField()
    status = models.CharField(
        "trạng thái", max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField("số lần gửi", default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField("mã trả lời", null=True, blank=True)
    last_error = models.TextField("lỗi gần nhất", blank=True)
    created_at = models.DateTimeField("tạo lúc", default=timezone.now)
    delivered_at = models.DateTimeField("nhận lúc", null=True, blank=True)

    class Meta:
        verbose_name = "lượt gửi webhook"
        verbose_name_plural = "lượt gửi webhook"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["webhook", "event"], name="webhook_delivery_once_per_event"
            ),
        ]
        indexes = [
            # The sweeper's reading: what is not delivered yet.
            models.Index(
                fields=["status", "next_attempt_at"],
                name="webhook_delivery_open",
                condition=models.Q(status__in=["pending", "sending", "failed"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.webhook} · {self.kind} · {self.key}"
