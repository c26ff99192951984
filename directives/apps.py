from django.apps import AppConfig


class DirectivesConfig(AppConfig):
    name = "directives"
    verbose_name = "Thông báo kết luận và nhiệm vụ"

    def ready(self) -> None:
        from core import seams

        from .services import close_unit_tasks

        # Closing a unit hands its open tasks to the successor (core/seams.py).
        seams.unit_closing.register(close_unit_tasks)

        # A restore replaces the data: what the cache keeps about it is out of date.
        from . import caching

        seams.data_replaced.register(caching.everything_changed)

        # The search's folded unit names are kept until a unit is saved (caching.py).
        from django.db.models.signals import post_delete, post_save

        from units.models import Unit

        post_save.connect(caching.units_changed, sender=Unit, dispatch_uid="dondoc-units-saved")
        post_delete.connect(caching.units_changed, sender=Unit, dispatch_uid="dondoc-units-deleted")

        # What the task lists found is kept until a model they read changes (caching.py).
        from django.apps import apps
        from django.db.models.signals import m2m_changed, post_init

        from .models import Task

        for app in ("units", "directives"):
            for model in apps.get_app_config(app).get_models():
                uid = f"dondoc-lists-{model._meta.label_lower}"
                post_save.connect(caching.model_changed, sender=model, dispatch_uid=f"{uid}-saved")
                post_delete.connect(
                    caching.model_changed, sender=model, dispatch_uid=f"{uid}-deleted"
                )
        # A task read remembers its lead unit and holder (a change away from them tells their
        # lists) and what the inbox counts read of it (a change to those moves the inbox's).
        post_init.connect(caching.task_loaded, sender=Task, dispatch_uid="dondoc-task-loaded")
        for through in (Task.support_units.through, Task.helpers.through):
            m2m_changed.connect(
                caching.model_changed,
                sender=through,
                dispatch_uid=f"dondoc-lists-{through._meta.label_lower}",
            )
