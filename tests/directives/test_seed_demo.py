"""`seed_demo` loads notice 194/TB-UBND exactly as written, and only once."""

from __future__ import annotations

import re
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from directives.models import Notice, Task, TaskEvent
from tests.conftest import on_day
from units.models import Unit, User

pytestmark = pytest.mark.django_db

SHARED_NOTICE = Path(__file__).resolve().parents[3] / "shared" / "notices" / "194-TB-UBND.md"
REPO_NOTICE = Path(__file__).resolve().parents[2] / "directives" / "demo" / "194-TB-UBND.md"

LEADS = {
    "3.1": "Phòng Nội vụ",
    "3.2": "Phòng Tư pháp",
    "3.3": "Văn phòng HĐND-UBND huyện",
    "3.4": "Phòng Tài chính - Kế hoạch",
    "3.5": "Phòng Văn hóa và Thông tin",
    "3.6": "Phòng Tài nguyên và Môi trường",
    "3.7": "Ủy ban nhân dân xã Sơn Tây",
}


def section_items(text: str) -> dict[str, list[str]]:
    """The bullets (or the lone paragraph) under each heading 3.1–3.7 of the notice's text."""
    items: dict[str, list[str]] = {}
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        heading = re.match(r"^#+\s*\*?(3\.\d)\.", line)
        if heading:
            current = heading.group(1)
            items[current] = []
        elif line.startswith("Trên đây"):
            current = None
        elif current and line and not line.startswith("#"):
            items[current].append(line.removeprefix("- ").replace("*", "").strip())
    return items


@pytest.fixture
def seeded() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_the_shipped_notice_is_the_real_text() -> None:
    if SHARED_NOTICE.exists():
        assert REPO_NOTICE.read_text(encoding="utf-8") == SHARED_NOTICE.read_text(encoding="utf-8")
    assert "Số: 194/TB-UBND" in REPO_NOTICE.read_text(encoding="utf-8")


def test_every_bullet_of_sections_3_1_to_3_7_is_a_task_of_its_lead_unit(seeded: str) -> None:
    notice = Notice.objects.get(number="194/TB-UBND")
    expected = section_items(REPO_NOTICE.read_text(encoding="utf-8"))
    assert sum(len(v) for v in expected.values()) == 28
    for ref, texts in expected.items():
        tasks = list(notice.tasks.filter(ref=ref).order_by("order").select_related("lead_unit"))
        assert [t.text for t in tasks] == texts, ref
        assert {t.lead_unit.name for t in tasks} == {LEADS[ref]}, ref
        assert all(t.section and t.section.ref == ref for t in tasks)


def test_support_units_are_those_the_text_names(seeded: str) -> None:
    supported = {
        (t.ref, frozenset(u.name for u in t.support_units.all()))
        for t in Task.objects.filter(
            notice__number="194/TB-UBND", support_units__isnull=False
        ).distinct()
    }
    assert supported == {
        (
            "3.4",
            frozenset(
                {
                    "Phòng Nông nghiệp và Phát triển nông thôn",
                    "Phòng Kinh tế và Hạ tầng",
                    "Văn phòng Điều phối nông thôn mới",
                    "Ban Quản lý các dự án Đầu tư và Xây dựng huyện",
                }
            ),
        ),
        ("3.5", frozenset({"Sở Thông tin và Truyền thông"})),
        (
            "3.6",
            frozenset(
                {
                    "Trung tâm Hành chính công huyện",
                    "Chi nhánh Văn phòng Đăng ký đất đai Hương Sơn - Đức Thọ",
                    "Chi cục Thuế khu vực Hương Sơn - Đức Thọ",
                }
            ),
        ),
    }


def test_the_stated_deadlines_and_ongoing_tasks(seeded: str) -> None:
    of_194 = Task.objects.filter(notice__number="194/TB-UBND")
    with_deadline = {
        t.text[:40]: t.original_deadline for t in of_194.filter(deadline__isnull=False)
    }
    assert sorted(d for d in with_deadline.values() if d) == [date(2023, 9, 30), date(2023, 10, 30)]
    assert len(with_deadline) == 2
    initiative = of_194.get(ref="3.7")
    assert initiative.original_deadline == date(2023, 10, 30)
    launch = of_194.get(ref="3.1", text__contains="ra mắt mô hình")
    assert (launch.original_deadline, launch.deadline_kind) == (date(2023, 9, 30), "month")
    assert of_194.filter(deadline__isnull=True, deadline_kind="ongoing").count() == 26


def test_units_have_their_short_forms_and_every_persona_has_an_account(seeded: str) -> None:
    assert Unit.objects.match("TN-MT") == Unit.objects.get(name="Phòng Tài nguyên và Môi trường")
    assert Unit.objects.match("VP HĐND-UBND") == Unit.objects.get(name="Văn phòng HĐND-UBND huyện")
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == {"office", "leader", "head", "staff"}
    staff_units = set(User.objects.filter(role="staff").values_list("unit__name", flat=True))
    assert staff_units == set(LEADS.values())
    assert User.objects.get(username="vanphong").check_password("dondoc123")
    assert "vanphong" in seeded and "dondoc123" in seeded


def test_the_demo_shows_real_progress(seeded: str) -> None:
    statuses = set(Task.objects.values_list("status", flat=True))
    assert {"assigned", "in_progress", "awaiting", "done"} <= statuses
    initiative = Task.objects.get(notice__number="194/TB-UBND", ref="3.7")
    assert initiative.status == Task.Status.IN_PROGRESS  # still overdue


def test_a_second_run_changes_nothing(seeded: str) -> None:
    def counts() -> tuple[int, ...]:
        return (
            Unit.objects.count(),
            User.objects.count(),
            Notice.objects.count(),
            Task.objects.count(),
            TaskEvent.objects.count(),
        )

    before = counts()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert counts() == before
    assert "không thay đổi" in out.getvalue()


# A Friday, the first working day after Tết 2027, a Thursday in summer.
@pytest.mark.parametrize("day", [date(2026, 12, 4), date(2027, 2, 18), date(2027, 7, 1)])
def test_on_any_day_the_demo_has_tasks_in_every_bucket_and_every_decision_waiting(
    day: date,
) -> None:
    """194 stays as it is (three years late); the notice of this month is dated from the
    day `seed_demo` runs, so every bucket, the office's inbox and the reminders are alive."""
    from directives.inbox import counts
    from directives.timeliness import Timeliness, timeliness_counts
    from reminders.services import plan

    with on_day(day):
        call_command("seed_demo", stdout=StringIO())
        current = Notice.objects.get(number="25/TB-UBND")
        assert current.issued_on == day - timedelta(days=25)
        tally = timeliness_counts(Task.objects.all(), day)
        assert all(tally[bucket] for bucket in Timeliness), {b.label: n for b, n in tally.items()}
        waiting = counts(User.objects.get(username="vanphong"))
        assert (waiting.accept, waiting.extensions, waiting.handed_back) >= (1, 1, 1)
        assert Task.objects.not_received(day).filter(notice=current).exists()
        assert plan(day).items, "nobody would be reminded today"
        # Each timeline row is dated on its day in the story, never later than now.
        events = TaskEvent.objects.filter(task__notice__number="194/TB-UBND")
        assert {e.created_at.year for e in events} == {2023}
        latest = TaskEvent.objects.filter(task__notice=current).order_by("-created_at").first()
        assert latest is not None and latest.created_at <= timezone.now()
        launch = Task.objects.get(notice__number="194/TB-UBND", ref="3.1", text__contains="ra mắt")
        accepted = launch.events.get(kind=TaskEvent.Kind.ACCEPTED)
        assert timezone.localdate(accepted.created_at) == date(2023, 10, 2)
