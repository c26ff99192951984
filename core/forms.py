"""Form pieces every app uses: dates typed and read as dd/mm/yyyy or ISO."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

# The dates the app reads: far enough either way for any notice, deadline or report, and far
# from the calendar's ends, where date arithmetic (a deadline's working days, a period's end)
# would overflow.
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2999, 12, 31)


def check_day_in_range(value: dt.date) -> None:
    if value is not None and not FIRST_DAY <= value <= LAST_DAY:
        raise ValidationError(
            f"Ngày {value:%d/%m/%Y} nằm ngoài khoảng hệ thống xử lý "
            f"({FIRST_DAY:%d/%m/%Y} – {LAST_DAY:%d/%m/%Y}).",
            code="out_of_range",
        )


DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]


class DateInput(forms.DateInput):
    """A date typed and shown as dd/mm/yyyy whatever the browser's language (a native date
    field follows the browser's locale: mm/dd/yyyy in an English Chromium); the page adds a
    Vietnamese calendar to pick from (static/js/forms.js, flatpickr)."""

    input_type = "text"

    def __init__(self, **kwargs: Any) -> None:
        attrs = {
            "placeholder": "dd/mm/yyyy",
            "inputmode": "numeric",
            "autocomplete": "off",
            "maxlength": "10",
            "data-date": "",
            **kwargs.pop("attrs", {}),
        }
        super().__init__(format="%d/%m/%Y", attrs=attrs, **kwargs)


def date_field(label: str, *, required: bool = False, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(),
        input_formats=DATE_INPUT_FORMATS,
        help_text=help_text,
        error_messages={"invalid": "Ngày không hợp lệ (dd/mm/yyyy)."},
        validators=[check_day_in_range],
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


# The largest key a database column holds: a larger number typed into a form is no choice.
MAX_PK = 2**63 - 1


def _plain_pk(value: Any) -> bool:
    text = str(value).strip()
    return text.isdigit() and int(text) <= MAX_PK


class SafeModelChoiceField(forms.ModelChoiceField):
    """A model choice that refuses a non-number or an out-of-range number as a form error
    before it reaches the database (SQLite raises OverflowError past 64 bits)."""

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and not _plain_pk(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several model choices, each refused as a form error unless a plain, in-range key."""

    def clean(self, value: Any) -> Any:
        for item in value if isinstance(value, list | tuple) else ():
            if not _plain_pk(item):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": item},
                )
        return super().clean(value)
