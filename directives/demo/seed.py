"""The demo data: notice 194/TB-UBND of Hương Sơn, its units and one account per persona,
and a notice dated relative to the day the demo is seeded (so that, on any day, some tasks
are overdue, due soon, in time, done on time or late, waiting for the office, returned …).

Everything goes through the services, so the demo's timelines look like real use; each step
is then dated on the day it happened in the story (not the day the demo was seeded). Running
it again changes nothing: units and accounts are matched by name, notices by their number.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from units.models import Unit, UnitGroup, User
from units.services import grant_office_admin

from .. import services
from ..models import ExtensionRequest, Notice, Notification, Task, TaskEvent

DEMO_DIR = Path(__file__).resolve().parent
DEMO_PASSWORD = "dondoc123"


@dataclass
class SeedResult:
    units_created: int = 0
    accounts_created: int = 0
    notice_created: bool = False
    current_created: bool = False  # the notice dated from the seeding day
    current_tasks: int = 0
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
    _seed_current_notice(units, {u.username: u for u in result.accounts}, result)
    return result


@contextmanager
def _on(day: date, hour: int = 9) -> Iterator[None]:
    """Date what the services record inside on `day` (at `hour`): the story's day, so that a
    timeline of 2023 says 2023 whenever the demo is seeded."""
    last_event = TaskEvent.objects.aggregate(m=Max("pk"))["m"] or 0
    last_request = ExtensionRequest.objects.aggregate(m=Max("pk"))["m"] or 0
    yield
    # Never later than now (a step of today seeded early in the morning).
    moment = min(timezone.make_aware(datetime.combine(day, time(hour))), timezone.now())
    TaskEvent.objects.filter(pk__gt=last_event).update(created_at=moment)
    Notification.objects.filter(event_id__gt=last_event).update(created_at=moment)
    Task.objects.filter(events__pk__gt=last_event).update(last_activity_at=moment)
    ExtensionRequest.objects.filter(pk__gt=last_request).update(requested_at=moment)


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
    with _on(issued_on, 15):
        notice = _enter_194(row, units, office, result, issued_on, source_name, source_text)
    return notice


def _enter_194(
    row: dict[str, Any],
    units: dict[str, Unit],
    office: User,
    result: SeedResult,
    issued_on: date,
    source_name: str,
    source_text: str,
) -> Notice:
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
    with _on(date(2023, 9, 14)):
        for held in [t for t in tasks if t.lead_unit_id == head.unit_id][1:]:
            services.assign_person(actor=head, task=held, assignee=users["noivu"])

    # Phòng Nội vụ: the steering committee is under way; Sơn Tây's launch was urged and held.
    launch = task("3.1", 4)
    with _on(date(2023, 9, 15)):
        services.start_task(actor=users["noivu"], task=launch)
    with _on(date(2023, 9, 29), 16):
        services.report_completion(
            actor=users["noivu"],
            task=launch,
            completed_on=date(2023, 9, 28),
            note=(
                "Đã phối hợp hướng dẫn xã Sơn Tây hoàn thiện mô hình; "
                "lễ ra mắt tổ chức ngày 28/9/2023."
            ),
            document_number="215/BC-NV",
            document_date=date(2023, 9, 29),
        )
    with _on(date(2023, 10, 2), 10):
        services.accept_completion(actor=users["vanphong"], task=launch)
    with _on(date(2023, 10, 16), 10):
        services.report_progress(
            actor=users["noivu"],
            task=task("3.1", 1),
            progress=60,
            note="Đã trình UBND huyện dự thảo Quyết định thành lập Ban Chỉ đạo; "
            "đang xây dựng phương án sắp xếp đơn vị hành chính cấp xã.",
        )

    # Phòng Tư pháp reported its guidance done; the office has yet to accept it.
    with _on(date(2023, 10, 20), 14):
        services.report_completion(
            actor=users["tuphap"],
            task=task("3.2", 1),
            completed_on=date(2023, 10, 20),
            note="Đã ban hành Công văn hướng dẫn UBND các xã ban hành văn bản QPPL "
            "theo Luật Thực hiện dân chủ ở cơ sở.",
            document_number="88/TP",
            document_date=date(2023, 10, 20),
        )

    with _on(date(2023, 9, 25)):
        services.report_progress(
            actor=users["vpub"],
            task=task("3.3", 1),
            progress=50,
            note="Hằng tuần rà soát, nhắc việc các đơn vị trên hệ thống hồ sơ công việc.",
        )
    with _on(date(2023, 10, 2)):
        services.report_progress(
            actor=users["tckh"],
            task=task("3.4", 3),
            progress=45,
            note="Giải ngân vốn đầu tư công đến 30/9/2023 đạt 45% kế hoạch.",
        )
    with _on(date(2023, 9, 18)):
        services.start_task(actor=users["vhtt"], task=task("3.5", 1))

    # UBND xã Sơn Tây launched the initiative but has not yet sent its first results report.
    initiative = task("3.7", 1)
    with _on(date(2023, 10, 5)):
        services.report_progress(
            actor=users["sontay"],
            task=initiative,
            progress=70,
            note="Đã tổ chức lễ ra mắt sáng kiến ngày 28/9/2023; đang tổng hợp kết quả bước đầu.",
        )
    with _on(date(2023, 10, 9), 8):
        services.add_comment(
            actor=users["pct"],
            task=initiative,
            note="Đề nghị UBND xã Sơn Tây khẩn trương báo cáo kết quả bước đầu qua Phòng Nội vụ.",
        )


# --- a notice of this month, dated from the day the demo is seeded -------------------------

CURRENT_NUMBER = "25/TB-UBND"


def _seed_current_notice(
    units: dict[str, Unit], users: dict[str, User], result: SeedResult
) -> None:
    """A monthly briefing's conclusions, issued 25 days before the seeding day, whose tasks
    fall in every timeliness bucket and wait for every kind of decision on any day."""
    office, issuer = users["vanphong"], "UBND huyện Hương Sơn"
    if Notice.objects.filter(number=CURRENT_NUMBER, issuer=issuer).exists():
        return
    today = timezone.localdate()
    issued = today - timedelta(days=25)
    result.current_created = True

    def day(offset: int) -> date:
        return today + timedelta(days=offset)

    with _on(issued, 15):
        notice = services.create_notice(
            actor=office,
            number=CURRENT_NUMBER,
            issuer=issuer,
            place="Hương Sơn",
            issued_on=issued,
            title="Kết luận của Phó Chủ tịch UBND huyện Hồ Thái Sơn tại cuộc họp giao ban "
            f"tháng {issued.month}/{issued.year}",
            meeting_on=issued - timedelta(days=2),
            chair="Hồ Thái Sơn",
            chair_title="Phó Chủ tịch UBND huyện",
            signer="Nguyễn Văn Hải",
            signer_title="Chánh Văn phòng HĐND-UBND huyện",
        )
        made: dict[str, Task] = {}
        rows: list[tuple[str, str, str, date | None, str]] = [
            # key, lead unit, text, deadline, deadline phrase
            (
                "late",
                "Phòng Nội vụ",
                "Hoàn thành rà soát, sắp xếp vị trí việc làm của các "
                "cơ quan chuyên môn thuộc UBND huyện.",
                day(-6),
                "",
            ),
            (
                "late_unreceived",
                "Phòng Tư pháp",
                "Tham mưu kiện toàn Hội đồng phối hợp phổ biến, giáo dục pháp luật huyện.",
                day(-2),
                "",
            ),
            (
                "soon",
                "Phòng Tài chính - Kế hoạch",
                "Báo cáo tình hình giải ngân vốn đầu tư "
                "công, đề xuất điều chuyển vốn các dự án chậm giải ngân.",
                day(2),
                "",
            ),
            (
                "in_time",
                "Phòng Văn hóa và Thông tin",
                "Xây dựng kế hoạch tổ chức các hoạt "
                "động chào mừng Ngày hội Đại đoàn kết toàn dân tộc.",
                day(40),
                "",
            ),
            (
                "extension",
                "Phòng Tài nguyên và Môi trường",
                "Hoàn thành hồ sơ giao đất, cho thuê đất đối với các dự án đã được phê duyệt.",
                day(5),
                "",
            ),
            (
                "on_time",
                "Văn phòng HĐND-UBND huyện",
                "Tổng hợp lịch làm việc của Thường trực UBND huyện với các xã.",
                day(-10),
                "",
            ),
            (
                "done_late",
                "Ủy ban nhân dân xã Sơn Tây",
                "Báo cáo kết quả thu ngân sách trên địa bàn xã 9 tháng đầu năm.",
                day(-15),
                "",
            ),
            (
                "awaiting",
                "Phòng Tư pháp",
                "Rà soát các văn bản quy phạm pháp luật do HĐND, UBND huyện ban hành hết hiệu lực.",
                day(10),
                "",
            ),
            (
                "ongoing",
                "Văn phòng HĐND-UBND huyện",
                "Theo dõi, đôn đốc các đơn vị thực hiện các nhiệm vụ UBND huyện giao.",
                None,
                "Thường xuyên",
            ),
            (
                "ongoing_done",
                "Phòng Văn hóa và Thông tin",
                "Tuyên truyền kết quả Đại hội Mặt trận Tổ quốc các xã trên Cổng thông tin "
                "điện tử huyện.",
                None,
                "",
            ),
            (
                "monthly",
                "Phòng Nội vụ",
                "Báo cáo tình hình thực hiện cải cách hành chính.",
                None,
                "Thường xuyên, báo cáo trước ngày 20 hằng tháng",
            ),
            (
                "cancelled",
                "Phòng Tài chính - Kế hoạch",
                "Chuẩn bị nội dung làm việc với đoàn kiểm tra của tỉnh.",
                day(8),
                "",
            ),
        ]
        for order, (key, unit, text, deadline, phrase) in enumerate(rows, start=1):
            made[key] = services.assign_task(
                actor=office,
                notice=notice,
                ref=str(order),
                order=order,
                text=text,
                lead_unit=units[unit],
                deadline=deadline,
                deadline_text=phrase,
            )
            result.current_tasks += 1
        departments = UnitGroup.objects.get(name="Các phòng, ban chuyên môn")
        services.assign_group_task(
            actor=office,
            notice=notice,
            ref=str(len(rows) + 1),
            order=len(rows) + 1,
            text="Rà soát, báo cáo kết quả thực hiện các kiến nghị sau thanh tra, kiểm tra "
            "thuộc lĩnh vực phụ trách.",
            lead_units=list(departments.members.order_by("order")),
            group=departments,
            deadline=day(7),
        )

    head = users["truongphong.noivu"]
    with _on(day(-24)):
        services.assign_person(actor=head, task=made["late"], assignee=users["noivu"])
        services.assign_person(actor=head, task=made["monthly"], assignee=users["noivu"])
        for key, person in (
            ("soon", "tckh"),
            ("in_time", "vhtt"),
            ("extension", "tnmt"),
            ("on_time", "vpub"),
            ("done_late", "sontay"),
            ("awaiting", "tuphap"),
            ("ongoing", "vpub"),
            ("cancelled", "tckh"),
        ):
            services.start_task(actor=users[person], task=made[key])
        services.start_task(actor=users["noivu"], task=made["late"])
    with _on(day(-12), 16):
        services.report_completion(
            actor=users["vpub"],
            task=made["on_time"],
            completed_on=day(-12),
            note="Đã gửi lịch làm việc đến các xã.",
            document_number="412/VP",
            document_date=day(-12),
        )
    with _on(day(-11), 8):
        services.accept_completion(actor=office, task=made["on_time"])
    with _on(day(-14), 15):
        services.report_completion(
            actor=users["vhtt"], task=made["ongoing_done"], note="Đã đăng 12 tin, bài."
        )
    with _on(day(-13), 9):
        services.accept_completion(actor=office, task=made["ongoing_done"])
    with _on(day(-9), 10):
        services.report_progress(
            actor=users["noivu"],
            task=made["late"],
            progress=40,
            note="Đã rà soát 8/14 cơ quan; còn chờ số liệu của 6 cơ quan.",
        )
    with _on(day(-8), 16):
        services.report_completion(
            actor=users["sontay"],
            task=made["done_late"],
            completed_on=day(-8),
            note="Đã gửi báo cáo thu ngân sách (chậm do chờ số liệu Chi cục Thuế).",
        )
    with _on(day(-7), 8):
        services.accept_completion(actor=office, task=made["done_late"])
    with _on(day(-3), 9):
        services.cancel_task(
            actor=office,
            task=made["cancelled"],
            reason="Đoàn kiểm tra của tỉnh lùi lịch sang quý sau.",
        )
    with _on(day(-2), 15):
        services.request_extension(
            actor=users["tnmt"],
            task=made["extension"],
            reason="Chờ ý kiến thẩm định giá đất của Sở Tài nguyên và Môi trường.",
            proposed_deadline=day(30),
        )
    with _on(day(-1), 16):
        services.report_completion(
            actor=users["tuphap"],
            task=made["awaiting"],
            completed_on=day(-1),
            note="Đã rà soát 126 văn bản; 9 văn bản hết hiệu lực, đề nghị công bố.",
            document_number="95/TP",
            document_date=day(-1),
        )
    # Given today, and returned by the unit as not its own: waiting for the office.
    with _on(today, 8):
        returned = services.assign_task(
            actor=office,
            notice=notice,
            ref=str(len(rows) + 2),
            order=len(rows) + 2,
            text="Kiểm tra việc chấp hành pháp luật về đất đai tại các dự án khu dân cư.",
            lead_unit=units["Phòng Tư pháp"],
            deadline=day(30),
            assigned_on=today,
        )
        result.current_tasks += 1
    with _on(today, 10):
        services.hand_back(
            actor=users["tuphap"],
            task=returned,
            reason="Nội dung thuộc chức năng của Phòng Tài nguyên và Môi trường.",
            proposed_unit=units["Phòng Tài nguyên và Môi trường"],
        )
    services.ensure_periods(today, [made["monthly"]])
