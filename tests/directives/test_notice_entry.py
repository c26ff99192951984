"""The office enters and corrects notices in the browser (issue: the office's two jobs)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from directives.models import Notice, NoticeRevision, Task, TaskEvent
from tests.conftest import MakeTask, on_day
from units.models import Unit, User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with on_day(date(2024, 2, 5)):
        yield


@pytest.fixture
def units(unit_a: Unit, unit_b: Unit, unit_support: Unit) -> dict[str, Unit]:
    tnmt = Unit.objects.create(
        name="Phòng Tài nguyên và Môi trường", short_name="TN-MT", aliases=["Phòng TN-MT"]
    )
    return {"a": unit_a, "b": unit_b, "support": unit_support, "tnmt": tnmt}


@pytest.fixture
def desk(client: Client, office: User) -> Client:
    client.force_login(office)
    return client


def payload(rows: list[dict[str, str]], **header: str) -> dict[str, str]:
    data = {
        "number": "201/TB-UBND",
        "issuer": "UBND huyện Hương Sơn",
        "place": "Hương Sơn",
        "issued_on": "2024-02-01",
        "title": "Kết luận giao ban tháng 1/2024",
        "chair": "Hồ Thái Sơn",
        "tasks-TOTAL_FORMS": str(len(rows)),
        "tasks-INITIAL_FORMS": "0",
        "tasks-MIN_NUM_FORMS": "0",
        "tasks-MAX_NUM_FORMS": "1000",
        **header,
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"tasks-{index}-{key}"] = value
    return data


def test_the_office_enters_a_notice_with_its_tasks(desk: Client, units: dict[str, Unit]) -> None:
    response = desk.post(
        reverse("notice_create"),
        payload(
            [
                {
                    "ref": "1",
                    "text": "Rà soát thủ tục đất đai",
                    "lead_unit": "phong tn mt",
                    "support_units": "tu phap; Sở TT&TT",
                    "deadline": "15 ngày làm việc",
                    "ORDER": "2",
                },
                {
                    "ref": "2",
                    "text": "Hoàn thiện hồ sơ CCHC",
                    "lead_unit": "Nội vụ",
                    "deadline": "quý I/2024",
                    "ORDER": "1",
                },
                {
                    "ref": "3",
                    "text": "Tuyên truyền thường xuyên",
                    "lead_unit": "Phòng NV",
                    "deadline": "thường xuyên",
                },
            ]
        ),
    )
    notice = Notice.objects.get(number="201/TB-UBND")
    assert response.status_code == 302 and response["Location"] == reverse(
        "notice_detail", args=[notice.pk]
    )
    tasks = list(notice.tasks.order_by("order"))
    assert [t.text for t in tasks] == [
        "Hoàn thiện hồ sơ CCHC",
        "Rà soát thủ tục đất đai",
        "Tuyên truyền thường xuyên",
    ]
    cchc, land, ongoing = tasks
    assert (cchc.deadline, cchc.deadline_kind) == (date(2024, 3, 31), "quarter")
    assert (land.deadline, land.deadline_kind, land.deadline_text) == (
        date(2024, 2, 29),  # 15 working days from 1/2/2024, Tết skipped
        "working_days",
        "15 ngày làm việc",
    )
    assert land.lead_unit == units["tnmt"]
    assert set(land.support_units.all()) == {units["b"], units["support"]}
    assert ongoing.deadline is None and ongoing.deadline_kind == "ongoing"
    assert all(t.events.get().kind == TaskEvent.Kind.ASSIGNED for t in tasks)


@pytest.mark.parametrize(
    ("row", "header", "field", "message"),
    [
        ({"lead_unit": "Phòng Y tế"}, {}, "lead_unit", "Không tìm thấy đơn vị “Phòng Y tế”"),
        (
            {"support_units": "Tư pháp; Ban Dân tộc"},
            {},
            "support_units",
            "Không tìm thấy đơn vị “Ban Dân tộc”",
        ),
        ({"deadline": "sớm nhất có thể"}, {}, "deadline", "Không hiểu thời hạn"),
        ({"deadline": "20/01/2024"}, {}, "deadline", "trước ngày ban hành thông báo (01/02/2024)"),
        ({"support_units": "Nội vụ"}, {}, "support_units", "không đồng thời là đơn vị phối hợp"),
        ({"text": ""}, {}, "text", "Nội dung nhiệm vụ không được để trống."),
        ({}, {"issued_on": "31/02/2024"}, "issued_on", "Ngày không hợp lệ"),
        ({}, {"meeting_on": "2024-02-03"}, "meeting_on", "Ngày họp không được sau ngày ban hành"),
    ],
)
def test_bad_input_is_explained_on_the_field_and_nothing_is_saved(
    desk: Client,
    units: dict[str, Unit],
    row: dict[str, str],
    header: dict[str, str],
    field: str,
    message: str,
) -> None:
    good = {"text": "Việc tốt", "lead_unit": "Nội vụ", "deadline": "30/03/2024"}
    response = desk.post(reverse("notice_create"), payload([good, {**good, **row}], **header))
    assert response.status_code == 200
    assert message in response.content.decode()
    errors: dict[str, Any] = (
        response.context["form"].errors
        if field in ("issued_on", "meeting_on")
        else response.context["formset"].forms[1].errors
    )
    assert field in errors
    assert not Notice.objects.exists() and not Task.objects.exists()


def test_a_duplicate_notice_number_of_the_same_issuer_and_year_is_refused(
    desk: Client, units: dict[str, Unit]
) -> None:
    row = {"text": "Việc", "lead_unit": "Nội vụ"}
    assert desk.post(reverse("notice_create"), payload([row])).status_code == 302
    again = desk.post(reverse("notice_create"), payload([row], issued_on="2024-03-01"))
    assert "đã có thông báo số 201/TB-UBND trong năm 2024" in again.content.decode()
    assert Notice.objects.count() == 1
    other_year = desk.post(reverse("notice_create"), payload([row], issued_on="2025-01-02"))
    assert other_year.status_code == 302 and Notice.objects.count() == 2


def test_a_notice_without_tasks_is_refused(desk: Client, units: dict[str, Unit]) -> None:
    response = desk.post(reverse("notice_create"), payload([{"ref": "", "text": ""}]))
    assert "Thông báo cần có ít nhất một nhiệm vụ." in response.content.decode()
    assert not Notice.objects.exists()


def test_adding_a_row_keeps_what_was_typed_and_saves_nothing(
    desk: Client, units: dict[str, Unit]
) -> None:
    data = payload(
        [{"text": "Việc đã gõ", "lead_unit": "Nội vụ", "deadline": "trong tháng 3/2024"}]
    )
    data["add_row"] = "1"
    response = desk.post(reverse("notice_create"), data)
    formset = response.context["formset"]
    assert len(formset.forms) == 2
    html = response.content.decode()
    assert "Việc đã gõ" in html and "31/03/2024" in html  # what the phrase was understood as
    assert not Notice.objects.exists()


def test_only_the_office_enters_notices(client: Client, staff_a: User, leader: User) -> None:
    for person in (staff_a, leader):
        client.force_login(person)
        assert client.get(reverse("notice_create")).status_code == 403
        assert (
            client.get(reverse("deadline_preview"), {"x-deadline": "30/10/2023"}).status_code == 403
        )


def test_the_deadline_hint_says_what_it_understood(desk: Client) -> None:
    url = reverse("deadline_preview")
    ok = desk.get(url, {"tasks-0-deadline": "quý IV/2023", "issued_on": "2023-09-13"})
    assert "31/12/2023" in ok.content.decode() and "cuối quý" in ok.content.decode()
    bad = desk.get(url, {"tasks-0-deadline": "mai", "issued_on": "2023-09-13"})
    assert "Không hiểu thời hạn “mai”" in bad.content.decode()
    no_date = desk.get(url, {"tasks-0-deadline": "30/10"})
    assert "Nhập ngày ban hành" in no_date.content.decode()


def test_correcting_a_header_keeps_its_history(
    desk: Client, units: dict[str, Unit], office: User
) -> None:
    desk.post(reverse("notice_create"), payload([{"text": "Việc", "lead_unit": "Nội vụ"}]))
    notice = Notice.objects.get()
    data = payload([], title="Kết luận giao ban tháng 1 năm 2024", chair="Nguyễn Văn A")
    response = desk.post(reverse("notice_edit", args=[notice.pk]), data)
    assert response.status_code == 302
    revision = NoticeRevision.objects.get()
    assert revision.actor == office
    assert revision.changes["chair"] == ["Hồ Thái Sơn", "Nguyễn Văn A"]
    page = desk.get(reverse("notice_detail", args=[notice.pk])).content.decode()
    assert "Lịch sử sửa thông tin văn bản" in page and "Nguyễn Văn A" in page


def test_the_office_adds_a_task_to_an_existing_notice(
    desk: Client, units: dict[str, Unit], notice: Notice
) -> None:
    url = reverse("notice_add_task", args=[notice.pk])
    bad = desk.post(url, {"new-text": "Việc mới", "new-lead_unit": "Không có", "new-deadline": ""})
    assert "Không tìm thấy đơn vị" in bad.content.decode()
    response = desk.post(
        url,
        {"new-text": "Việc mới", "new-lead_unit": "tư pháp", "new-deadline": "trong tháng 10/2023"},
    )
    task = Task.objects.get(text="Việc mới")
    assert response.status_code == 302 and task.deadline == date(2023, 10, 31)
    assert task.lead_unit == units["b"]


def test_the_office_corrects_a_task_and_the_timeline_keeps_both_versions(
    desk: Client, task: Task, units: dict[str, Unit]
) -> None:
    url = reverse("task_action", args=[task.pk, "sua"])
    page = desk.get(task.get_absolute_url())
    form = dict((a.slug, f) for a, f in page.context["action_forms"])["sua"]
    assert form.initial["lead_unit"] == "Phòng Nội vụ" and form.initial["deadline"] == "30/10/2023"
    base = {"version": task.version, "text": task.text, "lead_unit": "Nội vụ", "support_units": ""}
    bad = desk.post(url, {**base, "deadline": "không rõ"})
    assert "Không hiểu thời hạn" in bad.content.decode()
    ok = desk.post(url, {**base, "deadline": "trong tháng 11/2023", "note": "Theo ý kiến PCT"})
    assert ok.status_code == 302
    task.refresh_from_db()
    assert (task.deadline, task.deadline_kind) == (date(2023, 11, 30), "month")
    edited = task.events.get(kind=TaskEvent.Kind.EDITED)
    assert edited.data["changes"]["deadline"] == ["2023-10-30", "2023-11-30"]
    assert edited.note == "Theo ý kiến PCT"
    assert list(task.support_units.all()) == []


def test_staff_see_only_notices_of_their_tasks(
    client: Client, task: Task, staff_b: User, staff_a: User
) -> None:
    client.force_login(staff_b)
    assert client.get(reverse("notice_detail", args=[task.notice_id])).status_code == 404
    assert "194/TB-UBND" not in client.get(reverse("notice_list")).content.decode()
    client.force_login(staff_a)
    assert client.get(reverse("notice_detail", args=[task.notice_id])).status_code == 200
    assert client.get(reverse("notice_edit", args=[task.notice_id])).status_code == 403


def test_the_notice_list_counts_the_tasks_each_person_sees(
    client: Client, make_task: MakeTask, staff_a: User, office: User, unit_b: Unit
) -> None:
    make_task(text="Của đơn vị A")
    make_task(text="Của đơn vị B", lead_unit=unit_b)
    client.force_login(staff_a)
    mine = client.get(reverse("notice_list")).context["notices"]
    assert [(n.task_count, n.open_count) for n in mine] == [(1, 1)]  # as on the notice's page
    client.force_login(office)
    everyone = client.get(reverse("notice_list")).context["notices"]
    assert [(n.task_count, n.open_count) for n in everyone] == [(2, 2)]


def test_a_bare_place_name_names_its_unit_and_an_ambiguous_one_offers_the_candidates() -> None:
    from directives.demo.seed import seed_units
    from directives.forms_notice import match_unit

    seed_units()
    assert match_unit("Sơn Tây").name == "Ủy ban nhân dân xã Sơn Tây"
    with pytest.raises(Exception, match="có thể là") as raised:
        match_unit("Văn phòng")
    assert "Văn phòng HĐND-UBND huyện" in str(raised.value)
    with pytest.raises(Exception, match="Không tìm thấy đơn vị"):
        match_unit("Phòng Y tế")


def test_a_forms_errors_are_listed_at_its_top(desk: Client) -> None:
    page = desk.post(
        reverse("notice_create"), payload([{"text": "Rà soát", "lead_unit": "Phòng Y tế"}])
    )
    html = page.content.decode()
    assert 'id="error-summary"' in html
    summary = html.split('id="error-summary"')[1].split("</div>")[0]
    assert "Nhiệm vụ 1, đơn vị chủ trì" in summary and "Phòng Y tế" in summary
