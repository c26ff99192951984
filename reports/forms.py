from __future__ import annotations

from typing import Any

from django import forms

from core.forms import date_field
from directives.models import Notice
from units.models import Unit

from .exports import Scope


class ScopeForm(forms.Form):
    notice = forms.ModelChoiceField(
        label="Thông báo kết luận",
        queryset=Notice.objects.order_by("-issued_on"),
        required=False,
        empty_label="Tất cả thông báo",
    )
    date_from = date_field("Nhiệm vụ giao từ ngày")
    date_to = date_field("đến ngày", help_text="Số liệu tính đến ngày này (hoặc hôm nay).")
    unit = forms.ModelChoiceField(
        label="Đơn vị chủ trì",
        queryset=Unit.objects.order_by("order", "name"),
        required=False,
        empty_label="Tất cả đơn vị",
    )

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if (
            data
            and data.get("date_from")
            and data.get("date_to")
            and data["date_from"] > data["date_to"]
        ):
            self.add_error("date_to", "Ngày kết thúc phải sau ngày bắt đầu.")
        return data

    def scope(self) -> Scope:
        data = self.cleaned_data
        return Scope.build(
            notice=data.get("notice"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            unit=data.get("unit"),
        )
