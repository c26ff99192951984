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
