"""Files of import previews that the office never confirmed."""

from __future__ import annotations

import datetime as dt

from django.core.files.storage import Storage, default_storage
from django.utils import timezone

from core.backup import stored_files

PENDING_ROOT = "imports/pending"
# A preview left open longer than this is abandoned: its copy of the file is removed.
PENDING_LIFETIME = dt.timedelta(days=1)


def clean_pending(*, storage: Storage = default_storage, now: dt.datetime | None = None) -> int:
    """Delete the pending import files older than PENDING_LIFETIME; returns how many."""
    cutoff = (now or timezone.now()) - PENDING_LIFETIME
    try:
        paths = list(stored_files(storage, PENDING_ROOT))
    except FileNotFoundError:
        return 0
    removed = 0
    for path in paths:
        if storage.get_modified_time(path) < cutoff:
            storage.delete(path)
            removed += 1
    return removed
