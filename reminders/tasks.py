"""Celery entry points: thin, they take ids or a day and call the services.

Delivery is at least once: each digest is handed to the queue when recorded, a failed send is
retried with backoff over hours, and `sweep_reminders` (beat, every few minutes) hands the queue
again whatever did not arrive or was left half-done (docs/operations.md).
"""

from __future__ import annotations

import logging
from datetime import date
from functools import partial
from typing import Any

from celery import shared_task
from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.utils import timezone

from directives.services import ensure_periods

from . import delivery, services

logger = logging.getLogger(__name__)

# Errors of the database itself (a restart, a dropped connection): the work is tried again.
DATABASE_DOWN = (OperationalError, InterfaceError)


@shared_task(
    name="reminders.send_daily",
    soft_time_limit=900,
    time_limit=960,
    autoretry_for=DATABASE_DOWN,
    retry_backoff=30,
    max_retries=20,
)
def send_daily_reminders(day: str | None = None) -> dict[str, int]:
    """Plan and record the day's reminders, then queue one delivery per digest."""
    when = date.fromisoformat(day) if day else timezone.localdate()
    stuck = delivery.stuck_digests().count()
    if stuck:
        logger.warning("%d reminder digests need the office (see the send log)", stuck)
    ensure_periods(when)  # the recurring duties' periods up to the day exist before planning
    with transaction.atomic():
        recorded = services.record_chunks(when, services.plan_chunks(when))
        delivery.mark_queued(recorded.digest_ids)
        for digest_id in recorded.digest_ids:
            transaction.on_commit(partial(deliver_digest.delay, digest_id))
    return {"recipients": recorded.recipients, "queued": len(recorded.digest_ids)}


# The task's limits stay above the channels' own timeouts (EMAIL_TIMEOUT, the SMS gateway's),
# so a slow server ends in a clean failure and a retry, never in a task killed mid-send.
@shared_task(bind=True, name="reminders.deliver", soft_time_limit=60, time_limit=90)
def deliver_digest(self: Any, digest_id: int) -> str:
    """Send one digest unless somebody already has; a failure is tried again later."""
    try:
        return delivery.deliver(digest_id)
    except delivery.DeliveryError as error:
        if error.retry_at is None:
            logger.warning("Reminder digest %s given up; the office can send it again", digest_id)
            return "failed"
        countdown = max(1.0, (error.retry_at - timezone.now()).total_seconds())
        raise self.retry(countdown=countdown, max_retries=None) from error
    except DATABASE_DOWN as error:
        # The digest is unchanged (its transaction rolled back) or held under a lease that
        # runs out; try again soon, and the sweeper would in any case.
        delay = delivery.retry_delay(self.request.retries + 1).total_seconds()
        logger.warning(
            "Reminder digest %s: the database is not answering (%s); trying again in %.0f s",
            digest_id,
            type(error).__name__,
            delay,
        )
        raise self.retry(countdown=delay, max_retries=20) from error


@shared_task(name="reminders.sweep", soft_time_limit=240, time_limit=300, ignore_result=True)
def sweep_reminders(limit: int = 5000) -> int:
    """Hand the queue again every digest that should be on its way and is not."""
    try:
        due = list(delivery.due_for_delivery().values_list("pk", flat=True)[:limit])
        delivery.mark_queued(due)
    except DatabaseError:
        logger.warning("Reminder sweep skipped: the database is not answering")
        return 0
    for digest_id in due:
        deliver_digest.delay(digest_id)
    if due:
        logger.info("Reminder sweep queued %d digests again", len(due))
    return len(due)
