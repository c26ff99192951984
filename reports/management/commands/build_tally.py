from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from reports import tally


class Command(BaseCommand):
    help = (
        "Đếm lại số liệu trong ngày của bảng điều khiển (beat tự chạy lúc 00:01); "
        "dùng sau khi nạp dữ liệu hàng loạt hoặc khôi phục."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        built = tally.build(today)
        units = built.units.filter(unit__isnull=False).count()
        self.stdout.write(f"Đã đếm lại số liệu ngày {today:%d/%m/%Y} cho {units} đơn vị.")
