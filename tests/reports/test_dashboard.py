"""The leadership dashboard: every figure equals its definition and links to exactly its tasks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from directives import services
from directives.models import Task
from directives.timeliness import Timeliness
from reports import queries
from tests.conftest import MakeTask, on_day
from units.models import Unit, User

pytestmark = pytest.mark.django_db

TODAY = date(2024, 3, 15)
T = Timeliness


@pytest.fixture
def unit_c(db: Any) -> Unit:
    return Unit.objects.create(name="Ủy ban nhân dân xã Sơn Tây", short_name="UBND xã Sơn Tây")


@pytest.fixture
def data(
    make_task: MakeTask,
    office: User,
    staff_a: User,
    staff_b: User,
    unit_a: Unit,
    unit_b: Unit,
    unit_c: Unit,
) -> list[Task]:
    """A district's worth of situations, written as they would happen, day by day."""
    with on_day(date(2023, 10, 2)):
        a_done_on_time = make_task(text="A xong đúng hạn", deadline=date(2023, 11, 30))
        a_done_late = make_task(text="A xong muộn", deadline=date(2023, 10, 31))
        a_overdue_5 = make_task(text="A quá hạn 5 ngày", deadline=TODAY - timedelta(days=5))
        make_task(text="A quá hạn 40 ngày", deadline=TODAY - timedelta(days=40))
        make_task(text="A thường xuyên")
        make_task(text="B sắp đến hạn", lead_unit=unit_b, deadline=TODAY + timedelta(days=2))
        b_in_time = make_task(
            text="B trong hạn", lead_unit=unit_b, deadline=TODAY + timedelta(days=30)
        )
        make_task(text="B quá hạn 100 ngày", lead_unit=unit_b, deadline=TODAY - timedelta(days=100))
        b_reported_late = make_task(
            text="B báo cáo muộn", lead_unit=unit_b, deadline=date(2024, 1, 10)
        )
        b_cancelled = make_task(text="B hủy", lead_unit=unit_b, deadline=date(2024, 2, 1))
        make_task(text="C quá hạn 8 ngày", lead_unit=unit_c, deadline=TODAY - timedelta(days=8))
        c_paused_overdue = make_task(
            text="C tạm dừng quá hạn", lead_unit=unit_c, deadline=TODAY - timedelta(days=31)
        )
        c_done_ongoing = make_task(text="C xong thường xuyên", lead_unit=unit_c)
    with on_day(date(2023, 11, 20)):
        services.report_completion(actor=staff_a, task=a_done_on_time, note="x")
        services.accept_completion(actor=office, task=a_done_on_time)
        services.report_completion(actor=staff_a, task=a_done_late, note="x")
        services.accept_completion(actor=office, task=a_done_late)
        services.pause_task(actor=office, task=c_paused_overdue, reason="Chờ tỉnh")
        services.report_completion(actor=_member(unit_c), task=c_done_ongoing, note="x")
        services.accept_completion(actor=office, task=c_done_ongoing)
    with on_day(date(2024, 1, 20)):
        services.report_completion(actor=staff_b, task=b_reported_late, note="x")
        services.cancel_task(actor=office, task=b_cancelled, reason="Không còn phù hợp")
    with on_day(date(2024, 3, 10)):
        services.report_progress(actor=staff_a, task=a_overdue_5, note="Đang làm", progress=50)
        services.report_progress(actor=staff_b, task=b_in_time, note="Đang làm", progress=20)
    return list(Task.objects.all())


def _member(unit: Unit) -> User:
    user, _ = User.objects.get_or_create(
        username=f"staff_{unit.pk}", defaults={"role": User.Role.STAFF, "unit": unit}
    )
    return user


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with on_day(TODAY):
        yield


def category_of(task: Task) -> str:
    bucket = task.timeliness_on(TODAY)
    return next(name for name, buckets in queries.CATEGORIES.items() if bucket in buckets)


def expected_ids(tasks: list[Task], condition: Any) -> set[int]:
    return {t.pk for t in tasks if condition(t)}


def running(task: Task) -> bool:
    return task.status in Task.RUNNING_STATUSES


def days_late(task: Task) -> int:
    return (TODAY - task.deadline).days if task.deadline else 0


def listed_ids(client: Client, url: str) -> set[int]:
    response = client.get(url)
    assert response.status_code == 200
    page = response.context["listing"].page
    assert page.paginator.num_pages == 1
    return {t.pk for t in page.object_list}


@pytest.fixture
def leader_client(client: Client, leader: User) -> Client:
    client.force_login(leader)
    return client


def test_the_leadership_lands_on_the_dashboard(leader_client: Client) -> None:
    response = leader_client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")


def test_every_headline_figure_equals_its_definition_and_links_to_exactly_its_tasks(
    leader_client: Client, data: list[Task]
) -> None:
    response = leader_client.get(reverse("dashboard"))
    assert response.status_code == 200
    head = response.context["dashboard"]()["head"]
    assert head.counts.total == len(data) == 13
    for name, _, count, percent, url in response.context["dashboard"]()["categories"]:
        ids = expected_ids(data, lambda t, name=name: category_of(t) == name)
        assert count == len(ids), name
        assert percent == round(100 * len(ids) / len(data), 1)
        assert listed_ids(leader_client, url) == ids, name
    assert head.counts.done_on_time == 2  # one with a deadline, one ongoing
    assert head.counts.open_overdue == 6  # incl. the paused one and the one reported late

    links = response.context["dashboard"]()["links"]
    checks = {
        "total": (head.counts.total, lambda t: True),
        "no_deadline": (head.no_deadline, lambda t: t.timeliness_on(TODAY) == T.NO_DEADLINE),
        "due_soon": (head.due_soon, lambda t: t.timeliness_on(TODAY) == T.DUE_SOON),
        "awaiting": (head.awaiting, lambda t: t.status == Task.Status.AWAITING_ACCEPTANCE),
    }
    for key, (figure, condition) in checks.items():
        ids = expected_ids(data, condition)
        assert figure == len(ids), key
        assert listed_ids(leader_client, links[key]) == ids, key


def test_the_ageing_buckets_and_stale_tasks(leader_client: Client, data: list[Task]) -> None:
    response = leader_client.get(reverse("dashboard"))
    ranges = [(1, 7), (8, 30), (31, 90), (91, 10_000)]
    for (label, count, url), (low, high) in zip(
        response.context["dashboard"]()["ageing"], ranges, strict=True
    ):
        ids = expected_ids(
            data, lambda t, low=low, high=high: running(t) and low <= days_late(t) <= high
        )
        assert count == len(ids), label
        assert listed_ids(leader_client, url) == ids, label
    assert [count for _, count, _ in response.context["dashboard"]()["ageing"]] == [1, 1, 2, 1]

    cutoff = timezone.make_aware(datetime.combine(TODAY - timedelta(days=30), datetime.min.time()))
    stale = expected_ids(data, lambda t: running(t) and t.last_activity_at < cutoff)
    assert response.context["dashboard"]()["head"].stale == len(stale) == 6
    assert listed_ids(leader_client, response.context["dashboard"]()["links"]["stale"]) == stale


def test_every_cell_of_the_unit_table_equals_its_definition_and_links_to_its_tasks(
    leader_client: Client, data: list[Task]
) -> None:
    response = leader_client.get(reverse("dashboard"))
    rows = response.context["dashboard"]()["unit_rows"]
    assert {r["row"].name for r in rows} == {
        "Phòng Nội vụ",
        "Phòng Tư pháp",
        "Ủy ban nhân dân xã Sơn Tây",
    }
    for r in rows:
        unit_id = r["row"].unit_id
        mine = [t for t in data if t.lead_unit_id == unit_id]
        assert r["row"].counts.total == len(mine)
        assert listed_ids(leader_client, r["total_link"]) == {t.pk for t in mine}
        for (count, percent, url), name in zip(r["cells"], queries.CATEGORIES, strict=True):
            ids = expected_ids(mine, lambda t, name=name: category_of(t) == name)
            assert count == len(ids), (r["row"].name, name)
            assert percent == (round(100 * len(ids) / len(mine), 1) if mine else 0.0)
            assert listed_ids(leader_client, url) == ids, (r["row"].name, name)


def test_laggards_come_first_and_the_table_sorts(leader_client: Client, data: list[Task]) -> None:
    rows = leader_client.get(reverse("dashboard")).context["dashboard"]()["unit_rows"]
    # Two overdue each: the higher overdue rate first (Sơn Tây 2 of 3), then by name.
    assert [(r["row"].name, r["row"].counts.open_overdue) for r in rows] == [
        ("Ủy ban nhân dân xã Sơn Tây", 2),
        ("Phòng Nội vụ", 2),
        ("Phòng Tư pháp", 2),
    ]
    by_name = leader_client.get(reverse("dashboard"), {"sort": "name"}).context["dashboard"]()[
        "unit_rows"
    ]
    names = [r["row"].name for r in by_name]
    assert names == sorted(names)
    on_time = leader_client.get(reverse("dashboard"), {"sort": "on_time"}).context["dashboard"]()[
        "unit_rows"
    ]
    assert on_time[0]["row"].counts.on_time_rate == 100.0


def test_the_notice_table_and_its_links(
    leader_client: Client, data: list[Task], office: User, make_task: MakeTask
) -> None:
    with on_day(date(2024, 2, 1)):
        newer = services.create_notice(
            actor=office, number="12/TB-UBND", issued_on=date(2024, 2, 1), title="Khác"
        )
        make_task(notice=newer, text="Việc của thông báo mới")
    rows = leader_client.get(reverse("dashboard")).context["dashboard"]()["notice_rows"]
    assert [r["row"].number for r in rows] == ["12/TB-UBND", "194/TB-UBND"]
    old = rows[1]
    assert old["row"].counts.total == 13
    assert len(listed_ids(leader_client, old["total_link"])) == 13
    done = expected_ids(data, lambda t: t.status == Task.Status.DONE)
    assert listed_ids(leader_client, old["done_link"]) == done
    overdue = expected_ids(data, lambda t: t.timeliness_on(TODAY) == T.OVERDUE)
    assert listed_ids(leader_client, old["overdue_link"]) == overdue


def test_filters_apply_to_the_figures_and_travel_with_the_links(
    leader_client: Client, data: list[Task], unit_b: Unit
) -> None:
    params = {"deadline_from": "2024-01-01", "deadline_to": "2024-03-31"}
    response = leader_client.get(reverse("dashboard"), params)
    in_period = [
        t for t in data if t.deadline and date(2024, 1, 1) <= t.deadline <= date(2024, 3, 31)
    ]
    assert response.context["dashboard"]()["head"].counts.total == len(in_period)
    for name, _, count, _, url in response.context["dashboard"]()["categories"]:
        assert "deadline_from=2024-01-01" in url
        assert len(listed_ids(leader_client, url)) == count, name


def test_a_reference_day_in_the_past_recomputes_every_bucket(
    leader_client: Client, data: list[Task]
) -> None:
    day = date(2023, 12, 1)
    response = leader_client.get(reverse("dashboard"), {"as_of": "2023-12-01"})
    for name, _, count, _, url in response.context["dashboard"]()["categories"]:
        ids = {t.pk for t in data if t.timeliness_on(day) in queries.CATEGORIES[name]}
        assert count == len(ids), name
        assert listed_ids(leader_client, url) == ids, name


def test_the_trend_counts_completions_and_overdue_tasks_per_month(
    leader_client: Client, data: list[Task]
) -> None:
    trend = leader_client.get(reverse("dashboard")).context["dashboard"]()["trend"]
    points = {p.label: p for p in trend.points}
    assert len(trend.points) == 12 and trend.points[-1].label == "03/2024"
    assert points["11/2023"].completed == 3  # two on 20/11 and the ongoing one
    for point in trend.points:
        overdue_at_end = {
            t.pk
            for t in data
            if t.assigned_on <= point.end
            and t.deadline
            and t.deadline < point.end
            and (t.completed_on is None or t.completed_on > point.end)
            and t.status != Task.Status.CANCELLED
        }
        assert point.overdue == len(overdue_at_end), point.label
    weekly = leader_client.get(reverse("dashboard"), {"trend": "week"}).context["dashboard"]()[
        "trend"
    ]
    assert weekly.granularity == "week" and len(weekly.points) == 12


# session, user, unread notifications, the inbox's count (the leadership decides extensions)
# (the header's unit name and the unit picker's options are kept in the process until a unit
# is saved, the notices offered, their labels and chairs in the cache between requests: each
# measured request follows one that filled them),
# then today's tally, its total and its unit table (or, counted live: headline, per unit, trend,
# and the four work-model figures, each from its partial index), the newest notices and their
# figures, the latest tasks given to several units and theirs (the figures kept until one of
# their tasks changes: measured after a change to every list, they are counted). Asked again
# with nothing changed, the content is kept as HTML and the inbox's count as a figure
# (directives.caching): session, user, unread notifications remain.
DASHBOARD_QUERIES = 11
LIVE_DASHBOARD_QUERIES = 15
KEPT_DASHBOARD_QUERIES = 3


def _dashboard_queries(
    client: Client, django_assert_num_queries: Any, params: dict[str, str], expected: int
) -> Any:
    from directives import caching

    caching.lists_changed()  # counted afresh
    with django_assert_num_queries(expected):
        response = client.get(reverse("dashboard"), params)
    with django_assert_num_queries(KEPT_DASHBOARD_QUERIES):
        assert client.get(reverse("dashboard"), params).status_code == 200
    return response


def test_the_dashboard_query_count_does_not_grow_with_tasks_or_units(
    leader_client: Client, office: User, make_task: MakeTask, django_assert_num_queries: Any
) -> None:
    leader_client.get(reverse("dashboard"))  # the day's first request builds the tally
    # No notice nor task given to several units yet: their figures are not asked for.
    _dashboard_queries(leader_client, django_assert_num_queries, {}, DASHBOARD_QUERIES - 2)
    live = {"deadline_from": "01/01/2000"}  # not in the tally: counted live
    _dashboard_queries(leader_client, django_assert_num_queries, live, LIVE_DASHBOARD_QUERIES - 2)
    units = []
    for number in range(12):
        unit = Unit.objects.create(name=f"Xã số {number}")
        units.append(unit)
        make_task(lead_unit=unit, deadline=TODAY - timedelta(days=number))
        make_task(lead_unit=unit)
    notice = Task.objects.first().notice  # type: ignore[union-attr]
    for number in range(3):  # one task for several units, three times: 3 × 4 children
        services.assign_group_task(
            actor=office,
            notice=notice,
            text=f"Việc chung {number}",
            lead_units=units[:4],
            deadline=TODAY,  # in the live scope too
        )
    leader_client.get(reverse("dashboard"))  # new tasks: the notices offered are read again
    response = _dashboard_queries(leader_client, django_assert_num_queries, {}, DASHBOARD_QUERIES)
    assert len(response.context["dashboard"]()["group_rows"]) == 3
    assert response.context["dashboard"]()["head"].counts.total == 36
    assert len(response.context["dashboard"]()["unit_rows"]) == 12
    _dashboard_queries(leader_client, django_assert_num_queries, live, LIVE_DASHBOARD_QUERIES)


def test_a_unit_sees_only_its_own_figures(
    client: Client, data: list[Task], head_a: User, staff_b: User, unit_a: Unit, unit_b: Unit
) -> None:
    client.force_login(head_a)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert [r["row"].name for r in response.context["dashboard"]()["unit_rows"]] == ["Phòng Nội vụ"]
    mine = [t for t in data if t.lead_unit_id == unit_a.pk]
    assert response.context["dashboard"]()["head"].counts.total == len(mine)
    for name, _, count, _, url in response.context["dashboard"]()["categories"]:
        assert "role=lead" in url
        ids = {t.pk for t in mine if category_of(t) == name}
        assert count == len(ids)
        assert listed_ids(client, url) == ids
    # Asking for another unit's figures shows nothing of theirs.
    other = client.get(reverse("dashboard"), {"unit": unit_b.pk})
    assert [r["row"].name for r in other.context["dashboard"]()["unit_rows"]] == ["Phòng Nội vụ"]
    assert "Phòng Tư pháp" not in other.content.decode()


def test_the_print_view_renders_without_navigation(leader_client: Client, data: list[Task]) -> None:
    response = leader_client.get(reverse("dashboard"), {"print": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "navbar" not in html and "Bản in A4" not in html
    assert "Theo đơn vị chủ trì" in html


def test_an_empty_district_shows_zeros_not_errors(leader_client: Client) -> None:
    response = leader_client.get(reverse("dashboard"), {"as_of": "không phải ngày", "sort": "x"})
    assert response.status_code == 200
    assert response.context["dashboard"]()["head"].counts.total == 0
    assert "Không có nhiệm vụ nào" in response.content.decode()


@pytest.mark.parametrize("query", [{}, {"assigned_from": "01/01/2000"}])  # tally, then live
def test_the_unit_table_shows_the_laggards_first_and_every_unit_on_request(
    leader_client: Client,
    make_task: MakeTask,
    monkeypatch: pytest.MonkeyPatch,
    query: dict[str, str],
) -> None:
    from reports import views

    monkeypatch.setattr(views, "UNIT_ROWS", 3)
    for number in range(5):
        unit = Unit.objects.create(name=f"Xã số {number}")
        for _ in range(number):
            make_task(lead_unit=unit, deadline=date(2023, 10, 1), assigned_on=date(2023, 9, 1))
        make_task(lead_unit=unit)
    response = leader_client.get(reverse("dashboard"), query)
    names = [r["row"].name for r in response.context["dashboard"]()["unit_rows"]]
    assert names == ["Xã số 4", "Xã số 3", "Xã số 2"]  # the most overdue first
    assert "Đang hiện 3 trong 5 đơn vị" in response.content.decode()
    everything = leader_client.get(reverse("dashboard"), {**query, "units": "all"})
    assert len(everything.context["dashboard"]()["unit_rows"]) == 5
    assert "Đang hiện" not in everything.content.decode()
    by_name = leader_client.get(reverse("dashboard"), {**query, "sort": "name"})
    assert [r["row"].name for r in by_name.context["dashboard"]()["unit_rows"]] == [
        "Xã số 0",
        "Xã số 1",
        "Xã số 2",
    ]


def test_the_lag_ranking_puts_a_unit_whose_only_work_was_late_above_one_on_time() -> None:
    """The rule said on the page: overdue now, then the share of late work, then on time."""
    rows = {
        "Phòng Nội vụ": {"total": 3, "done_on_time": 2},
        "UBND xã Sơn Tây": {"total": 1, "done_late": 1},
        "Phòng Tư pháp": {"total": 4, "open_overdue": 1},
        "Phòng Y tế": {"total": 2, "done_on_time": 1, "done_late": 1},
    }
    key = queries.UNIT_SORTS["lag"]
    ranked = sorted(rows, key=lambda name: key(rows[name], name))
    assert ranked == ["Phòng Tư pháp", "UBND xã Sơn Tây", "Phòng Y tế", "Phòng Nội vụ"]


_COUNT = st.integers(min_value=0, max_value=400)


@given(
    st.fixed_dictionaries(
        {},
        optional={
            name: _COUNT for name in ("done_on_time", "done_late", "open_overdue", "open_in_time")
        },
    ),
    _COUNT,
)
def test_the_lag_key_is_the_rule_on_the_shown_percentages(
    counts: dict[str, int], cancelled: int
) -> None:
    """The lag key (written out for speed) orders as the rule reads on the page's own figures:
    overdue now, then the share of late work of all, then the share done on time (a unit with
    nothing finished counts as all on time), each percentage as shown (one decimal)."""
    counts["total"] = sum(counts.values()) + cancelled
    row = queries.unit_row(1, "Phòng Nội vụ", "", counts, 30).counts
    late = queries._percent(row.open_overdue + row.done_late, row.total)
    on_time = 100.0 if row.on_time_rate is None else row.on_time_rate
    expected = (-row.open_overdue, -late, on_time, "Phòng Nội vụ")
    assert queries.UNIT_SORTS["lag"](counts, "Phòng Nội vụ") == expected


def test_the_dashboard_says_how_units_are_ranked(leader_client: Client, data: list[Task]) -> None:
    html = leader_client.get(reverse("dashboard")).content.decode()
    assert f"Xếp theo: {queries.LAG_RULE}." in html
