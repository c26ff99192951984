"""`|field` and `|form_fields` write the widgets Django would: the same element, name, value
and attributes (compared as parsed HTML, attribute order aside)."""

from __future__ import annotations

import pytest
from django import forms
from django.test.html import parse_html

from core.templatetags.fields import form_fields, render


class Sample(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label="Nội dung", widget=forms.Textarea(attrs={"rows": 3}))
    optional = forms.CharField(required=False, widget=forms.Textarea, help_text="Nếu có.")
    ids = forms.MultipleChoiceField(
        choices=[("1", "a"), ("2", "b")], widget=forms.MultipleHiddenInput, required=False
    )


def _control(html: str, tag: str) -> str:
    start = html.index(f"<{tag}")
    end = html.index("</textarea>", start) + len("</textarea>") if tag == "textarea" else None
    return html[start:end] if end else html[start : html.index(">", start) + 1]


@pytest.mark.parametrize(
    "data",
    [
        None,  # unbound: initial values
        {"version": "7", "note": 'Đã làm <b>xong</b> & "gửi"', "optional": ""},
        {"version": "", "note": "", "optional": "x"},  # errors
    ],
)
def test_textarea_and_hidden_inputs_as_django_writes_them(data: dict[str, str] | None) -> None:
    form = Sample(data, initial={"version": 3, "note": "Ban đầu"})
    if data is not None:
        form.is_valid()
    for name in ("note", "optional"):
        bound = form[name]
        ours = _control(render(bound), "textarea")
        css = "form-control is-invalid" if bound.errors else "form-control"
        django = bound.as_widget(attrs={"class": css})
        ours_parsed, django_parsed = parse_html(ours), parse_html(django)
        # aria-describedby: ours points at the error or help block, as crispy-forms does.
        ours_attrs = {k: v for k, v in ours_parsed.attributes if k != "aria-describedby"}
        django_attrs = {k: v for k, v in django_parsed.attributes if k != "aria-describedby"}
        ours_attrs.pop("aria-invalid", None)
        django_attrs.pop("aria-invalid", None)
        assert ours_attrs == django_attrs
        assert ours_parsed.children == django_parsed.children
    hidden = form["version"]
    assert parse_html(render(hidden)) == parse_html(str(hidden))
    # Several hidden values: Django's own rendering.
    assert render(form["ids"]) == str(form["ids"])
    whole = str(form_fields(form))
    start = whole.index('<input type="hidden" name="version"')
    assert parse_html(whole[start : whole.index(">", start) + 1]) == parse_html(str(hidden))
