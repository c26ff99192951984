"""The actions of the task page over HTTP: who may do what, bad input, stale forms, files."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from directives import services
from directives.models import Attachment, ExtensionRequest, Notification, Task, TaskEvent
from tests.conftest import on_day
from units.models import User

pytestmark = pytest.mark.django_db

Status = Task.Status
Kind = TaskEvent.Kind
TODAY = date(2023, 10, 20)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with on_day(TODAY):
        yield


def as_user(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def act(client: Client, task: Task, slug: str, **data: Any) -> Any:
    task.refresh_from_db()
    data.setdefault("version", task.version)
    return client.post(reverse("task_action", args=[task.pk, slug]), data)


def pdf(name: str = "minh-chung.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def reload(task: Task) -> Task:
    return Task.objects.get(pk=task.pk)


# --- who may do what ----------------------------------------------------------------------

LEAD_ACTIONS = {
    "tiep-nhan": {},
    "bao-cao-tien-do": {"note": "Đang làm", "progress": "30"},
    "bao-cao-hoan-thanh": {"note": "Xong"},
    "de-nghi-gia-han": {"reason": "Chờ Sở", "proposed_deadline": "2023-11-30"},
}


@pytest.mark.parametrize("slug", list(LEAD_ACTIONS))
def test_staff_of_another_unit_get_404_on_every_action(
    client: Client, task: Task, staff_b: User, slug: str
) -> None:
    response = act(as_user(client, staff_b), task, slug, **LEAD_ACTIONS[slug])
    assert response.status_code == 404
    assert list(reload(task).events.values_list("kind", flat=True)) == [Kind.ASSIGNED]


@pytest.mark.parametrize("slug", list(LEAD_ACTIONS))
def test_a_support_unit_cannot_change_the_status(
    client: Client, task: Task, staff_support: User, slug: str
) -> None:
    response = act(as_user(client, staff_support), task, slug, **LEAD_ACTIONS[slug])
    assert response.status_code == 403
    assert "Bạn không có quyền" in response.content.decode()
    assert reload(task).status == Status.ASSIGNED


def test_a_support_unit_adds_its_contribution(
    client: Client, task: Task, staff_support: User
) -> None:
    response = act(
        as_user(client, staff_support), task, "phoi-hop", note="Đã cử cán bộ.", attachments=pdf()
    )
    assert response.status_code == 302
    event = reload(task).events.get(kind=Kind.CONTRIBUTION)
    assert event.attachments.count() == 1
    assert reload(task).status == Status.ASSIGNED


def test_staff_cannot_accept_their_own_completion_and_the_office_can(
    client: Client, task: Task, staff_a: User, head_a: User, office: User
) -> None:
    services.report_completion(actor=staff_a, task=task, note="Xong")
    for person in (staff_a, head_a):
        assert act(as_user(client, person), task, "xac-nhan").status_code == 403
    assert reload(task).status == Status.AWAITING_ACCEPTANCE
    response = act(as_user(client, office), task, "xac-nhan", note="Đạt")
    assert response.status_code == 302
    assert reload(task).status == Status.DONE


def test_the_task_page_offers_only_the_actions_this_person_may_take(
    client: Client, task: Task, staff_a: User, staff_support: User, office: User, leader: User
) -> None:
    def offered(user: User) -> set[str]:
        response = as_user(client, user).get(reverse("task_detail", args=[task.pk]))
        return {action.slug for action, _ in response.context["action_forms"]}

    assert offered(staff_a) == {
        "tiep-nhan",
        "bao-cao-tien-do",
        "bao-cao-hoan-thanh",
        "de-nghi-gia-han",
        "de-nghi-phoi-hop",  # the task has a support unit
    }
    assert offered(staff_support) == {"phoi-hop"}
    assert offered(office) == {"y-kien", "tam-dung", "huy", "sua"}
    assert offered(leader) == {"y-kien"}


def test_an_unknown_action_is_404_and_get_is_not_allowed(
    client: Client, task: Task, staff_a: User
) -> None:
    client = as_user(client, staff_a)
    assert client.post(reverse("task_action", args=[task.pk, "xoa"])).status_code == 404
    assert client.get(reverse("task_action", args=[task.pk, "tiep-nhan"])).status_code == 405


def test_an_anonymous_post_goes_to_login_and_changes_nothing(client: Client, task: Task) -> None:
    response = act(client, task, "tiep-nhan")
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert reload(task).status == Status.ASSIGNED


def test_a_forged_post_without_the_csrf_token_is_refused(task: Task, staff_a: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_a)
    response = act(client, task, "tiep-nhan")
    assert response.status_code == 403
    assert reload(task).status == Status.ASSIGNED


# --- the full loop ------------------------------------------------------------------------


def test_the_full_loop_in_the_browser_with_timeline_and_notifications(
    client: Client, task: Task, staff_a: User, head_a: User, office: User
) -> None:
    staff = as_user(Client(), staff_a)
    desk = as_user(Client(), office)

    assert act(staff, task, "tiep-nhan").status_code == 302
    response = act(
        staff, task, "bao-cao-tien-do", note="Đã dự thảo.", progress="40", attachments=pdf()
    )
    assert response.status_code == 302
    assert act(staff, task, "bao-cao-hoan-thanh", note="Đã trình ký.").status_code == 302
    assert (
        Notification.objects.filter(recipient=office, event__kind=Kind.COMPLETION_REPORTED).count()
        == 1
    )

    assert act(desk, task, "tra-lai", reason="Thiếu quyết định kèm theo.").status_code == 302
    returned = Notification.objects.filter(event__kind=Kind.RETURNED)
    assert set(returned.values_list("recipient__username", flat=True)) == {"staff_a", "head_a"}

    followed = staff.get(reverse("task_detail", args=[task.pk]))
    assert "Thiếu quyết định kèm theo." in followed.content.decode()
    assert not Notification.objects.unread().filter(recipient=staff_a, task=task).exists()

    response = act(
        staff,
        task,
        "bao-cao-hoan-thanh",
        note="Đã bổ sung quyết định.",
        document_number="215/QĐ-UBND",
        document_date="2023-10-19",
        completed_on="19/10/2023",
        attachments=pdf("quyet-dinh.pdf"),
    )
    assert response.status_code == 302
    assert act(desk, task, "xac-nhan").status_code == 302

    task = reload(task)
    assert (task.status, task.completed_on) == (Status.DONE, date(2023, 10, 19))
    assert list(task.events.order_by("pk").values_list("kind", flat=True)) == [
        Kind.ASSIGNED,
        Kind.STARTED,
        Kind.PROGRESS,
        Kind.COMPLETION_REPORTED,
        Kind.RETURNED,
        Kind.COMPLETION_REPORTED,
        Kind.ACCEPTED,
    ]
    assert Attachment.objects.filter(event__task=task).count() == 2
    # The output document's number and date are kept and shown.
    shown = desk.get(reverse("task_detail", args=[task.pk])).content.decode()
    assert "Văn bản kết quả: số 215/QĐ-UBND ngày 19/10/2023" in shown
    accepted = Notification.objects.filter(event__kind=Kind.ACCEPTED)
    assert set(accepted.values_list("recipient__username", flat=True)) == {"staff_a", "head_a"}


def test_an_extension_is_asked_and_decided_in_the_browser(
    client: Client, task: Task, staff_a: User, leader: User
) -> None:
    response = act(
        as_user(Client(), staff_a),
        task,
        "de-nghi-gia-han",
        reason="Chờ ý kiến của Sở Nội vụ.",
        proposed_deadline="2023-11-30",
    )
    assert response.status_code == 302
    pending = ExtensionRequest.objects.get()
    pct = as_user(Client(), leader)
    page = pct.get(reverse("task_detail", args=[task.pk]))
    assert "quyet-dinh-gia-han" in {a.slug for a, _ in page.context["action_forms"]}
    refused = act(pct, task, "quyet-dinh-gia-han", request_id=pending.pk, decision="refuse")
    assert "Hãy nêu lý do không đồng ý." in refused.content.decode()
    response = act(pct, task, "quyet-dinh-gia-han", request_id=pending.pk, decision="approve")
    assert response.status_code == 302
    task = reload(task)
    assert (task.deadline, task.original_deadline) == (date(2023, 11, 30), date(2023, 10, 30))
    decided = Notification.objects.get(event__kind=Kind.EXTENSION_APPROVED)
    assert decided.recipient == staff_a


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "data", "message"),
    [
        (
            "bao-cao-tien-do",
            {"note": "", "progress": "10"},
            "Nội dung báo cáo không được để trống.",
        ),
        ("bao-cao-tien-do", {"note": "x" * 10_001, "progress": "10"}, "quá dài"),
        ("bao-cao-tien-do", {"note": "x", "progress": "101"}, "Tiến độ phải từ 0 đến 100%."),
        ("bao-cao-tien-do", {"note": "x", "progress": "-5"}, "Tiến độ phải từ 0 đến 100%."),
        ("bao-cao-tien-do", {"note": "x", "progress": "abc"}, "Tiến độ phải là một số"),
        (
            "bao-cao-hoan-thanh",
            {"note": "x", "completed_on": "2023-10-21"},
            "không được sau ngày hôm nay",
        ),
        ("bao-cao-hoan-thanh", {"note": "x", "completed_on": "31/02/2023"}, "Ngày không hợp lệ"),
        (
            "de-nghi-gia-han",
            {"reason": "x", "proposed_deadline": "2023-10-19"},
            "không được trước ngày hôm nay",
        ),
        (
            "de-nghi-gia-han",
            {"reason": "x", "proposed_deadline": "2023-10-25"},
            "phải sau thời hạn hiện tại",
        ),
    ],
)
def test_bad_input_gets_a_vietnamese_message_and_writes_nothing(
    client: Client, task: Task, staff_a: User, slug: str, data: dict[str, str], message: str
) -> None:
    response = act(as_user(client, staff_a), task, slug, **data)
    assert response.status_code == 200
    assert message in response.content.decode()
    task = reload(task)
    assert (task.status, task.progress, task.version) == (Status.ASSIGNED, 0, 1)
    assert task.events.count() == 1
    assert not ExtensionRequest.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.pdf", b"MZ\x90\x00" + b"\x00" * 200, "không đúng định dạng"),
        ("script.exe", b"MZ\x90\x00" + b"\x00" * 200, "không đúng định dạng"),
        ("anh.png", PDF, "không đúng định dạng"),  # a PDF dressed as a picture
        ("trong.pdf", b"", "rỗng"),
    ],
)
def test_a_forbidden_or_disguised_file_is_refused(
    client: Client, task: Task, staff_a: User, name: str, content: bytes, message: str
) -> None:
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = act(
        as_user(client, staff_a),
        task,
        "bao-cao-tien-do",
        note="x",
        progress="5",
        attachments=upload,
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Attachment.objects.exists()
    assert reload(task).events.count() == 1


def test_an_oversized_file_is_refused(
    client: Client, task: Task, staff_a: User, settings: Any
) -> None:
    settings.DONDOC_MAX_UPLOAD_BYTES = 1024
    big = pdf(content=PDF + b"0" * 2048)
    response = act(
        as_user(client, staff_a), task, "bao-cao-tien-do", note="x", progress="5", attachments=big
    )
    assert "vượt quá dung lượng cho phép" in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_stale_form_is_refused_and_keeps_what_the_person_wrote(
    client: Client, task: Task, staff_a: User, head_a: User
) -> None:
    opened = task.version
    services.report_progress(actor=head_a, task=task, note="Trưởng phòng cập nhật.", progress=50)
    response = as_user(client, staff_a).post(
        reverse("task_action", args=[task.pk, "bao-cao-tien-do"]),
        {"version": opened, "note": "Nội dung chuyên viên đã gõ", "progress": "30"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "vừa được người khác cập nhật" in html
    assert "Nội dung chuyên viên đã gõ" in html  # nothing the person wrote is lost
    assert reload(task).progress == 50
    # The redisplayed form now carries the current version: sending it again goes through.
    resent = response.context["action_forms"]
    form = dict((a.slug, f) for a, f in resent)["bao-cao-tien-do"]
    assert int(form.data["version"]) == reload(task).version
    response = client.post(reverse("task_action", args=[task.pk, "bao-cao-tien-do"]), form.data)
    assert response.status_code == 302
    assert reload(task).progress == 30


def test_a_replayed_post_does_not_act_twice(client: Client, task: Task, staff_a: User) -> None:
    client = as_user(client, staff_a)
    data = {"version": task.version, "note": "Báo cáo lần 1", "progress": "20"}
    url = reverse("task_action", args=[task.pk, "bao-cao-tien-do"])
    assert client.post(url, data).status_code == 302
    again = client.post(url, data)
    assert again.status_code == 200
    assert "vừa được người khác cập nhật" in again.content.decode()
    assert reload(task).events.filter(kind=Kind.PROGRESS).count() == 1


def test_acting_on_a_task_in_the_wrong_state_explains_why(
    client: Client, task: Task, staff_a: User
) -> None:
    services.start_task(actor=staff_a, task=task)
    response = act(as_user(client, staff_a), task, "tiep-nhan")
    assert response.status_code == 200
    assert "Không thể tiếp nhận khi nhiệm vụ đang ở trạng thái “Đang thực hiện”" in (
        response.content.decode()
    )


# --- files --------------------------------------------------------------------------------


def test_files_are_served_only_to_people_who_may_see_the_task(
    client: Client, task: Task, staff_a: User, staff_b: User, staff_support: User, office: User
) -> None:
    event = services.report_progress(
        actor=staff_a, task=task, note="x", progress=10, files=[pdf("bao-cao.pdf")]
    )
    attachment = event.attachments.get()
    url = reverse("attachment_download", args=[attachment.pk])
    for person in (staff_a, staff_support, office):
        response = as_user(Client(), person).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
        assert 'filename="bao-cao.pdf"' in response["Content-Disposition"]
        assert response["Content-Type"] == "application/pdf"
    assert as_user(Client(), staff_b).get(url).status_code == 404
    assert Client().get(url).status_code == 302
    assert not attachment.file.name.startswith("/")


def test_there_is_no_public_url_for_uploaded_files(
    client: Client, task: Task, staff_a: User
) -> None:
    event = services.report_progress(actor=staff_a, task=task, note="x", progress=10, files=[pdf()])
    name = event.attachments.get().file.name
    assert client.get("/media-not-served/" + name).status_code == 404
    assert as_user(client, staff_a).get("/media/" + name).status_code == 404


# --- notifications ------------------------------------------------------------------------


def test_the_header_counts_unread_notifications_and_the_inbox_clears_them(
    client: Client, task: Task, staff_a: User, leader: User
) -> None:
    services.add_comment(actor=leader, task=task, note="Đề nghị khẩn trương.")
    client = as_user(client, staff_a)
    page = client.get(reverse("notification_list")).content.decode()
    assert "Ý kiến chỉ đạo" in page
    assert '1<span class="visually-hidden"> tin chưa đọc</span>' in page
    response = client.post(reverse("notifications_mark_read"), follow=True)
    assert "Đã đánh dấu 1 tin là đã đọc." in response.content.decode()
    assert not Notification.objects.unread().filter(recipient=staff_a).exists()


def test_a_new_task_tells_the_lead_and_support_units_but_not_the_office(
    staff_a: User, head_a: User, staff_support: User, staff_b: User, office: User, task: Task
) -> None:
    told = set(Notification.objects.filter(task=task).values_list("recipient__username", flat=True))
    assert told == {"staff_a", "head_a", "staff_support"}


def test_every_element_id_on_the_task_page_is_unique_so_labels_find_their_field(
    client: Client, task: Task, office: User, staff_a: User
) -> None:
    import re
    from collections import Counter

    services.report_completion(actor=staff_a, task=task, note="Xong")
    html = as_user(client, office).get(reverse("task_detail", args=[task.pk])).content.decode()
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert len(ids) > 10
    assert [i for i, n in ids.items() if n > 1] == []


def test_an_extension_is_approved_to_another_date_with_its_letter(
    task: Task, staff_a: User, office: User
) -> None:
    Task.objects.filter(pk=task.pk).update(deadline_text="trước ngày 31/10/2023")
    unit = as_user(Client(), staff_a)
    response = unit.post(
        reverse("task_action", args=[task.pk, "de-nghi-gia-han"]),
        {
            "version": task.version,
            "reason": "Chờ ý kiến của Sở Nội vụ.",
            "proposed_deadline": "30/11/2023",
            "attachments": [pdf("cong-van-de-nghi.pdf")],
        },
    )
    assert response.status_code == 302
    pending = ExtensionRequest.objects.get()
    letter = Attachment.objects.get(event__kind=Kind.EXTENSION_REQUESTED)
    assert letter.name == "cong-van-de-nghi.pdf"
    assert not pending.after_deadline
    vp = as_user(Client(), office)
    page = vp.get(reverse("task_detail", args=[task.pk])).content.decode()
    assert "cong-van-de-nghi.pdf" in page  # the office reads the letter before deciding
    # Another date than the one asked needs a reason.
    silent = act(
        vp,
        task,
        "quyet-dinh-gia-han",
        request_id=pending.pk,
        decision="approve",
        deadline="15/11/2023",
    )
    assert "Lý do đồng ý thời hạn khác không được để trống." in silent.content.decode()
    assert reload(task).deadline == date(2023, 10, 30)
    before_old = act(
        vp,
        task,
        "quyet-dinh-gia-han",
        request_id=pending.pk,
        decision="approve",
        deadline="29/10/2023",
        note="Sớm hơn",
    )
    assert "phải sau thời hạn cũ (30/10/2023)" in before_old.content.decode()
    response = act(
        vp,
        task,
        "quyet-dinh-gia-han",
        request_id=pending.pk,
        decision="approve",
        deadline="15/11/2023",
        note="Đồng ý đến giữa tháng 11 để kịp kỳ họp.",
    )
    assert response.status_code == 302
    task = reload(task)
    assert (task.deadline, task.original_deadline) == (date(2023, 11, 15), date(2023, 10, 30))
    pending.refresh_from_db()
    assert (pending.status, pending.approved_deadline) == ("approved", date(2023, 11, 15))
    page = vp.get(reverse("task_detail", args=[task.pk])).content.decode()
    assert "Thời hạn mới: 15/11/2023 (đơn vị đề nghị 30/11/2023)" in page
    assert "đồng ý đến 15/11/2023</span> (khác thời hạn đề nghị)" in page
    # The deadline shows the decision; the document's phrase goes with the original date.
    assert "15/11/2023 <span" not in page and "15/11/2023 (trước ngày" not in page
    assert "thời hạn ban đầu 30/10/2023 (trước ngày 31/10/2023)" in page
    # Editing the task keeps the extension (the edit form offers the date, not the phrase).
    edit = vp.get(reverse("task_detail", args=[task.pk])).context["action_forms"]
    form = next(f for a, f in edit if a.slug == "sua")
    assert form.initial["deadline"] == "15/11/2023"


def test_a_unit_may_ask_after_the_deadline_and_the_request_says_so(
    task: Task, staff_a: User, office: User
) -> None:
    with on_day(date(2023, 11, 3)):  # the deadline 30/10 has passed
        unit = as_user(Client(), staff_a)
        page = unit.get(reverse("task_detail", args=[task.pk]))
        assert "de-nghi-gia-han" in {a.slug for a, _ in page.context["action_forms"]}
        response = act(
            unit,
            task,
            "de-nghi-gia-han",
            reason="Văn bản của Sở đến muộn.",
            proposed_deadline="20/11/2023",
        )
        assert response.status_code == 302
        pending = ExtensionRequest.objects.get()
        assert pending.after_deadline
        vp = as_user(Client(), office)
        html = vp.get(reverse("task_detail", args=[task.pk])).content.decode()
        assert "Đề nghị sau thời hạn" in html
        assert (
            act(
                vp, task, "quyet-dinh-gia-han", request_id=pending.pk, decision="approve"
            ).status_code
            == 302
        )
        assert reload(task).deadline == date(2023, 11, 20)


def test_the_page_says_why_an_expected_action_is_not_offered(
    task: Task, staff_a: User, office: User
) -> None:
    unit = as_user(Client(), staff_a)
    act(unit, task, "de-nghi-gia-han", reason="Chờ Sở.", proposed_deadline="30/11/2023")
    page = unit.get(reverse("task_detail", args=[task.pk]))
    assert "de-nghi-gia-han" not in {a.slug for a, _ in page.context["action_forms"]}
    assert (
        "đề nghị gia hạn",
        "Đã có đề nghị gia hạn đến 30/11/2023 đang chờ quyết định.",
    ) in page.context["not_offered"]
    html = page.content.decode()
    assert "Chưa thể đề nghị gia hạn: Đã có đề nghị gia hạn đến 30/11/2023" in html
    # The office is told why it cannot accept a task nobody has reported done.
    reasons = dict(as_user(Client(), office).get(task.get_absolute_url()).context["not_offered"])
    assert "trạng thái" in reasons["xác nhận hoàn thành"]
    ongoing = services.edit_task(actor=office, task=reload(task), deadline=None)
    ExtensionRequest.objects.all().delete()
    reasons = dict(unit.get(ongoing.get_absolute_url()).context["not_offered"])
    assert reasons["đề nghị gia hạn"].startswith("Nhiệm vụ thường xuyên")


def test_the_decided_requests_are_listed_beside_a_pending_one(
    task: Task, staff_a: User, office: User
) -> None:
    refused = services.request_extension(
        actor=staff_a, task=task, reason="Lần một", proposed_deadline=date(2023, 11, 30)
    )
    services.refuse_extension(actor=office, request=refused, note="Chưa đủ lý do")
    services.request_extension(
        actor=staff_a, task=reload(task), reason="Lần hai", proposed_deadline=date(2023, 11, 20)
    )
    page = as_user(Client(), office).get(reverse("task_detail", args=[task.pk])).content.decode()
    assert "Các lần đề nghị gia hạn" in page and "không đồng ý</span>: Chưa đủ lý do" in page
    assert "Đến 20/11/2023, chờ quyết định" in page
