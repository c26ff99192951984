"""The default ladder of DOMAIN §5; the office can change it in the admin."""

from django.db import migrations

LADDER = [
    # name, offset, repeat_every, to_staff, to_head, to_office
    ("7 ngày làm việc trước hạn", -7, 0, True, False, False),
    ("3 ngày làm việc trước hạn", -3, 0, True, False, False),
    ("1 ngày làm việc trước hạn", -1, 0, True, False, False),
    ("Đến hạn hôm nay", 0, 0, True, False, False),
    ("Quá hạn 1 ngày làm việc", 1, 0, True, True, False),
    ("Quá hạn, nhắc hằng tuần", 6, 5, True, True, True),
]


def add_ladder(apps, schema_editor):
    ReminderStep = apps.get_model("reminders", "ReminderStep")
    for name, offset, repeat, staff, head, office in LADDER:
        ReminderStep.objects.get_or_create(
            offset=offset,
            defaults={
                "name": name,
                "repeat_every": repeat,
                "to_staff": staff,
                "to_head": head,
                "to_office": office,
            },
        )


def remove_ladder(apps, schema_editor):
    apps.get_model("reminders", "ReminderStep").objects.filter(
        offset__in=[row[1] for row in LADDER]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("reminders", "0001_initial")]
    operations = [migrations.RunPython(add_ladder, remove_ladder)]
