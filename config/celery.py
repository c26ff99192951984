import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

from .logging import task_finished, task_started

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("dondoc")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Each task's log records carry its id and name (config/logging.py).
task_prerun.connect(task_started)
task_postrun.connect(task_finished)
