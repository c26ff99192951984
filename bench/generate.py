"""A deterministic data set of realistic shape, loaded with PostgreSQL's COPY.

Units (phòng, xã, sở), notices over several years with 5–40 tasks each, a mix of deadline kinds
and statuses consistent with every database constraint, timelines of several rows per task,
extensions, and small stub attachments. The work model too: a person responsible on every task,
about 10 % of the tasks fanned out from tasks given to 50–150 units at once, and monthly
recurring duties with their periods (reported on time, late, or missed). Same seed, same data.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection

from core import seams
from core.text import fold

START = date(2021, 1, 4)
END = date(2026, 11, 20)
LONG_TIMELINE = 300  # one task gets this many progress reports (the "long timeline" page)
FAN_OUT_SHARE = 0.001  # task slots given to 50–150 units at once: about 10 % of all tasks
RECURRING_SHARE = 0.25  # ongoing tasks that are monthly recurring duties
# Task texts: an action on a subject, so that a word search finds some tasks, not all of them
# (a subject is in about 1 task of 20, an action and a subject together in 1 of 160).
ACTIONS = (
    "Tham mưu",
    "Triển khai",
    "Rà soát",
    "Đôn đốc",
    "Kiểm tra",
    "Hoàn thiện hồ sơ",
    "Tổ chức thực hiện",
    "Báo cáo kết quả",
)
SUBJECTS = (
    "cải cách hành chính",
    "chuyển đổi số",
    "giải phóng mặt bằng",
    "xây dựng nông thôn mới",
    "phòng, chống thiên tai",
    "an toàn thực phẩm",
    "thu ngân sách",
    "giải ngân vốn đầu tư công",
    "quản lý đất đai",
    "bảo vệ môi trường",
    "phòng cháy, chữa cháy",
    "tiếp công dân",
    "giải quyết khiếu nại, tố cáo",
    "sắp xếp đơn vị hành chính",
    "cấp giấy chứng nhận quyền sử dụng đất",
    "văn hóa cơ sở",
    "y tế học đường",
    "an ninh trật tự",
    "đề án vị trí việc làm",
    "kiểm soát thủ tục hành chính",
)


@dataclass(frozen=True)
class Loaded:
    tasks: int
    events: int
    units: int
    notices: int


def _copy(table: str, columns: tuple[str, ...], rows: Iterator[tuple]) -> int:
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def _monthly_periods(rng: random.Random, task_id: int, issued: date) -> Iterator[tuple]:
    """A monthly duty's periods up to END, cut off on the 20th: most reported on time, some
    late, some (the recent ones more often) never."""
    year, month = issued.year, issued.month
    while date(year, month, 1) <= END:
        start = date(year, month, 1)
        following = date(year + (month == 12), month % 12 + 1, 1)
        due = date(year, month, 20)
        if due > issued:
            roll = rng.random()
            reported = (
                due - timedelta(days=rng.randint(0, 10))
                if roll < 0.7
                else due + timedelta(days=rng.randint(1, 15))
                if roll < 0.85
                else None
            )
            if reported is not None and reported > END:
                reported = None
            yield (task_id, start, following - timedelta(days=1), due, reported)
        year, month = following.year, following.month


def _reset() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE reminders_reminderitem, reminders_reminderdigest, directives_notification, "
            "directives_periodreport, directives_supportrequest, directives_task_helpers, "
            "directives_grouptask, units_unitgroup_members, units_unitgroup, "
            "directives_attachment, directives_extensionrequest, directives_objectivecause, "
            "directives_taskevent, directives_importdraft, directives_savedfilter, "
            "reports_generalscore, reports_evaluationclosing, reports_unittally, "
            "reports_tallyday, "
            "directives_task_support_units, directives_task, directives_noticesection, "
            "directives_noticerevision, reports_issuedreport, directives_notice, units_auditentry, "
            "units_user_groups, units_user_user_permissions, django_admin_log, units_user, "
            "units_unit "
            "RESTART IDENTITY CASCADE"
        )


def generate(size: int, seed: int = 20231013) -> Loaded:
    """Replace the database's contents with `size` tasks."""
    if connection.vendor != "postgresql":
        raise SystemExit(
            "The benchmark data set is loaded with COPY: point DATABASE_URL at PostgreSQL."
        )
    rng = random.Random(seed)
    _reset()
    now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)

    # Units: the district's departments, its communes, the province's departments.
    unit_count = max(40, min(3000, size // 400))
    kinds = ["department"] * 15 + ["commune"] * 20 + ["external"] * 5
    units = [
        (
            i + 1,
            f"Đơn vị số {i + 1:04d}",
            f"ĐV{i + 1}",
            "[]",
            kinds[i % len(kinds)],
            True,
            None,
            None,
            i,
            i % 10 == 0,  # one unit in ten wants its head's review
        )
        for i in range(unit_count)
    ]
    _copy(
        "units_unit",
        (
            "id",
            "name",
            "short_name",
            "aliases",
            "kind",
            "is_active",
            "closed_on",
            "successor_id",
            '"order"',
            "head_review",
        ),
        iter(units),
    )

    password = make_password("bench-password")
    users = []
    uid = 0
    for role, unit in [("office", 1)] * 3 + [("leader", None)] * 3:
        uid += 1
        users.append((uid, f"{role}{uid}", role, unit))
    for unit_id in range(1, unit_count + 1):
        for role in ("staff", "staff", "head"):
            uid += 1
            users.append((uid, f"u{uid}", role, unit_id))
    _copy(
        "units_user",
        (
            "id",
            "password",
            "is_superuser",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_staff",
            "is_active",
            "date_joined",
            "full_name",
            "job_title",
            "phone",
            "role",
            "unit_id",
            "notify_by_email",
            "notify_by_sms",
            "assigns_work",
        ),
        (
            (
                i,
                password,
                False,
                name,
                "",
                "",
                f"{name}@bench.example",
                False,
                True,
                now,
                name,
                "",
                "",
                role,
                unit,
                True,
                False,
                False,
            )
            for i, name, role, unit in users
        ),
    )
    staff_of = {u[3]: u[0] for u in users if u[2] == "staff"}
    people_of: dict[int, list[int]] = {}
    for user_id, _, role, unit in users:
        if role == "staff" and unit is not None:
            people_of.setdefault(unit, []).append(user_id)
    group_tasks: list[tuple] = []
    periods: list[tuple] = []
    office_id = 1

    notices: list[tuple] = []
    tasks: list[tuple] = []
    supports: list[tuple[int, int]] = []
    events: list[tuple] = []
    extensions: list[tuple] = []
    task_id = event_id = 0
    span = (END - START).days
    notice_id = 0
    while task_id < size:
        notice_id += 1
        issued = START + timedelta(days=rng.randrange(span))
        notices.append(
            (
                notice_id,
                f"{notice_id}/TB-UBND",
                "UBND huyện Hương Sơn",
                "Hương Sơn",
                issued,
                f"Kết luận cuộc họp số {notice_id}",
                issued - timedelta(days=2),
                rng.choice(["Hồ Thái Sơn", "Nguyễn Văn An", "Trần Thị Bình"]),
                "Phó Chủ tịch UBND huyện",
                "Phan Tiến Hùng",
                "CHÁNH VĂN PHÒNG",
                "",
                "",
                "",
                office_id,
                now,
                now,
            )
        )
        slots: list[tuple[int, int, int | None]] = []  # (order, lead unit, group task)
        for order in range(1, rng.randint(5, 40) + 1):
            if rng.random() < FAN_OUT_SHARE and unit_count >= 50:
                # One task for many units: a child per member, as the office's fan-out makes.
                members = rng.sample(
                    range(1, unit_count + 1), rng.randint(50, min(150, unit_count))
                )
                group_tasks.append(
                    (
                        len(group_tasks) + 1,
                        notice_id,
                        "3.1",
                        f"Nhiệm vụ chung số {len(group_tasks) + 1}",
                        None,
                        f"{len(members)} đơn vị",
                        office_id,
                        now,
                    )
                )
                slots += [(order, member, len(group_tasks)) for member in members]
            else:
                slots.append((order, rng.randint(1, unit_count), None))
        for order, lead, group_task in slots:
            if task_id >= size:
                break
            task_id += 1
            kind = rng.choices(["date", "month", "ongoing"], weights=[40, 20, 40])[0]
            if group_task is not None:
                kind = "date"  # a fanned-out task shares its parent's deadline kind
            deadline = None if kind == "ongoing" else issued + timedelta(days=rng.randint(10, 240))
            extended = deadline is not None and rng.random() < 0.05
            current = (
                deadline + timedelta(days=rng.randint(10, 60))
                if extended and deadline
                else deadline
            )
            age = (END - issued).days
            roll = rng.random()
            if age < 30:
                status = rng.choice(["assigned", "in_progress"])
            elif roll < 0.45:
                status = "done"
            elif roll < 0.48:
                status = "cancelled"
            elif roll < 0.53:
                status = "awaiting"
            elif roll < 0.55:
                status = "paused"
            elif roll < 0.65:
                status = "assigned"
            else:
                status = "in_progress"
            completed = None
            if status in ("done", "awaiting"):
                target = current or issued + timedelta(days=120)
                completed = min(END, max(issued, target + timedelta(days=rng.randint(-60, 30))))
            progress = (
                100 if status in ("done", "awaiting") else rng.choice([0, 10, 30, 50, 70, 90])
            )
            last_activity = datetime.combine(
                min(END, issued + timedelta(days=rng.randint(0, max(1, age)))),
                datetime.min.time(),
                UTC,
            )
            recurring = kind == "ongoing" and rng.random() < RECURRING_SHARE
            if recurring and status in ("done", "awaiting", "paused"):
                status, completed, progress = "in_progress", None, 50
            own_periods = (
                list(_monthly_periods(rng, task_id, issued))
                if recurring and status != "cancelled"
                else []
            )
            periods.extend(own_periods)
            unreported = [p[3] for p in own_periods if p[4] is None]
            text = f"{rng.choice(ACTIONS)} {rng.choice(SUBJECTS)} (nhiệm vụ số {task_id})"
            tasks.append(
                (
                    task_id,
                    notice_id,
                    None,
                    "3.1",
                    order,
                    text,
                    lead,
                    issued,
                    kind,
                    "",
                    deadline,
                    current,
                    status,
                    progress,
                    completed,
                    "Không còn phù hợp" if status == "cancelled" else "",
                    1,
                    last_activity,
                    fold(f"3.1 {text}"),
                    now,
                    rng.choice(people_of[lead]),  # a person responsible on every task
                    False,
                    None,
                    "",
                    None,
                    group_task,
                    "month" if recurring else "",
                    20 if recurring else None,
                    min(unreported) if unreported else None,
                )
            )
            if rng.random() < 0.3:
                for support in rng.sample(range(1, unit_count + 1), rng.randint(1, 3)):
                    if support != lead:
                        supports.append((task_id, support))
            actor = staff_of[lead]
            event_id += 1
            events.append(
                (
                    event_id,
                    task_id,
                    "assigned",
                    office_id,
                    None,
                    datetime.combine(issued, datetime.min.time(), UTC),
                    "",
                    "assigned",
                    None,
                    "",
                    "{}",
                )
            )
            updates = LONG_TIMELINE if task_id == 1 else rng.randint(1, 4)
            for step in range(updates):
                event_id += 1
                at = datetime.combine(issued + timedelta(days=step + 1), datetime.min.time(), UTC)
                events.append(
                    (
                        event_id,
                        task_id,
                        "progress",
                        actor,
                        lead,
                        at,
                        "",
                        "",
                        min(100, step * 10),
                        f"Báo cáo tiến độ lần {step + 1}",
                        "{}",
                    )
                )
            if extended and deadline and current:
                extensions.append(
                    (
                        task_id,
                        actor,
                        datetime.combine(issued, datetime.min.time(), UTC),
                        "Chờ ý kiến của Sở",
                        deadline,
                        current,
                        "approved",
                        office_id,
                        datetime.combine(issued, datetime.min.time(), UTC),
                        "",
                        False,  # asked before the deadline
                        current,  # approved as asked
                    )
                )
    _copy(
        "directives_notice",
        (
            "id",
            "number",
            "issuer",
            "place",
            "issued_on",
            "title",
            "meeting_on",
            "chair",
            "chair_title",
            "signer",
            "signer_title",
            "recipients",
            "source_text",
            "source_file",
            "created_by_id",
            "created_at",
            "updated_at",
        ),
        iter(notices),
    )
    _copy(
        "directives_grouptask",
        (
            "id",
            "notice_id",
            "ref",
            "text",
            "group_id",
            "leads_text",
            "created_by_id",
            "created_at",
        ),
        iter(group_tasks),
    )
    _copy(
        "directives_task",
        (
            "id",
            "notice_id",
            "section_id",
            "ref",
            '"order"',
            "text",
            "lead_unit_id",
            "assigned_on",
            "deadline_kind",
            "deadline_text",
            "original_deadline",
            "deadline",
            "status",
            "progress",
            "completed_on",
            "cancel_reason",
            "version",
            "last_activity_at",
            "search_text",
            "created_at",
            "assignee_id",
            "awaiting_head",
            "returned_at",
            "return_reason",
            "proposed_unit_id",
            "group_task_id",
            "report_every",
            "report_day",
            "report_due",
        ),
        iter(tasks),
    )
    _copy("directives_task_support_units", ("task_id", "unit_id"), iter(supports))
    _copy(
        "directives_periodreport",
        ("task_id", "period_start", "period_end", "due_on", "reported_on"),
        iter(periods),
    )
    _copy(
        "directives_taskevent",
        (
            "id",
            "task_id",
            "kind",
            "actor_id",
            "unit_id",
            "created_at",
            "status_from",
            "status_to",
            "progress",
            "note",
            "data",
        ),
        iter(events),
    )
    _copy(
        "directives_extensionrequest",
        (
            "task_id",
            "requested_by_id",
            "requested_at",
            "reason",
            "previous_deadline",
            "proposed_deadline",
            "status",
            "decided_by_id",
            "decided_at",
            "decision_note",
            "after_deadline",
            "approved_deadline",
        ),
        iter(extensions),
    )
    _copy(
        "directives_attachment",
        ("event_id", "file", "name", "size", "content_type", "sha256", "created_at"),
        (
            (
                e[0],
                "evidence/bench/stub.pdf",
                "minh-chung.pdf",
                9,
                "application/pdf",
                "0" * 64,
                e[5],
            )
            for e in events[1 : len(events) : 97]
        ),
    )
    with connection.cursor() as cursor:
        for table in (
            "units_unit",
            "units_user",
            "directives_notice",
            "directives_task",
            "directives_taskevent",
            "directives_extensionrequest",
            "directives_attachment",
            "directives_task_support_units",
            "directives_grouptask",
            "directives_periodreport",
        ):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )
        # VACUUM as autovacuum would soon: without the visibility map the index-only counts
        # (the inbox, the tally's build) read the table (2–4× slower right after a load).
        cursor.execute("VACUUM (ANALYZE)")
    # Loaded without the models' signals: what the cache kept about the data before is stale.
    seams.data_replaced.call()
    return Loaded(tasks=len(tasks), events=len(events), units=unit_count, notices=len(notices))
