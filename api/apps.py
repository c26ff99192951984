from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "Kết nối hệ thống (API)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core import seams

        from . import webhooks

        seams.task_event.register(webhooks.queue_event)
