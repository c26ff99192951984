"""The inbox "Việc cần xử lý": what waits for whom, counted in the header, and accepting
several completions at once with one note."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from directives import services
from directives.models import ImportDraft, Task, TaskEvent
from tests.conftest import MakeTask, on_day
from units.models import Unit, User

pytestmark = pytest.mark.django_db

Status = Task.Status
TODAY = date(2023, 10, 20)


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with on_day(TODAY):
        yield


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def waiting(
    make_task: MakeTask, staff_a: User, office: User, unit_b: Unit, settings: Any
) -> dict[str, Any]:
    """Three completions to accept, an extension request, a task a unit returned."""
    settings.DONDOC_RECEIVE_WORKING_DAYS = 1000  # the notice is older than the days to return
    done = [make_task(text=f"Việc đã xong {n}", deadline=date(2023, 10, 30)) for n in range(3)]
    for task in done:
        services.report_completion(actor=staff_a, task=task, note="Đã xong")
    asked = make_task(text="Việc xin gia hạn", deadline=date(2023, 10, 30))
    services.request_extension(
        actor=staff_a, task=asked, reason="Chờ Sở", proposed_deadline=date(2023, 11, 30)
    )
    returned = make_task(text="Việc không đúng chức năng")
    services.hand_back(actor=staff_a, task=returned, reason="Không thuộc chức năng")
    make_task(text="Việc đang làm", deadline=date(2023, 10, 30))  # nothing to decide
    return {"done": done, "asked": asked, "returned": returned}


def test_the_office_sees_each_part_with_its_count_in_the_header(
    waiting: dict[str, Any], office: User
) -> None:
    ImportDraft.objects.create(
        created_by=office, source_text="THÔNG BÁO", number="201/TB-UBND", title="Kết luận"
    )
    page = signed_in(office).get(reverse("inbox"))
    counts = page.context["counts"]
    assert (counts.accept, counts.extensions, counts.handed_back, counts.drafts) == (3, 1, 1, 1)
    assert counts.total == 6
    html = page.content.decode()
    assert '6<span class="visually-hidden"> việc chờ xử lý</span>' in html  # the header
    assert "Báo cáo hoàn thành chờ xác nhận (3)" in html
    assert "Việc xin gia hạn" not in html or "Đề nghị gia hạn chờ quyết định (1)" in html
    assert "201/TB-UBND" in html and "Không thuộc chức năng" in html
    assert [t.pk for t in page.context["to_accept"]] == [t.pk for t in waiting["done"]]


def test_the_leadership_sees_the_extensions_and_staff_have_no_inbox(
    waiting: dict[str, Any], leader: User, staff_a: User
) -> None:
    page = signed_in(leader).get(reverse("inbox"))
    assert page.context["counts"].parts == ("extensions",)
    assert page.context["counts"].total == 1
    denied = signed_in(staff_a).get(reverse("inbox"))
    assert denied.status_code == 403
    assert "việc của bạn ở mục Nhiệm vụ" in denied.content.decode()
    assert "Việc cần xử lý" not in signed_in(staff_a).get(reverse("task_list")).content.decode()


def test_a_head_sees_the_completions_waiting_for_their_review(
    make_task: MakeTask, unit_a: Unit, staff_a: User, head_a: User
) -> None:
    Unit.objects.filter(pk=unit_a.pk).update(head_review=True)
    task = make_task(deadline=date(2023, 10, 30), assignee=staff_a)
    services.report_completion(actor=staff_a, task=Task.objects.get(pk=task.pk), note="Xong")
    page = signed_in(head_a).get(reverse("inbox"))
    assert page.context["counts"].at_head == 1
    assert [t.pk for t in page.context["at_head"]] == [task.pk]


def test_several_completions_are_accepted_at_once_with_one_note(
    waiting: dict[str, Any], office: User, staff_a: User
) -> None:
    first, second, stale = waiting["done"]
    # Reported again after the office opened its inbox: that one is not accepted blindly.
    versions = {t.pk: Task.objects.get(pk=t.pk).version for t in waiting["done"]}
    services.return_completion(actor=office, task=stale, reason="Thiếu văn bản")
    services.report_completion(actor=staff_a, task=Task.objects.get(pk=stale.pk), note="Đã bổ sung")
    response = signed_in(office).post(
        reverse("inbox_accept"),
        {
            "task": [first.pk, second.pk, stale.pk, waiting["asked"].pk],
            **{f"v{pk}": version for pk, version in versions.items()},
            "note": "Đồng ý kết quả, lưu hồ sơ.",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "Đã xác nhận hoàn thành 2 nhiệm vụ." in html
    assert "vừa được người khác cập nhật" in html  # the stale one, named
    assert "1 nhiệm vụ không còn chờ xác nhận" in html  # the one that was never waiting
    statuses = dict(Task.objects.values_list("pk", "status"))
    assert (statuses[first.pk], statuses[second.pk]) == (Status.DONE, Status.DONE)
    assert statuses[stale.pk] == Status.AWAITING_ACCEPTANCE
    notes = TaskEvent.objects.filter(kind=TaskEvent.Kind.ACCEPTED).values_list("note", flat=True)
    assert list(notes) == ["Đồng ý kết quả, lưu hồ sơ."] * 2
    nothing = signed_in(office).post(reverse("inbox_accept"), {"note": "x"}, follow=True)
    assert "Hãy chọn ít nhất một nhiệm vụ" in nothing.content.decode()


def test_an_import_left_in_preview_waits_and_is_confirmed_or_set_aside(office: User) -> None:
    desk = signed_in(office)
    text = (
        "UBND HUYỆN HƯƠNG SƠN\nSố: 301/TB-UBND\nHương Sơn, ngày 13 tháng 9 năm 2023\n"
        "THÔNG BÁO\nKết luận của Chủ tịch UBND huyện\n"
        "1. Giao Phòng Nội vụ chủ trì rà soát biên chế, hoàn thành trước ngày 30/10/2023.\n"
    )
    preview = desk.post(reverse("notice_import"), {"text": text})
    draft = ImportDraft.objects.get()
    assert preview.status_code == 302 and preview["Location"].endswith(f"?ban-nhap={draft.pk}")
    assert draft.number == "301/TB-UBND"
    # Closed without confirming: the inbox lists it and reopens the same preview.
    inbox = desk.get(reverse("inbox")).content.decode()
    assert f"?ban-nhap={draft.pk}" in inbox
    reopened = desk.get(preview["Location"])
    assert reopened.context["draft_id"] == draft.pk
    assert reopened.context["form"].initial["number"] == "301/TB-UBND"
    # Set aside: gone, with its kept file.
    desk.post(reverse("import_draft_discard", args=[draft.pk]))
    assert not ImportDraft.objects.exists()
    assert desk.get(preview["Location"]).status_code == 404
