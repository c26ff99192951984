"""Figures for lists, the dashboard and reports: typed functions that aggregate in the database."""

from __future__ import annotations

from datetime import date

from django.db.models import Count

from directives.models import TaskQuerySet
from directives.timeliness import Timeliness, bucket_q


def timeliness_counts(tasks: TaskQuerySet, today: date) -> dict[Timeliness, int]:
    """How many of `tasks` fall in each timeliness bucket on `today`, in one query."""
    row = tasks.order_by().aggregate(
        **{bucket.value: Count("pk", filter=bucket_q(bucket, today)) for bucket in Timeliness}
    )
    return {bucket: row[bucket.value] or 0 for bucket in Timeliness}
