"""Outgoing webhooks: the connected systems are told of task events, signed, at least once.

- **Queued with the change.** `queue_event` is registered on the `task_event` seam: in the
  transaction that writes a timeline row it writes one `WebhookDelivery` per active webhook
  that wants the row's kind and whose account sees the task (`Task.objects.visible_to`), with
  the body fixed then. A change rolled back sends nothing; one committed is never forgotten.
- **Sent once by one worker.** `deliver` claims a delivery with a conditional UPDATE and a
  lease before it posts anything, so two workers never both send it; it is marked delivered
  only after the receiver answered 2xx. A failure is tried again with backoff (1, 2, 4 …
  minutes, at most 6 hours apart, `MAX_ATTEMPTS` in all) by the sweeper (`api.sweep_webhooks`,
  beat), which also takes up a delivery whose message was lost or whose worker died.
- **Idempotent.** Every attempt sends the same body with the same key (`X-DonDoc-Delivery`,
  also the body's `id`), so a receiver that saw a delivery drops a repeat.
- **Signed.** `X-DonDoc-Signature: sha256=<hex>` is the HMAC-SHA256, with the webhook's
  secret, of `<X-DonDoc-Timestamp>.<body>`; `verify` is the receiver's side (README).
- Redirects are not followed; the receiver's answer is read to 2 KB.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from directives.models import Task, TaskEvent
from units.access import require_office
from units.models import User

from .models import Webhook, WebhookDelivery

logger = logging.getLogger(__name__)

Status = WebhookDelivery.Status

MAX_ATTEMPTS = 10
# A worker holds a delivery this long while it posts it (well above the timeout).
LEASE = timedelta(seconds=120)
# A pending delivery not taken this long after it was written: its message was lost.
REQUEUE_AFTER = timedelta(seconds=settings.DONDOC_WEBHOOK_REQUEUE_SECONDS)
USER_AGENT = "DonDoc-Webhook/1"
# A signature older than this is refused by `verify` (a replayed request).
TOLERANCE_SECONDS = 300


def retry_delay(attempts: int) -> timedelta:
    base = max(1, int(settings.DONDOC_WEBHOOK_RETRY_BACKOFF))
    return timedelta(seconds=min(6 * 3600, base * 2 ** max(0, attempts - 1)))


# --- signing ----------------------------------------------------------------------------------


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(
    secret: str,
    *,
    timestamp: str,
    body: bytes,
    signature_header: str,
    now: float | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """The receiver's check: the signature is ours and not older than `tolerance` seconds."""
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - sent) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), signature_header or "")


# --- queueing -----------------------------------------------------------------------------------


def _body(key: uuid.UUID, kind: str, content: dict[str, Any]) -> str:
    return json.dumps(
        {"id": str(key), "type": kind, **content},
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _event_content(event: TaskEvent) -> dict[str, Any]:
    from .serializers import EventSerializer, TaskSerializer

    task = Task.objects.select_related("lead_unit", "notice").get(pk=event.task_id)
    return {
        "created_at": event.created_at,
        "task": TaskSerializer(task).data,
        "event": EventSerializer(event).data,
        "url": settings.DONDOC_BASE_URL.rstrip("/") + reverse("task_detail", args=[task.pk]),
    }


def queue_event(event: TaskEvent) -> list[WebhookDelivery]:
    """The deliveries of one timeline row, written in its transaction and handed to the queue
    once it commits. A fault here is logged, never the person's action refused for it."""
    hooks = [
        hook
        for hook in Webhook.objects.filter(is_active=True, user__is_active=True).select_related(
            "user"
        )
        if not hook.kinds or event.kind in hook.kinds
    ]
    if not hooks:
        return []
    try:
        with transaction.atomic():  # a savepoint: a fault leaves the person's change whole
            return _queue(event, hooks)
    except Exception:
        logger.exception("Webhook deliveries of timeline row %s not queued", event.pk)
        return []


def _queue(event: TaskEvent, hooks: list[Webhook]) -> list[WebhookDelivery]:
    content: dict[str, Any] | None = None
    deliveries = []
    for hook in hooks:
        if not Task.objects.visible_to(hook.user).filter(pk=event.task_id).exists():
            continue
        content = content or _event_content(event)
        key = uuid.uuid4()
        deliveries.append(
            WebhookDelivery(
                webhook=hook,
                event=event,
                key=key,
                kind=event.kind,
                body=_body(key, event.kind, content),
                created_at=event.created_at,
            )
        )
    created = WebhookDelivery.objects.bulk_create(deliveries)
    _send_after_commit([delivery.pk for delivery in created])
    return created


def ping(*, actor: User, webhook: Webhook) -> WebhookDelivery:
    """A test message, to check the address and the secret from the receiver's side."""
    require_office(actor, "Chỉ Văn phòng được gửi thử webhook.")
    key = uuid.uuid4()
    content = {"created_at": timezone.now(), "webhook": webhook.name}
    delivery = WebhookDelivery.objects.create(
        webhook=webhook, key=key, kind="ping", body=_body(key, "ping", content)
    )
    _send_after_commit([delivery.pk])
    return delivery


def _send_after_commit(delivery_ids: list[int]) -> None:
    if not delivery_ids:
        return
    from .tasks import deliver_webhook

    def send() -> None:
        for delivery_id in delivery_ids:
            deliver_webhook.delay(delivery_id)

    transaction.on_commit(send)


# --- delivering ---------------------------------------------------------------------------------


class DeliveryError(Exception):
    def __init__(self, message: str, *, retry_at: dt.datetime | None) -> None:
        super().__init__(message)
        self.retry_at = retry_at


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer like any other non-2xx: not followed."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _claimable(now: dt.datetime) -> Q:
    return Q(webhook__is_active=True) & (
        (
            Q(status__in=[Status.PENDING, Status.FAILED], attempts__lt=MAX_ATTEMPTS)
            & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        )
        | Q(status=Status.SENDING, lease_until__lt=now, attempts__lt=MAX_ATTEMPTS)
    )


def _post(delivery: WebhookDelivery) -> int:
    """Post the delivery; the receiver's status code (2xx), else an exception."""
    body = delivery.body.encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        delivery.webhook.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-DonDoc-Event": delivery.kind,
            "X-DonDoc-Delivery": str(delivery.key),
            "X-DonDoc-Timestamp": timestamp,
            "X-DonDoc-Signature": signature(delivery.webhook.secret, timestamp, body),
        },
    )
    try:
        with _opener.open(request, timeout=settings.DONDOC_WEBHOOK_TIMEOUT) as response:
            response.read(2048)
            return int(response.status)
    except urllib.error.HTTPError as error:
        answer = error.read(2048).decode("utf-8", "replace") if error.fp else ""
        raise ReceiverError(error.code, answer) from error


class ReceiverError(Exception):
    def __init__(self, code: int, answer: str) -> None:
        super().__init__(f"HTTP {code}: {answer.strip()[:500]}")
        self.code = code


def deliver(delivery_id: int) -> str:
    """Post one delivery if it is ours to post: "delivered", or "already" (delivered, held by
    another worker, not due yet, or its webhook is off). A failure raises DeliveryError."""
    now = timezone.now()
    claim = WebhookDelivery.objects.filter(Q(pk=delivery_id) & _claimable(now))
    if not claim.update(status=Status.SENDING, attempts=F("attempts") + 1, lease_until=now + LEASE):
        return "already"
    delivery = WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)
    try:
        code = _post(delivery)
    except Exception as error:
        retry_at = (
            timezone.now() + retry_delay(delivery.attempts)
            if delivery.attempts < MAX_ATTEMPTS
            else None
        )
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            status=Status.FAILED if retry_at else Status.GIVEN_UP,
            last_status=getattr(error, "code", None),
            last_error=f"{type(error).__name__}: {error}"[:2000],
            lease_until=None,
            next_attempt_at=retry_at,
        )
        logger.warning(
            "Webhook delivery %s to %s failed (attempt %s): %s",
            delivery_id,
            delivery.webhook.name,
            delivery.attempts,
            error,
        )
        raise DeliveryError(str(error), retry_at=retry_at) from error
    WebhookDelivery.objects.filter(pk=delivery_id).update(
        status=Status.DELIVERED,
        last_status=code,
        last_error="",
        lease_until=None,
        next_attempt_at=None,
        delivered_at=timezone.now(),
    )
    return "delivered"


def due_for_delivery(now: dt.datetime | None = None) -> QuerySet[WebhookDelivery]:
    """What the sweeper sends: failed ones due again, pending ones whose message never came,
    and those a dead worker held."""
    now = now or timezone.now()
    lost = Q(status=Status.PENDING, created_at__lt=now - REQUEUE_AFTER)
    return WebhookDelivery.objects.filter(
        _claimable(now) & (lost | ~Q(status=Status.PENDING))
    ).order_by("created_at", "pk")


def resend(*, actor: User, delivery: WebhookDelivery) -> WebhookDelivery:
    """The office's "Gửi lại": a delivery not received is tried again now, same key."""
    require_office(actor, "Chỉ Văn phòng được gửi lại webhook.")
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        if delivery.status == Status.DELIVERED:
            raise ValidationError("Lượt gửi này hệ thống đã nhận; không gửi lại.", code="sent")
        if delivery.status == Status.SENDING and (
            delivery.lease_until is None or delivery.lease_until >= timezone.now()
        ):
            raise ValidationError("Lượt gửi này đang được gửi; hãy xem lại sau ít phút.")
        delivery.status = Status.PENDING
        delivery.attempts = 0
        delivery.next_attempt_at = None
        delivery.lease_until = None
        delivery.save(update_fields=["status", "attempts", "next_attempt_at", "lease_until"])
        _send_after_commit([delivery.pk])
    return delivery
