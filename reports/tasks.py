"""Celery entry points of the reports."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import tally


@shared_task(name="reports.build_tally", soft_time_limit=1800, time_limit=1900)
def build_tally() -> dict[str, object]:
    """Count today's dashboard figures once, just after midnight (reports/tally.py)."""
    today = timezone.localdate()
    built = tally.build(today)
    return {"day": today.isoformat(), "units": built.units.count()}
