"""The project's URLs plus one view that fails, to see what an unexpected error logs."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urls


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom: something unexpected")


urlpatterns = [path("test-boom/", boom), *project_urls]
handler500 = "config.errors.server_error"
