"""Unit names as people type them (docs/domain.md §7)."""

from __future__ import annotations

import pytest

from core.text import fold, name_key
from units.models import Unit


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Ủy ban nhân dân xã Sơn Tây", "uy ban nhan dan xa son tay"),
        ("ĐÔN ĐỐC  quá   hạn", "don doc qua han"),
        ("Phòng Tài nguyên và Môi trường", "phong tai nguyen va moi truong"),
    ],
)
def test_fold_strips_vietnamese_accents_and_spacing(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_name_key_ignores_dashes_and_spacing() -> None:
    assert name_key("Phòng TN-MT") == name_key("phong tn - mt") == name_key("Phòng TN MT")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed",
    [
        "Phòng Tài nguyên và Môi trường",
        "phong tai nguyen va moi truong",
        "TN-MT",
        "tn mt",
        "Phòng TN-MT",
        "Phòng Tài nguyên - Môi trường",
    ],
)
def test_a_unit_is_found_by_any_of_its_names(typed: str) -> None:
    tnmt = Unit.objects.create(
        name="Phòng Tài nguyên và Môi trường",
        short_name="TN-MT",
        aliases=["Phòng TN-MT", "Phòng Tài nguyên - Môi trường"],
    )
    Unit.objects.create(name="Phòng Tư pháp", short_name="TP")
    assert Unit.objects.match(typed) == tnmt


@pytest.mark.django_db
def test_an_unknown_name_matches_nothing() -> None:
    Unit.objects.create(name="Phòng Tư pháp")
    assert Unit.objects.match("Phòng Y tế") is None
    assert Unit.objects.match("  ") is None
