"""A select that renders its options in one pass.

Django renders every <option> through a template; a unit picker at province scale has thousands
of them, which made the filter forms the slowest part of the list and the dashboard.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from html import escape
from typing import Any

import django_filters
import django_filters.fields
from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from .cache import KeptInProcess


def options_html(choices: Iterable[Any], selected: set[str]) -> str:
    """<option>s (and <optgroup>s) in one pass, every value and label escaped: format_html per
    option costs ~20 µs, and a picker has thousands."""
    out = []
    for value, label in choices:
        if isinstance(label, list | tuple):  # an optgroup: its own (value, label) pairs
            out.append(f'<optgroup label="{escape(str(value))}">')
            out.append(options_html(label, selected))
            out.append("</optgroup>")
            continue
        text = "" if value is None else str(value)
        mark = " selected" if text in selected else ""
        out.append(f'<option value="{escape(text)}"{mark}>{escape(str(label))}</option>')
    return "".join(out)


# Options kept as HTML in this process (`select_options`), by their key.
KEPT_OPTIONS_SECONDS = 300.0
_KEPT_OPTIONS: KeptInProcess[str, str] = KeptInProcess(KEPT_OPTIONS_SECONDS, 32)


def select_options(widget: forms.Select, selected: set[str]) -> str:
    """`widget`'s <option>s with `selected` marked. A widget that names the version of its
    choices (`options_key`: a key that changes whenever they do) has them written once and
    kept in this process (at most `KEPT_OPTIONS_SECONDS`), the selection marked on the copy:
    a province's unit picker is thousands of options on every list after any change."""
    key = getattr(widget, "options_key", None)
    if not key:
        return options_html(widget.choices, selected)
    html = _KEPT_OPTIONS.kept(key, lambda: options_html(widget.choices, set()))
    for value in selected:
        # Written as options_html writes an option, so each of that value's options is found.
        opening = f'<option value="{escape(value)}"'
        html = html.replace(f"{opening}>", f"{opening} selected>")
    return html


class FastSelect(forms.Select):
    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs or {})
        final["name"] = name
        selected = {str(v) for v in self.format_value(value)}
        options = mark_safe(select_options(self, selected))  # noqa: S308 - escaped
        attributes = format_html_join(
            " ", '{}="{}"', ((k, v) for k, v in final.items() if v is not False)
        )
        return format_html("<select {}>{}</select>", attributes, options)


class NameChoiceIterator(django_filters.fields.ModelChoiceIterator):
    """(id, name) pairs read as plain values: no model instance per option.

    The unit picker of a province lists thousands of units on every list and dashboard.
    """

    def __iter__(self) -> Iterator[tuple[Any, str]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.values_list("pk", "name")


class NameChoiceField(django_filters.fields.ModelChoiceField):
    iterator = NameChoiceIterator


class NamedModelChoiceFilter(django_filters.ModelChoiceFilter):
    """A model choice filter whose options are labelled by the model's `name`."""

    field_class = NameChoiceField
