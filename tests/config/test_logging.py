"""Structured logs: JSON lines tied to the request, with no personal data."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from django.test import Client

from config.logging import ContextFilter, JsonFormatter, task_finished, task_started
from units.models import User


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """What the production handler would print, for every logger."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        JsonFormatter(
            "%(levelname)s %(name)s %(message)s",
            rename_fields={"levelname": "level", "name": "logger"},
        )
    )
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


def records(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


@pytest.mark.django_db
@pytest.mark.urls("tests.config.urls_boom")
def test_an_unexpected_error_is_one_json_record_with_the_request_context(
    staff_a: User, log_lines: io.StringIO
) -> None:
    staff_a.full_name, staff_a.email = "Nguyễn Thị Bí Mật", "bimat@example.vn"
    staff_a.phone = "0912345678"
    staff_a.save()
    client = Client(raise_request_exception=False)
    client.force_login(staff_a)

    response = client.post("/test-boom/?q=Nguyen+Thi", {"note": "nội dung riêng tư"})

    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    assert request_id in response.content.decode()  # the user can quote it
    [error] = [r for r in records(log_lines) if r["level"] == "ERROR"]
    assert error["logger"] == "django.request"
    assert (error["request_id"], error["method"], error["path"]) == (
        request_id,
        "POST",
        "/test-boom/",
    )
    assert error["user_id"] == staff_a.pk
    assert error["status_code"] == 500
    assert "RuntimeError: boom" in str(error["exc_info"])
    assert "timestamp" in error
    printed = log_lines.getvalue()
    for private in ("Bí Mật", "Bi Mat", "bimat@", "0912345678", "riêng tư", "Nguyen+Thi"):
        assert private not in printed


@pytest.mark.django_db
def test_every_response_carries_its_request_id(client: Client) -> None:
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert first != second and len(first) == 32
    # A proxy's id is kept when it is sane, replaced when it is not.
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-1234abcd")["X-Request-ID"] == "lb-1234abcd"
    forged = client.get("/healthz", HTTP_X_REQUEST_ID="x\r\nSet-Cookie: a=b")["X-Request-ID"]
    assert "\n" not in forged and len(forged) == 32


def test_a_celery_task_logs_with_its_id_and_name(log_lines: io.StringIO) -> None:
    class FakeTask:
        name = "reminders.tasks.run_daily"

    task_started(task_id="c0ffee", task=FakeTask())
    try:
        logging.getLogger("reminders").warning("ladder step skipped")
    finally:
        task_finished()
    logging.getLogger("reminders").warning("outside any task")
    inside, outside = records(log_lines)
    assert (inside["task_id"], inside["task"]) == ("c0ffee", "reminders.tasks.run_daily")
    assert "task_id" not in outside
