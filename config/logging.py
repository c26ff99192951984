"""Structured logs: one JSON object per line, each carrying the request it belongs to.

`RequestContextMiddleware` gives every request an id (the proxy's `X-Request-ID` when it sends a
sane one) and returns it in the response, so a user's report ("mã lỗi …" on the error page) leads
to the log lines. `ContextFilter` adds the request id, method, path and the account's numeric id
to every record logged while the request runs. No names, e-mail addresses, phone numbers, query
strings or form contents are added: the id is enough to look the person up inside the app.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

_context: ContextVar[dict[str, Any] | None] = ContextVar("dondoc_log_context", default=None)
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def current_request_id() -> str | None:
    context = _context.get()
    return context["request_id"] if context else None


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _SAFE_ID.match(given) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        context = {"request_id": request_id, "method": request.method, "path": request.path}
        token = _context.set(context)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            return response
        finally:
            _context.reset(token)

    def process_view(self, request: HttpRequest, *args: Any) -> None:
        # The user is known once the authentication middleware ran; record it for the view's logs.
        context = _context.get()
        user = getattr(request, "user", None)
        if context is not None and user is not None and user.is_authenticated:
            context["user_id"] = user.pk


def task_started(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    """Celery's task_prerun: the task's records carry its id and name."""
    _context.set({"task_id": task_id, "task": getattr(task, "name", None)})


def task_finished(**_: Any) -> None:
    _context.set(None)


class ContextFilter(logging.Filter):
    """Adds the current request's id, method, path and account id to each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in (_context.get() or {}).items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


class JsonFormatter(_JsonFormatter):
    """python-json-logger's formatter, leaving out Django's request object and socket."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, "request", "server_time"])
        kwargs.setdefault("timestamp", True)
        super().__init__(*args, **kwargs)
