from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Sao lưu cơ sở dữ liệu và các tệp đính kèm vào một thư mục mới (docs/operations.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("destination", help="Thư mục sao lưu (mới hoặc trống).")

    def handle(self, *args: Any, **options: Any) -> None:
        destination = Path(options["destination"])
        try:
            manifest = backup(destination)
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest["rows"].values())
        self.stdout.write(
            f"Đã sao lưu {rows} dòng dữ liệu và {len(manifest['files'])} tệp vào {destination}."
        )
