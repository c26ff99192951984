"""The demo data: notice 194/TB-UBND of Hương Sơn, its units and one account per persona.

Everything goes through the services, so the demo's timelines look like real use. Running it
again changes nothing: units and accounts are matched by name, the notice by its number.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from units.models import Unit, UnitGroup, User
from units.services import grant_office_admin

from .. import services
from ..models import Notice, Task

DEMO_DIR = Path(__file__).resolve().parent
DEMO_PASSWORD = "dondoc123"


@dataclass
class SeedResult:
    units_created: int = 0
    accounts_created: int = 0
    notice_created: bool = False
    tasks_created: int = 0
    accounts: list[User] = field(default_factory=list)


def load_demo() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DEMO_DIR / "demo.json").read_text(encoding="utf-8"))
    return data


@transaction.atomic
def seed_demo() -> SeedResult:
    data = load_demo()
    result = SeedResult()
    units = _seed_units(data["units"], result)
    _seed_accounts(data["accounts"], units, result)
    _seed_groups(data.get("groups", []), units)
    office = User.objects.get(username="vanphong")
    grant_office_admin(office)
    notice = _seed_notice(data["notice"], units, office, result)
    if result.notice_created:
        _seed_progress(notice, result)
    return result


def seed_units() -> dict[str, Unit]:
    """Only the unit registry of the demo (the units of docs/domain.md §7)."""
    return _seed_units(load_demo()["units"], SeedResult())


def _seed_units(rows: list[dict[str, Any]], result: SeedResult) -> dict[str, Unit]:
    units = {}
    for order, row in enumerate(rows, start=1):
        unit, created = Unit.objects.get_or_create(
            name=row["name"],
            defaults={
                "short_name": row["short_name"],
                "aliases": row["aliases"],
                "kind": row["kind"],
                "order": order,
            },
        )
        result.units_created += created
        units[unit.name] = unit
    return units


def _seed_accounts(rows: list[dict[str, Any]], units: dict[str, Unit], result: SeedResult) -> None:
    for row in rows:
        user, created = User.objects.get_or_create(
            username=row["username"],
            defaults={
                "full_name": row["full_name"],
                "job_title": row["job_title"],
                "role": row["role"],
                "unit": units[row["unit"]] if row["unit"] else None,
                "email": f"{row['username']}@huongson.example.gov.vn",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            result.accounts_created += 1
        result.accounts.append(user)


def _seed_groups(rows: list[dict[str, Any]], units: dict[str, Unit]) -> None:
    """The groups a notice gives one task to; each member gets its own task."""
    for order, row in enumerate(rows, start=1):
        group, created = UnitGroup.objects.get_or_create(
            name=row["name"], defaults={"aliases": row["aliases"], "order": order}
        )
        if created:
            group.members.set([units[name] for name in row["members"]])


def _seed_notice(
    row: dict[str, Any], units: dict[str, Unit], office: User, result: SeedResult
) -> Notice:
    issued_on = date.fromisoformat(row["issued_on"])
    existing = Notice.objects.filter(
        number=row["number"], issuer=row["issuer"], issued_on=issued_on
    ).first()
    if existing:
        return existing
    source_name = row["source_file"]
    source_text = (DEMO_DIR / source_name).read_text(encoding="utf-8")
    notice = services.create_notice(
        actor=office,
        number=row["number"],
        issuer=row["issuer"],
        place=row["place"],
        issued_on=issued_on,
        title=row["title"],
        meeting_on=date.fromisoformat(row["meeting_on"]),
        chair=row["chair"],
        chair_title=row["chair_title"],
        signer=row["signer"],
        signer_title=row["signer_title"],
        recipients=row["recipients"],
        source_text=source_text,
    )
    notice.source_file.save(source_name, ContentFile(source_text.encode("utf-8")), save=True)
    result.notice_created = True
    order = 0
    for section_order, section_row in enumerate(row["sections"], start=1):
        section = services.add_section(
            actor=office,
            notice=notice,
            ref=section_row["ref"],
            heading=section_row["heading"],
            order=section_order,
        )
        for task_row in section_row["tasks"]:
            order += 1
            deadline = task_row.get("deadline")
            services.assign_task(
                actor=office,
                notice=notice,
                section=section,
                ref=section_row["ref"],
                order=order,
                text=task_row["text"],
                lead_unit=units[task_row["lead_unit"]],
                support_units=[units[name] for name in task_row.get("support_units", [])],
                deadline=date.fromisoformat(deadline) if deadline else None,
                deadline_kind=task_row.get("deadline_kind"),
                deadline_text=task_row.get("deadline_text", ""),
            )
            result.tasks_created += 1
    return notice


def _seed_progress(notice: Notice, result: SeedResult) -> None:
    """Some realistic follow-up, so that the screens are not empty."""
    users = {u.username: u for u in result.accounts}
    tasks = list(notice.tasks.order_by("order"))

    def task(ref: str, nth: int) -> Task:
        return [t for t in tasks if t.ref == ref][nth - 1]

    # Phòng Nội vụ's head gives the unit's tasks to its chuyên viên (the first one with a
    # colleague to help is left to the head, so "Chưa phân công" is not empty).
    head = users["truongphong.noivu"]
    for held in [t for t in tasks if t.lead_unit_id == head.unit_id][1:]:
        services.assign_person(actor=head, task=held, assignee=users["noivu"])

    # Phòng Nội vụ: the steering committee is under way; Sơn Tây's launch was urged and held.
    services.report_progress(
        actor=users["noivu"],
        task=task("3.1", 1),
        progress=60,
        note="Đã trình UBND huyện dự thảo Quyết định thành lập Ban Chỉ đạo; "
        "đang xây dựng phương án sắp xếp đơn vị hành chính cấp xã.",
    )
    launch = task("3.1", 4)
    services.start_task(actor=users["noivu"], task=launch)
    services.report_completion(
        actor=users["noivu"],
        task=launch,
        completed_on=date(2023, 9, 28),
        note=(
            "Đã phối hợp hướng dẫn xã Sơn Tây hoàn thiện mô hình; lễ ra mắt tổ chức ngày 28/9/2023."
        ),
        document_number="215/BC-NV",
        document_date=date(2023, 9, 29),
    )
    services.accept_completion(actor=users["vanphong"], task=launch)

    # Phòng Tư pháp reported its guidance done; the office has yet to accept it.
    services.report_completion(
        actor=users["tuphap"],
        task=task("3.2", 1),
        completed_on=date(2023, 10, 20),
        note="Đã ban hành Công văn hướng dẫn UBND các xã ban hành văn bản QPPL "
        "theo Luật Thực hiện dân chủ ở cơ sở.",
        document_number="88/TP",
        document_date=date(2023, 10, 20),
    )

    services.report_progress(
        actor=users["vpub"],
        task=task("3.3", 1),
        progress=50,
        note="Hằng tuần rà soát, nhắc việc các đơn vị trên hệ thống hồ sơ công việc.",
    )
    services.report_progress(
        actor=users["tckh"],
        task=task("3.4", 3),
        progress=45,
        note="Giải ngân vốn đầu tư công đến 30/9/2023 đạt 45% kế hoạch.",
    )
    services.start_task(actor=users["vhtt"], task=task("3.5", 1))

    # UBND xã Sơn Tây launched the initiative but has not yet sent its first results report.
    initiative = task("3.7", 1)
    services.report_progress(
        actor=users["sontay"],
        task=initiative,
        progress=70,
        note="Đã tổ chức lễ ra mắt sáng kiến ngày 28/9/2023; đang tổng hợp kết quả bước đầu.",
    )
    services.add_comment(
        actor=users["pct"],
        task=initiative,
        note="Đề nghị UBND xã Sơn Tây khẩn trương báo cáo kết quả bước đầu qua Phòng Nội vụ.",
    )
