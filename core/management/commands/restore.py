from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Khôi phục cơ sở dữ liệu và tệp từ một thư mục sao lưu, rồi đối chiếu với bản kê "
        "(số dòng từng bảng, mã SHA-256 từng tệp). Ghi đè dữ liệu hiện có."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="Thư mục do lệnh backup tạo ra.")
        parser.add_argument(
            "--yes", action="store_true", help="Xác nhận ghi đè dữ liệu hiện có (bắt buộc)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"]:
            raise CommandError("Khôi phục sẽ ghi đè dữ liệu hiện có: chạy lại với --yes.")
        try:
            report = restore(Path(options["source"]))
        except BackupError as error:
            raise CommandError(str(error)) from None
        for problem in report.problems:
            self.stderr.write(problem)
        if report.problems:
            raise CommandError(f"Khôi phục chưa đầy đủ: {len(report.problems)} sai lệch.")
        self.stdout.write(
            f"Đã khôi phục {sum(report.rows.values())} dòng dữ liệu và {report.files} tệp; "
            "khớp bản sao lưu."
        )
