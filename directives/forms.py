"""Forms of the task page. They validate input only; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from core.forms import SafeModelChoiceField, SafeModelMultipleChoiceField, date_field
from units.models import Unit, User

from .files import ACCEPT_ATTRIBUTE, MAX_FILES, validate_uploads
from .services import MAX_NOTE_LENGTH


def note_field(label: str, *, required: bool = True, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": f"{label} không được để trống.",
            "max_length": f"{label} quá dài (tối đa {MAX_NOTE_LENGTH:,} ký tự).".replace(",", "."),
        },
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input, each checked by `validate_uploads`."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE, "multiple": True})
        )
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            f"PDF, Word, Excel hoặc ảnh; tối đa {MAX_FILES} tệp, mỗi tệp không quá 20 MB.",
        )
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            files = [single(item, initial) for item in data if item]
        else:
            files = [single(data, initial)] if data else []
        return validate_uploads([f for f in files if f])


class HiddenErrorsShown(forms.Form):
    """A hidden field's error has no place on the page: say it at the top of the form."""

    stale_message = "Biểu mẫu đã cũ hoặc bị sửa đổi: hãy tải lại trang nhiệm vụ rồi gửi lại."

    def full_clean(self) -> None:
        super().full_clean()
        errors = self.errors
        hidden = [n for n in list(errors) if n in self.fields and self.fields[n].widget.is_hidden]
        for name in hidden:
            del errors[name]
        if hidden:
            self.add_error(None, self.stale_message)


class TaskActionForm(HiddenErrorsShown):
    """Every action carries the task's version as the person saw it."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class StartForm(TaskActionForm):
    note = note_field("Ghi chú", required=False, rows=2)


class ProgressForm(TaskActionForm):
    note = note_field("Nội dung báo cáo")
    progress = forms.IntegerField(
        label="Tiến độ (%)",
        min_value=0,
        max_value=100,
        error_messages={
            "min_value": "Tiến độ phải từ 0 đến 100%%.",
            "max_value": "Tiến độ phải từ 0 đến 100%%.",
            "invalid": "Tiến độ phải là một số từ 0 đến 100.",
            "required": "Hãy nhập tiến độ (%).",
        },
    )
    attachments = MultipleFileField(label="Tệp minh chứng")


class PeriodReportForm(TaskActionForm):
    note = note_field("Nội dung báo cáo kỳ này")
    attachments = MultipleFileField(label="Văn bản, tệp báo cáo")


class CompletionForm(TaskActionForm):
    note = note_field("Kết quả thực hiện")
    completed_on = date_field("Ngày hoàn thành", help_text="Để trống nếu là hôm nay.")
    document_number = forms.CharField(
        label="Số, ký hiệu văn bản kết quả", max_length=64, required=False
    )
    document_date = date_field("Ngày văn bản")
    attachments = MultipleFileField(label="Văn bản, tệp kết quả")

    def clean_completed_on(self) -> Any:
        day = self.cleaned_data["completed_on"]
        if day and day > timezone.localdate():
            raise forms.ValidationError("Ngày hoàn thành không được sau ngày hôm nay.")
        return day


class ExtensionRequestForm(TaskActionForm):
    proposed_deadline = date_field("Thời hạn đề nghị", required=True)
    reason = note_field("Lý do đề nghị gia hạn")
    attachments = MultipleFileField(label="Công văn đề nghị gia hạn (nếu có)")

    def clean_proposed_deadline(self) -> Any:
        day = self.cleaned_data["proposed_deadline"]
        if day < timezone.localdate():
            raise forms.ValidationError("Thời hạn đề nghị không được trước ngày hôm nay.")
        return day


class SupportRequestForm(TaskActionForm):
    unit = forms.TypedChoiceField(
        label="Đơn vị phối hợp",
        coerce=int,
        error_messages={
            "required": "Hãy chọn đơn vị phối hợp.",
            "invalid_choice": "Đơn vị được chọn không phối hợp nhiệm vụ này.",
        },
    )
    due_on = date_field("Hạn gửi phần phối hợp", required=True)
    note = note_field("Nội dung đề nghị", rows=2)

    def use_task(self, task: Any) -> None:
        # The task's support units as the page already read them: no query of its own.
        self.units: dict[int, Unit] = {u.pk: u for u in task.support_units.all()}
        field = self.fields["unit"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(pk, unit.name) for pk, unit in self.units.items()]

    def clean_unit(self) -> Unit:
        return self.units[self.cleaned_data["unit"]]

    def clean_due_on(self) -> Any:
        day = self.cleaned_data["due_on"]
        if day < timezone.localdate():
            raise forms.ValidationError("Hạn gửi không được trước ngày hôm nay.")
        return day


class ContributionForm(forms.Form):
    note = note_field("Nội dung phối hợp")
    attachments = MultipleFileField(label="Tệp minh chứng")


class AcceptForm(TaskActionForm):
    completed_on = date_field(
        "Ngày hoàn thành được xác nhận", help_text="Để trống để giữ ngày đơn vị báo cáo."
    )
    note = note_field("Ý kiến", required=False, rows=2)


class ReturnForm(TaskActionForm):
    reason = note_field("Lý do trả lại")


class CommentForm(forms.Form):
    note = note_field("Ý kiến chỉ đạo")


class ExtensionDecisionForm(HiddenErrorsShown):
    request_id = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label="Quyết định",
        choices=[("approve", "Đồng ý gia hạn"), ("refuse", "Không đồng ý")],
        widget=forms.RadioSelect,
        error_messages={"required": "Hãy chọn đồng ý hoặc không đồng ý."},
    )
    deadline = date_field(
        "Thời hạn được đồng ý",
        help_text="Để trống để đồng ý đúng thời hạn đơn vị đề nghị; "
        "đồng ý thời hạn khác thì nêu lý do ở ô Ý kiến.",
    )
    note = note_field("Ý kiến", required=False, rows=2)

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if data and data.get("decision") == "refuse":
            if not data.get("note", "").strip():
                self.add_error("note", "Hãy nêu lý do không đồng ý.")
            if data.get("deadline"):
                self.add_error("deadline", "Không đồng ý gia hạn thì không ghi thời hạn mới.")
        return data


class ReasonForm(TaskActionForm):
    reason = note_field("Lý do")


class PersonChoiceField(SafeModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        title = obj.job_title or obj.get_role_display()
        return f"{obj.full_name or obj.username} ({title})"


class PersonsChoiceField(SafeModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name or obj.username)


class AssignPersonForm(TaskActionForm):
    """The unit head gives the task to one person of the unit, with others who help."""

    assignee = PersonChoiceField(
        label="Người thực hiện",
        queryset=User.objects.none(),
        empty_label=None,
        error_messages={
            "required": "Hãy chọn người thực hiện.",
            "invalid_choice": "Người được chọn không thuộc đơn vị chủ trì.",
        },
    )
    helpers = PersonsChoiceField(
        label="Người cùng thực hiện",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Người được chọn không thuộc đơn vị chủ trì."},
    )
    reason = note_field("Lý do (bắt buộc khi giao lại cho người khác)", required=False, rows=2)

    def use_task(self, task: Any) -> None:
        people = User.objects.filter(
            is_active=True, unit_id=task.lead_unit_id, role__in=[User.Role.STAFF, User.Role.HEAD]
        ).order_by("-role", "full_name", "username")
        for name in ("assignee", "helpers"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = people
        if task.assignee_id and not self.is_bound:
            self.initial.setdefault("assignee", task.assignee_id)
