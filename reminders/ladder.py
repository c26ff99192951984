"""The default ladder of docs/domain.md §5, written by a data migration; the office may edit it."""

from __future__ import annotations

from typing import Any

# name, offset in working days, repeat every (0 = once), to staff, to head, to office
DEFAULT_LADDER: tuple[tuple[str, int, int, bool, bool, bool], ...] = (
    ("7 ngày làm việc trước hạn", -7, 0, True, False, False),
    ("3 ngày làm việc trước hạn", -3, 0, True, False, False),
    ("1 ngày làm việc trước hạn", -1, 0, True, False, False),
    ("Đến hạn hôm nay", 0, 0, True, False, False),
    ("Quá hạn 1 ngày làm việc", 1, 0, True, True, False),
    ("Quá hạn, nhắc hằng tuần", 6, 5, True, True, True),
)


def ensure_default_ladder(step_model: Any) -> None:
    """Add the default steps that are missing (by offset); never changes the office's edits."""
    for name, offset, repeat, staff, head, office in DEFAULT_LADDER:
        step_model.objects.get_or_create(
            offset=offset,
            defaults={
                "name": name,
                "repeat_every": repeat,
                "to_staff": staff,
                "to_head": head,
                "to_office": office,
            },
        )
