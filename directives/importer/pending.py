"""The uploaded file of an import preview, kept until the office confirms or abandons it."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.utils import timezone

from core.backup import stored_files

PENDING_ROOT = "imports/pending"
# A preview left open longer than this is abandoned: its copy of the file is removed.
PENDING_LIFETIME = dt.timedelta(days=1)
# One folder per preview, one file in it; a name of dots only ("..") is never a file.
_PENDING = re.compile(r"^imports/pending/[0-9a-f]{32}/(?!\.+$)[\w.\- ]{1,120}$")


def keep_pending(name: str, content: bytes, *, storage: Storage = default_storage) -> str:
    """Keep an uploaded file while its preview is open; returns its path for the form."""
    file_name = re.sub(r"[^\w.\- ]", "_", PurePath(name or "thong-bao").name)[:120]
    if not file_name.strip("."):
        file_name = "thong-bao"
    return storage.save(f"{PENDING_ROOT}/{uuid.uuid4().hex}/{file_name}", ContentFile(content))


def pending_path(value: str) -> str:
    """The path a preview form sent back, if it is one `keep_pending` made; else ""."""
    return value if value and _PENDING.match(value) else ""


def clean_pending(
    *,
    storage: Storage = default_storage,
    now: dt.datetime | None = None,
    keep: frozenset[str] = frozenset(),
) -> int:
    """Delete the pending import files older than PENDING_LIFETIME, except those in `keep`
    (a preview still waiting in the office's inbox); returns how many."""
    cutoff = (now or timezone.now()) - PENDING_LIFETIME
    try:
        paths = list(stored_files(storage, PENDING_ROOT))
    except FileNotFoundError:
        return 0
    removed = 0
    for path in paths:
        if path not in keep and storage.get_modified_time(path) < cutoff:
            storage.delete(path)
            removed += 1
    return removed
