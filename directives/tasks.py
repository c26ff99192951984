"""Celery entry points of the directives app."""

from __future__ import annotations

from celery import shared_task

from .importer import clean_pending


@shared_task(name="directives.clean_pending_imports")
def clean_pending_imports() -> int:
    """Remove the files of import previews abandoned for more than a day."""
    return clean_pending()
