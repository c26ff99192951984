"""The office issues and revokes the API's access tokens (per account or connected system)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from units.access import require_office
from units.models import User

from .models import ApiToken

NEW_KEY = "api_new_key"


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Tên hệ thống hoặc mục đích",
        max_length=150,
        help_text="Ví dụ: Trục liên thông LGSP tỉnh; Báo cáo của Sở Nội vụ.",
    )
    user = forms.ModelChoiceField(
        label="Tài khoản mà mã thay mặt",
        queryset=User.objects.filter(is_active=True).order_by("username"),
        help_text="Mã được xem và làm đúng những gì tài khoản này được phép.",
    )


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    actor = require_office(request.user, "Chỉ Văn phòng cấp mã truy cập API.")
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        token, key = ApiToken.issue(
            name=form.cleaned_data["name"], user=form.cleaned_data["user"], created_by=actor
        )
        messages.success(
            request, f"Đã cấp mã “{token.name}”. Hãy chép mã ngay: mã chỉ hiện một lần."
        )
        # Post/redirect/get: the key waits in the server-side session for the one page
        # that shows it, and is gone from there once shown.
        request.session[NEW_KEY] = key
        return redirect("api_tokens")
    key = request.session.pop(NEW_KEY, "") if request.method == "GET" else ""
    tokens = ApiToken.objects.select_related("user", "created_by")
    return render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": tokens, "key": key},
        status=400 if request.method == "POST" and form.errors else 200,
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    require_office(request.user, "Chỉ Văn phòng thu hồi mã truy cập API.")
    token = get_object_or_404(ApiToken, pk=pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        messages.success(request, f"Đã thu hồi mã “{token.name}”.")
    return redirect("api_tokens")
