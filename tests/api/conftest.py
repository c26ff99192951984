"""The Celery process fixtures of the reminder tests, shared with the webhook worker test."""

from tests.reminders.conftest import celery_env, processes  # noqa: F401
