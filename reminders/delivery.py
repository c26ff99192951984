"""Delivering a digest: at least once, and the channel drops a repeat by the digest's key.

`deliver` claims a digest by moving it to sending, with a lease, in one conditional UPDATE
before it sends anything, so two workers never both hold it; it is marked sent only after its
channel accepted it. A failure is tried again with backoff over hours; `due_for_delivery` is
what the sweeper hands the queue again (docs/operations.md says what is promised).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from directives.models import Notification
from units.access import require_office
from units.models import User

from . import channels
from .models import Channel, ReminderDigest

logger = logging.getLogger(__name__)

_OPEN = (ReminderDigest.Status.PENDING, ReminderDigest.Status.FAILED)

# A worker holds a digest while it sends it; longer than any send may take (the task's time
# limit), after which the digest is taken again (its worker died). DONDOC_REMINDER_LEASE_SECONDS.
LEASE = timedelta(seconds=settings.DONDOC_REMINDER_LEASE_SECONDS)
# Failed sends are tried again after 1, 2, 4 … minutes, at most an hour apart, this many times
# in all (about six hours), then left for the office's "Gửi lại".
MAX_ATTEMPTS = 12
# A pending digest handed to the queue this long ago and not taken: the message was lost.
# DONDOC_REMINDER_REQUEUE_SECONDS.
REQUEUE_AFTER = timedelta(seconds=settings.DONDOC_REMINDER_REQUEUE_SECONDS)
# The sweeper looks this many days back: older reminders are no longer worth sending.
SWEEP_DAYS = settings.DONDOC_REMINDER_SWEEP_DAYS


def retry_delay(attempts: int) -> timedelta:
    base = max(1, int(settings.DONDOC_REMINDER_RETRY_BACKOFF))
    return timedelta(seconds=min(3600, base * 2 ** max(0, attempts - 1)))


class DeliveryError(Exception):
    """A channel refused or failed to take a digest; it is tried again at `retry_at`."""

    def __init__(self, message: str, *, retry_at: dt.datetime | None) -> None:
        super().__init__(message)
        self.retry_at = retry_at


def _claimable(now: dt.datetime) -> Q:
    """Pending, or failed and due again, or held by a worker whose lease ran out."""
    return (
        Q(status__in=_OPEN, attempts__lt=MAX_ATTEMPTS)
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    ) | Q(status=ReminderDigest.Status.SENDING, lease_until__lt=now, attempts__lt=MAX_ATTEMPTS)


def deliver(digest_id: int) -> str:
    """Send one digest if it is ours to send: "sent", or "already" (sent, held by another
    worker, or not due yet). A failure raises DeliveryError with when to try again."""
    now = timezone.now()
    claim = ReminderDigest.objects.filter(Q(pk=digest_id) & _claimable(now))
    channel = ReminderDigest.objects.filter(pk=digest_id).values_list("channel", flat=True).first()
    if channel is None:
        return "already"
    taken = {
        "status": ReminderDigest.Status.SENDING,
        "attempts": F("attempts") + 1,
        "lease_until": now + LEASE,
    }
    if channel == Channel.IN_APP:
        # In-app delivery is a database write: claim, write and mark sent in one transaction.
        with transaction.atomic():
            if not claim.update(**taken):
                return "already"
            digest = ReminderDigest.objects.select_related("recipient").get(pk=digest_id)
            _write_in_app(digest)
            _mark_sent(digest_id)
        return "sent"

    if not claim.update(**taken):
        return "already"
    digest = ReminderDigest.objects.select_related("recipient__unit").get(pk=digest_id)
    try:
        channels.send(digest)
    except Exception as error:
        retry_at = (
            timezone.now() + retry_delay(digest.attempts)
            if digest.attempts < MAX_ATTEMPTS
            else None
        )
        ReminderDigest.objects.filter(pk=digest_id).update(
            status=ReminderDigest.Status.FAILED,
            last_error=f"{type(error).__name__}: {error}"[:2000],
            lease_until=None,
            next_attempt_at=retry_at,
        )
        logger.warning(
            "Reminder digest %s (%s) failed (attempt %s): %s",
            digest_id,
            digest.channel,
            digest.attempts,
            type(error).__name__,
        )
        raise DeliveryError(str(error), retry_at=retry_at) from error
    _mark_sent(digest_id)
    return "sent"


def due_for_delivery(now: dt.datetime | None = None) -> QuerySet[ReminderDigest]:
    """What the sweeper hands to the queue again: pending digests whose message never came,
    failed ones due for their next attempt, and those a dead worker held."""
    now = now or timezone.now()
    since = timezone.localdate(now) - timedelta(days=SWEEP_DAYS)
    lost = Q(status=ReminderDigest.Status.PENDING) & (
        Q(queued_at__isnull=True, created_at__lt=now - REQUEUE_AFTER)
        | Q(queued_at__lt=now - REQUEUE_AFTER)
    )
    again = Q(
        status=ReminderDigest.Status.FAILED, attempts__lt=MAX_ATTEMPTS, next_attempt_at__lte=now
    )
    abandoned = Q(
        status=ReminderDigest.Status.SENDING, lease_until__lt=now, attempts__lt=MAX_ATTEMPTS
    )
    return ReminderDigest.objects.filter(Q(day__gte=since) & (lost | again | abandoned))


def mark_queued(digest_ids: Iterable[int]) -> None:
    ReminderDigest.objects.filter(pk__in=list(digest_ids)).update(queued_at=timezone.now())


def stuck_digests() -> QuerySet[ReminderDigest]:
    """Digests that need the office: tried MAX_ATTEMPTS times without success, or left
    "sending" past the lease (the sweeper takes those again; still shown until it has)."""
    now = timezone.now()
    return ReminderDigest.objects.filter(
        Q(status=ReminderDigest.Status.FAILED, attempts__gte=MAX_ATTEMPTS)
        | Q(status=ReminderDigest.Status.SENDING, lease_until__lt=now)
    )


def resend(*, actor: User, digest: ReminderDigest) -> ReminderDigest:
    """The office's "Gửi lại": a digest not sent is tried again now, with a fresh budget.

    The same digest and key: where the channel honours the key, a copy that did arrive is
    not shown twice.
    """
    require_office(actor, "Chỉ Văn phòng được gửi lại nhắc việc.")
    with transaction.atomic():
        digest = ReminderDigest.objects.select_for_update().get(pk=digest.pk)
        if digest.status == ReminderDigest.Status.SENT:
            raise ValidationError("Lượt nhắc này đã gửi xong; không gửi lại.", code="sent")
        if digest.status == ReminderDigest.Status.SENDING and (
            digest.lease_until is None or digest.lease_until >= timezone.now()
        ):
            raise ValidationError(
                "Lượt nhắc này đang được gửi; hãy xem lại sau ít phút.", code="sending"
            )
        digest.status = ReminderDigest.Status.PENDING
        digest.attempts = 0
        digest.next_attempt_at = None
        digest.lease_until = None
        digest.queued_at = timezone.now()
        digest.save(
            update_fields=["status", "attempts", "next_attempt_at", "lease_until", "queued_at"]
        )
    return digest


def _mark_sent(digest_id: int) -> None:
    ReminderDigest.objects.filter(pk=digest_id).update(
        status=ReminderDigest.Status.SENT, sent_at=timezone.now(), last_error="", lease_until=None
    )


SECTION_MESSAGES = {
    "overdue": "{} nhiệm vụ quá hạn",
    "upcoming": "{} nhiệm vụ sắp đến hạn hoặc đến hạn",
    "for_office": "{} việc chờ Văn phòng xử lý (xác nhận hoàn thành, gia hạn, đơn vị trả lại)",
    "to_receive": "{} nhiệm vụ mới giao chưa được tiếp nhận",
    "for_head": "{} báo cáo hoàn thành chờ lãnh đạo đơn vị duyệt",
}


def _write_in_app(digest: ReminderDigest) -> None:
    """One notification per task; beyond a screenful, one per section with its count."""
    items = list(digest.items.values_list("task_id", "label", "step"))
    per_task: list[tuple[int | None, str]] = [
        (task_id, label) for task_id, label, _ in items if task_id is not None
    ]
    if len(per_task) > channels.DIGEST_LINES:
        counts: dict[str, int] = defaultdict(int)
        for _, _, step in items:
            counts[channels.section_of(step)] += 1
        per_task = [
            (None, SECTION_MESSAGES[section].format(count))
            for section, count in counts.items()
            if section in SECTION_MESSAGES
        ]
    summaries: list[tuple[int | None, str]] = [
        (None, label) for task_id, label, _ in items if task_id is None
    ]
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=digest.recipient_id,
                task_id=task_id,
                message=f"Nhắc việc: {label}"[:300],
            )
            for task_id, label in per_task + summaries
        ]
    )
