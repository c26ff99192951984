"""Personas and small builders shared by the whole suite (docs/domain.md §2)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import settings as hypothesis_settings
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.database import DirectoryBasedExampleDatabase

from directives import services
from directives.models import Notice, Task
from units.models import Unit, User

# A test run writes only under var/ (and the temp folder): hypothesis keeps its examples there.
_HYPOTHESIS_HOME = os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "hypothesis")
set_hypothesis_home_dir(_HYPOTHESIS_HOME)
hypothesis_settings.register_profile(
    "dondoc", database=DirectoryBasedExampleDatabase(os.path.join(_HYPOTHESIS_HOME, "examples"))
)
hypothesis_settings.load_profile("dondoc")

NOTICE_DAY = date(2023, 9, 13)
CHROMIUM = os.environ.get("DONDOC_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


SOFFICE = os.environ.get("DONDOC_SOFFICE") or shutil.which("soffice") or "/usr/bin/soffice"
# The tests that need a program of the machine: the marker, the program, what to install.
NEEDS = {
    "e2e": (CHROMIUM, "Chromium", "apt-get install chromium"),
    "libreoffice": (
        SOFFICE,
        "LibreOffice",
        "apt-get install libreoffice-writer-nogui libreoffice-calc-nogui",
    ),
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without Chromium (or LibreOffice) the browser (printing) tests cannot run: say so
    loudly, and fail in CI."""
    for marker, (program, name, _) in NEEDS.items():
        if os.path.exists(program):
            continue
        needing = [item for item in items if marker in item.keywords]
        if not needing:
            continue
        if os.environ.get("CI"):
            raise pytest.UsageError(f"CI needs {name} at {program} for the {marker} tests.")
        items[:] = [item for item in items if marker not in item.keywords]
        config.hook.pytest_deselected(items=needing)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    # Printed by the controlling process, so it shows with xdist too.
    for marker, (program, name, install) in NEEDS.items():
        if not os.path.exists(program):
            terminalreporter.write_sep(
                "!",
                f"{name} not found at {program}: the {marker} tests were NOT run. "
                f"Install Debian's packages ({install}) to run them.",
                red=True,
                bold=True,
            )


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Every test starts with an empty cache (its database starts empty too)."""
    from django.core.cache import cache

    from core import db
    from directives import filters, views

    cache.clear()
    db._SAMPLES.clear()  # samples of the tables kept in the process (core.db.sample)
    views._large_units.clear()  # units seen to follow many tasks (directives.views._Whole)
    filters._small_scopes.clear()  # units seen to follow few (directives.filters)


@pytest.fixture(autouse=True)
def _walks_given_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """A search walked row by row (directives.views) is given seconds, not its 30 ms: a walk
    of a test's few tasks takes under a millisecond, but on a machine busy with the suite's
    browsers and databases it can take longer, and the page is then counted before it is shown
    (the walk's fallback, which its own tests ask for by making `limited` give up). The time
    limit itself is tested in tests/core/test_db.py."""
    from directives import views

    monkeypatch.setattr(views, "WALK_MILLISECONDS", 10_000)


@pytest.fixture
def unit_a(db: Any) -> Unit:
    unit, _ = Unit.objects.get_or_create(
        name="Phòng Nội vụ", defaults={"short_name": "Nội vụ", "aliases": ["Phòng NV"]}
    )
    return unit


@pytest.fixture
def unit_b(db: Any) -> Unit:
    unit, _ = Unit.objects.get_or_create(name="Phòng Tư pháp", defaults={"short_name": "Tư pháp"})
    return unit


@pytest.fixture
def unit_support(db: Any) -> Unit:
    unit, _ = Unit.objects.get_or_create(
        name="Sở Thông tin và Truyền thông",
        defaults={"short_name": "Sở TT&TT", "kind": Unit.Kind.EXTERNAL},
    )
    return unit


@pytest.fixture
def office_unit(db: Any) -> Unit:
    unit, _ = Unit.objects.get_or_create(
        name="Văn phòng HĐND-UBND huyện",
        defaults={"short_name": "VP HĐND-UBND", "kind": Unit.Kind.OFFICE},
    )
    return unit


def _user(username: str, role: str, unit: Unit | None) -> User:
    return User.objects.create_user(
        username=username, password="pw-for-tests", role=role, unit=unit, full_name=username
    )


@pytest.fixture
def office(office_unit: Unit) -> User:
    return _user("office", User.Role.OFFICE, office_unit)


@pytest.fixture
def leader(db: Any) -> User:
    return _user("pct", User.Role.LEADER, None)


@pytest.fixture
def staff_a(unit_a: Unit) -> User:
    return _user("staff_a", User.Role.STAFF, unit_a)


@pytest.fixture
def head_a(unit_a: Unit) -> User:
    return _user("head_a", User.Role.HEAD, unit_a)


@pytest.fixture
def staff_b(unit_b: Unit) -> User:
    return _user("staff_b", User.Role.STAFF, unit_b)


@pytest.fixture
def staff_support(unit_support: Unit) -> User:
    return _user("staff_support", User.Role.STAFF, unit_support)


@pytest.fixture
def notice(office: User) -> Notice:
    return services.create_notice(
        actor=office,
        number="194/TB-UBND",
        issuer="UBND huyện Hương Sơn",
        issued_on=NOTICE_DAY,
        title="Kết luận họp đánh giá kết quả thực hiện cải cách hành chính",
    )


MakeTask = Callable[..., Task]


@pytest.fixture
def make_task(notice: Notice, office: User, unit_a: Unit) -> MakeTask:
    """Assign a task through the service; unit A leads unless told otherwise. With
    `assignee`, the unit's head then gives it to that person (the head must exist); with
    `started`, the lead unit acknowledges it."""

    def make(**overrides: Any) -> Task:
        fields: dict[str, Any] = {
            "actor": office,
            "notice": notice,
            "text": "Tham mưu thành lập Ban Chỉ đạo sắp xếp đơn vị hành chính cấp xã.",
            "lead_unit": unit_a,
            "ref": "3.1",
        }
        assignee = overrides.pop("assignee", None)
        started = overrides.pop("started", False)
        fields.update(overrides)
        task = services.assign_task(**fields)
        if assignee is not None:
            head = User.objects.get(role=User.Role.HEAD, unit_id=task.lead_unit_id)
            services.assign_person(actor=head, task=task, assignee=assignee)
        if started:  # the lead unit acknowledged it (tiếp nhận)
            member = assignee or User.objects.filter(unit_id=task.lead_unit_id).first()
            assert member is not None, "the lead unit needs an account to acknowledge it"
            services.start_task(actor=member, task=task)
        if assignee is not None or started:
            task.refresh_from_db()
        return task

    return make


@pytest.fixture
def task(make_task: MakeTask, unit_support: Unit) -> Task:
    """A task of unit A, supported by an outside agency, due 30/10/2023."""
    return make_task(deadline=date(2023, 10, 30), support_units=[unit_support])


LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def on_day(day: date, hour: int = 9) -> time_machine.travel:
    """Freeze time at `hour` o'clock on `day`, local time (Asia/Ho_Chi_Minh)."""
    return time_machine.travel(datetime.combine(day, time(hour), tzinfo=LOCAL), tick=False)
