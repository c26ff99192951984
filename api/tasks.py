"""Celery entry points of the webhooks: one attempt per message; the sweeper retries."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import DatabaseError

from . import webhooks

logger = logging.getLogger(__name__)


@shared_task(name="api.deliver_webhook", soft_time_limit=60, time_limit=90, ignore_result=True)
def deliver_webhook(delivery_id: int) -> str:
    """Post one delivery unless somebody already has; a failure waits for the sweeper."""
    try:
        return webhooks.deliver(delivery_id)
    except webhooks.DeliveryError:
        return "failed"


@shared_task(name="api.sweep_webhooks", soft_time_limit=240, time_limit=300, ignore_result=True)
def sweep_webhooks(limit: int = 2000) -> int:
    """Hand the queue every delivery due: failed ones whose time came, lost ones, abandoned
    ones."""
    try:
        due = list(webhooks.due_for_delivery().values_list("pk", flat=True)[:limit])
    except DatabaseError:
        logger.warning("Webhook sweep skipped: the database is not answering")
        return 0
    for delivery_id in due:
        deliver_webhook.delay(delivery_id)
    return len(due)
