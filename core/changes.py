"""One shape for a recorded change, wherever it is kept: `{field: [old, new]}` in plain JSON.

Used by the audit of units and accounts (`AuditEntry.changes`), the history of a notice's header
(`NoticeRevision.changes`) and a task's corrections (`TaskEvent.data["changes"]`), and read back
as one list by the office's change history (`reports.audit`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import models


def plain(value: Any) -> Any:
    """A value as the change record keeps it: a row by its name, a date in ISO, a list in
    order, a set sorted."""
    if isinstance(value, models.Model):
        return str(getattr(value, "name", value))
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(plain(item) for item in value)
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def diff_values(obj: Any, values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The fields of `values` that differ from `obj`'s, as `{field: [old, new]}` (plain).

    Compares without changing `obj`: the caller applies what it accepts.
    """
    return {
        name: [plain(getattr(obj, name)), plain(value)]
        for name, value in values.items()
        if getattr(obj, name) != value
    }
