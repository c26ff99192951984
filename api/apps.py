from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "Kết nối hệ thống (API)"
    default_auto_field = "django.db.models.BigAutoField"
