from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = "Nhắc việc"

    def ready(self) -> None:
        from core import seams

        from .models import sent_reminders_prefetch

        # The task page lists the reminders sent about the task (core/seams.py).
        seams.task_page_prefetches.register(sent_reminders_prefetch)
