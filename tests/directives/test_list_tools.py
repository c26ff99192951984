"""The task list's own tools: its export to XLSX (the list's filter, Annex I's columns, the
last update), saved filters, and the "cập nhật lần cuối" column."""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from directives import services
from directives.models import SavedFilter, Task
from tests.conftest import MakeTask, on_day
from units.models import Unit, User

pytestmark = pytest.mark.django_db

DAY = date(2023, 11, 3)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_filtered_list_exports_exactly_its_rows(
    make_task: MakeTask, staff_a: User, staff_b: User, unit_b: Unit, office: User
) -> None:
    late = [make_task(text=f"Việc trễ {n}", deadline=date(2023, 10, 20 + n)) for n in range(3)]
    make_task(text="Việc còn hạn", deadline=date(2023, 12, 30))
    make_task(text="Việc của đơn vị B trễ", deadline=date(2023, 10, 21), lead_unit=unit_b)
    with on_day(DAY):
        services.report_progress(actor=staff_a, task=late[0], note="Đang làm", progress=40)
        query = "timeliness=overdue"
        page = signed_in(staff_a).get(f"{reverse('task_list')}?{query}")
        assert "Cập nhật lần cuối" in page.content.decode()
        listed = [t.pk for t in page.context["listing"].page.object_list]
        response = signed_in(staff_a).get(f"{reverse('task_list_export')}?{query}")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('filename="danh-sach-nhiem-vu-20231103.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(response.getvalue()))
    sheet = book.active
    assert sheet["A3"].value.startswith("(Nhiệm vụ của Phòng Nội vụ; Thời hạn: Quá hạn;")
    header = [c.value for c in sheet[4]]
    assert header[2] == "Nội dung nhiệm vụ" and header[-1] == "Cập nhật lần cuối"
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=5) if row[2].value]
    texts = {row[2] for row in rows}
    # Unit A's staff: their three late tasks, not B's, not the one in time.
    assert (
        texts
        == {t.text for t in Task.objects.filter(pk__in=listed)}
        == {
            "Việc trễ 0",
            "Việc trễ 1",
            "Việc trễ 2",
        }
    )
    first = next(row for row in rows if row[2] == "Việc trễ 0")
    assert "Đang làm" in first[8] and first[10] is not None  # the latest report, the update
    bad = signed_in(staff_a).get(f"{reverse('task_list_export')}?deadline_from=31/02/2023")
    assert bad.status_code == 302


def test_the_filtered_list_exports_as_csv_streamed_with_formulas_kept_as_text(
    make_task: MakeTask, staff_a: User, unit_b: Unit
) -> None:
    make_task(text='=HYPERLINK("http://x") trễ', deadline=date(2023, 10, 21))
    comma = make_task(text="Việc trễ, có dấu phẩy", deadline=date(2023, 10, 22), ref="@1")
    make_task(text="Việc còn hạn", deadline=date(2023, 12, 30))
    make_task(text="Việc của đơn vị B trễ", deadline=date(2023, 10, 21), lead_unit=unit_b)
    with on_day(DAY):
        response = signed_in(staff_a).get(f"{reverse('task_list_csv')}?timeliness=overdue")
        assert response.status_code == 200 and response.streaming
        content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert (
        response["Content-Disposition"] == 'attachment; filename="danh-sach-nhiem-vu-20231103.csv"'
    )
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][2] == "Nội dung nhiệm vụ" and rows[0][-1] == "Cập nhật lần cuối"
    texts = sorted(row[2] for row in rows[1:])
    assert texts == ['\'=HYPERLINK("http://x") trễ', "Việc trễ, có dấu phẩy"]
    assert all(len(row) == len(rows[0]) for row in rows)
    # Any cell a spreadsheet would read as a formula is text (here the ref), and the last
    # update is in local time.
    row = next(row for row in rows if row[2] == "Việc trễ, có dấu phẩy")
    assert row[1] == "'@1"
    assert row[-1] == f"{timezone.localtime(comma.last_activity_at):%d/%m/%Y %H:%M}"
    bad = signed_in(staff_a).get(f"{reverse('task_list_csv')}?deadline_from=31/02/2023")
    assert bad.status_code == 302


def test_a_filter_is_saved_under_a_name_reopened_and_deleted(
    make_task: MakeTask, staff_a: User, staff_b: User
) -> None:
    client = signed_in(staff_a)
    query = "timeliness=overdue&person=mine"
    saved = client.post(
        reverse("saved_filter_create"),
        {"name": "Việc trễ của tôi", "query": f"{query}&page=3"},
        follow=True,
    )
    assert saved.redirect_chain[-1][0] == f"{reverse('task_list')}?{query}"
    assert "Đã lưu bộ lọc “Việc trễ của tôi”" in saved.content.decode()
    kept = SavedFilter.objects.get()
    assert (kept.owner, kept.query) == (staff_a, query)
    listed = client.get(reverse("task_list")).content.decode()
    assert f'href="/nhiem-vu/?{query.replace("&", "&amp;")}">Việc trễ của tôi</a>' in listed
    # Same name: replaced, not doubled; no name, or a filter that does not validate: refused.
    client.post(reverse("saved_filter_create"), {"name": "Việc trễ của tôi", "query": ""})
    assert SavedFilter.objects.get().query == ""
    nameless = client.post(reverse("saved_filter_create"), {"name": " ", "query": ""}, follow=True)
    assert "Hãy đặt tên cho bộ lọc" in nameless.content.decode()
    client.post(reverse("saved_filter_create"), {"name": "Sai", "query": "deadline_from=x"})
    assert SavedFilter.objects.count() == 1
    # Nobody else sees or deletes it.
    other = signed_in(staff_b)
    assert "Việc trễ của tôi" not in other.get(reverse("task_list")).content.decode()
    assert other.post(reverse("saved_filter_delete", args=[kept.pk])).status_code == 404
    client.post(reverse("saved_filter_delete", args=[kept.pk]))
    assert not SavedFilter.objects.exists()


def test_a_filter_too_long_to_keep_is_refused_and_junk_is_dropped(staff_a: User) -> None:
    client = signed_in(staff_a)
    long_query = "q=" + "đ" * 900  # short as typed, six times longer once encoded
    response = client.post(
        reverse("saved_filter_create"), {"name": "Dài", "query": long_query}, follow=True
    )
    assert "Bộ lọc quá dài để lưu" in response.content.decode()
    assert not SavedFilter.objects.exists()
    client.post(
        reverse("saved_filter_create"), {"name": "Gọn", "query": "timeliness=overdue&rac=1"}
    )
    assert SavedFilter.objects.get().query == "timeliness=overdue"
