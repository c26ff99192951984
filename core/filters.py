"""Filter pieces every app uses."""

from __future__ import annotations

from typing import Any

import django_filters

from .forms import DATE_INPUT_FORMATS, DateInput, check_day_in_range


def date_filter(
    label: str, field_name: str, lookup_expr: str, **kwargs: Any
) -> django_filters.DateFilter:
    """A date bound of a range, typed as a date input, read as ISO or dd/mm/yyyy."""
    return django_filters.DateFilter(
        label=label,
        field_name=field_name,
        lookup_expr=lookup_expr,
        widget=DateInput(),
        input_formats=DATE_INPUT_FORMATS,
        validators=[check_day_in_range],
        error_messages={"invalid": "Ngày không hợp lệ (dd/mm/yyyy)."},
        **kwargs,
    )
