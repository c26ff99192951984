from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app uses: text folding, working days, form pieces, the seams, backups."""

    name = "core"
    verbose_name = "Dùng chung"
