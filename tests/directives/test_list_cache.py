"""What a task list found (its counts, its pages' ids) is kept between requests until a change
could alter it (directives.caching): every way tasks change shows on the next request."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from html import unescape
from typing import Any, cast

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from directives import caching, services
from directives.models import Task
from directives.services.periods import ensure_periods
from tests.conftest import MakeTask, on_day
from units.models import Unit, User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with on_day(date(2023, 10, 20)):
        yield


# What the page shows (kept as HTML, so read from the HTML): each row's text, and the count
# of the tab or selection shown.
ROW_TEXT = re.compile(r'<a href="/nhiem-vu/\d+/" class="text-decoration-none">([^<]*)</a>')
SHOWN_COUNT = re.compile(r'aria-current="page">[^<]*<span class="badge[^"]*">(\d+)</span>')


def listed(client: Client, **params: str) -> tuple[list[str], int]:
    response = client.get(reverse("task_list"), params)
    assert response.status_code == 200
    html = response.content.decode()
    counts = SHOWN_COUNT.findall(html)
    assert len(counts) == 1, counts
    return [unescape(text) for text in ROW_TEXT.findall(html)], int(counts[0])


def _supported_behind_its_back(task: Task, unit: Unit) -> None:
    """`unit` made a support unit of `task` by raw SQL: no signal, no service sees it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO directives_task_support_units (task_id, unit_id) VALUES (%s, %s)",
            [task.pk, unit.pk],
        )


def test_a_list_is_kept_until_something_changes(
    client: Client, make_task: MakeTask, staff_support: User, unit_support: Unit
) -> None:
    task = make_task(text="Việc một", deadline=date(2023, 10, 25))
    client.force_login(staff_support)
    assert listed(client) == ([], 0)
    _supported_behind_its_back(task, unit_support)
    assert listed(client) == ([], 0)  # kept: nothing told the lists
    caching.lists_changed()
    assert listed(client) == (["Việc một"], 1)
    # The rows are kept too: a text changed behind the signals' back shows once told.
    Task.objects.filter(pk=task.pk).update(text="Việc một (sửa)")
    assert listed(client) == (["Việc một"], 1)
    caching.lists_changed()
    assert listed(client) == (["Việc một (sửa)"], 1)


def test_without_the_setting_nothing_is_kept(
    client: Client, make_task: MakeTask, staff_support: User, unit_support: Unit
) -> None:
    task = make_task(text="Việc một")
    client.force_login(staff_support)
    with override_settings(DONDOC_LIST_CACHE_SECONDS=0):
        assert listed(client) == ([], 0)
        _supported_behind_its_back(task, unit_support)
        assert listed(client) == (["Việc một"], 1)


def test_each_kind_of_change_shows_on_the_next_request(
    client: Client,
    make_task: MakeTask,
    office: User,
    staff_a: User,
    staff_support: User,
    unit_support: Unit,
) -> None:
    task = make_task(text="Việc chung", deadline=date(2023, 10, 22))
    client.force_login(staff_support)
    assert listed(client) == ([], 0)
    # A support unit added through the relation itself (no service): m2m_changed.
    task.support_units.add(unit_support)
    assert listed(client) == (["Việc chung"], 1)
    task.support_units.remove(unit_support)
    assert listed(client) == ([], 0)

    client.force_login(staff_a)
    assert listed(client, timeliness="due_soon") == (["Việc chung"], 1)
    # A task saved outside the services (the admin): post_save.
    moved = Task.objects.get(pk=task.pk)
    moved.deadline = moved.original_deadline = date(2023, 10, 10)
    moved.save(update_fields=["deadline", "original_deadline"])
    assert listed(client, timeliness="due_soon") == ([], 0)
    assert listed(client, timeliness="overdue") == (["Việc chung"], 1)

    # A notice's number corrected: the search by number follows.
    client.force_login(office)
    assert listed(client, q="194/TB")[1] == 1
    services.update_notice(actor=office, notice=task.notice, number="200/TB-UBND")
    assert listed(client, q="194/TB")[1] == 0
    assert listed(client, q="200/TB")[1] == 1

    # A unit renamed: the search by its name follows, and the unit picker (kept as HTML in
    # the process until a unit is saved) names it so, chosen or not.
    unit = task.lead_unit
    picked = f'<option value="{unit.pk}" selected>'
    assert picked in client.get(reverse("task_list"), {"unit": unit.pk}).content.decode()
    unit.name = "Phòng Tư pháp mới"
    unit.save()
    assert listed(client, q="tu phap moi")[1] == 1
    page = client.get(reverse("task_list"), {"unit": unit.pk}).content.decode()
    assert f"{picked}Phòng Tư pháp mới</option>" in page
    page = client.get(reverse("task_list")).content.decode()
    assert f'<option value="{unit.pk}">Phòng Tư pháp mới</option>' in page

    # A task deleted (the admin): post_delete.
    Task.objects.filter(pk=task.pk).get().delete()
    assert listed(client, q="tu phap moi")[1] == 0


def test_the_bulk_updates_of_the_services_move_the_version(
    client: Client, make_task: MakeTask, staff_a: User
) -> None:
    """The recurring duties' job sets `report_due` in one UPDATE (no signal): the list of
    duties with a missed period follows it."""
    duty = make_task(text="Báo cáo hằng tháng", report_every="month", report_day=5)
    client.force_login(staff_a)
    assert listed(client, period="missed")[1] == 0  # no period opened yet
    ensure_periods(date(2023, 10, 20))
    duty.refresh_from_db()
    assert duty.report_due is not None
    assert listed(client, period="missed") == (["Báo cáo hằng tháng"], 1)


def test_what_is_kept_belongs_to_a_person_a_day_and_the_filters(
    client: Client, make_task: MakeTask, staff_a: User, staff_b: User, unit_b: Unit
) -> None:
    make_task(text="Của A", deadline=date(2023, 10, 25))
    make_task(text="Của B", lead_unit=unit_b, deadline=date(2023, 10, 21))
    client.force_login(staff_a)
    assert listed(client)[0] == ["Của A"]
    client.force_login(staff_b)
    assert listed(client)[0] == ["Của B"]
    assert listed(client, timeliness="due_soon")[0] == ["Của B"]
    with on_day(date(2023, 10, 22)):  # another day: B's task is overdue now
        client.force_login(staff_b)
        assert listed(client, timeliness="due_soon")[0] == []
        assert listed(client, timeliness="overdue")[0] == ["Của B"]
    # The person moved to unit A (no signal reads users): their key names the unit.
    User.objects.filter(pk=staff_b.pk).update(unit=staff_a.unit)
    client.force_login(User.objects.get(pk=staff_b.pk))
    assert listed(client)[0] == ["Của A"]


def test_a_change_moves_the_version_again_when_it_commits(make_task: MakeTask) -> None:
    def pending() -> list[Any]:
        return cast(list[Any], cast(Any, connection).run_on_commit)

    def waiting() -> int:
        return sum(1 for _, f, _ in pending() if f is caching._move_lists)

    before = caching._version(caching.LISTS)
    make_task(text="Việc")  # several rows saved (task, timeline, …) in the test's transaction
    during = caching._version(caching.LISTS)
    assert during != before  # at once: a list read later in the transaction sees the change
    # One move waits for the commit, not one per row saved.
    assert waiting() == 1
    make_task(text="Việc khác")
    assert waiting() == 1
    assert caching._version(caching.LISTS) != during
    for _, function, _ in list(pending()):
        if function is caching._move_lists:
            function()
    assert caching._version(caching.LISTS) != during


def test_the_dashboard_keeps_its_figures_until_a_change(
    client: Client, make_task: MakeTask, leader: User, staff_a: User
) -> None:
    """The dashboard (its content kept as HTML, its figures kept) is kept like the lists: a
    task given or reported done shows on the next request, and agrees with its list."""

    def figures(**params: str) -> tuple[int, int]:
        html = client.get(reverse("dashboard"), params).content.decode()
        total = re.findall(r'data-figure="total">(\d+)<', html)
        due_soon = re.findall(r'data-figure="due_soon">(\d+)<', html)
        assert len(total) == len(due_soon) == 1
        return int(total[0]), int(due_soon[0])

    task = make_task(text="Việc một", deadline=date(2023, 10, 22))
    client.force_login(leader)
    assert figures() == (1, 1)
    make_task(text="Việc hai", deadline=date(2023, 10, 21))
    assert figures() == (2, 2)
    services.start_task(actor=staff_a, task=task)
    services.report_completion(actor=staff_a, task=task, note="Xong")  # Chờ xác nhận
    assert figures() == (2, 1)
    assert listed(client, timeliness="due_soon") == (["Việc hai"], 1)
    # Counted live (a filter today's tally does not answer), then changed behind everything's
    # back: kept until told.
    live = {"deadline_from": "01/01/2000"}
    assert figures(**live) == (2, 1)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE directives_task SET deadline = %s, original_deadline = %s",
            [date(2023, 12, 31), date(2023, 12, 31)],
        )
    assert figures(**live) == (2, 1)
    caching.lists_changed()
    assert figures(**live) == (2, 0)


def test_the_forms_of_a_kept_page_carry_this_sessions_token(
    make_task: MakeTask, staff_a: User
) -> None:
    """The filters and the list are kept as HTML; the forms that post (save this filter) are
    written each time: with a new CSRF secret (a new sign-in, another browser) they still
    post."""
    make_task(text="Việc một", deadline=date(2023, 10, 25))
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff_a)
    assert listed(browser) == (["Việc một"], 1)
    assert browser.cookies.pop(settings.CSRF_COOKIE_NAME)  # the next page sets a new secret
    html = browser.get(reverse("task_list")).content.decode()
    assert "Việc một" in html  # kept
    form = html.index(f'action="{reverse("saved_filter_create")}"')
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html[form:])
    assert token is not None
    saved = browser.post(
        reverse("saved_filter_create"),
        {"name": "Của tôi", "query": "person=mine", "csrfmiddlewaretoken": token.group(1)},
    )
    assert saved.status_code == 302
    assert "Của tôi" in browser.get(reverse("task_list")).content.decode()


def test_a_person_renamed_shows_and_a_sign_in_keeps_the_lists(
    client: Client, make_task: MakeTask, staff_a: User, head_a: User
) -> None:
    """The rows name the person who holds a task: an account saved moves what the lists keep;
    its sign-in stamp (saved at every sign-in) does not."""
    make_task(text="Việc một", deadline=date(2023, 10, 25), assignee=staff_a)
    client.force_login(head_a)
    assert staff_a.full_name in client.get(reverse("task_list")).content.decode()
    before = caching._version(caching.LISTS)
    Client().force_login(staff_a)  # a sign-in: last_login saved
    assert caching._version(caching.LISTS) == before
    staff_a.full_name = "Nguyễn Văn Mới"
    staff_a.save()
    assert caching._version(caching.LISTS) != before
    assert "Nguyễn Văn Mới" in client.get(reverse("task_list")).content.decode()


def test_the_print_layout_is_kept_apart(client: Client, make_task: MakeTask, leader: User) -> None:
    """The dashboard's print layout (`print=1`, left out of the lists' keys) is kept apart from
    the screen's."""
    make_task(text="Việc một", deadline=date(2023, 10, 25))
    client.force_login(leader)
    screen = client.get(reverse("dashboard")).content.decode()
    printed = client.get(reverse("dashboard"), {"print": "1"}).content.decode()
    assert "Bản in A4" in screen and "Bản in A4" not in printed
    assert "Bản in A4" in client.get(reverse("dashboard")).content.decode()


def test_a_kept_task_page_is_kept_per_person(
    client: Client, make_task: MakeTask, office: User, staff_a: User, staff_b: User
) -> None:
    """The task as read for its page is kept under the person's scope: another unit's staff
    still gets a 404, and what the unit does shows on the next request."""
    task = make_task(text="Việc của A", deadline=date(2023, 10, 25))
    url = reverse("task_detail", args=[task.pk])
    client.force_login(office)
    assert client.get(url).status_code == 200
    client.force_login(staff_b)
    assert client.get(url).status_code == 404
    client.force_login(staff_a)
    assert "Đang thực hiện" not in client.get(url).content.decode()
    services.start_task(actor=staff_a, task=task)
    assert "Đang thực hiện" in client.get(url).content.decode()


def test_without_the_setting_every_page_renders_afresh(
    client: Client, make_task: MakeTask, leader: User, office: User
) -> None:
    """Without Redis (`DONDOC_LIST_CACHE_SECONDS=0`, `make run`'s default) the pages keep
    nothing: the dashboard renders its content, the list and the task page show a change made
    behind every signal's back at once."""
    task = make_task(text="Việc một", deadline=date(2023, 10, 25))
    with override_settings(DONDOC_LIST_CACHE_SECONDS=0):
        client.force_login(leader)
        assert 'data-figure="total">1<' in client.get(reverse("dashboard")).content.decode()
        client.force_login(office)
        assert listed(client) == (["Việc một"], 1)
        page = reverse("task_detail", args=[task.pk])
        assert "Việc một" in client.get(page).content.decode()
        Task.objects.filter(pk=task.pk).update(text="Việc một (sửa)")  # no signal, no version
        assert listed(client) == (["Việc một (sửa)"], 1)
        assert "Việc một (sửa)" in client.get(page).content.decode()


def _counted_afresh(client: Client, **params: str) -> bool:
    """Whether the list was made for this request rather than found kept (a kept list makes
    only the queries of tests.directives.test_views.LIST_QUERIES' second figure)."""
    from django.test.utils import CaptureQueriesContext

    from tests.directives.test_views import LIST_QUERIES

    with CaptureQueriesContext(connection) as read:
        assert client.get(reverse("task_list"), params).status_code == 200
    return len(read) > LIST_QUERIES["staff_a"][1]


def test_a_change_to_one_units_task_leaves_the_other_units_lists_kept(
    make_task: MakeTask,
    office: User,
    staff_a: User,
    staff_b: User,
    staff_support: User,
    unit_b: Unit,
    unit_support: Unit,
) -> None:
    """A unit's people's kept answers are under their unit's version and the version of what
    every list shows (directives.caching): a change to another unit's task leaves them kept; a
    change to one of theirs (led or supported), or to what every list shows, does not."""
    mine = make_task(text="Việc của A", deadline=date(2023, 10, 25))
    theirs = make_task(text="Việc của B", lead_unit=unit_b, deadline=date(2023, 10, 25))
    a, b, boss, support = Client(), Client(), Client(), Client()
    a.force_login(staff_a)
    b.force_login(staff_b)
    boss.force_login(office)
    support.force_login(staff_support)
    for client in (a, b, boss, support):
        client.get(reverse("task_list"))
        assert not _counted_afresh(client)  # kept

    services.report_progress(actor=staff_b, task=theirs, note="Đang làm", progress=30)
    assert not _counted_afresh(a)  # another unit's task: A's list stays kept
    assert not _counted_afresh(support)
    assert _counted_afresh(b) and _counted_afresh(boss)

    # A's task given B as a support unit: both units' lists, not the third's.
    mine.support_units.add(unit_b)
    assert _counted_afresh(a) and _counted_afresh(b)
    assert not _counted_afresh(support)
    assert listed(b)[0] == ["Việc của A", "Việc của B"]

    # A task nobody in B holds moved to another lead unit behind the services' back (the
    # admin): the unit it left and the one it went to.
    unheld = make_task(text="Việc chưa giao ai", lead_unit=unit_b, deadline=date(2023, 10, 26))
    assert unheld.assignee_id is None and "Việc chưa giao ai" in listed(b)[0]
    moved = Task.objects.get(pk=unheld.pk)
    moved.lead_unit = unit_support
    moved.save()
    assert "Việc chưa giao ai" not in listed(b)[0]
    assert listed(support)[0] == ["Việc chưa giao ai"]

    # What every list shows (a notice's number): every unit's lists.
    for client in (a, b, support):
        client.get(reverse("task_list"))
    services.update_notice(actor=office, notice=mine.notice, number="999/TB-UBND")
    assert _counted_afresh(a) and _counted_afresh(b) and _counted_afresh(support)

    # A task deleted (the admin): every list.
    for client in (a, b, support):
        client.get(reverse("task_list"))
    Task.objects.get(pk=unheld.pk).delete()
    assert listed(support) == ([], 0)
    assert _counted_afresh(a)


def test_a_helper_from_a_support_unit_sees_the_task_among_their_own(
    client: Client, make_task: MakeTask, staff_support: User, unit_support: Unit
) -> None:
    task = make_task(
        text="Việc cần người giúp", deadline=date(2023, 10, 25), support_units=[unit_support]
    )
    client.force_login(staff_support)
    assert listed(client, person="mine") == ([], 0)
    task.helpers.add(staff_support)  # through the relation itself: m2m_changed
    assert listed(client, person="mine") == (["Việc cần người giúp"], 1)
    task.helpers.remove(staff_support)
    assert listed(client, person="mine") == ([], 0)


def test_the_units_of_a_transactions_changes_move_once_when_it_commits(
    make_task: MakeTask, unit_b: Unit, unit_support: Unit
) -> None:
    def waiting() -> list[Any]:
        pending = cast(list[Any], cast(Any, connection).run_on_commit)
        return [f for _, f, _ in pending if isinstance(f, caching._UnitMoves)]

    first = make_task(text="Việc một")
    second = make_task(text="Việc hai", lead_unit=unit_b)
    before = caching._version(caching._unit_version(unit_support.pk))
    second.support_units.add(unit_support)
    assert caching._version(caching._unit_version(unit_support.pk)) != before  # at once
    moves = waiting()
    assert len(moves) == 1  # one for the whole transaction, with every unit it touched
    units = {first.lead_unit_id, unit_b.pk, unit_support.pk}
    assert {caching._unit_version(u) for u in units if u} <= moves[0].keys
    # With the versions of the tasks' notice (the dashboard's notice rows).
    assert caching._notice_version(first.notice_id) in moves[0].keys


def test_the_filters_are_kept_across_the_tasks_changes(
    client: Client, make_task: MakeTask, staff_a: User
) -> None:
    """The filters' form and chips show no task's data (units, people, notices, the notices
    followed): kept across changes to the tasks, written again after a change to what every
    list shows or to the notices followed."""
    task = make_task(text="Việc một", deadline=date(2023, 10, 25))
    client.force_login(staff_a)
    unit = staff_a.unit
    assert unit is not None
    assert f"Nhiệm vụ của {unit.name}" in client.get(reverse("task_list")).content.decode()
    # The unit's name changed behind every signal's back, then one of its tasks changes.
    Unit.objects.filter(pk=unit.pk).update(name="Phòng Đổi Tên")
    services.report_progress(actor=staff_a, task=task, note="Đã làm một nửa", progress=50)
    page = client.get(reverse("task_list")).content.decode()
    assert "50%" in page or "50 %" in page  # the rows are made afresh
    assert f"Nhiệm vụ của {unit.name}" in page  # the filters were kept
    caching.lists_changed()  # a change to what every list shows
    assert "Nhiệm vụ của Phòng Đổi Tên" in client.get(reverse("task_list")).content.decode()
    Unit.objects.filter(pk=unit.pk).update(name="Phòng Tên Khác")
    caching.followed_changed()  # a task given: the notices followed may differ
    assert "Nhiệm vụ của Phòng Tên Khác" in client.get(reverse("task_list")).content.decode()


def test_the_dashboards_heading_and_filters_are_kept_across_the_tasks_changes(
    client: Client, make_task: MakeTask, office: User, staff_a: User, unit_a: Unit
) -> None:
    """The dashboard's heading and filter form (units, people, notices, the notices followed)
    are kept across changes to the tasks, its figures are not; both are written again after a
    change to what every list shows or to the notices followed."""
    task = make_task(text="Việc một", deadline=date(2023, 10, 10), lead_unit=unit_a)
    client.force_login(staff_a)

    def page() -> str:
        response = client.get(reverse("dashboard"))
        assert response.status_code == 200
        return response.content.decode()

    shown = page()
    assert f"Bảng điều khiển · {unit_a.name}" in shown
    assert 'data-figure="open_overdue">1<' in shown
    # The unit's name changed behind every signal's back, then its task is cancelled.
    Unit.objects.filter(pk=unit_a.pk).update(name="Phòng Đổi Tên")
    services.cancel_task(actor=office, task=task, reason="Không còn phù hợp")
    shown = page()
    assert 'data-figure="open_overdue">0<' in shown  # the figures are made afresh
    assert 'data-figure="cancelled">1<' in shown
    assert f"Bảng điều khiển · {unit_a.name}" in shown  # the heading and filters were kept
    caching.lists_changed()  # a change to what every list shows
    assert "Bảng điều khiển · Phòng Đổi Tên" in page()
    Unit.objects.filter(pk=unit_a.pk).update(name="Phòng Tên Khác")
    caching.followed_changed()  # a task given: the notices followed may differ
    assert "Bảng điều khiển · Phòng Tên Khác" in page()


def test_the_header_names_the_persons_unit_as_it_is_now(
    client: Client, staff_a: User, unit_a: Unit
) -> None:
    """The header names the person's unit (its short name, else its name) from the units'
    names kept in the process: a unit saved shows its new name on the next page."""

    def header() -> str:
        html = client.get(reverse("task_list")).content.decode()
        return re.sub(r"\s+", " ", html[html.index('class="navbar-text') :][:300])

    client.force_login(staff_a)
    assert f"{staff_a} · {unit_a.short_name} " in header()
    unit_a.short_name = "Nội vụ mới"
    unit_a.save()
    assert f"{staff_a} · Nội vụ mới " in header()
    unit_a.short_name = ""
    unit_a.save()
    assert f"{staff_a} · {unit_a.name} " in header()


def test_the_inbox_counts_are_kept_until_a_change_they_count(
    client: Client, make_task: MakeTask, office: User, staff_a: User
) -> None:
    """The header's inbox counts (the office's: completions to accept, returns, extension
    requests, imports) are kept across changes they do not count (a progress report), and
    counted again after one they do (a completion reported, an extension asked)."""
    from directives.models import ExtensionRequest

    def header() -> int:
        html = client.get(reverse("task_list")).content.decode()
        found = re.findall(r'(\d+)<span class="visually-hidden"> việc chờ xử lý</span>', html)
        return int(found[0]) if found else 0

    def recounted() -> bool:
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as read:
            client.get(reverse("task_list"))
        return any("accept_rows" in q["sql"] for q in read.captured_queries)

    task = make_task(text="Việc một", deadline=date(2023, 10, 25), started=True)
    other = make_task(text="Việc hai", deadline=date(2023, 10, 28), started=True)
    client.force_login(office)
    assert header() == 0
    services.report_progress(actor=staff_a, task=task, note="Một nửa", progress=50)
    assert not recounted()  # the list is made afresh, the inbox counts kept
    services.report_completion(actor=staff_a, task=task, note="Xong")
    assert header() == 1  # a completion waiting for the office
    ExtensionRequest.objects.create(
        task=other,
        requested_by=staff_a,
        previous_deadline=date(2023, 10, 28),
        proposed_deadline=date(2023, 11, 30),
        reason="Chờ số liệu",
    )
    assert header() == 2
    # A task's status changed behind the services' back (the admin): a save of the model.
    moved = Task.objects.get(pk=task.pk)
    moved.status, moved.completed_on = Task.Status.IN_PROGRESS, None
    moved.save(update_fields=["status", "completed_on"])
    assert header() == 1


def test_the_dashboards_notice_and_group_rows_are_kept_until_one_of_their_tasks_changes(
    client: Client,
    make_task: MakeTask,
    monkeypatch: pytest.MonkeyPatch,
    office: User,
    leader: User,
    staff_a: User,
    unit_a: Unit,
    unit_b: Unit,
    unit_support: Unit,
) -> None:
    """The rows of the newest notices and of the latest tasks given to several units are made
    again after a change to one of their tasks (a save, its support units), not after a
    change to another task (the figures above them are)."""
    from reports import queries, views

    made = {"notices": 0, "groups": 0}

    def counting(name: str, function: Any) -> Any:
        def counted(*args: Any, **kwargs: Any) -> Any:
            made[name] += 1
            return function(*args, **kwargs)

        return counted

    monkeypatch.setattr(queries, "per_notice", counting("notices", queries.per_notice))
    monkeypatch.setattr(views, "latest_group_tasks", counting("groups", views.latest_group_tasks))
    elsewhere = make_task(text="Việc của thông báo cũ", deadline=date(2023, 10, 30))
    notices = [
        services.create_notice(
            actor=office, number=f"{n}/TB-UBND", issued_on=date(2023, 10, 1), title=f"TB {n}"
        )
        for n in range(1, 21)
    ]
    for notice in notices[:-1]:
        make_task(notice=notice, text=f"Việc của {notice.number}")
    newest = notices[-1]
    mine = make_task(notice=newest, text="Việc của thông báo mới nhất", deadline=date(2023, 11, 1))
    group = services.assign_group_task(
        actor=office, notice=newest, text="Việc giao chung", lead_units=[unit_a, unit_b]
    )
    member = group.children.get(lead_unit=unit_a)
    client.force_login(leader)

    def page() -> dict[str, Any]:
        response = client.get(reverse("dashboard"))
        assert response.status_code == 200
        content = response.context["dashboard"]()
        rows = {r["row"].number: r["row"].counts for r in content["notice_rows"]}
        assert elsewhere.notice.number not in rows  # not among the newest twenty
        (done,) = [(g.done, g.total) for g, _, _ in content["group_rows"]]
        return {"newest": rows[newest.number], "group": done, "total": content["head"].counts}

    first = page()
    assert first["newest"].total == 3 and first["group"] == (0, 2)
    assert made == {"notices": 1, "groups": 1}
    services.cancel_task(actor=office, task=elsewhere, reason="Không còn phù hợp")
    second = page()
    assert second["total"].cancelled == first["total"].cancelled + 1  # the figures follow
    assert made == {"notices": 1, "groups": 1}  # the rows of other notices' tasks are kept
    services.cancel_task(actor=office, task=mine, reason="Không còn phù hợp")
    assert page()["newest"].cancelled == 1
    assert made == {"notices": 2, "groups": 1}  # not one of the group's tasks
    services.start_task(actor=staff_a, task=member)
    services.report_completion(actor=staff_a, task=member, note="Xong")
    services.accept_completion(actor=office, task=member)
    assert page()["group"] == (1, 2)
    assert made == {"notices": 3, "groups": 2}
    # Its support units changed (as a filter by supporting unit reads them).
    group.children.get(lead_unit=unit_b).support_units.add(unit_support)
    page()
    assert made == {"notices": 4, "groups": 3}


class _CountingCache:
    """The cache as directives.caching asks it, each call recorded by its name."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        found = getattr(self.inner, name)
        if name not in ("get", "get_many", "set", "set_many", "add", "delete"):
            return found

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            return found(*args, **kwargs)

        return counted


def test_a_kept_page_asks_the_cache_twice_and_a_dashboard_made_afresh_few_times(
    client: Client, make_task: MakeTask, staff_a: User, leader: User, monkeypatch: Any
) -> None:
    """Each round trip to Redis costs a page ~0.15-0.3 ms: the versions a page reads go in
    one (the shared ones with the person's own), what it may find kept in one more (a list's
    parts, and its counts and page's ids to make them from); the
    dashboard made afresh after a change reads its notice and group rows' versions together,
    then both rows."""
    task = make_task(text="Việc một", deadline=date(2023, 10, 25))
    counting = _CountingCache(caching.cache)
    monkeypatch.setattr(caching, "cache", counting)
    client.force_login(staff_a)
    client.get(reverse("task_list"))
    counting.calls.clear()
    assert client.get(reverse("task_list")).status_code == 200  # kept
    assert counting.calls == ["get_many", "get_many"]
    task.save(update_fields=["progress"])
    counting.calls.clear()
    client.get(reverse("task_list"))  # made afresh: what it is made from was asked for too
    assert counting.calls == ["get_many", "get_many", "set", "set", "set"]

    client.force_login(leader)
    client.get(reverse("dashboard"))
    task.save(update_fields=["progress"])  # the figures are made afresh, not the heading
    counting.calls.clear()
    assert client.get(reverse("dashboard")).status_code == 200
    # The versions; the page's parts; its figures; its notice's version (the one the
    # versions have not read: the group rows' are those), then both rows; the figures, the
    # notice's rows (its task changed) and the content kept.
    assert counting.calls == ["get_many", "get_many", "get", "get", "get_many"] + ["set"] * 3
