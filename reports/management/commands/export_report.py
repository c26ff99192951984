import re
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.text import strip_accents
from directives.models import Notice
from units.models import Unit

from ...exports import Scope, write_docx, write_pdf, write_xlsx

WRITERS = {"xlsx": write_xlsx, "docx": write_docx, "pdf": write_pdf}


def _date(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{name}: ngày không hợp lệ {value!r} (cần YYYY-MM-DD).") from None


class Command(BaseCommand):
    help = (
        "Xuất báo cáo tình hình thực hiện (Excel: Phụ lục I, II; Word, PDF: báo cáo kèm phụ lục)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--notice", help="Số, ký hiệu thông báo, ví dụ 194/TB-UBND.")
        parser.add_argument("--from", dest="date_from", help="Nhiệm vụ giao từ ngày (YYYY-MM-DD).")
        parser.add_argument("--to", dest="date_to", help="Nhiệm vụ giao đến ngày (YYYY-MM-DD).")
        parser.add_argument("--unit", help="Tên hoặc tên viết tắt của đơn vị chủ trì.")
        parser.add_argument(
            "--format", default="xlsx", choices=sorted(WRITERS), help="Mặc định: xlsx."
        )
        parser.add_argument(
            "--output",
            help="Tệp kết quả (mặc định: bao-cao-<phạm vi>-<ngày>.<định dạng> ở thư mục hiện tại).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        notice = None
        if options["notice"]:
            matches = Notice.objects.filter(number__iexact=options["notice"].strip())
            notice = matches.order_by("-issued_on").first()
            if notice is None:
                raise CommandError(f"Không có thông báo số {options['notice']!r}.")
        unit = None
        if options["unit"]:
            unit = Unit.objects.match(options["unit"])
            if unit is None:
                raise CommandError(f"Không tìm thấy đơn vị {options['unit']!r}.")
        date_from = _date(options["date_from"], "--from")
        date_to = _date(options["date_to"], "--to")
        if date_from and date_to and date_from > date_to:
            raise CommandError("--from phải trước --to.")
        scope = Scope.build(notice=notice, date_from=date_from, date_to=date_to, unit=unit)
        output = Path(options["output"] or _default_name(scope, options["format"]))
        with output.open("wb") as handle:
            WRITERS[options["format"]](scope, handle)
        self.stdout.write(f"Đã xuất {output} ({scope.description}).")


def _default_name(scope: Scope, fmt: str) -> str:
    """`bao-cao-194-TB-UBND-20261204.docx`: what it covers and the day it was taken."""
    parts = ["bao-cao"]
    if scope.notice is not None:
        parts.append(_slug(scope.notice.number))
    if scope.unit is not None:
        parts.append(_slug(scope.unit.short_name or scope.unit.name))
    parts.append(f"{scope.as_of:%Y%m%d}")
    return "-".join(p for p in parts if p) + f".{fmt}"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", strip_accents(text)).strip("-")
