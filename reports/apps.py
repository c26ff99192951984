from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Báo cáo"

    def ready(self) -> None:
        from core import seams

        from . import tally

        # Every task change (one task, or many at once) moves today's tally; the task list
        # counts from it (core/seams.py).
        seams.task_write.register(tally.tracking)
        seams.tasks_bulk_write.register(tally.tracking_many)
        seams.task_counts.register(tally.counts_for)
