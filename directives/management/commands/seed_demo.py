from typing import Any

from django.core.management.base import BaseCommand

from directives.demo.seed import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = (
        "Nạp dữ liệu mẫu: Thông báo 194/TB-UBND, một thông báo giao ban tính ngày từ hôm nay, "
        "các đơn vị và một tài khoản cho mỗi vai trò."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = seed_demo()
        if result.notice_created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Đã nạp Thông báo 194/TB-UBND với {result.tasks_created} nhiệm vụ, "
                    f"{result.units_created} đơn vị, {result.accounts_created} tài khoản."
                )
            )
        if result.current_created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Đã nạp Thông báo 25/TB-UBND với {result.current_tasks} nhiệm vụ (giao ban "
                    "tháng, ngày tháng tính từ hôm nay): quá hạn, sắp đến hạn, trong hạn, đã hoàn "
                    "thành, chờ xác nhận, đề nghị gia hạn, đơn vị trả lại."
                )
            )
        if not (result.notice_created or result.current_created):
            self.stdout.write("Dữ liệu mẫu đã có sẵn; không thay đổi gì.")
        self.stdout.write(f"Tài khoản mẫu (mật khẩu: {DEMO_PASSWORD}):")
        for user in result.accounts:
            unit = f" — {user.unit}" if user.unit else ""
            self.stdout.write(f"  {user.username:<20} {user.get_role_display()}{unit}")
