"""HTTP concerns of the pages: login, scope, 404 for other units' tasks, query counts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from directives import services
from directives.models import Attachment, Task
from tests.conftest import MakeTask, on_day
from units.models import Unit, User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with on_day(date(2023, 10, 20)):
        yield


def logged_in(client: Client, user: User) -> Client:
    from directives import caching

    client.force_login(user)
    caching.unit_names()  # kept in the process, as after its first page
    return client


def test_the_first_page_is_a_vietnamese_login_page(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert '<html lang="vi">' in html
    assert "Đăng nhập" in html and "Mật khẩu" in html


def test_a_wrong_password_gets_a_vietnamese_message(client: Client, staff_a: User) -> None:
    response = client.post(reverse("login"), {"username": "staff_a", "password": "sai"})
    assert response.status_code == 200
    assert "Vui lòng điền vào Tên đăng nhập và mật khẩu chính xác" in response.content.decode()


def test_logging_in_leads_to_the_task_list(client: Client, staff_a: User) -> None:
    response = client.post(
        reverse("login"), {"username": "staff_a", "password": "pw-for-tests"}, follow=True
    )
    # Holding no task yet, staff open on their unit's list, one click from "Việc của tôi"
    # (test_work_model: once they hold tasks, they open on those).
    assert response.redirect_chain[-1][0] == reverse("home")
    html = response.content.decode()
    assert "Nhiệm vụ của Phòng Nội vụ" in html and "Việc của tôi" in html


def test_staff_see_their_units_tasks_and_not_others(
    client: Client, make_task: MakeTask, staff_a: User, unit_b: Unit
) -> None:
    mine = make_task(text="Việc của Phòng Nội vụ")
    make_task(text="Việc của Phòng Tư pháp", lead_unit=unit_b)
    html = logged_in(client, staff_a).get(reverse("task_list")).content.decode()
    assert "Việc của Phòng Nội vụ" in html
    assert "Việc của Phòng Tư pháp" not in html
    assert reverse("task_detail", args=[mine.pk]) in html


def test_the_list_puts_overdue_first_and_filters_by_bucket(
    client: Client, make_task: MakeTask, office: User
) -> None:
    make_task(text="Việc thường xuyên")
    make_task(text="Việc còn hạn", deadline=date(2023, 12, 31))
    make_task(text="Việc quá hạn", deadline=date(2023, 10, 10))
    client = logged_in(client, office)
    tasks = list(client.get(reverse("home")).context["listing"].page.object_list)
    assert [t.text for t in tasks] == ["Việc quá hạn", "Việc còn hạn", "Việc thường xuyên"]
    overdue = (
        client.get(reverse("home"), {"timeliness": "overdue"}).context["listing"].page.object_list
    )
    assert [t.text for t in overdue] == ["Việc quá hạn"]
    ignored = client.get(reverse("home"), {"timeliness": "<script>"})
    assert ignored.status_code == 200 and len(ignored.context["listing"].page.object_list) == 3


def test_another_units_task_is_not_found(client: Client, task: Task, staff_b: User) -> None:
    response = logged_in(client, staff_b).get(reverse("task_detail", args=[task.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["staff_a", "staff_support", "office", "leader"])
def test_the_lead_and_support_units_and_the_office_open_the_task(
    client: Client, task: Task, persona: str, request: pytest.FixtureRequest
) -> None:
    response = logged_in(client, request.getfixturevalue(persona)).get(
        reverse("task_detail", args=[task.pk])
    )
    assert response.status_code == 200
    assert task.text in response.content.decode()


def test_the_task_page_shows_both_status_axes_and_the_timeline(
    client: Client, task: Task, staff_a: User
) -> None:
    services.report_progress(actor=staff_a, task=task, note="Đã dự thảo kế hoạch.", progress=40)
    with on_day(date(2023, 11, 2)):
        html = logged_in(client, staff_a).get(reverse("task_detail", args=[task.pk])).content
    text = html.decode()
    assert "Đang thực hiện" in text
    assert "Quá hạn 3 ngày" in text
    assert "Đã dự thảo kế hoạch." in text
    assert "Giao nhiệm vụ" in text


def test_an_anonymous_visitor_is_sent_to_login(client: Client, task: Task) -> None:
    response = client.get(reverse("task_detail", args=[task.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def _list_queries(
    client: Client, django_assert_num_queries: object, user: User, expected: tuple[int, int]
) -> None:
    from directives import caching

    client.get(reverse("task_list"))  # the day's first request may build the tally
    caching.lists_changed()  # what the list found is counted again
    with django_assert_num_queries(expected[0]):  # type: ignore[operator]
        assert client.get(reverse("task_list")).status_code == 200
    # Asked again with nothing changed, what it shows is kept.
    with django_assert_num_queries(expected[1]):  # type: ignore[operator]
        assert client.get(reverse("task_list")).status_code == 200


# session, user, the unit's tasks read whole (a short unit list: its bucket counts and its
# page's ids from one query, directives.views._Whole), unread notifications, the user's unit
# (the filters' heading names it; the header from the units' names kept in the process; the
# notices offered, their labels and chairs, are kept in the cache between requests),
# those tasks with what their rows show, support units of the page; the office counts and
# reads a page apart (the page's task ids sorted on the task table alone), the bucket counts
# from today's tally (the tally's day, its rows) instead of counting, and its unit picker's
# options are kept as HTML in the process until a unit is saved (the first request fills
# them).
# The office's header counts its inbox: tasks waiting, extension requests, imports; every
# list reads its person's saved filters.
# Second: the same list again, nothing changed: its filters and its list are kept as HTML and
# the header's inbox counts as figures (directives.caching): the session, the user, the unread
# notifications and the saved filters are left.
LIST_QUERIES = {"staff_a": (8, 4), "office": (12, 4)}


@pytest.mark.parametrize("persona", ["staff_a", "office"])
def test_the_list_query_count_does_not_grow_with_the_number_of_tasks(
    client: Client,
    make_task: MakeTask,
    unit_support: Unit,
    persona: str,
    request: pytest.FixtureRequest,
    django_assert_num_queries: object,
) -> None:
    user = request.getfixturevalue(persona)
    client = logged_in(client, user)
    for _ in range(3):
        make_task(deadline=date(2023, 10, 25), support_units=[unit_support])
    _list_queries(client, django_assert_num_queries, user, LIST_QUERIES[persona])
    for _ in range(30):
        make_task(deadline=date(2023, 10, 25), support_units=[unit_support])
    _list_queries(client, django_assert_num_queries, user, LIST_QUERIES[persona])


# session, user, task (with whether it has helpers, support requests, periods, extension
# requests, files: those it has none of are not asked for), support units, events with actors,
# reminders sent, marking its notifications read, unread notifications (the header names the
# user's unit from the units' names kept in the process); a task with files: their query; with
# helpers, support requests, periods and extension requests: 4 more.
# Asked again with nothing changed, the task as read is kept (directives.caching): session,
# user, reminders sent, marking its notifications read, unread notifications.
DETAIL_QUERIES = 8
KEPT_DETAIL_QUERIES = 5


def test_the_task_page_query_count_does_not_grow_with_the_timeline(
    client: Client, task: Task, staff_a: User, django_assert_num_queries: object
) -> None:
    client = logged_in(client, staff_a)
    url = reverse("task_detail", args=[task.pk])
    with django_assert_num_queries(DETAIL_QUERIES):  # type: ignore[operator]
        client.get(url)
    for percent in range(10, 60, 10):
        services.report_progress(actor=staff_a, task=task, note=f"{percent}%", progress=percent)
    with django_assert_num_queries(DETAIL_QUERIES):  # type: ignore[operator]
        assert client.get(url).status_code == 200
    with django_assert_num_queries(KEPT_DETAIL_QUERIES):  # type: ignore[operator]
        assert "50%" in client.get(url).content.decode()
    # Files on some of its rows: the rows' files are read (one query), each shown on its own
    # row, in the order they were added; a row without files shows none.
    for note, names in (("30%", ["bien-ban.pdf", "anh-1.jpg"]), ("10%", ["to-trinh.docx"])):
        report = task.events.filter(note=note).get()
        for name in names:
            Attachment.objects.create(event=report, file=f"x/{name}", name=name, size=10)
    with django_assert_num_queries(DETAIL_QUERIES + 1):  # type: ignore[operator]
        html = client.get(url).content.decode()

    with django_assert_num_queries(KEPT_DETAIL_QUERIES):  # type: ignore[operator]
        kept = client.get(url).content.decode()  # the task as kept shows them alike

    for page in (html, kept):

        def files_on(note: str, page: str = page) -> list[str]:
            row = page[page.index(f">{note}<") :]
            row = row[: row.index("</li>\n<li")] if "</li>\n<li" in row else row
            return [n for n in ("bien-ban.pdf", "anh-1.jpg", "to-trinh.docx") if n in row]

        assert files_on("30%") == ["bien-ban.pdf", "anh-1.jpg"]
        assert page.index("bien-ban.pdf") < page.index("anh-1.jpg")
        assert files_on("10%") == ["to-trinh.docx"]
        assert files_on("50%") == [] and files_on("20%") == []


def test_a_long_timeline_shows_its_latest_rows_and_the_whole_on_request(
    client: Client, task: Task, staff_a: User, django_assert_num_queries: object
) -> None:
    from directives.views import TIMELINE_LATEST

    for percent in range(TIMELINE_LATEST + 5):
        services.report_progress(actor=staff_a, task=task, note=f"Lần {percent}", progress=1)
    client = logged_in(client, staff_a)
    url = reverse("task_detail", args=[task.pk])
    with django_assert_num_queries(DETAIL_QUERIES):  # type: ignore[operator]
        response = client.get(url)
    shown = response.context["task"].latest_events
    total = task.events.count()
    assert total == TIMELINE_LATEST + 6  # the assignment and the reports
    assert len(shown) == TIMELINE_LATEST
    assert [e.note for e in shown[:2]] == [
        f"Lần {TIMELINE_LATEST + 4}",
        f"Lần {TIMELINE_LATEST + 3}",
    ]
    # Newest first: on a phone the latest entry is the first one reached.
    assert shown == sorted(shown, key=lambda e: (e.created_at, e.pk), reverse=True)
    html = response.content.decode()
    assert f"Đang hiện {TIMELINE_LATEST} mục gần nhất trong tổng số {total} mục" in html
    assert "Lần 0<" not in html
    with django_assert_num_queries(DETAIL_QUERIES):  # type: ignore[operator]
        whole = client.get(url, {"dien-bien": "tat-ca"})
    assert len(whole.context["task"].latest_events) == total
    assert "Đang hiện" not in whole.content.decode()


def test_one_bucket_lists_the_earliest_deadline_first(
    client: Client, make_task: MakeTask, office: User
) -> None:
    with on_day(date(2023, 10, 2)):
        later = make_task(text="Hạn sau", deadline=date(2023, 10, 20))
        earlier = make_task(text="Hạn trước", deadline=date(2023, 10, 10))
        same_day_second = make_task(text="Cùng hạn, mục sau", deadline=date(2023, 10, 10))
    client = logged_in(client, office)
    response = client.get(reverse("task_list"), {"timeliness": "overdue", "as_of": "01/11/2023"})
    listed = [t.pk for t in response.context["listing"].page.object_list]
    assert listed == [earlier.pk, same_day_second.pk, later.pk]


def test_the_list_and_the_task_page_show_how_late_a_task_is(
    client: Client, make_task: MakeTask, staff_a: User
) -> None:
    with on_day(date(2023, 10, 2)):
        late = make_task(text="Việc trễ", deadline=date(2023, 10, 17))
        make_task(text="Việc còn hạn", deadline=date(2023, 12, 31))
    client = logged_in(client, staff_a)
    from directives.templatetags.dondoc import OVERDUE_DAYS_RULE

    badge = (
        f'<span class="badge badge-timeliness-overdue" title="{OVERDUE_DAYS_RULE}">'
        "Quá hạn 3 ngày</span>"
    )
    assert badge in client.get(reverse("task_list")).content.decode()  # on 20/10/2023
    assert badge in client.get(reverse("task_detail", args=[late.pk])).content.decode()
    assert (
        '<span class="badge badge-timeliness-in_time">Trong hạn</span>'
        in client.get(reverse("task_list")).content.decode()
    )


def test_the_notices_offered_follow_every_change_despite_the_cache(
    client: Client, make_task: MakeTask, office: User, staff_a: User, unit_b: Unit
) -> None:
    """The list's notice and chair pickers are kept in the cache between requests; a task
    given, moved or a notice corrected shows on the next request."""
    client = logged_in(client, staff_a)
    make_task(deadline=date(2023, 10, 25))

    def offered() -> tuple[set[str], set[str]]:
        form = client.get(reverse("task_list")).context["listing"].filter.shown_form
        notices = {label for value, label in form.fields["notice"].choices if value}
        chairs = {value for value, _ in form.fields["chair"].choices if value}
        return notices, chairs

    assert offered() == ({"194/TB-UBND ngày 13/09/2023"}, set())
    other = services.create_notice(
        actor=office, number="195/TB-UBND", issued_on=date(2023, 9, 20), title="Khác"
    )
    task = make_task(notice=other, deadline=date(2023, 10, 25))
    assert "195/TB-UBND ngày 20/09/2023" in offered()[0]  # given to the unit: offered at once
    services.update_notice(actor=office, notice=other, chair="Phó Chủ tịch Nguyễn Văn An")
    assert offered()[1] == {"Phó Chủ tịch Nguyễn Văn An"}
    services.edit_task(actor=office, task=task, lead_unit=unit_b, note="Chuyển đơn vị")
    assert offered()[0] == {"194/TB-UBND ngày 13/09/2023"}  # moved away: no longer followed
    User.objects.filter(pk=staff_a.pk).update(unit=unit_b)  # the person moves to unit B
    assert offered()[0] == {"195/TB-UBND ngày 20/09/2023"}
