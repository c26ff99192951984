"""Options kept as HTML (`select_options`): the same <option>s as written afresh, whatever is
selected, and written again when their key changes."""

from __future__ import annotations

import pytest
from django import forms
from hypothesis import given
from hypothesis import strategies as st

from core import widgets
from core.widgets import FastSelect, options_html, select_options

CHOICES = [
    ("", "Tất cả đơn vị"),
    (1, "Phòng Nội vụ"),
    (2, 'Phòng "Tư pháp" & <Hộ tịch>'),
    (12, "UBND xã Sơn Tây"),
    ("Nhóm", [(3, "Ban A"), (1, "Phòng Nội vụ (lần nữa)")]),
    ("a&b", "Giá trị cần thoát"),
]
VALUES = ["", "1", "2", "3", "12", "a&b", "99", '"', "1 selected"]


def _select(key: str | None) -> FastSelect:
    select = FastSelect(choices=CHOICES)
    if key is not None:
        select.options_key = key  # type: ignore[attr-defined]
    return select


@pytest.fixture(autouse=True)
def _fresh() -> None:
    widgets._KEPT_OPTIONS.clear()


@given(st.sets(st.sampled_from(VALUES)))
def test_kept_options_are_the_options_written_afresh(selected: set[str]) -> None:
    widgets._KEPT_OPTIONS.clear()
    # Kept first without a selection, then asked with one; and kept with one, asked without.
    assert select_options(_select("k"), set()) == options_html(CHOICES, set())
    assert select_options(_select("k"), selected) == options_html(CHOICES, selected)
    assert select_options(_select("k"), set()) == options_html(CHOICES, set())


def test_options_written_again_when_their_key_changes() -> None:
    select_options(_select("v1"), set())
    changed = FastSelect(choices=[("", "Tất cả"), (5, "Đơn vị mới")])
    changed.options_key = "v1"  # type: ignore[attr-defined]
    # The same key: what was kept (the caller moves the key whenever the choices change).
    assert "Đơn vị mới" not in select_options(changed, set())
    changed.options_key = "v2"  # type: ignore[attr-defined]
    assert select_options(changed, {"5"}) == options_html(changed.choices, {"5"})


def test_options_kept_no_longer_than_their_time(monkeypatch: pytest.MonkeyPatch) -> None:
    select_options(_select("k"), set())
    changed = FastSelect(choices=[(5, "Đơn vị mới")])
    changed.options_key = "k"  # type: ignore[attr-defined]
    monkeypatch.setattr(widgets._KEPT_OPTIONS, "seconds", 0.0)
    assert "Đơn vị mới" in select_options(changed, set())


def test_without_a_key_nothing_is_kept() -> None:
    select_options(_select(None), {"1"})
    assert widgets._KEPT_OPTIONS == {}


def test_the_widget_renders_the_kept_options() -> None:
    class Form(forms.Form):
        unit = forms.ChoiceField(choices=CHOICES, widget=FastSelect, required=False)

    form = Form({"unit": "2"})
    form.fields["unit"].widget.options_key = "k"
    html = str(form["unit"])
    assert '<option value="2" selected>' in html
    assert html.count(" selected") == 1
