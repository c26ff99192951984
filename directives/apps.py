from django.apps import AppConfig


class DirectivesConfig(AppConfig):
    name = "directives"
    verbose_name = "Thông báo kết luận và nhiệm vụ"

    def ready(self) -> None:
        from core import seams

        from .services import close_unit_tasks

        # Closing a unit hands its open tasks to the successor (core/seams.py).
        seams.unit_closing.register(close_unit_tasks)
