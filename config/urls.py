from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from units.forms import LoginForm

from .health import healthz

admin.site.site_header = "Đôn đốc — quản trị"
admin.site.site_title = "Đôn đốc"
admin.site.index_title = "Quản trị dữ liệu"


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico whatever the page's <link rel="icon"> says."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


urlpatterns = [
    path(
        "dang-nhap/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", authentication_form=LoginForm
        ),
        name="login",
    ),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("quan-tri/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
    path("", include("directives.urls")),
    path("", include("reports.urls")),
    path("", include("reminders.urls")),
    path("", include("units.urls")),
    path("", include("api.urls")),
    path(
        "doi-mat-khau/",
        auth_views.PasswordChangeView.as_view(success_url="/"),
        name="password_change",
    ),
]

handler500 = "config.errors.server_error"
