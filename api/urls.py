from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import views, views_tokens, views_webhooks

router = DefaultRouter()
router.register("units", views.UnitViewSet, basename="api-unit")
router.register("notices", views.NoticeViewSet, basename="api-notice")
router.register("tasks", views.TaskViewSet, basename="api-task")
router.register("reports", views.IssuedReportViewSet, basename="api-report")
router.register("edxml/status", views.StatusPackageViewSet, basename="api-edxml-status")

urlpatterns = [
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/dashboard/", views.dashboard, name="api-dashboard"),
    path("api/edxml/", views.edxml_intake, name="api-edxml"),
    path("api/", include(router.urls)),
    path("ma-truy-cap/", views_tokens.token_list, name="api_tokens"),
    path("ma-truy-cap/<int:pk>/thu-hoi/", views_tokens.token_revoke, name="api_token_revoke"),
    path("ket-noi/webhook/", views_webhooks.webhook_list, name="webhooks"),
    path("ket-noi/webhook/<int:pk>/", views_webhooks.webhook_detail, name="webhook_detail"),
    path("ket-noi/webhook/<int:pk>/bat-tat/", views_webhooks.webhook_toggle, name="webhook_toggle"),
    path(
        "ket-noi/webhook/<int:pk>/doi-khoa/", views_webhooks.webhook_secret, name="webhook_secret"
    ),
    path("ket-noi/webhook/<int:pk>/gui-thu/", views_webhooks.webhook_ping, name="webhook_ping"),
    path(
        "ket-noi/webhook/luot-gui/<int:pk>/gui-lai/",
        views_webhooks.webhook_resend,
        name="webhook_resend",
    ),
]
