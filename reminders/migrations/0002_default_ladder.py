"""The default ladder of docs/domain.md §5; the office can change it in the admin."""

from django.db import migrations

from reminders.ladder import DEFAULT_LADDER, ensure_default_ladder


def add_ladder(apps, schema_editor):
    ensure_default_ladder(apps.get_model("reminders", "ReminderStep"))


def remove_ladder(apps, schema_editor):
    apps.get_model("reminders", "ReminderStep").objects.filter(
        offset__in=[row[1] for row in DEFAULT_LADDER]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("reminders", "0001_initial")]
    operations = [migrations.RunPython(add_ladder, remove_ladder)]
