"""Response headers the settings cannot express."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers, patch_cache_control


class NoStoreWhenSignedInMiddleware:
    """A page shown to a signed-in person is theirs alone: no browser, proxy or shared
    computer keeps a copy (`Cache-Control: no-store, private`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response


class MethodNotAllowedPageMiddleware:
    """A 405 (an address left in the bar after a form was sent) as the app's Vietnamese page,
    not the browser's bare "HTTP ERROR 405"."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 405 and not response.content:
            response.content = render_to_string("405.html", request=request).encode()
            response["Content-Type"] = "text/html; charset=utf-8"
        return response


class FriendlyNotFoundMiddleware:
    """Under DEBUG (`make run`) a wrong address still shows the app's Vietnamese 404 page, not
    Django's English debug page; DJANGO_DEBUG_PAGES=1 brings the debug page back for a
    developer. (Without DEBUG, Django shows templates/404.html itself.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 404
            and settings.DEBUG
            and not settings.DEBUG_PAGES
            and _is_debug_page(response)
        ):
            response.content = render_to_string("404.html", request=request).encode()
            response["Content-Type"] = "text/html; charset=utf-8"
        return response


def _is_debug_page(response: HttpResponse) -> bool:
    # Django's technical 404 page (and only it) asks robots not to index it.
    return (
        not getattr(response, "streaming", False)
        and b'content="NONE,NOARCHIVE"' in (response.content[:2000])
    )
