"""Forms of the office: a notice's header and its tasks, entered or corrected in the browser."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseFormSet, formset_factory

from core.forms import DetachedModelForm, date_field
from units.models import Unit, UnitGroup

from .deadlines import Deadline, DeadlineError, parse_deadline
from .forms import TaskActionForm, note_field
from .importer.clauses import GROUP
from .models import Notice, Task
from .services import NOTICE_FIELDS, check_not_duplicate

_SEPARATORS = re.compile(r"[;\n]+|,(?!\s*\d)")


def match_unit(name: str) -> Unit:
    """The one unit `name` names (any name, short form, alias or a bare place name); several
    or none: a message that lists the candidates or says how to add a unit."""
    found = Unit.objects.candidates(name)
    if len(found) == 1:
        return found[0]
    if found:
        listed = "; ".join(f"“{u.name}”" for u in found[:8])
        raise forms.ValidationError(
            f"“{name.strip()}” có thể là: {listed}. Hãy chọn một đơn vị.", code="ambiguous_unit"
        )
    raise forms.ValidationError(
        f"Không tìm thấy đơn vị “{name.strip()}”. Hãy chọn trong danh sách; đơn vị mới do "
        "Văn phòng thêm ở mục Đơn vị.",
        code="unknown_unit",
    )


class UnitField(forms.CharField):
    """A unit typed by any of its names or short forms; accents and dashes are optional."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"list": "unit-names", "autocomplete": "off"})
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Unit | None:
        text = super().clean(value)
        return match_unit(text) if text else None


class UnitsField(forms.CharField):
    """Several units, separated by semicolons, commas or new lines."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"list": "unit-names", "autocomplete": "off"})
        )
        kwargs.setdefault("help_text", "Ngăn cách bằng dấu chấm phẩy (;).")
        super().__init__(**kwargs)

    def clean(self, value: Any) -> list[Unit]:
        text = super().clean(value) or ""
        names = [n.strip() for n in _SEPARATORS.split(text) if n.strip()]
        units, unknown = [], []
        for name in names:
            try:
                unit = match_unit(name)
            except forms.ValidationError as error:
                if error.code == "ambiguous_unit":
                    raise
                unknown.append(name)
                continue
            if unit not in units:
                units.append(unit)
        if unknown:
            listed = ", ".join(f"“{n}”" for n in unknown)
            raise forms.ValidationError(
                f"Không tìm thấy đơn vị {listed}. Hãy chọn trong danh sách.", code="unknown_unit"
            )
        return units


@dataclass(frozen=True)
class Leads:
    """Who a task row is given to: one unit, or several (named one by one or as a group),
    each of which gets its own task."""

    units: list[Unit]
    group: UnitGroup | None = None
    text: str = ""

    @property
    def fanned_out(self) -> bool:
        return len(self.units) > 1


def read_leads(text: str) -> Leads:
    """The units a lead-unit text names: units and groups ("UBND các xã, thị trấn"),
    separated by semicolons or new lines. Raises a form error naming what it cannot read."""
    text = text.strip()
    whole = UnitGroup.objects.match(text)
    names = [text] if whole else [n.strip() for n in re.split(r"[;\n]+", text) if n.strip()]
    units: list[Unit] = []
    group: UnitGroup | None = None
    for name in names:
        found = whole if name == text and whole else UnitGroup.objects.match(name)
        if found is not None:
            members = list(found.members.filter(is_active=True).order_by("order", "name"))
            if not members:
                raise forms.ValidationError(
                    f"Nhóm “{found.name}” chưa có đơn vị thành viên; hãy thêm ở mục Nhóm đơn vị.",
                    code="empty_group",
                )
            group = found if len(names) == 1 else None
            units.extend(u for u in members if u not in units)
            continue
        try:
            unit = match_unit(name)
        except forms.ValidationError as error:
            if error.code == "unknown_unit" and GROUP.match(name):
                raise forms.ValidationError(
                    f"“{name}” là một nhóm đơn vị chưa có trong danh mục nhóm. Văn phòng thêm "
                    "nhóm ở mục Đơn vị › Nhóm đơn vị, hoặc ghi từng đơn vị, ngăn cách bằng "
                    "dấu chấm phẩy (;): mỗi đơn vị nhận một nhiệm vụ riêng.",
                    code="unknown_group",
                ) from None
            raise
        if unit not in units:
            units.append(unit)
    if not units:
        raise forms.ValidationError("Hãy chọn đơn vị chủ trì.", code="required")
    return Leads(units=units, group=group, text=text if len(units) > 1 else "")


class LeadsField(forms.CharField):
    """The lead unit of a new task, or several units or a group, one task for each."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"list": "unit-names", "autocomplete": "off"})
        )
        kwargs.setdefault(
            "help_text",
            "Một đơn vị; hoặc nhiều đơn vị ngăn cách bằng dấu chấm phẩy (;), hoặc tên một nhóm "
            "(“UBND các xã, thị trấn”): mỗi đơn vị nhận một nhiệm vụ riêng.",
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Leads | None:
        text = super().clean(value)
        return read_leads(text) if text else None


def fan_out_hint(text: str) -> str:
    """What a lead-unit text will do, said before saving ("" for one unit or unreadable)."""
    try:
        leads = read_leads(text or "")
    except forms.ValidationError:
        return ""
    if not leads.fanned_out:
        return ""
    named = f"nhóm “{leads.group.name}”" if leads.group else f"{len(leads.units)} đơn vị"
    return (
        f"Giao cho {named}: mỗi đơn vị một nhiệm vụ riêng ({len(leads.units)} nhiệm vụ), "
        "theo dõi chung ở một trang."
    )


def unit_names_text(units: list[Unit]) -> str:
    return "; ".join(u.name for u in units)


class NoticeForm(DetachedModelForm):
    issued_on = date_field("Ngày ban hành", required=True)
    meeting_on = date_field("Ngày họp")

    class Meta:
        model = Notice
        fields = list(NOTICE_FIELDS)
        widgets = {
            "title": forms.Textarea(attrs={"rows": 2}),
            "recipients": forms.Textarea(attrs={"rows": 3}),
            "signer_title": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {
            "number": {"required": "Hãy nhập số, ký hiệu của thông báo."},
            "issuer": {"required": "Hãy nhập cơ quan ban hành."},
            "title": {"required": "Hãy nhập trích yếu."},
        }

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if data is None:
            return data
        meeting, issued = data.get("meeting_on"), data.get("issued_on")
        if meeting and issued and meeting > issued:
            self.add_error("meeting_on", "Ngày họp không được sau ngày ban hành thông báo.")
        number, issuer = data.get("number"), data.get("issuer")
        if number and issuer and issued:
            try:
                check_not_duplicate(
                    number=number, issuer=issuer, issued_on=issued, exclude=self.instance.pk
                )
            except ValidationError as error:
                self.add_error(None, error)
        return data

    def _get_validation_exclusions(self) -> set[str]:
        # The duplicate rule (the table's constraint) is checked once, in `clean`, with its
        # message on the page; the model's own check of the same constraint is left out.
        return {*super()._get_validation_exclusions(), "number"}  # type: ignore[misc]


class TaskRowForm(forms.Form):
    """One task of a notice being entered; the deadline is read against the notice's date."""

    source_lines = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20)

    ref = forms.CharField(label="Mục", max_length=32, required=False)
    text = note_field("Nội dung nhiệm vụ", rows=2)
    lead_unit = LeadsField(
        label="Đơn vị chủ trì", error_messages={"required": "Hãy chọn đơn vị chủ trì."}
    )
    support_units = UnitsField(label="Đơn vị phối hợp")
    deadline = forms.CharField(
        label="Thời hạn",
        required=False,
        max_length=255,
        help_text="Ngày hoặc cụm từ: “30/10/2023”, “trong tháng 9/2023”, “quý IV/2023”, "
        "“15 ngày làm việc”, “thường xuyên”. Để trống: thường xuyên.",
    )

    def __init__(self, *args: Any, reference: date | None = None, **kwargs: Any) -> None:
        self.reference = reference
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if data is None:
            return data
        leads, supports = data.get("lead_unit"), data.get("support_units") or []
        if leads is not None and not leads.fanned_out:
            lead = leads.units[0]
            if lead in supports:
                self.add_error(
                    "support_units",
                    f"{lead} đã là đơn vị chủ trì; không đồng thời là đơn vị phối hợp.",
                )
            if not lead.is_active:
                self.add_error(
                    "lead_unit", f"{lead} đã ngừng hoạt động; hãy giao cho đơn vị kế thừa."
                )
        elif leads is not None:
            closed = [u.name for u in leads.units if not u.is_active]
            if closed:
                self.add_error(
                    "lead_unit",
                    f"Đã ngừng hoạt động: {', '.join(closed)}; hãy giao cho đơn vị kế thừa.",
                )
        if self.reference is not None and "deadline" in data:
            try:
                deadline = parse_deadline(data["deadline"], reference=self.reference)
            except DeadlineError as error:
                self.add_error("deadline", str(error))
            else:
                if deadline.day is not None and deadline.day < self.reference:
                    self.add_error(
                        "deadline",
                        f"Thời hạn {deadline.day:%d/%m/%Y} trước ngày ban hành thông báo "
                        f"({self.reference:%d/%m/%Y}).",
                    )
                data["parsed_deadline"] = deadline
        return data

    @property
    def understood(self) -> Deadline | None:
        if hasattr(self, "cleaned_data"):
            parsed: Deadline | None = self.cleaned_data.get("parsed_deadline")
            return parsed
        return None


class BaseTaskRowFormSet(BaseFormSet):
    def __init__(self, *args: Any, reference: date | None = None, **kwargs: Any) -> None:
        self.reference = reference
        super().__init__(*args, **kwargs)

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "ORDER" in form.fields:
            form.fields["ORDER"].label = "Thứ tự"
            form.fields["ORDER"].help_text = "Để trống: giữ thứ tự nhập."
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Bỏ dòng này"

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "reference": self.reference}

    def clean(self) -> None:
        if any(self.errors):
            return
        kept = [f for f in self.forms if f.has_changed() and not f.cleaned_data.get("DELETE")]
        if not kept:
            raise forms.ValidationError("Thông báo cần có ít nhất một nhiệm vụ.")


TaskRowFormSet = cast(
    type[BaseTaskRowFormSet],
    formset_factory(
        TaskRowForm, formset=BaseTaskRowFormSet, extra=3, can_delete=True, can_order=True
    ),
)


def kept_rows(formset: BaseTaskRowFormSet) -> list[dict[str, Any]]:
    """The filled, not deleted rows, in the order the office gave them (unnumbered last)."""
    return [form.cleaned_data for form in formset.ordered_forms]


class HandBackForm(TaskActionForm):
    """The lead unit returns a new task as not within its functions."""

    reason = note_field("Lý do trả lại", rows=2)
    proposed_unit = UnitField(
        label="Đơn vị đề xuất giao",
        required=False,
        help_text="Đơn vị có chức năng, nhiệm vụ phù hợp (nếu biết).",
    )


class ReassignForm(TaskActionForm):
    """The office gives a returned task to another unit."""

    lead_unit = UnitField(
        label="Giao cho đơn vị", error_messages={"required": "Hãy chọn đơn vị chủ trì mới."}
    )
    note = note_field("Ý kiến", required=False, rows=2)

    def use_task(self, task: Any) -> None:
        # Start from the unit the lead unit proposed, if it named one.
        proposed = task.proposed_unit.name if task.proposed_unit_id else ""
        self.initial["lead_unit"] = proposed


class InsistForm(TaskActionForm):
    note = note_field("Lý do giữ nguyên việc giao", rows=2)


class TaskEditForm(TaskActionForm):
    """The office corrects a task; every change is kept in its timeline."""

    ref = forms.CharField(label="Mục", max_length=32, required=False)
    text = note_field("Nội dung nhiệm vụ", rows=3)
    lead_unit = UnitField(label="Đơn vị chủ trì")
    support_units = UnitsField(label="Đơn vị phối hợp")
    deadline = forms.CharField(label="Thời hạn", required=False, max_length=255)
    report_every = forms.ChoiceField(
        label="Báo cáo định kỳ", choices=Task.ReportEvery.choices, required=False
    )
    report_day = forms.IntegerField(
        label="Hạn báo cáo: trước ngày",
        required=False,
        min_value=1,
        max_value=31,
        help_text="Ngày trong tháng cuối của kỳ (ví dụ 20: trước ngày 20 hằng tháng).",
        error_messages={
            "min_value": "Ngày từ 1 đến 31.",
            "max_value": "Ngày từ 1 đến 31.",
            "invalid": "Hãy nhập một ngày từ 1 đến 31.",
        },
    )
    note = note_field("Lý do chỉnh sửa", required=False, rows=2)

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if data and data.get("report_day") and not data.get("report_every"):
            self.add_error("report_day", "Hãy chọn kỳ báo cáo định kỳ trước.")
        return data
