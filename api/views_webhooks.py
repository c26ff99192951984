"""The office connects systems by webhook: add, switch off and on, new secret, test message,
and each delivery with its answer ("Gửi lại" for one that did not arrive)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.forms import DetachedModelForm
from directives.models import TaskEvent
from units.access import require_office
from units.models import User

from . import webhooks
from .models import Webhook, WebhookDelivery, new_secret

NEW_SECRET = "webhook_new_secret"
KINDS = [choice for choice in TaskEvent.Kind.choices if choice[0] != TaskEvent.Kind.REMINDED]
DELIVERIES_SHOWN = 50


class WebhookForm(DetachedModelForm):
    url = forms.URLField(
        label="Địa chỉ nhận (URL)",
        max_length=500,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="Đôn đốc gửi mỗi sự kiện bằng POST, nội dung JSON, có chữ ký HMAC-SHA256.",
    )
    user = forms.ModelChoiceField(
        label="Tài khoản (phạm vi nhiệm vụ)",
        queryset=User.objects.filter(is_active=True).order_by("username"),
        help_text="Chỉ gửi sự kiện của những nhiệm vụ mà tài khoản này được xem.",
    )
    kinds = forms.MultipleChoiceField(
        label="Sự kiện gửi",
        choices=KINDS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Không chọn: gửi mọi sự kiện.",
    )

    class Meta:
        model = Webhook
        fields = ["name", "url", "user", "kinds"]


def _office(request: HttpRequest) -> User:
    return require_office(request.user, "Chỉ Văn phòng quản lý webhook.")


@login_required
def webhook_list(request: HttpRequest) -> HttpResponse:
    actor = _office(request)
    form = WebhookForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        hook = form.save(commit=False)
        hook.created_by = actor
        hook.save()
        request.session[NEW_SECRET] = [hook.pk, hook.secret]
        messages.success(request, f"Đã thêm webhook “{hook.name}”. Hãy chép khóa bí mật ngay.")
        return redirect("webhook_detail", pk=hook.pk)
    hooks = Webhook.objects.select_related("user").order_by("name", "pk")
    return render(
        request,
        "api/webhooks.html",
        {"form": form, "hooks": hooks},
        status=400 if request.method == "POST" and form.errors else 200,
    )


@login_required
def webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _office(request)
    hook = get_object_or_404(Webhook.objects.select_related("user", "created_by"), pk=pk)
    form = WebhookForm(request.POST if request.method == "POST" else None, instance=hook)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Đã lưu webhook.")
        return redirect("webhook_detail", pk=hook.pk)
    shown = request.session.get(NEW_SECRET) if request.method == "GET" else None
    secret = ""
    if shown and shown[0] == hook.pk:
        secret = shown[1]
        del request.session[NEW_SECRET]
    deliveries = hook.deliveries.select_related("event")[:DELIVERIES_SHOWN]
    return render(
        request,
        "api/webhook_detail.html",
        {"hook": hook, "form": form, "secret": secret, "deliveries": deliveries},
        status=400 if request.method == "POST" and form.errors else 200,
    )


@login_required
@require_POST
def webhook_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    _office(request)
    hook = get_object_or_404(Webhook, pk=pk)
    hook.is_active = not hook.is_active
    hook.save(update_fields=["is_active"])
    messages.success(
        request,
        "Đã bật lại webhook; các lượt chưa gửi sẽ được gửi."
        if hook.is_active
        else "Đã tắt webhook; sự kiện mới không được gửi cho hệ thống này.",
    )
    return redirect("webhook_detail", pk=hook.pk)


@login_required
@require_POST
def webhook_secret(request: HttpRequest, pk: int) -> HttpResponse:
    _office(request)
    hook = get_object_or_404(Webhook, pk=pk)
    hook.secret = new_secret()
    hook.save(update_fields=["secret"])
    request.session[NEW_SECRET] = [hook.pk, hook.secret]
    messages.success(
        request, "Đã đổi khóa bí mật: từ nay chữ ký dùng khóa mới. Hãy chép khóa ngay."
    )
    return redirect("webhook_detail", pk=hook.pk)


@login_required
@require_POST
def webhook_ping(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _office(request)
    hook = get_object_or_404(Webhook, pk=pk)
    if not hook.is_active:
        messages.error(request, "Webhook đang tắt; hãy bật lại rồi gửi thử.")
    else:
        with transaction.atomic():
            webhooks.ping(actor=actor, webhook=hook)
        messages.success(request, "Đã xếp lượt gửi thử; tải lại trang sau ít giây để xem kết quả.")
    return redirect("webhook_detail", pk=hook.pk)


@login_required
@require_POST
def webhook_resend(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _office(request)
    delivery = get_object_or_404(WebhookDelivery, pk=pk)
    try:
        webhooks.resend(actor=actor, delivery=delivery)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, "Đã xếp gửi lại (cùng mã lượt gửi, hệ thống nhận bỏ qua bản trùng)."
        )
    return redirect("webhook_detail", pk=delivery.webhook_id)
