"""`{{ form.field|field }}`: a form field in Bootstrap 5's markup, written in one pass.

The lists and the dashboard show a dozen filter fields on every request; crispy-forms renders
each through a tree of templates (and Django renders every widget and option through its own),
which cost more than the rest of the page. This writes the same markup as crispy-forms'
bootstrap5 pack (wrapper `div_id_<name>`, label, `form-control`/`form-select`, the errors in
`invalid-feedback`, the help in `form-text`) directly, escaping every value. Widgets it does not
know are rendered by Django as usual, inside the same wrapper.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from core.widgets import select_options

register = template.Library()

REQUIRED_MARK = '<span class="asteriskField">*</span>'
_INPUTS = (forms.TextInput, forms.NumberInput, forms.EmailInput, forms.URLInput, forms.DateInput)


def _attributes(attrs: dict[str, Any]) -> str:
    parts = []
    for key, value in attrs.items():
        if value is None or value is False:
            continue
        if value is True:
            parts.append(escape(key))
        else:
            parts.append(f'{escape(key)}="{escape(str(value))}"')
    return " ".join(parts)


def _with_class(attrs: dict[str, Any], *classes: str) -> dict[str, Any]:
    joined = " ".join(c for c in (*classes, attrs.get("class", "")) if c)
    return {**attrs, "class": joined}


def _flat_choices(choices: Iterable[Any]) -> Iterable[tuple[Any, Any]]:
    for value, label in choices:
        if isinstance(label, list | tuple):  # an optgroup: its own (value, label) pairs
            yield from label
        else:
            yield value, label


def _selected(widget: forms.Widget, value: Any) -> set[str]:
    formatted = widget.format_value(value)
    if formatted is None:
        return set()
    if isinstance(formatted, list | tuple):
        return {"" if v is None else str(v) for v in formatted}
    return {str(formatted)}


def _errors(bound: BoundField) -> str:
    if not bound.errors:
        return ""
    items = "".join(
        f'<p id="error_{n}_{escape(bound.auto_id)}"><strong>{escape(str(e))}</strong></p>'
        for n, e in enumerate(bound.errors, start=1)
    )
    return f'<div id="{escape(bound.auto_id)}_error" class="invalid-feedback">{items}</div>'


def _help(bound: BoundField) -> str:
    if not bound.help_text:
        return ""
    # Help texts are the code's own, shown as Django and crispy-forms show them (not escaped).
    return f'<div id="{escape(bound.auto_id)}_helptext" class="form-text">{bound.help_text}</div>'


def _choice_list(bound: BoundField, widget: forms.Widget, kind: str) -> str:
    selected = _selected(widget, bound.value())
    name, base = bound.html_name, bound.auto_id
    items = []
    invalid = " is-invalid" if bound.errors else ""
    for index, (value, label) in enumerate(_flat_choices(widget.choices)):  # type: ignore[attr-defined]
        text = "" if value is None else str(value)
        box_id = f"{base}_{index}"
        mark = " checked" if text in selected else ""
        items.append(
            f'<div class="form-check"><input type="{kind}" class="form-check-input{invalid}" '
            f'name="{escape(name)}" value="{escape(text)}" id="{escape(box_id)}"{mark}>'
            f'<label for="{escape(box_id)}" class="form-check-label">{escape(str(label))}'
            "</label></div>"
        )
    return (
        f'<div id="div_{escape(base)}" class="mb-3"><fieldset>'
        f'<legend class="form-label fs-6">{conditional_escape(bound.label)}</legend>'
        f"<div>{''.join(items)}</div>{_errors(bound)}{_help(bound)}</fieldset></div>"
    )


def _checkbox(bound: BoundField) -> str:
    invalid = " is-invalid" if bound.errors else ""
    control = bound.as_widget(attrs={"class": f"form-check-input{invalid}"})
    return (
        f'<div class="mb-3"><div id="div_{escape(bound.auto_id)}" class="form-check">{control}'
        f'<label for="{escape(bound.id_for_label)}" class="form-check-label">'
        f"{conditional_escape(bound.label)}</label>{_errors(bound)}{_help(bound)}</div></div>"
    )


def _widget_attrs(bound: BoundField) -> dict[str, Any]:
    """The attributes Django gives the widget: its own, `required`/`disabled`, the id."""
    attrs = bound.build_widget_attrs(dict(bound.field.widget.attrs))
    if bound.auto_id:
        attrs.setdefault("id", bound.auto_id)
    return attrs


def _hidden(bound: BoundField) -> str:
    """A hidden input as Django writes it (one value; several go through Django)."""
    widget = bound.field.widget
    if isinstance(widget, forms.MultipleHiddenInput):
        return str(bound)
    value = widget.format_value(bound.value())
    shown = "" if value in (None, "") else f' value="{escape(str(value))}"'
    attrs = _attributes(_widget_attrs(bound))
    return f'<input type="hidden" name="{escape(bound.html_name)}"{shown} {attrs}>'


def render(bound: BoundField) -> str:
    widget = bound.field.widget
    if isinstance(widget, forms.HiddenInput):
        return _hidden(bound)
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return _choice_list(bound, widget, "checkbox")
    if isinstance(widget, forms.RadioSelect):
        return _choice_list(bound, widget, "radio")
    if isinstance(widget, forms.CheckboxInput):
        return _checkbox(bound)
    attrs = _widget_attrs(bound)
    if bound.errors:
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{bound.auto_id}_error"
    elif bound.help_text:
        attrs["aria-describedby"] = f"{bound.auto_id}_helptext"
    name = escape(bound.html_name)
    invalid = "is-invalid" if bound.errors else ""
    if isinstance(widget, forms.Select) and not isinstance(widget, forms.CheckboxSelectMultiple):
        attrs = _with_class(attrs, "form-select", invalid)
        multiple = " multiple" if widget.allow_multiple_selected else ""
        options = select_options(widget, _selected(widget, bound.value()))
        control = f'<select name="{name}" {_attributes(attrs)}{multiple}>{options}</select>'
    elif isinstance(widget, _INPUTS):
        attrs = _with_class(attrs, "form-control", invalid)
        value = widget.format_value(bound.value())
        shown = "" if value in (None, "") else f' value="{escape(str(value))}"'
        control = f'<input type="{widget.input_type}" name="{name}"{shown} {_attributes(attrs)}>'
    elif type(widget) is forms.Textarea:
        attrs = _with_class(attrs, "form-control", invalid)
        value = widget.format_value(bound.value())
        # The line break after the tag is Django's too (HTML drops it).
        text = escape(str(value)) if value else ""
        control = f'<textarea name="{name}" {_attributes(attrs)}>\n{text}</textarea>'
    else:
        css = "form-check-input" if isinstance(widget, forms.CheckboxInput) else "form-control"
        control = bound.as_widget(attrs=_with_class({}, css, invalid))
    label = ""
    if bound.label:
        star = REQUIRED_MARK if bound.field.required else ""
        label = (
            f'<label for="{escape(bound.id_for_label)}" class="form-label">'
            f"{conditional_escape(bound.label)}{star}</label>"
        )
    return (
        f'<div id="div_{escape(bound.auto_id)}" class="mb-3">{label}{control}'
        f"{_errors(bound)}{_help(bound)}</div>"
    )


@register.filter(name="field")
def field(bound: BoundField) -> SafeString:
    """A form field with its label, errors and help, as crispy-forms' bootstrap5 writes it."""
    return mark_safe(render(bound))  # noqa: S308 - every value is escaped in render()


@register.filter(name="form_fields")
def form_fields(form: forms.BaseForm) -> SafeString:
    """A whole form's fields as `|crispy` writes them (without the <form> tag): its errors
    not tied to a field, its hidden fields, then each field."""
    parts = []
    errors = form.non_field_errors()
    if errors:
        items = "".join(f"<li>{conditional_escape(str(e))}</li>" for e in errors)
        parts.append(
            f'<div class="alert alert-block alert-danger"><ul class="m-0">{items}</ul></div>'
        )
    for bound in form.hidden_fields():
        parts.append(_hidden(bound))
    for bound in form.visible_fields():
        parts.append(render(bound))
    return mark_safe("".join(parts))  # noqa: S308 - every value is escaped in render()
