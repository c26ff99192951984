"""API errors in Vietnamese, one shape: {"loi": "...", "chi_tiet": {...}}. The services'
Django errors (a refused transition, a stale version, a field) become 400/403/409."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from directives.services import StaleTaskError

MESSAGES = {
    400: "Dữ liệu gửi lên chưa hợp lệ.",
    401: "Cần đăng nhập hoặc mã truy cập (Authorization: Bearer <mã>).",
    403: "Bạn không có quyền thực hiện thao tác này.",
    404: "Không tìm thấy (hoặc không thuộc phạm vi của bạn).",
    405: "Phương thức không được hỗ trợ ở địa chỉ này.",
    409: "Dữ liệu đã thay đổi; hãy đọc lại rồi gửi lại.",
    415: "Kiểu nội dung không được hỗ trợ.",
    429: "Gửi quá nhiều yêu cầu; hãy thử lại sau ít phút.",
}


def _text(detail: Any) -> str:
    if isinstance(detail, list) and detail:
        return _text(detail[0])
    if isinstance(detail, dict) and detail:
        return _text(next(iter(detail.values())))
    return str(detail)


def handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, StaleTaskError):
        return Response(
            {"loi": " ".join(exc.messages), "chi_tiet": {}}, status=status.HTTP_409_CONFLICT
        )
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or MESSAGES[403])
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(MESSAGES[404])
    english_default = (
        isinstance(exc, exceptions.APIException)
        and not isinstance(exc, exceptions.ValidationError)
        and str(exc.detail) == str(exc.default_detail)
    )
    if english_default:
        # DRF's own English defaults, said in Vietnamese; our services' messages kept.
        assert isinstance(exc, exceptions.APIException)
        text = MESSAGES.get(exc.status_code, "")
        if isinstance(exc, exceptions.ParseError):
            text = "Nội dung gửi lên không đọc được (JSON hoặc biểu mẫu hỏng)."
        wait = getattr(exc, "wait", None)
        if isinstance(exc, exceptions.Throttled) and wait:
            text = f"{MESSAGES[429]} (sau {int(wait) + 1} giây)"
        if text:
            exc.detail = exceptions.ErrorDetail(text, code=exc.default_code)
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        message = MESSAGES[400] + " " + _text(data)
        details = data if isinstance(data, dict) else {"non_field_errors": data}
    else:
        message = _text(data) if data else MESSAGES.get(response.status_code, "")
        details = {}
    response.data = {"loi": message.strip(), "chi_tiet": details}
    return response
