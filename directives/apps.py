from django.apps import AppConfig


class DirectivesConfig(AppConfig):
    name = "directives"
    verbose_name = "Thông báo kết luận và nhiệm vụ"

    def ready(self) -> None:
        from core import seams

        from .services import close_unit_tasks

        # Closing a unit hands its open tasks to the successor (core/seams.py).
        seams.unit_closing.register(close_unit_tasks)

        # The search's folded unit names are kept until a unit is saved (caching.py).
        from django.db.models.signals import post_delete, post_save

        from units.models import Unit

        from . import caching

        post_save.connect(caching.units_changed, sender=Unit, dispatch_uid="dondoc-units-saved")
        post_delete.connect(caching.units_changed, sender=Unit, dispatch_uid="dondoc-units-deleted")
