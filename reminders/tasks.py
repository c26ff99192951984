"""Celery entry points: thin, they take ids or a day and call the services."""

from __future__ import annotations

import logging
from datetime import date
from functools import partial

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import services

logger = logging.getLogger(__name__)


@shared_task(name="reminders.send_daily", soft_time_limit=900, time_limit=960)
def send_daily_reminders(day: str | None = None) -> dict[str, int]:
    """Plan and record the day's reminders, then queue one delivery per digest."""
    when = date.fromisoformat(day) if day else timezone.localdate()
    stuck = services.stuck_digests().count()
    if stuck:
        logger.warning("%d reminder digests are stuck in 'sending' (see the send log)", stuck)
    with transaction.atomic():
        recorded = services.record_chunks(when, services.plan_chunks(when))
        for digest_id in recorded.digest_ids:
            transaction.on_commit(partial(deliver_digest.delay, digest_id))
    return {"recipients": recorded.recipients, "queued": len(recorded.digest_ids)}


@shared_task(
    bind=True,
    name="reminders.deliver",
    autoretry_for=(services.DeliveryError,),
    retry_backoff=settings.DONDOC_REMINDER_RETRY_BACKOFF,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=6,
    soft_time_limit=60,
    time_limit=90,
)
def deliver_digest(self: object, digest_id: int) -> str:
    """Send one digest unless somebody already has."""
    return services.deliver(digest_id)
