import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from directives.models import Task
from reminders import services
from units.models import User


class Command(BaseCommand):
    help = "Gửi nhắc việc của một ngày (mặc định hôm nay), như công việc hằng ngày của Celery beat."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Ngày nhắc, dạng YYYY-MM-DD (mặc định: hôm nay).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Chỉ liệt kê sẽ nhắc ai, việc gì; không gửi."
        )
        parser.add_argument("--json", action="store_true", help="In kết quả dạng JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError:
            raise CommandError(
                f"Ngày không hợp lệ: {options['date']!r} (cần YYYY-MM-DD)."
            ) from None

        if options["dry_run"]:
            planned = services.plan(day)
            if options["json"]:
                self.stdout.write(
                    json.dumps(
                        {
                            "day": day.isoformat(),
                            "dry_run": True,
                            "recipients": planned.recipients,
                            "items": planned.item_count,
                            "sent": 0,
                            "already_sent": 0,
                            "failed": 0,
                        }
                    )
                )
                return
            self.stdout.write(f"Ngày {day:%d/%m/%Y}: {planned.recipients} người nhận.")
            # People by name and tasks by their notice and ref, as the office knows them.
            people = {u.pk: u for u in User.objects.filter(pk__in=list(planned.items))}
            task_ids = {i.task_id for items in planned.items.values() for i in items if i.task_id}
            tasks = Task.objects.select_related("notice").in_bulk(list(task_ids))
            for recipient, items in sorted(
                planned.items.items(), key=lambda pair: str(people.get(pair[0], pair[0]))
            ):
                self.stdout.write(f"  {people.get(recipient, recipient)}:")
                for item in items:
                    task = tasks.get(item.task_id) if item.task_id else None
                    what = (
                        f"Thông báo {task.notice.number}, mục {task.ref or '—'}: {task.text[:60]}"
                        if task
                        else "tổng hợp"
                    )
                    self.stdout.write(f"    {what} · {item.label}")
            return

        result = services.run_day(day)
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict()))
            return
        self.stdout.write(
            f"Ngày {day:%d/%m/%Y}: đã gửi {result.sent}, đã gửi trước đó {result.already_sent}, "
            f"lỗi {result.failed}."
        )
        for error in result.errors:
            self.stderr.write(f"  lỗi: {error}")
