"""Today's tally (reports/tally.py) always equals counting every task again."""

from __future__ import annotations

import contextlib
import threading
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directives import services, timeliness
from directives.models import Task
from reports import queries, tally
from reports.models import TallyDay, UnitTally
from tests.conftest import MakeTask, _user, on_day
from tests.security.test_concurrency import run_together
from units.models import Unit, User

TODAY = date(2024, 3, 15)


def recount(day: date) -> dict[int, dict[str, int]]:
    """Every unit's figures counted from the tasks now, as a fresh build would."""
    rows = (
        Task.objects.order_by()
        .values("lead_unit_id")
        .annotate(**{n: timeliness.count(q) for n, q in tally.metrics(day).items()})
    )
    return {row.pop("lead_unit_id"): row for row in rows}


def kept(day: date) -> dict[int, dict[str, int]]:
    """What the tally holds, without units left at zero."""
    rows = UnitTally.objects.filter(tally__day=day, unit__isnull=False)
    return {row.unit_id or 0: row.counts for row in rows if row.counts.get("total")}


def same(day: date) -> None:
    fresh = recount(day)
    held = kept(day)
    assert held.keys() == fresh.keys()
    for unit, counts in fresh.items():
        assert {k: held[unit].get(k, 0) for k in counts} == counts, f"unit {unit}"
    # The total's shards add up to every unit together.
    summed = tally.totals(TallyDay.objects.get(day=day))
    everything = {k: sum(c[k] for c in fresh.values()) for k in tally.metrics(day)}
    assert {k: summed.get(k, 0) for k in everything} == everything


@pytest.fixture
def world(
    make_task: MakeTask,
    office: User,
    staff_a: User,
    staff_b: User,
    unit_a: Unit,
    unit_b: Unit,
) -> dict[str, Any]:
    with on_day(date(2023, 10, 2)):
        tasks = (
            [
                make_task(text=f"A{i}", deadline=TODAY + timedelta(days=d))
                for i, d in enumerate((-40, -5, 0, 2, 30))
            ]
            + [
                make_task(text="A không hạn", deadline=None),
            ]
            + [
                make_task(text=f"B{i}", lead_unit=unit_b, deadline=TODAY + timedelta(days=d))
                for i, d in enumerate((-10, 3, 60))
            ]
        )
    # Given the day before: their units may still hand them back.
    yesterday = TODAY - timedelta(days=1)
    with on_day(yesterday):
        tasks += [
            make_task(text="A mới", deadline=TODAY + timedelta(days=20), assigned_on=yesterday),
            make_task(
                text="B mới",
                lead_unit=unit_b,
                deadline=TODAY + timedelta(days=20),
                assigned_on=yesterday,
            ),
        ]
    heads = [_user(f"head_{n}", User.Role.HEAD, unit) for n, unit in enumerate((unit_a, unit_b))]
    return {
        "tasks": tasks,
        "office": office,
        "a": staff_a,
        "b": staff_b,
        "units": [unit_a, unit_b],
        "heads": heads,
    }


def member(task: Task, world: dict[str, Any]) -> User:
    return world["a"] if task.lead_unit_id == world["units"][0].pk else world["b"]


def act(kind: str, task: Task, world: dict[str, Any], days: int) -> None:
    """One service action, as the person who may take it; refusals are part of the game."""
    office = world["office"]
    task = Task.objects.get(pk=task.pk)
    staff = member(task, world)
    led_by_a = task.lead_unit_id == world["units"][0].pk
    head = world["heads"][0 if led_by_a else 1]
    other_unit = world["units"][1 if led_by_a else 0]
    actions = {
        "start": lambda: services.start_task(actor=staff, task=task),
        "progress": lambda: services.report_progress(
            actor=staff, task=task, note="Tiến độ", progress=min(99, 10 + days)
        ),
        "complete": lambda: services.report_completion(
            actor=staff, task=task, note="Xong", completed_on=TODAY - timedelta(days=days % 20)
        ),
        "accept": lambda: services.accept_completion(actor=office, task=task),
        "return": lambda: services.return_completion(actor=office, task=task, reason="Bổ sung"),
        "pause": lambda: services.pause_task(actor=office, task=task, reason="Chờ"),
        "resume": lambda: services.resume_task(actor=office, task=task),
        "cancel": lambda: services.cancel_task(actor=office, task=task, reason="Bỏ"),
        "deadline": lambda: services.edit_task(
            actor=office, task=task, deadline=TODAY + timedelta(days=days - 20)
        ),
        "move": lambda: services.edit_task(actor=office, task=task, lead_unit=other_unit),
        # The work model: a person given the task, the task handed back and given elsewhere.
        "assign": lambda: services.assign_person(actor=head, task=task, assignee=staff),
        "hand_back": lambda: services.hand_back(
            actor=head, task=task, reason="Không thuộc chức năng của đơn vị"
        ),
        "reassign": lambda: services.reassign_lead(actor=office, task=task, lead_unit=other_unit),
        "new": lambda: services.assign_task(
            actor=office,
            notice=task.notice,
            text="Nhiệm vụ mới",
            lead_unit=world["units"][days % 2],
            deadline=TODAY + timedelta(days=days - 20),
            assigned_on=TODAY - timedelta(days=30),
        ),
    }
    with contextlib.suppress(ValidationError, PermissionDenied):
        actions[kind]()


ACTIONS = st.sampled_from(
    [
        "start",
        "progress",
        "complete",
        "accept",
        "return",
        "pause",
        "resume",
        "cancel",
        "deadline",
        "move",
        "new",
        "assign",
        "hand_back",
        "reassign",
    ]
)


@pytest.mark.django_db
def test_any_sequence_of_changes_keeps_the_tally_equal_to_a_recount(
    world: dict[str, Any],
) -> None:
    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(steps=st.lists(st.tuples(ACTIONS, st.integers(0, 10), st.integers(0, 40)), max_size=12))
    def run(steps: list[tuple[str, int, int]]) -> None:
        with on_day(TODAY, hour=8):
            tally.build(TODAY)
            for kind, index, days in steps:
                act(kind, world["tasks"][index], world, days)
            same(TODAY)

    run()


@pytest.mark.django_db
def test_the_work_models_changes_move_the_tally(world: dict[str, Any]) -> None:
    """A task handed back, given to another unit, given to a person: each moves today's tally
    as a recount would (the work-model figures the dashboard reads from it)."""
    fresh, other = world["tasks"][9], world["tasks"][10]
    with on_day(TODAY, hour=8):
        tally.build(TODAY)
        act("hand_back", fresh, world, 0)
        assert Task.objects.get(pk=fresh.pk).returned_at is not None
        same(TODAY)
        act("reassign", fresh, world, 0)
        assert Task.objects.get(pk=fresh.pk).lead_unit_id == world["units"][1].pk
        same(TODAY)
        act("assign", other, world, 0)
        assert Task.objects.get(pk=other.pk).assignee_id is not None
        same(TODAY)
    summed = tally.totals(TallyDay.objects.get(day=TODAY))
    assert summed["unassigned"] == Task.objects.unassigned().count() > 0
    assert summed["not_received"] == Task.objects.not_received(TODAY).count() > 0


@pytest.mark.django_db
def test_the_duties_report_cut_offs_move_the_tally(
    world: dict[str, Any], make_task: MakeTask
) -> None:
    """A duty's missed period reports are counted in the tally: its cut-off moves when the
    daily job opens its periods, when it is reported, and when it ends, each time for the
    duties at once (services.periods) and through the tally as a recount would."""
    with on_day(date(2023, 10, 2)):
        duties = [
            make_task(
                text=f"Báo cáo định kỳ {n}",
                lead_unit=unit,
                deadline_text="Thường xuyên; báo cáo trước ngày 20 hằng tháng",
                assigned_on=date(2023, 10, 2),
            )
            for n, unit in enumerate(world["units"])
        ]
    with on_day(TODAY, hour=8):
        tally.build(TODAY)
        services.ensure_periods(TODAY)  # the daily job: October's cut-off passed unreported
        same(TODAY)
        missed = tally.totals(TallyDay.objects.get(day=TODAY))["missed_period"]
        assert missed == Task.objects.missing_period_report(TODAY).count() == 2
        services.report_period(actor=world["a"], task=duties[0], note="Báo cáo tháng 10")
        same(TODAY)
        services.cancel_task(actor=world["office"], task=duties[1], reason="Thôi báo cáo")
        same(TODAY)
        services.ensure_periods(TODAY)
        same(TODAY)
        assert tally.totals(TallyDay.objects.get(day=TODAY))["missed_period"] == 1


@pytest.mark.django_db
def test_the_dashboard_from_the_tally_shows_what_counting_live_shows(
    world: dict[str, Any], leader: User
) -> None:
    client = Client()
    client.force_login(leader)
    with on_day(TODAY):
        act("complete", world["tasks"][1], world, 3)
        act("accept", world["tasks"][1], world, 0)
        act("pause", world["tasks"][6], world, 0)
        act("hand_back", world["tasks"][9], world, 0)
        act("assign", world["tasks"][7], world, 0)
        act("start", world["tasks"][7], world, 0)
        tally.current(TODAY)  # built (the nightly job's work) before the page is read
        with CaptureQueriesContext(connection) as read:
            from_tally = client.get(reverse("dashboard"))
        # The work-model figures the tally holds are not counted again.
        assert not [q for q in read.captured_queries if "returned_at" in q["sql"]]
        assert TallyDay.objects.filter(day=TODAY).exists()
        # The same figures counted live: a filter the tally cannot answer, matching every task.
        live = client.get(reverse("dashboard"), {"assigned_from": "01/01/2000"})
        counted = client.get(reverse("dashboard"), {"deadline_to": "31/12/2999"})
    assert counted.context["dashboard"]()["head"].counts.total < len(
        world["tasks"]
    )  # no deadline: left out
    for response in (live,):
        assert response.context["dashboard"]()["head"] == from_tally.context["dashboard"]()["head"]
        assert [r["row"] for r in response.context["dashboard"]()["unit_rows"]] == [
            r["row"] for r in from_tally.context["dashboard"]()["unit_rows"]
        ]
        assert (
            response.context["dashboard"]()["trend"] == from_tally.context["dashboard"]()["trend"]
        )
        work = [row[:2] for row in from_tally.context["dashboard"]()["work_rows"]]
        assert [row[:2] for row in response.context["dashboard"]()["work_rows"]] == work
        assert all(count for _, count in work[:3])  # unassigned, not received, handed back
    assert from_tally.context["dashboard"]()["head"].counts.total == len(world["tasks"])


@pytest.mark.django_db
def test_a_new_day_builds_a_new_tally_and_drops_the_old(world: dict[str, Any]) -> None:
    with on_day(TODAY):
        first = tally.current(TODAY)
    assert first is not None
    overdue_today = tally.totals(first)["open_overdue"]
    tomorrow = TODAY + timedelta(days=1)
    with on_day(tomorrow):
        assert tally.current(TODAY) is None  # another day than today: counted live
        second = tally.current(tomorrow)
    assert second is not None and second.day == tomorrow
    assert list(TallyDay.objects.values_list("day", flat=True)) == [tomorrow]
    # Tasks due on the 15th became overdue on the 16th: the new tally says so.
    counts = tally.totals(second)
    due_today = [t for t in world["tasks"] if t.deadline == TODAY]
    assert due_today
    assert counts["open_overdue"] == sum(c["open_overdue"] for c in recount(tomorrow).values())
    assert counts["open_overdue"] > overdue_today


@pytest.mark.parametrize(
    ("query", "usable"),
    [
        ({}, True),
        ({"timeliness": ["overdue"]}, True),
        ({"as_of": TODAY}, True),
        ({"as_of": TODAY - timedelta(days=1)}, False),
        ({"q": "báo cáo"}, False),
        ({"status": ["done"]}, False),
        ({"stale": 30}, False),
        ({"role": "support"}, False),
    ],
)
def test_which_filters_the_tally_answers(query: dict[str, Any], usable: bool) -> None:
    assert tally.eligible(query, TODAY)[0] is usable


@pytest.mark.django_db(transaction=True)
def test_a_build_during_concurrent_changes_loses_none_of_them(
    world: dict[str, Any], head_a: User
) -> None:
    with on_day(TODAY):
        tally.build(TODAY)
        a_tasks = [t for t in world["tasks"] if t.lead_unit_id == world["units"][0].pk]

        def report(task: Task, actor: User) -> Any:
            return lambda: services.report_progress(
                actor=actor, task=task, note="Cùng lúc", progress=40
            )

        outcomes = run_together(
            report(a_tasks[0], world["a"]),
            lambda: tally.build(TODAY),
            report(a_tasks[1], head_a),
            report(world["tasks"][6], world["b"]),
            lambda: tally.build(TODAY),
            report(a_tasks[2], world["a"]),
        )
        assert outcomes == [None] * 6
        same(TODAY)


@pytest.mark.django_db
def test_beat_builds_the_tally_just_after_midnight(world: dict[str, Any]) -> None:
    from django.conf import settings

    from reports.tasks import build_tally

    entry = settings.CELERY_BEAT_SCHEDULE["daily-tally"]
    assert entry["task"] == build_tally.name
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({0}, {1})  # type: ignore[attr-defined]
    with on_day(TODAY, hour=0):
        result = build_tally.apply().get()
    assert result == {"day": TODAY.isoformat(), "units": 2 + UnitTally.TOTAL_SHARDS}
    same(TODAY)


@pytest.mark.django_db
def test_the_office_can_recount_today_by_command(world: dict[str, Any]) -> None:
    from io import StringIO

    from django.core.management import call_command

    with on_day(TODAY):
        tally.build(TODAY)
        UnitTally.objects.filter(unit__isnull=False).update(counts={"total": 999})  # drifted
        out = StringIO()
        call_command("build_tally", stdout=out)
    assert "cho 2 đơn vị" in out.getvalue()
    same(TODAY)


# --- the unit table kept in the process (tally.unit_table outside a transaction) -------------

SORTS = sorted(queries.UNIT_SORTS)
WANTED = tuple(queries.unit_metrics(TODAY))  # what the dashboard reads of each unit


def read_whole(sort: str) -> list[tally.UnitCounts]:
    """The unit table read whole and sorted, as inside a transaction (nothing kept)."""
    with transaction.atomic():
        return tally.unit_table(TallyDay.objects.get(day=TODAY), WANTED, sort)


def table_queries(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "reports_unittally" in q["sql"]]


@pytest.fixture
def five_units(make_task: MakeTask, office: User) -> list[Unit]:
    units = [Unit.objects.create(name=f"Đơn vị {n}", short_name=f"ĐV{n}") for n in range(5)]
    with on_day(date(2023, 10, 2)):
        for n, unit in enumerate(units):
            for d in range(n % 3 + 1):
                make_task(
                    text=f"Việc {n}.{d}", lead_unit=unit, deadline=TODAY + timedelta(d * 9 - 5)
                )
    return units


@pytest.mark.django_db(transaction=True)
def test_the_kept_unit_table_reads_only_the_moved_rows_and_always_equals_a_whole_read(
    five_units: list[Unit], office: User
) -> None:
    """Each read after the first takes only the rows moved since (none when nothing moved),
    and the table it gives, in every order, equals the table read whole: units moving up and
    down, a unit's last task moved away (it leaves the table), a unit's first task (it
    enters)."""

    @settings(
        max_examples=12,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        steps=st.lists(
            st.tuples(
                st.sampled_from(["deadline", "move", "cancel", "complete"]),
                st.integers(0, 30),
                st.integers(0, 4),
                st.integers(0, 40),
            ),
            min_size=1,
            max_size=6,
        )
    )
    def run(steps: list[tuple[str, int, int, int]]) -> None:
        with on_day(TODAY, hour=8):
            tally.build(TODAY)
            built = TallyDay.objects.get(day=TODAY)
            for sort in SORTS:
                assert tally.unit_table(built, WANTED, sort) == read_whole(sort)
            for kind, index, unit, days in steps:
                tasks = list(Task.objects.order_by("pk"))
                task = tasks[index % len(tasks)]
                with contextlib.suppress(ValidationError, PermissionDenied):
                    if kind == "deadline":
                        services.edit_task(
                            actor=office, task=task, deadline=TODAY + timedelta(days - 20)
                        )
                    elif kind == "move":
                        services.edit_task(actor=office, task=task, lead_unit=five_units[unit])
                    elif kind == "cancel":
                        services.cancel_task(actor=office, task=task, reason="Bỏ")
                    else:
                        services.report_completion(
                            actor=office, task=task, note="Xong", completed_on=TODAY
                        )
                for sort in SORTS:
                    with CaptureQueriesContext(connection) as captured:
                        kept = tally.unit_table(built, WANTED, sort)
                    (sql,) = table_queries(captured)
                    assert "revision" in sql  # only the rows moved since the last read
                    assert kept == read_whole(sort), (kind, sort)

    run()


@pytest.mark.django_db(transaction=True)
def test_the_kept_unit_table_follows_a_rename_and_a_rebuild(
    five_units: list[Unit], office: User
) -> None:
    with on_day(TODAY, hour=8):
        built = tally.build(TODAY)
        assert tally.unit_table(built, WANTED, "name")[0].name == "Đơn vị 0"
        five_units[0].name = "Đơn vị 9"
        five_units[0].save()
        assert [r.name for r in tally.unit_table(built, WANTED, "name")][-1] == "Đơn vị 9"
        # A rebuild (the nightly job, or the office's recount) is read whole: rows written
        # behind the tally's back are no longer missed once it is rebuilt.
        UnitTally.objects.filter(unit=five_units[1]).update(counts={"total": 999})
        assert tally.unit_table(built, WANTED, "total")[0].counts["total"] != 999
        rebuilt = tally.build(TODAY)
        assert rebuilt.build != built.build
        assert tally.unit_table(rebuilt, WANTED, "total") == read_whole("total")


@pytest.mark.django_db(transaction=True)
def test_a_change_that_commits_after_a_later_one_was_read_is_read_too(
    five_units: list[Unit],
) -> None:
    """Two changes in flight: the first to write commits last, after the table was read with
    the second. The next read still takes the first (on PostgreSQL, from the oldest
    transaction the last read's snapshot could not see; a horizon taken from the newest
    revision read would skip it). SQLite writes one transaction at a time: the two commit
    in turn."""
    with on_day(TODAY, hour=8):
        built = tally.build(TODAY)
        tally.unit_table(built, WANTED, "total")  # kept
        first, second = five_units[0].pk, five_units[1].pk
        moved_first, read_between = threading.Event(), threading.Event()

        def change(unit_id: int, *, wait: bool) -> None:
            try:
                with transaction.atomic():
                    tally._apply(built.pk, {"total": 100}, unit_id=unit_id)
                    if wait:
                        moved_first.set()
                        assert read_between.wait(timeout=10)
            finally:
                connection.close()

        if connection.vendor == "postgresql":
            slow = threading.Thread(target=change, args=(first,), kwargs={"wait": True})
            slow.start()
            assert moved_first.wait(timeout=10)
            fast = threading.Thread(target=change, args=(second,), kwargs={"wait": False})
            fast.start()
            fast.join(timeout=10)
            between = {
                r.unit_id: r.counts["total"] for r in tally.unit_table(built, WANTED, "total")
            }
            assert between[second] > 100 and between[first] < 100  # the first not yet committed
            read_between.set()
            slow.join(timeout=10)
        else:
            read_between.set()
            change(first, wait=True)
            tally.unit_table(built, WANTED, "total")
            change(second, wait=False)
        after = {r.unit_id: r.counts["total"] for r in tally.unit_table(built, WANTED, "total")}
        assert after[first] > 100 and after[second] > 100
        assert tally.unit_table(built, WANTED, "total") == read_whole("total")
