"""The 500 page, with the request's id so a user's report leads to the log lines."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseServerError
from django.template import loader

from .logging import current_request_id


def server_error(request: HttpRequest) -> HttpResponseServerError:
    # Rendered without context processors: whatever failed may fail again in them.
    html = loader.get_template("500.html").render({"request_id": current_request_id()})
    return HttpResponseServerError(html)
