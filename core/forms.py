"""Form pieces every app uses: dates typed and read as dd/mm/yyyy or ISO."""

from __future__ import annotations

import copy
from typing import Any

from django import forms

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def date_field(label: str, *, required: bool = False, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(),
        input_formats=DATE_INPUT_FORMATS,
        help_text=help_text,
        error_messages={"invalid": "Ngày không hợp lệ (dd/mm/yyyy)."},
    )


class DetachedModelForm(forms.ModelForm):
    """A ModelForm that validates a copy of its row, never the row itself.

    Django's `is_valid()` writes the cleaned values onto `instance`; an edit page then holds a
    row that no longer matches the database. Here the form works on a copy, so the page keeps
    the row as it is and passes it, with the form's values, to the service that changes it.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("instance") is not None:
            kwargs["instance"] = copy.copy(kwargs["instance"])
        super().__init__(*args, **kwargs)
