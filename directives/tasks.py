"""Celery entry points of the directives app."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.core.files.storage import default_storage
from django.utils import timezone

from .importer import clean_pending
from .models import ImportDraft

# A preview nobody confirmed nor set aside leaves the office's inbox after this long.
DRAFT_LIFETIME = timedelta(days=30)


@shared_task(name="directives.clean_pending_imports")
def clean_pending_imports() -> int:
    """Remove the files of import previews abandoned for more than a day, unless the preview
    still waits in the office's inbox; previews left there a month go, with their file."""
    stale = ImportDraft.objects.filter(created_at__lt=timezone.now() - DRAFT_LIFETIME)
    for pending, package in stale.values_list("pending", "package"):
        for path in (pending, package):
            if path and default_storage.exists(path):
                default_storage.delete(path)
    stale.delete()
    waiting = frozenset(
        path
        for pair in ImportDraft.objects.values_list("pending", "package")
        for path in pair
        if path
    )
    return clean_pending(keep=waiting)
