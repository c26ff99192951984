import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from directives import services
from directives.forms_notice import read_leads
from directives.importer import ImportProblem, clauses, parse_notice, read_file
from units.models import User


class Command(BaseCommand):
    help = "Đọc một thông báo kết luận (.docx, .pdf, .txt, .md); in ra, hoặc lưu cùng các nhiệm vụ."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="Tệp thông báo.")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ đọc, không lưu.")
        parser.add_argument("--json", action="store_true", help="In đúng một đối tượng JSON.")
        parser.add_argument(
            "--as",
            dest="username",
            help="Tài khoản Văn phòng thực hiện (mặc định: tài khoản Văn phòng đầu tiên).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Không mở được tệp {path}: {error.strerror}.") from None
        try:
            parsed = parse_notice(read_file(path.name, content))
        except ImportProblem as problem:
            raise CommandError(str(problem)) from None

        if options["json"]:
            self.stdout.write(json.dumps(parsed.as_json(), ensure_ascii=False))
        else:
            when = f"{parsed.issued_on:%d/%m/%Y}" if parsed.issued_on else "(chưa rõ ngày)"
            self.stdout.write(
                f"{parsed.number or '(chưa rõ số)'} ngày {when}: {len(parsed.tasks)} nhiệm vụ."
            )
            for missing in parsed.problems:
                self.stdout.write(f"  Cần bổ sung: {missing}")
        if options["dry_run"]:
            return

        actor = self._actor(options["username"])
        # Supports that are groups ("các đơn vị liên quan") stay in the task's text; a lead is
        # read as the preview reads it: one unit, several, or a group of the registry (each
        # member gets its own task).
        unknown = sorted(
            {
                m.text
                for t in parsed.tasks
                for m in t.supports
                if m.unit is None and not clauses.GROUP.match(m.text)
            }
        )
        rows, missing_lead = [], []
        for t in parsed.tasks:
            try:
                leads = read_leads("; ".join(m.name for m in t.leads))
            except ValidationError as error:
                missing_lead.append(f"{t.ref or t.text[:40]}: {error.messages[0]}")
                continue
            rows.append(
                services.task_row(
                    ref=t.ref,
                    text=t.text,
                    lead_units=leads.units,
                    group=leads.group,
                    leads_text=leads.text,
                    support_units=[m.unit for m in t.supports if m.unit is not None],
                    deadline=t.deadline,
                )
            )
        if unknown or missing_lead or parsed.issued_on is None:
            problems = []
            if unknown:
                problems.append("đơn vị chưa có trong danh mục: " + "; ".join(unknown))
            if missing_lead:
                problems.append(
                    f"{len(missing_lead)} nhiệm vụ chưa rõ đơn vị chủ trì ("
                    + "; ".join(missing_lead[:5])
                    + ")"
                )
            if parsed.issued_on is None:
                problems.append("không đọc được ngày ban hành")
            raise CommandError(
                "Chưa lưu: " + "; ".join(problems) + ". Hãy nhập qua màn hình xem trước."
            )
        header = {
            **parsed.header(),
            "title": parsed.title or parsed.number,
            "source_text": "\n".join(parsed.lines),
        }
        try:
            notice = services.enter_notice(
                actor=actor,
                header=header,
                tasks=rows,
                source_name=path.name,
                source_content=content,
            )
        except ValidationError as error:
            raise CommandError("Chưa lưu: " + " ".join(error.messages)) from None
        if not options["json"]:
            self.stdout.write(
                self.style.SUCCESS(f"Đã lưu thông báo {notice.number} (mã {notice.pk}).")
            )

    def _actor(self, username: str | None) -> User:
        office = User.objects.filter(is_active=True, role=User.Role.OFFICE)
        actor = (
            office.filter(username=username).first() if username else office.order_by("pk").first()
        )
        if actor is None:
            raise CommandError("Cần một tài khoản Văn phòng đang hoạt động (--as TÊN_ĐĂNG_NHẬP).")
        return actor
