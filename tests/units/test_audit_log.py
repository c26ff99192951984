"""The office reads the whole audit trail on one page: units, accounts, notices, tasks."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from directives import services as task_services
from directives.models import Notice, Task
from units import services as unit_services
from units.models import Unit, User

pytestmark = pytest.mark.django_db
URL = reverse("audit_log")


@pytest.fixture
def changes(office: User, unit_a: Unit, staff_a: User, notice: Notice, task: Task) -> None:
    unit_services.save_unit(actor=office, unit=unit_a, short_name="NV (mới)")
    unit_services.save_account(actor=office, account=staff_a, job_title="Chuyên viên chính")
    task_services.update_notice(actor=office, notice=notice, title="Kết luận đã sửa")
    task_services.edit_task(actor=office, task=task, deadline=date(2024, 3, 31))


def test_every_kind_of_change_is_listed_with_who_and_what(
    client: Client, office: User, changes: None, task: Task
) -> None:
    client.force_login(office)
    response = client.get(URL)
    assert response.status_code == 200
    entries = response.context["entries"]
    assert [e.kind for e in entries] == ["task", "notice", "user", "unit"]  # newest first
    assert {e.actor for e in entries} == {str(office)}
    by_kind = {e.kind: e for e in entries}
    assert by_kind["unit"].changes == [("tên viết tắt", "Nội vụ", "NV (mới)")]
    assert any(new == "Kết luận đã sửa" for _, _, new in by_kind["notice"].changes)
    assert any(new == "2024-03-31" for _, _, new in by_kind["task"].changes)
    assert by_kind["task"].url == reverse("task_detail", args=[task.pk])
    html = response.content.decode()
    assert "Chuyên viên chính" in html and "Kết luận đã sửa" in html


def test_filters_by_kind_and_date(client: Client, office: User, changes: None) -> None:
    client.force_login(office)
    only_tasks = client.get(URL, {"kind": "task"}).context["entries"]
    assert [e.kind for e in only_tasks] == ["task"]
    today = timezone.localdate()
    assert len(client.get(URL, {"since": today.isoformat()}).context["entries"]) == 4
    assert client.get(URL, {"until": "01/01/2000"}).context["entries"] == []


def test_a_bad_date_range_is_explained_not_a_500(client: Client, office: User) -> None:
    client.force_login(office)
    response = client.get(URL, {"since": "31/12/2025", "until": "01/01/2025"})
    assert response.status_code == 200
    assert "Ngày kết thúc phải sau ngày bắt đầu." in response.content.decode()
    response = client.get(URL, {"since": "hôm qua"})
    assert "Ngày không hợp lệ" in response.content.decode()


@pytest.mark.parametrize("persona", ["staff_a", "head_a", "leader"])
def test_only_the_office_reads_it(
    client: Client, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403


def test_query_count_does_not_grow_with_the_entries(
    client: Client, office: User, unit_a: Unit
) -> None:
    client.force_login(office)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    unit_services.save_unit(actor=office, unit=unit_a, short_name="A1")
    few = queries()
    for i in range(12):
        unit_services.save_unit(actor=office, unit=unit_a, short_name=f"A{i + 2}")
    assert queries() == few
