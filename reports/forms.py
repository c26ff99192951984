from __future__ import annotations

from typing import Any

from django import forms

from core.forms import date_field
from directives.models import Notice
from units.models import Unit

from .exports import AUTHORITIES, Scope, Signing
from .exports.data import default_signer

MAX_PROPOSALS_CHARS = 3000


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

    # What the office sets before issuing (kept with the issued report).
    number = forms.RegexField(
        label="Số báo cáo",
        regex=r"^\d{1,6}$",
        required=False,
        help_text="Để trống để văn thư ghi số khi đóng dấu.",
        error_messages={"invalid": "Số báo cáo chỉ gồm chữ số (ví dụ 125)."},
    )
    authority = forms.ChoiceField(
        label="Thẩm quyền ký",
        choices=[(key, " / ".join(lines)) for key, lines in AUTHORITIES.items()],
        required=False,
    )
    signer = forms.CharField(
        label="Người ký",
        max_length=80,
        required=False,
        help_text="Để trống: lãnh đạo chủ trì cuộc họp của thông báo (hoặc người ký mặc định).",
    )
    proposals = forms.CharField(
        label="Đề xuất, kiến nghị (mỗi dòng một ý)",
        required=False,
        max_length=MAX_PROPOSALS_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Để trống: các đề xuất rút ra từ số liệu (đơn vị quá hạn, hoàn thành quá hạn…).",
        error_messages={
            "max_length": f"Đề xuất quá dài (tối đa {MAX_PROPOSALS_CHARS:,} ký tự).".replace(
                ",", "."
            )
        },
    )

    def signing(self, scope: Scope) -> Signing:
        data = self.cleaned_data
        lines = [
            line.strip().lstrip("-–• ").strip()
            for line in (data.get("proposals") or "").splitlines()
        ]
        return Signing(
            number=data.get("number") or "",
            proposals=tuple(line for line in lines if line),
            authority=AUTHORITIES.get(data.get("authority") or "", Signing().authority),
            signer=(data.get("signer") or "").strip() or default_signer(scope),
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
