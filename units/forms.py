from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm

from core.forms import DetachedModelForm, SafeModelMultipleChoiceField, date_field

from .models import Unit, UnitGroup, User
from .services import ACCOUNT_FIELDS


class UnitForm(DetachedModelForm):
    aliases_text = forms.CharField(
        label="Tên gọi khác",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Những cách viết người dùng hay gõ, ngăn cách bằng dấu chấm phẩy (;).",
    )

    class Meta:
        model = Unit
        fields = ["name", "short_name", "kind", "order", "head_review"]
        error_messages = {
            "name": {"unique": "Đã có đơn vị mang tên này.", "required": "Hãy nhập tên đơn vị."}
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["aliases_text"].initial = "; ".join(self.instance.aliases or [])

    def values(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        aliases = [
            a.strip() for a in re.split(r"[;\n]+", self.cleaned_data["aliases_text"]) if a.strip()
        ]
        return {**data, "aliases": aliases}


class UnitGroupForm(forms.Form):
    name = forms.CharField(
        label="Tên nhóm",
        max_length=255,
        error_messages={"required": "Hãy nhập tên nhóm."},
        help_text="Như văn bản thường viết, ví dụ “UBND các xã, thị trấn”.",
    )
    aliases_text = forms.CharField(
        label="Tên gọi khác",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Những cách viết khác, ngăn cách bằng dấu chấm phẩy (;).",
    )
    members = SafeModelMultipleChoiceField(
        label="Đơn vị thành viên",
        queryset=Unit.objects.active().order_by("kind", "order", "name"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Hãy chọn ít nhất một đơn vị thành viên.",
            "invalid_choice": "Đơn vị được chọn không còn hoạt động.",
            "invalid_pk_value": "Đơn vị được chọn không hợp lệ.",
        },
    )
    order = forms.IntegerField(label="Thứ tự", min_value=0, max_value=100_000, initial=0)

    def __init__(self, *args: Any, group: UnitGroup | None = None, **kwargs: Any) -> None:
        self.group = group
        if group is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": group.name,
                    "aliases_text": "; ".join(group.aliases or []),
                    "members": list(group.members.all()),
                    "order": group.order,
                },
            )
        super().__init__(*args, **kwargs)

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        taken = UnitGroup.objects.filter(name__iexact=name)
        if self.group is not None:
            taken = taken.exclude(pk=self.group.pk)
        if taken.exists():
            raise forms.ValidationError("Đã có nhóm mang tên này.")
        return name

    def values(self) -> dict[str, Any]:
        aliases = [
            a.strip() for a in re.split(r"[;\n]+", self.cleaned_data["aliases_text"]) if a.strip()
        ]
        return {
            "name": self.cleaned_data["name"],
            "aliases": aliases,
            "members": list(self.cleaned_data["members"]),
            "order": self.cleaned_data["order"] or 0,
        }


class CloseUnitForm(forms.Form):
    closed_on = date_field("Ngày giải thể, sáp nhập", required=True)
    successor = forms.ModelChoiceField(
        label="Đơn vị kế thừa",
        queryset=Unit.objects.none(),
        required=False,
        empty_label="Không có (chỉ khi đơn vị không còn nhiệm vụ đang thực hiện)",
        help_text="Các nhiệm vụ chưa hoàn thành sẽ chuyển cho đơn vị này, giữ nguyên diễn biến.",
    )

    def __init__(self, *args: Any, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = Unit.objects.active().exclude(pk=unit.pk)  # type: ignore[attr-defined]


class AccountForm(DetachedModelForm):
    password = forms.CharField(
        label="Mật khẩu",
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=(
            "Để trống để giữ mật khẩu hiện tại (tài khoản mới: chưa đăng nhập được đến khi đặt)."
        ),
    )

    class Meta:
        model = User
        fields = list(ACCOUNT_FIELDS)
        labels = {
            "username": "Tên đăng nhập",
            "email": "Thư điện tử",
            "is_active": "Đang hoạt động",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.active()  # type: ignore[attr-defined]

    def clean_password(self) -> str:
        password: str = self.cleaned_data.get("password") or ""
        if password:
            password_validation.validate_password(password, self.instance)
        return password

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if data and data.get("role") in (User.Role.STAFF, User.Role.HEAD) and not data.get("unit"):
            self.add_error("unit", "Chuyên viên và lãnh đạo đơn vị phải thuộc một đơn vị.")
        return data

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


USERNAME_MAX_LENGTH = 150  # AbstractUser.username


class LoginForm(AuthenticationForm):
    """Django's login form, refusing an over-long username before anyone looks it up.

    Django only sets the input's maxlength; a longer name posted anyway went on to the
    lockout records (django-axes), whose column PostgreSQL refuses: a 500 instead of a message.
    """

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        limit = USERNAME_MAX_LENGTH
        if len(username) > limit:
            raise forms.ValidationError(f"Tên đăng nhập không dài quá {limit} ký tự.")
        return username
