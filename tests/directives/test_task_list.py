"""The task list's filters: in the URL, accents optional, scoped to the person."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date

import pytest
from django.http import QueryDict
from django.test import Client, RequestFactory
from django.urls import reverse

from directives import services
from directives.models import Notice, Task
from tests.conftest import MakeTask, on_day
from units.models import Unit, User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with on_day(date(2023, 10, 20)):
        yield


@pytest.fixture
def son_tay(db: object) -> Unit:
    return Unit.objects.create(
        name="Ủy ban nhân dân xã Sơn Tây", short_name="UBND xã Sơn Tây", kind=Unit.Kind.COMMUNE
    )


def listed(client: Client, **params: str | list[str]) -> list[str]:
    response = client.get(reverse("task_list"), params)
    assert response.status_code == 200
    return [t.text for t in response.context["listing"].page.object_list]


@pytest.fixture
def office_client(client: Client, office: User) -> Client:
    client.force_login(office)
    return client


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("qua han", ["Không để hồ sơ quá hạn."]),
        ("QUÁ HẠN", ["Không để hồ sơ quá hạn."]),
        ("ho so", ["Không để hồ sơ quá hạn."]),
        ("3.1 qua han", ["Không để hồ sơ quá hạn."]),  # the ref, the text's first word
        ("son tay", ["Hoàn thiện sáng kiến SMS."]),
        ("Sơn Tây", ["Hoàn thiện sáng kiến SMS."]),
        ("sang kien sms", ["Hoàn thiện sáng kiến SMS."]),
        ("195/TB", ["Tuyển dụng viên chức."]),
        ("khong co gi", []),
    ],
)
@pytest.mark.parametrize("walk", [False, True])
def test_search_ignores_accents_and_finds_units_and_notice_numbers(
    office_client: Client,
    make_task: MakeTask,
    office: User,
    son_tay: Unit,
    query: str,
    expected: list[str],
    walk: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same tasks whether a page is read through the text's index or by testing each
    row's text (directives.views._walks: a search matching many tasks)."""
    from directives import views

    monkeypatch.setattr(views, "_walks", lambda matches, needed: walk)
    make_task(text="Không để hồ sơ quá hạn.")
    make_task(text="Hoàn thiện sáng kiến SMS.", lead_unit=son_tay)
    other = services.create_notice(
        actor=office, number="195/TB-UBND", issued_on=date(2023, 9, 20), title="Khác"
    )
    make_task(text="Tuyển dụng viên chức.", notice=other)
    assert listed(office_client, q=query) == expected


def test_the_search_follows_a_unit_renamed_or_given_an_alias(
    office_client: Client, make_task: MakeTask, office: User, son_tay: Unit
) -> None:
    """The units' folded names are kept between requests; a unit saved is searched anew."""
    from units.services import save_unit

    make_task(text="Hoàn thiện sáng kiến SMS.", lead_unit=son_tay)
    assert listed(office_client, q="son tay") == ["Hoàn thiện sáng kiến SMS."]
    assert listed(office_client, q="kim hoa") == []
    save_unit(actor=office, unit=son_tay, name="Ủy ban nhân dân xã Kim Hoa", short_name="")
    assert listed(office_client, q="kim hoa") == ["Hoàn thiện sáng kiến SMS."]
    assert listed(office_client, q="son tay") == []
    save_unit(actor=office, unit=son_tay, aliases=["Sơn Kim 1"])
    assert listed(office_client, q="son kim") == ["Hoàn thiện sáng kiến SMS."]


def test_filters_by_status_notice_and_deadline_range(
    office_client: Client, make_task: MakeTask, office: User, staff_a: User
) -> None:
    early = make_task(text="Sớm", deadline=date(2023, 10, 25))
    make_task(text="Muộn", deadline=date(2023, 12, 31))
    make_task(text="Thường xuyên")
    services.start_task(actor=staff_a, task=early)
    assert listed(office_client, status="in_progress") == ["Sớm"]
    assert sorted(listed(office_client, status=["in_progress", "assigned"])) == [
        "Muộn",
        "Sớm",
        "Thường xuyên",
    ]
    assert listed(office_client, deadline_from="2023-11-01") == ["Muộn"]
    assert listed(office_client, deadline_to="31/10/2023") == ["Sớm"]
    notice = Notice.objects.get()
    assert len(listed(office_client, notice=str(notice.pk))) == 3


def test_a_bad_filter_value_explains_itself_and_does_not_fail(office_client: Client) -> None:
    response = office_client.get(reverse("task_list"), {"deadline_from": "32/13/2023"})
    assert response.status_code == 200
    assert (
        "Nhập một ngày hợp lệ" in response.content.decode() or "hợp lệ" in response.content.decode()
    )


def test_staff_filter_by_their_units_role(
    client: Client, make_task: MakeTask, staff_a: User, unit_a: Unit, unit_b: Unit
) -> None:
    make_task(text="Chủ trì")
    make_task(text="Phối hợp", lead_unit=unit_b, support_units=[unit_a])
    client.force_login(staff_a)
    assert listed(client, role="lead") == ["Chủ trì"]
    assert listed(client, role="support") == ["Phối hợp"]
    assert sorted(listed(client)) == ["Chủ trì", "Phối hợp"]


def test_the_unit_filter_is_the_offices_and_cannot_widen_a_staff_members_scope(
    client: Client, make_task: MakeTask, staff_a: User, office: User, unit_b: Unit
) -> None:
    make_task(text="Việc của A")
    make_task(text="Việc của B", lead_unit=unit_b)
    client.force_login(staff_a)
    assert listed(client, unit=str(unit_b.pk)) == ["Việc của A"]
    client.force_login(office)
    assert listed(client, unit=str(unit_b.pk)) == ["Việc của B"]


def test_tabs_count_each_bucket_under_the_other_filters_and_links_keep_them(
    office_client: Client, make_task: MakeTask, unit_a: Unit, unit_b: Unit
) -> None:
    make_task(text="A quá hạn", deadline=date(2023, 10, 1))
    make_task(text="A còn hạn", deadline=date(2023, 12, 1))
    make_task(text="B quá hạn", deadline=date(2023, 10, 1), lead_unit=unit_b)
    counts = dict(office_client.get(reverse("task_list")).context["listing"].counts)
    assert (counts["overdue"], counts["in_time"]) == (2, 1)
    response = office_client.get(
        reverse("task_list"), {"unit": str(unit_a.pk), "timeliness": "overdue"}
    )
    assert [t.text for t in response.context["listing"].page.object_list] == ["A quá hạn"]
    counts = dict(response.context["listing"].counts)
    assert (counts["overdue"], counts["in_time"]) == (1, 1)
    html = response.content.decode()
    assert f"?unit={unit_a.pk}&amp;timeliness=in_time" in html  # a tab keeps the unit


def test_pages_keep_the_filters(office_client: Client, make_task: MakeTask) -> None:
    for number in range(30):
        make_task(text=f"Việc số {number}", deadline=date(2023, 12, 1))
    response = office_client.get(reverse("task_list"), {"q": "viec", "timeliness": "in_time"})
    page = response.context["listing"].page
    assert (page.paginator.count, page.paginator.num_pages, len(page.object_list)) == (30, 2, 25)
    assert "?q=viec&amp;timeliness=in_time&amp;page=2" in response.content.decode()
    second = office_client.get(
        reverse("task_list"), {"q": "viec", "timeliness": "in_time", "page": "2"}
    )
    assert len(second.context["listing"].page.object_list) == 5
    assert Task.objects.count() == 30


def test_a_list_opened_from_a_figure_names_its_filters_and_counts_its_rows(
    office_client: Client, make_task: MakeTask, staff_a: User, office: User, unit_a: Unit
) -> None:
    with on_day(date(2023, 10, 2)):
        on_time = make_task(text="Xong đúng hạn", deadline=date(2023, 10, 30))
        make_task(text="Còn trong hạn", deadline=date(2023, 12, 30))
        make_task(text="Không hạn")
        services.report_completion(actor=staff_a, task=on_time, note="Xong")
        services.accept_completion(actor=office, task=on_time)
    # The dashboard's "Hoàn thành đúng hạn" figure: two buckets, one unit.
    response = office_client.get(
        reverse("task_list"),
        {"timeliness": ["done_on_time", "done_no_deadline"], "unit": str(unit_a.pk)},
    )
    html = response.content.decode()
    rows = list(response.context["listing"].page.object_list)
    assert [t.text for t in rows] == ["Xong đúng hạn"]
    assert response.context["listing"].selected_count == len(rows) == 1
    active = html.split('aria-current="page"')[1][:200]
    assert "Hoàn thành đúng hạn + Hoàn thành (không hạn)" in active and ">1<" in active
    assert "Đang lọc:" in html and f"Đơn vị: {unit_a}" in html
    removal = next(r for label, _, r in response.context["listing"].chips if label == "Đơn vị")
    assert "unit=" not in removal and "timeliness=done_on_time" in removal


def _in_every_bucket(make_task: MakeTask, count: int, *, closed: int) -> None:
    """`count` tasks around 20/10/2023 in every bucket, two in three about "làm đường"; the
    first `closed` of them closed (done on time, late or with no deadline, or cancelled),
    behind the services' back and then told to the kept lists."""
    from directives import caching

    deadlines = [date(2023, 10, d) for d in (1, 5, 19, 21, 23, 28)] + [date(2023, 12, 1), None]
    tasks = [
        make_task(text=f"Việc {n} {'làm đường' if n % 3 else 'sửa cầu'}", deadline=deadlines[n % 8])
        for n in range(count)
    ]
    for n, task in enumerate(tasks[:closed]):
        fields = {"status": Task.Status.DONE, "completed_on": date(2023, 10, 10), "progress": 100}
        if n % 4 == 3:
            fields = {"status": Task.Status.CANCELLED, "cancel_reason": "Không còn cần"}
        Task.objects.filter(pk=task.pk).update(**fields)
    caching.lists_changed()


@pytest.mark.parametrize(
    ("query", "walk"),
    [
        ({}, None),
        ({"timeliness": ["overdue", "done_late", "in_time"]}, None),
        # A text search's pages, through the trigram index or walking the deadline order
        # with each row's text tested (directives.views._walks), one bucket or several.
        ({"q": ["đường"]}, False),
        ({"q": ["duong"]}, True),
        ({"q": ["duong"], "timeliness": ["overdue"]}, True),
        ({"q": ["duong"], "timeliness": ["overdue", "done_late", "in_time"]}, True),
        # A walk that ran long (core.db.within gave up): the page through the index.
        ({"q": ["duong"]}, "slow"),
        ({"q": ["duong"], "timeliness": ["overdue"]}, "slow"),
        # Few tasks in several buckets: sorted at once (views.SORTED_AT_ONCE).
        ({}, "at once"),
        ({"timeliness": ["overdue", "done_late", "in_time"]}, "at once"),
        ({"q": ["duong"]}, "at once"),
    ],
)
def test_every_page_follows_the_urgency_order(
    office_client: Client,
    make_task: MakeTask,
    monkeypatch: pytest.MonkeyPatch,
    query: dict[str, list[str]],
    walk: bool | str | None,
) -> None:
    """The list's pages, read bucket by bucket (directives.views._UrgencyOrder) or, when few,
    sorted at once, are the urgency order of the whole list cut into pages: no task twice,
    none left out."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from directives import views
    from directives.views import PAGE_SIZE

    today = date(2023, 10, 20)
    _in_every_bucket(make_task, 70, closed=20)
    if walk != "at once":  # bucket by bucket (views._UrgencyOrder), however few the tasks
        monkeypatch.setattr(views, "SORTED_AT_ONCE", 0)
    if walk is not None:
        monkeypatch.setattr(views, "_walks", lambda matches, needed: walk is True)
    if walk == "slow":
        monkeypatch.setattr(views, "within", lambda queryset, milliseconds: None)
    listing = Task.objects.all()
    if "timeliness" in query:
        from directives.timeliness import buckets_q

        listing = listing.filter(buckets_q(query["timeliness"], today))
    if "q" in query:
        listing = listing.filter(search_text__contains="duong")
    expected = list(listing.by_urgency(today).values_list("pk", flat=True))
    shown: list[int] = []
    page = 1
    while True:
        with CaptureQueriesContext(connection) as read:
            response = office_client.get(reverse("task_list"), {**query, "page": str(page)})
        ids = [t.pk for t in response.context["listing"].page.object_list]
        sql = [q["sql"].upper() for q in read.captured_queries]
        walked = [q for q in sql if "INSTR(" in q or "STRPOS(" in q]
        assert not ids or bool(walked) == (walk is True), walked
        shown += ids
        if len(ids) < PAGE_SIZE:
            break
        page += 1
    counted = response.context["listing"].selected_count
    assert shown == expected[:counted] == expected
    assert page > 1 or len(shown) < PAGE_SIZE
    assert 0 < len(shown) < 70 if "q" in query else len(shown) > PAGE_SIZE


def _a_units_tasks(make_task: MakeTask, unit: Unit, other: Unit) -> None:
    """70 tasks in every bucket (`_in_every_bucket`), in two notices, in an order within
    each notice that runs against their ids, tied deadlines; 8 of them another unit's that
    `unit` supports, 4 another unit's alone."""
    from directives import caching

    _in_every_bucket(make_task, 70, closed=20)
    tasks = list(Task.objects.order_by("pk"))
    second = Notice.objects.create(
        number="195/TB-UBND", issuer="UBND huyện Hương Sơn", issued_on=date(2023, 10, 2), title="x"
    )
    for n, task in enumerate(tasks):
        Task.objects.filter(pk=task.pk).update(
            order=100 - n, notice=second if n % 5 == 0 else task.notice
        )
    for task in tasks[:8]:
        Task.objects.filter(pk=task.pk).update(lead_unit=other)
        task.support_units.add(unit)
    Task.objects.filter(pk__in=[t.pk for t in tasks[8:12]]).update(lead_unit=other)
    caching.lists_changed()


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"timeliness": ["overdue"]},
        {"timeliness": ["overdue", "done_late", "in_time", "no_deadline"]},
        {"q": ["duong"]},
        {"status": ["assigned"]},
        {"deadline_from": ["05/10/2023"]},
    ],
)
@pytest.mark.parametrize("whole", [True, False])
def test_a_units_list_read_whole_shows_what_the_indexes_show(
    client: Client,
    make_task: MakeTask,
    staff_a: User,
    unit_a: Unit,
    unit_b: Unit,
    monkeypatch: pytest.MonkeyPatch,
    query: dict[str, list[str]],
    whole: bool,
) -> None:
    """A unit's short list is read whole in one query and counted and ordered in Python
    (directives.views._Whole: `timeliness_of`, `urgency_key`): the same counts as the
    database's (`timeliness_counts`) and the same pages, the urgency order (`by_urgency`) of
    the unit's tasks cut into pages, as when read through the indexes."""
    from directives import views
    from directives.filters import TaskFilter
    from directives.timeliness import buckets_q, timeliness_counts

    today = date(2023, 10, 20)
    _a_units_tasks(make_task, unit_a, unit_b)
    if not whole:
        monkeypatch.setattr(views, "READ_WHOLE", 0)
    client.force_login(staff_a)
    asked = RequestFactory().get("/")
    asked.user = staff_a
    data = QueryDict(mutable=True)
    for name, values in query.items():
        if name != "timeliness":
            data.setlist(name, values)
    filtered = TaskFilter(
        data,
        queryset=Task.objects.visible_to(staff_a),
        request=asked,
    ).qs
    listing = (
        filtered.filter(buckets_q(query["timeliness"], today))
        if "timeliness" in query
        else filtered
    )
    expected = list(listing.by_urgency(today).values_list("pk", flat=True))
    assert 0 < len(expected) < 70
    shown: list[int] = []
    page = 1
    while True:
        response = client.get(reverse("task_list"), {**query, "page": str(page)})
        shown_listing = response.context["listing"]
        assert (shown_listing.whole is not None) == whole
        shown += [t.pk for t in shown_listing.page.object_list]
        if page == shown_listing.page.paginator.num_pages:
            break
        page += 1
    assert shown == expected
    assert shown_listing.counts_by == timeliness_counts(filtered, today)


def test_a_unit_with_more_tasks_than_read_whole_is_read_through_the_indexes(
    client: Client,
    make_task: MakeTask,
    staff_a: User,
    unit_a: Unit,
    unit_b: Unit,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A unit that follows more than `READ_WHOLE` tasks is counted and paged through the
    indexes, and not read whole again (remembered for the process): the same pages."""
    from directives import caching, views

    _a_units_tasks(make_task, unit_a, unit_b)
    today = date(2023, 10, 20)
    expected = list(Task.objects.visible_to(staff_a).by_urgency(today).values_list("pk", flat=True))
    monkeypatch.setattr(views, "READ_WHOLE", 40)
    client.force_login(staff_a)
    for _ in range(2):
        response = client.get(reverse("task_list"), {"page": "2"})
        assert response.context["listing"].whole is None
        shown = [t.pk for t in response.context["listing"].page.object_list]
        assert shown == expected[views.PAGE_SIZE : 2 * views.PAGE_SIZE]
        assert staff_a.unit_id in views._large_units
        caching.lists_changed()
    monkeypatch.setattr(views, "READ_WHOLE", 1_000)  # remembered: not tried again
    response = client.get(reverse("task_list"))
    assert response.context["listing"].whole is None
    views._large_units.clear()
    caching.lists_changed()
    response = client.get(reverse("task_list"))
    assert response.context["listing"].whole is not None


@pytest.mark.parametrize("small", [True, False])
def test_a_units_search_tests_its_own_tasks_one_by_one(
    client: Client,
    make_task: MakeTask,
    staff_a: User,
    unit_b: Unit,
    unit_support: Unit,
    small: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A unit's search, on PostgreSQL, tests the words on each of the unit's own tasks when
    they are few (directives.filters.ROW_TESTED_SCOPE), else goes through the text's index:
    the same tasks either way, the unit's own and those it supports."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from directives import filters

    make_task(text="Làm đường giao thông nông thôn.")
    make_task(text="Sửa đường liên xã.", lead_unit=unit_b)
    make_task(text="Đường dây nóng.", lead_unit=unit_support, support_units=[staff_a.unit])
    make_task(text="Việc khác của đơn vị.")
    if not small:
        monkeypatch.setattr(filters, "ROW_TESTED_SCOPE", 1)
    client.force_login(staff_a)
    with CaptureQueriesContext(connection) as read:
        texts = listed(client, q="duong")
    assert sorted(texts) == ["Làm đường giao thông nông thôn.", "Đường dây nóng."]
    tested = any("STRPOS(" in q["sql"].upper() for q in read.captured_queries)
    assert tested == (small and connection.vendor == "postgresql")


def test_a_units_size_is_counted_for_its_searches_once_in_a_while(
    client: Client, make_task: MakeTask, staff_a: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether a unit's tasks are few enough to test a search's words on each of them is
    counted (on PostgreSQL) once per `SCOPE_SECONDS` in the process, not at each search."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from directives import caching, filters

    make_task(text="Làm đường giao thông nông thôn.")
    client.force_login(staff_a)
    now = [1_000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])

    def counted(words: str) -> int:
        caching.lists_changed()
        with CaptureQueriesContext(connection) as read:
            assert listed(client, q=words) == ["Làm đường giao thông nông thôn."]
        limit = f"LIMIT {filters.ROW_TESTED_SCOPE + 1}"
        return sum(limit in q["sql"].upper() for q in read.captured_queries)

    on_postgresql = int(connection.vendor == "postgresql")
    assert counted("duong") == on_postgresql
    assert counted("lam duong") == 0
    now[0] += filters.SCOPE_SECONDS + 1
    assert counted("duong") == on_postgresql


def test_a_page_is_walked_when_the_matches_make_the_walk_short(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`_walks`: about needed × table / matches rows walked, at most four per match; never
    without PostgreSQL's count of the table."""
    from directives import views

    monkeypatch.setattr(views, "estimated_rows", lambda model: 1_000_000)
    assert views._walks(50_000, 25)  # a subject in 1 task of 20: ~500 rows walked
    assert views._walks(2_500, 25)  # 10,000 rows walked for 2,500 matches: four per match
    assert not views._walks(2_499, 25)
    assert not views._walks(500, 25)  # 50,000 rows for 500 matches: the index
    assert not views._walks(50_000, 10**6)  # a page far down the list
    monkeypatch.setattr(views, "estimated_rows", lambda model: None)
    assert not views._walks(50_000, 25)


@pytest.mark.parametrize(
    ("query", "slow"),
    [
        ({"q": ["duong"]}, False),
        ({"q": ["duong"], "timeliness": ["overdue"]}, False),
        ({"q": ["duong"], "timeliness": ["done_late"]}, False),
        ({"q": ["duong"], "timeliness": ["overdue", "done_late", "in_time"]}, False),
        # The walk ran long (a bucket with few matches among many tasks): counted first.
        ({"q": ["duong"]}, True),
    ],
)
def test_a_search_that_matches_many_shows_its_first_page_before_its_counts(
    office_client: Client,
    make_task: MakeTask,
    monkeypatch: pytest.MonkeyPatch,
    query: dict[str, list[str]],
    slow: bool,
) -> None:
    """An office's search estimated (from a sample of the texts) to match many tasks shows
    its first page, walked in the urgency order, before its tabs' counts, which the page asks
    for (`task_list_counts`) and which are then kept: the next requests show them, and every
    page is the urgency order of the matches as without the wait."""
    import re

    from directives import views
    from directives.timeliness import Timeliness, buckets_q, timeliness_counts
    from directives.views import PAGE_SIZE

    today = date(2023, 10, 20)
    _in_every_bucket(make_task, 90, closed=24)
    # ~60 of the 90 tasks match: estimated from a sample of the texts, whatever the database.
    monkeypatch.setattr(views, "DEFERRED_COUNTS", 20)
    if slow:
        monkeypatch.setattr(views, "limited", lambda read, milliseconds, using: None)
    matching = Task.objects.filter(search_text__contains="duong")
    if "timeliness" in query:
        matching = matching.filter(buckets_q(query["timeliness"], today))
    expected = list(matching.by_urgency(today).values_list("pk", flat=True))
    assert len(expected) > PAGE_SIZE or "timeliness" in query

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as read:
        first = office_client.get(reverse("task_list"), query)
    assert first.status_code == 200
    listing = first.context["listing"]
    walked = [q for q in read.captured_queries if re.search("STRPOS|INSTR", q["sql"].upper())]
    # Shown before its counts: the page walked, nothing counted.
    assert bool(walked) == (not slow)
    assert ("counts_by" in listing.__dict__) == slow
    html = first.content.decode()
    tabs = html[html.index('aria-label="Theo tình trạng thời hạn"') :]
    tabs = tabs[: tabs.index("</nav>")]
    if slow:
        assert not listing.deferred
        assert 'hx-get="' not in tabs and "…" not in tabs
    else:
        assert listing.deferred
        counts_url = f"{reverse('task_list_counts')}?{first.wsgi_request.GET.urlencode()}"
        assert f'hx-get="{counts_url.replace("&", "&amp;")}"' in tabs
        assert "…" in tabs and not re.search(r'badge[^"]*">\d', tabs)
        shown = re.search(r'class="page-link">Trang 1([^<]*)<', html)
        assert shown is None or shown.group(1) == ""  # how many pages: not known yet
    first_ids = [t.pk for t in listing.page.object_list]
    assert first_ids == expected[:PAGE_SIZE]
    assert ("Trang sau" in html) == (len(expected) > PAGE_SIZE)

    # The counts the page asks for: each bucket's, under the search (whatever tab is shown).
    counted = office_client.get(reverse("task_list_counts"), query)
    assert counted.status_code == 200
    badges = re.findall(r'badge[^"]*">(\d+)<', counted.content.decode())
    every = timeliness_counts(Task.objects.filter(search_text__contains="duong"), today)
    assert int(badges[0]) == sum(every.values())
    assert {b: n for b, n in counted.context["listing"].counts} == every
    assert sum(every[Timeliness(b)] for b in query.get("timeliness", [])) in (0, len(expected))

    # Kept: the same address asked again shows the counts with the page (what was shown
    # without them was not kept), and every page follows.
    again = office_client.get(reverse("task_list"), query)
    assert not again.context["listing"].deferred
    assert 'hx-get="' not in again.content.decode()
    assert re.search(
        r'aria-current="page">[^<]*<span class="badge[^"]*">\d+<', again.content.decode()
    )
    shown_ids: list[int] = []
    page = 1
    while True:
        response = office_client.get(reverse("task_list"), {**query, "page": str(page)})
        assert not response.context["listing"].deferred
        assert 'hx-get="' not in response.content.decode()
        ids = [t.pk for t in response.context["listing"].page.object_list]
        shown_ids += ids
        if len(ids) < PAGE_SIZE:
            break
        page += 1
    assert shown_ids == expected


def test_only_a_search_of_every_task_by_its_text_alone_waits_for_its_counts(
    client: Client,
    make_task: MakeTask,
    office: User,
    staff_a: User,
    unit_a: Unit,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from directives import views

    for n in range(30):
        make_task(text=f"Làm đường {n}")
    monkeypatch.setattr(views, "DEFERRED_COUNTS", 5)

    def deferred(who: User, **params: str) -> bool:
        client.force_login(who)
        response = client.get(reverse("task_list"), params)
        assert response.status_code == 200
        assert response.context["listing"].page.object_list
        return bool(response.context["listing"].deferred)

    assert deferred(office, q="duong")
    assert not deferred(office, q="duong", page="2")
    assert not deferred(office, q="duong", unit=str(unit_a.pk))  # another filter
    assert not deferred(office, q="duong", status="assigned")
    assert not deferred(office, q=str(unit_a.name))  # a unit's name: not the text alone
    assert not deferred(staff_a, q="duong")  # a unit: its own tasks, few
    monkeypatch.setattr(views, "DEFERRED_COUNTS", 31)
    assert not deferred(office, q="duong")  # ~30 estimated, fewer than asked for


def test_the_counts_of_a_bad_filter_explain_nothing_and_do_not_fail(
    office_client: Client, make_task: MakeTask
) -> None:
    make_task(text="Làm đường")
    for params in ({"deadline_from": "32/13/2023"}, {"q": "\x00"}, {"timeliness": "xyz"}):
        response = office_client.get(reverse("task_list_counts"), params)
        assert response.status_code == 200
        assert 'aria-label="Theo tình trạng thời hạn"' in response.content.decode()


@pytest.mark.parametrize("persona", ["office", "staff_a"])
def test_the_filters_are_read_from_the_fields_asked_for_as_the_whole_form_reads_them(
    request: pytest.FixtureRequest, make_task: MakeTask, unit_a: Unit, persona: str
) -> None:
    """The filter set reads the address through a form of the filters it names alone
    (`TaskFilter.form`); the whole form (`shown_form`, the page's) reads the same values,
    finds the same errors, and leaves every filter not named empty: it filters nothing."""
    from django_filters.constants import EMPTY_VALUES

    from directives.filters import TaskFilter

    user = request.getfixturevalue(persona)
    make_task()
    asked = RequestFactory().get("/")
    asked.user = user

    def both(data: QueryDict) -> None:
        task_filter = TaskFilter(data, queryset=Task.objects.visible_to(user), request=asked)
        read, whole = task_filter.form, task_filter.shown_form
        assert read.is_valid() == whole.is_valid(), data
        assert read.errors == whole.errors, data
        for name, value in whole.cleaned_data.items():
            if name in read.fields:
                assert read.cleaned_data.get(name) == value, (data, name)
            else:
                assert value in EMPTY_VALUES, (data, name, value)

    names = list(TaskFilter(None, queryset=Task.objects.none(), request=asked).shown_form.fields)
    assert len(names) > 15
    both(QueryDict())
    for name in names:
        field = TaskFilter(None, queryset=Task.objects.none(), request=asked).shown_form[name]
        choices = [str(v) for v, _ in getattr(field.field, "choices", []) if v not in ("", None)]
        for value in [*choices[:2], "x", "2023-10-01", "20/10/2023", "1", str(unit_a.pk), ""]:
            data = QueryDict(mutable=True)
            data.setlist(name, [value])
            data.setlist("page", ["2"])
            both(data)


def test_rows_name_their_units_as_kept_in_the_units_order(
    office_client: Client,
    make_task: MakeTask,
    unit_b: Unit,
    unit_support: Unit,
    son_tay: Unit,
) -> None:
    """A row names its lead unit and its support units from the units kept in the process
    (directives.caching.units_shown), the support units by their order, then by name as read
    in Vietnamese ("Đ" beside "D"); a unit renamed shows at once; a unit the process has not
    seen yet (saved elsewhere, its version not moved here) is read from the database."""
    from directives.rows import list_rows

    dai = Unit.objects.create(name="Đài Truyền thanh", short_name="Đài TT", order=2)
    for unit, order in ((son_tay, 2), (unit_b, 1), (unit_support, 2)):
        unit.order = order
        unit.save()
    task = make_task(
        text="Phối hợp nhiều đơn vị.", support_units=[son_tay, unit_support, dai, unit_b]
    )

    def row() -> tuple[str, tuple[str, ...]]:
        response = office_client.get(reverse("task_list"))
        (shown,) = response.context["listing"].page.object_list
        return shown.lead_unit, shown.supports

    assert row() == ("Nội vụ", ("Tư pháp", "Đài TT", "Sở TT&TT", "UBND xã Sơn Tây"))
    unit_b.short_name = "Phòng TP"
    unit_b.save()
    assert row() == ("Nội vụ", ("Phòng TP", "Đài TT", "Sở TT&TT", "UBND xã Sơn Tây"))

    (unseen,) = Unit.objects.bulk_create([Unit(name="Ban Quản lý dự án", order=0)])  # no signal
    Task.support_units.through.objects.create(task=task, unit=unseen)
    (read,) = list_rows([task.pk], date(2023, 10, 20))
    assert read.supports == (
        "Ban Quản lý dự án",
        "Phòng TP",
        "Đài TT",
        "Sở TT&TT",
        "UBND xã Sơn Tây",
    )
