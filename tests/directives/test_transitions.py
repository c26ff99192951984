"""Every transition of docs/domain.md §3, allowed and refused, and the timeline rows they write."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from directives import services
from directives.models import Attachment, ExtensionRequest, Task, TaskEvent
from tests.conftest import MakeTask, on_day
from units.models import Unit, User

Status = Task.Status
Kind = TaskEvent.Kind

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with on_day(date(2023, 10, 2)):
        yield


def kinds(task: Task) -> list[str]:
    return list(task.events.order_by("created_at", "pk").values_list("kind", flat=True))


def reload(task: Task) -> Task:
    return Task.objects.get(pk=task.pk)


def in_progress(task: Task, actor: User) -> Task:
    services.start_task(actor=actor, task=task)
    return reload(task)


def awaiting(task: Task, actor: User) -> Task:
    services.report_completion(actor=actor, task=task, note="Đã ban hành quyết định.")
    return reload(task)


# --- assignment ---------------------------------------------------------------------------


def test_a_new_task_is_assigned_with_its_first_timeline_row(task: Task, office: User) -> None:
    assert task.status == Status.ASSIGNED
    assert task.original_deadline == task.deadline == date(2023, 10, 30)
    assert task.deadline_kind == Task.DeadlineKind.DATE
    event = task.events.get()
    assert (event.kind, event.actor, event.status_to) == (Kind.ASSIGNED, office, Status.ASSIGNED)


def test_a_task_without_deadline_is_ongoing(make_task: MakeTask) -> None:
    task = make_task()
    assert task.deadline is None and task.original_deadline is None
    assert task.deadline_kind == Task.DeadlineKind.ONGOING


def test_only_the_office_assigns_tasks(make_task: MakeTask, staff_a: User) -> None:
    with pytest.raises(PermissionDenied):
        make_task(actor=staff_a)
    assert not Task.objects.exists()


def test_the_lead_unit_cannot_also_be_a_support_unit(make_task: MakeTask, unit_a: Unit) -> None:
    with pytest.raises(ValidationError, match="chủ trì"):
        make_task(support_units=[unit_a])
    assert not Task.objects.exists()


def test_a_deadline_before_the_notice_is_refused(make_task: MakeTask) -> None:
    with pytest.raises(ValidationError, match="trước ngày giao"):
        make_task(deadline=date(2023, 9, 1))


def test_a_closed_unit_cannot_be_given_a_task(make_task: MakeTask, unit_a: Unit) -> None:
    unit_a.is_active = False
    unit_a.closed_on = date(2023, 9, 1)
    unit_a.save()
    with pytest.raises(ValidationError, match="ngừng hoạt động"):
        make_task()


# --- taking up and progress ---------------------------------------------------------------


def test_lead_staff_take_up_a_new_task(task: Task, staff_a: User) -> None:
    services.start_task(actor=staff_a, task=task, note="Đã phân công chuyên viên.")
    task = reload(task)
    assert task.status == Status.IN_PROGRESS
    assert task.version == 2
    event = task.events.get(kind=Kind.STARTED)
    assert (event.status_from, event.status_to, event.actor) == (
        Status.ASSIGNED,
        Status.IN_PROGRESS,
        staff_a,
    )
    assert event.unit == staff_a.unit


def test_the_unit_head_may_act_for_the_unit(task: Task, head_a: User) -> None:
    services.start_task(actor=head_a, task=task)
    assert reload(task).status == Status.IN_PROGRESS


def test_a_task_cannot_be_taken_up_twice(task: Task, staff_a: User) -> None:
    task = in_progress(task, staff_a)
    with pytest.raises(services.TransitionError):
        services.start_task(actor=staff_a, task=task)


@pytest.mark.parametrize("persona", ["staff_b", "staff_support", "office", "leader"])
def test_only_the_lead_unit_takes_up_or_reports(
    task: Task, persona: str, request: pytest.FixtureRequest
) -> None:
    actor = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.start_task(actor=actor, task=task)
    with pytest.raises(PermissionDenied):
        services.report_progress(actor=actor, task=task, note="x", progress=10)
    with pytest.raises(PermissionDenied):
        services.report_completion(actor=actor, task=task, note="x")
    task = reload(task)
    assert task.status == Status.ASSIGNED
    assert kinds(task) == [Kind.ASSIGNED]


def test_a_first_progress_report_takes_up_the_task(task: Task, staff_a: User) -> None:
    event = services.report_progress(actor=staff_a, task=task, note="Đã dự thảo.", progress=30)
    task = reload(task)
    assert (task.status, task.progress) == (Status.IN_PROGRESS, 30)
    assert (event.kind, event.progress, event.status_to) == (Kind.PROGRESS, 30, Status.IN_PROGRESS)


def test_a_later_progress_report_keeps_the_status_and_records_no_status_change(
    task: Task, staff_a: User
) -> None:
    task = in_progress(task, staff_a)
    event = services.report_progress(actor=staff_a, task=task, note="Đã trình.", progress=60)
    assert (event.status_from, event.status_to) == ("", "")
    assert reload(task).progress == 60


@pytest.mark.parametrize("progress", [-1, 101, 1000])
def test_a_percentage_outside_0_to_100_is_refused(task: Task, staff_a: User, progress: int) -> None:
    with pytest.raises(ValidationError, match="0 đến 100"):
        services.report_progress(actor=staff_a, task=task, note="x", progress=progress)
    task = reload(task)
    assert (task.status, task.progress, kinds(task)) == (Status.ASSIGNED, 0, [Kind.ASSIGNED])


@pytest.mark.parametrize("note", ["", "   ", "x" * (services.MAX_NOTE_LENGTH + 1)])
def test_an_empty_or_oversized_note_is_refused(task: Task, staff_a: User, note: str) -> None:
    with pytest.raises(ValidationError):
        services.report_progress(actor=staff_a, task=task, note=note, progress=10)
    assert kinds(reload(task)) == [Kind.ASSIGNED]


def test_progress_evidence_is_stored_with_its_name_size_and_hash(task: Task, staff_a: User) -> None:
    content = b"%PDF-1.4 minimal"
    upload = SimpleUploadedFile("Bao cao tien do.pdf", content, content_type="application/pdf")
    event = services.report_progress(
        actor=staff_a, task=task, note="Kèm báo cáo.", progress=20, files=[upload]
    )
    attachment = Attachment.objects.get(event=event)
    assert attachment.name == "Bao cao tien do.pdf"
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.file.read() == content
    assert "Bao cao" not in attachment.file.name  # stored under a random name


# --- support units ------------------------------------------------------------------------


def test_a_support_unit_adds_its_contribution_without_touching_the_status(
    task: Task, staff_support: User
) -> None:
    version = task.version
    event = services.add_contribution(actor=staff_support, task=task, note="Đã cử báo cáo viên.")
    task = reload(task)
    assert (task.status, task.version) == (Status.ASSIGNED, version)
    assert (event.kind, event.unit, event.status_to) == (
        Kind.CONTRIBUTION,
        staff_support.unit,
        "",
    )


@pytest.mark.parametrize("persona", ["staff_a", "staff_b"])
def test_only_support_units_add_contributions(
    task: Task, persona: str, request: pytest.FixtureRequest
) -> None:
    with pytest.raises(PermissionDenied):
        services.add_contribution(actor=request.getfixturevalue(persona), task=task, note="x")


# --- completion ---------------------------------------------------------------------------


def test_a_completion_report_waits_for_the_office(task: Task, staff_a: User) -> None:
    task = in_progress(task, staff_a)
    services.report_completion(
        actor=staff_a,
        task=task,
        note="Đã ban hành Quyết định.",
        completed_on=date(2023, 9, 30),
        document_number="215/QĐ-UBND",
        document_date=date(2023, 9, 30),
    )
    task = reload(task)
    assert (task.status, task.progress, task.completed_on) == (
        Status.AWAITING_ACCEPTANCE,
        100,
        date(2023, 9, 30),
    )
    event = task.events.get(kind=Kind.COMPLETION_REPORTED)
    assert event.data["document_number"] == "215/QĐ-UBND"
    assert (event.status_from, event.status_to) == (Status.IN_PROGRESS, Status.AWAITING_ACCEPTANCE)


@pytest.mark.parametrize(
    ("day", "message"),
    [(date(2023, 10, 3), "sau ngày hôm nay"), (date(2023, 9, 12), "trước ngày giao")],
)
def test_a_completion_date_in_the_future_or_before_assignment_is_refused(
    task: Task, staff_a: User, day: date, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        services.report_completion(actor=staff_a, task=task, note="x", completed_on=day)
    assert reload(task).status == Status.ASSIGNED


def test_staff_cannot_accept_their_own_completion(task: Task, staff_a: User, head_a: User) -> None:
    task = awaiting(task, staff_a)
    for actor in (staff_a, head_a):
        with pytest.raises(PermissionDenied):
            services.accept_completion(actor=actor, task=task)
    assert reload(task).status == Status.AWAITING_ACCEPTANCE


def test_the_leadership_does_not_accept_completion(task: Task, staff_a: User, leader: User) -> None:
    task = awaiting(task, staff_a)
    with pytest.raises(PermissionDenied):
        services.accept_completion(actor=leader, task=task)


def test_the_office_accepts_a_completion_report(task: Task, staff_a: User, office: User) -> None:
    task = awaiting(task, staff_a)
    services.accept_completion(actor=office, task=task, note="Đạt yêu cầu.")
    task = reload(task)
    assert (task.status, task.completed_on) == (Status.DONE, date(2023, 10, 2))
    event = task.events.get(kind=Kind.ACCEPTED)
    assert (event.status_from, event.status_to, event.actor) == (
        Status.AWAITING_ACCEPTANCE,
        Status.DONE,
        office,
    )


def test_the_office_may_correct_the_completion_date(
    task: Task, staff_a: User, office: User
) -> None:
    task = awaiting(task, staff_a)
    services.accept_completion(actor=office, task=task, completed_on=date(2023, 9, 29))
    assert reload(task).completed_on == date(2023, 9, 29)


def test_only_a_reported_task_can_be_accepted_or_returned(
    task: Task, staff_a: User, office: User
) -> None:
    task = in_progress(task, staff_a)
    with pytest.raises(services.TransitionError):
        services.accept_completion(actor=office, task=task)
    with pytest.raises(services.TransitionError):
        services.return_completion(actor=office, task=task, reason="x")


def test_the_office_returns_a_report_with_a_reason(task: Task, staff_a: User, office: User) -> None:
    task = awaiting(task, staff_a)
    with pytest.raises(ValidationError, match="Lý do trả lại"):
        services.return_completion(actor=office, task=task, reason=" ")
    services.return_completion(actor=office, task=task, reason="Thiếu văn bản kèm theo.")
    task = reload(task)
    assert (task.status, task.completed_on) == (Status.IN_PROGRESS, None)
    assert task.events.get(kind=Kind.RETURNED).note == "Thiếu văn bản kèm theo."


def test_the_full_loop_writes_one_timeline_row_per_step(
    task: Task, staff_a: User, office: User
) -> None:
    services.start_task(actor=staff_a, task=task)
    proof = SimpleUploadedFile("minh-chung.pdf", b"%PDF-1.4", content_type="application/pdf")
    services.report_progress(actor=staff_a, task=task, note="Đang làm.", progress=50, files=[proof])
    services.report_completion(actor=staff_a, task=task, note="Xong.")
    services.return_completion(actor=office, task=task, reason="Bổ sung minh chứng.")
    services.report_completion(actor=staff_a, task=task, note="Đã bổ sung.")
    services.accept_completion(actor=office, task=task)
    task = reload(task)
    assert task.status == Status.DONE
    assert kinds(task) == [
        Kind.ASSIGNED,
        Kind.STARTED,
        Kind.PROGRESS,
        Kind.COMPLETION_REPORTED,
        Kind.RETURNED,
        Kind.COMPLETION_REPORTED,
        Kind.ACCEPTED,
    ]
    statuses = [(e.status_from, e.status_to) for e in task.events.order_by("pk") if e.status_to]
    assert statuses == [
        ("", Status.ASSIGNED),
        (Status.ASSIGNED, Status.IN_PROGRESS),
        (Status.IN_PROGRESS, Status.AWAITING_ACCEPTANCE),
        (Status.AWAITING_ACCEPTANCE, Status.IN_PROGRESS),
        (Status.IN_PROGRESS, Status.AWAITING_ACCEPTANCE),
        (Status.AWAITING_ACCEPTANCE, Status.DONE),
    ]
    assert Attachment.objects.filter(event__task=task).count() == 1


# --- extensions ---------------------------------------------------------------------------


def ask(task: Task, actor: User, day: date = date(2023, 11, 30)) -> ExtensionRequest:
    return services.request_extension(
        actor=actor, task=task, reason="Chờ ý kiến của Sở Nội vụ.", proposed_deadline=day
    )


def test_the_lead_unit_asks_for_an_extension_before_the_deadline(task: Task, staff_a: User) -> None:
    request = ask(task, staff_a)
    assert (request.status, request.previous_deadline) == (
        ExtensionRequest.Status.PENDING,
        date(2023, 10, 30),
    )
    assert reload(task).deadline == date(2023, 10, 30)
    assert kinds(task)[-1] == Kind.EXTENSION_REQUESTED


def test_an_extension_asked_after_the_deadline_is_marked_so(task: Task, staff_a: User) -> None:
    with on_day(date(2023, 10, 31)):
        request = ask(task, staff_a)
        assert request.after_deadline
        assert task.events.latest("pk").data["after_deadline"] is True
    # ... but never for a date already gone.
    ExtensionRequest.objects.all().delete()
    with (
        on_day(date(2023, 11, 20)),
        pytest.raises(ValidationError, match="không được trước ngày hôm nay"),
    ):
        ask(task, staff_a, date(2023, 11, 10))


def test_a_proposed_date_not_after_the_deadline_is_refused(task: Task, staff_a: User) -> None:
    with pytest.raises(ValidationError, match="sau thời hạn hiện tại"):
        ask(task, staff_a, date(2023, 10, 30))
    assert not ExtensionRequest.objects.exists()


def test_an_ongoing_task_has_no_deadline_to_extend(make_task: MakeTask, staff_a: User) -> None:
    with pytest.raises(services.TransitionError, match="không có thời hạn"):
        ask(make_task(), staff_a)


def test_only_one_extension_request_waits_at_a_time(task: Task, staff_a: User) -> None:
    ask(task, staff_a)
    with pytest.raises(services.TransitionError, match="chờ quyết định"):
        ask(task, staff_a, date(2023, 12, 15))


def test_another_unit_cannot_ask_for_an_extension(task: Task, staff_b: User) -> None:
    with pytest.raises(PermissionDenied):
        ask(task, staff_b)


@pytest.mark.parametrize("persona", ["office", "leader"])
def test_an_approved_extension_moves_the_deadline_and_keeps_the_original(
    task: Task, staff_a: User, persona: str, request: pytest.FixtureRequest
) -> None:
    decider = request.getfixturevalue(persona)
    services.approve_extension(actor=decider, request=ask(task, staff_a))
    task = reload(task)
    assert (task.deadline, task.original_deadline) == (date(2023, 11, 30), date(2023, 10, 30))
    assert task.is_extended
    event = task.events.get(kind=Kind.EXTENSION_APPROVED)
    assert event.data["previous_deadline"] == "2023-10-30"


def test_a_refused_extension_needs_a_reason_and_keeps_the_deadline(
    task: Task, staff_a: User, office: User
) -> None:
    extension = ask(task, staff_a)
    with pytest.raises(ValidationError, match="Lý do không đồng ý"):
        services.refuse_extension(actor=office, request=extension, note="")
    services.refuse_extension(actor=office, request=extension, note="Đủ thời gian thực hiện.")
    extension.refresh_from_db()
    assert extension.status == ExtensionRequest.Status.REFUSED
    assert reload(task).deadline == date(2023, 10, 30)


def test_unit_staff_cannot_decide_extensions(task: Task, staff_a: User, head_a: User) -> None:
    extension = ask(task, staff_a)
    with pytest.raises(PermissionDenied):
        services.approve_extension(actor=head_a, request=extension)


def test_an_extension_is_decided_once(
    task: Task, staff_a: User, office: User, leader: User
) -> None:
    extension = ask(task, staff_a)
    services.approve_extension(actor=office, request=extension)
    with pytest.raises(services.TransitionError, match="đã được quyết định"):
        services.refuse_extension(actor=leader, request=extension, note="Không đồng ý.")


# --- pause, resume, cancel, comment -------------------------------------------------------


@pytest.mark.parametrize("started", [False, True])
def test_a_paused_task_resumes_in_the_state_it_was_paused_from(
    task: Task, staff_a: User, office: User, started: bool
) -> None:
    if started:
        task = in_progress(task, staff_a)
    before = task.status
    services.pause_task(actor=office, task=task, reason="Chờ chủ trương của tỉnh.")
    assert reload(task).status == Status.PAUSED
    with pytest.raises(services.TransitionError):
        services.report_progress(actor=staff_a, task=task, note="x", progress=10)
    services.resume_task(actor=office, task=task)
    assert reload(task).status == before


def test_unit_staff_cannot_pause_or_cancel(task: Task, staff_a: User) -> None:
    with pytest.raises(PermissionDenied):
        services.pause_task(actor=staff_a, task=task, reason="x")
    with pytest.raises(PermissionDenied):
        services.cancel_task(actor=staff_a, task=task, reason="x")


def test_a_cancelled_task_keeps_its_reason_and_its_pending_extension_lapses(
    task: Task, staff_a: User, office: User
) -> None:
    extension = ask(task, staff_a)
    with pytest.raises(ValidationError, match="Lý do hủy"):
        services.cancel_task(actor=office, task=task, reason="")
    services.cancel_task(actor=office, task=task, reason="Nội dung đã được thay thế.")
    task = reload(task)
    assert (task.status, task.cancel_reason) == (Status.CANCELLED, "Nội dung đã được thay thế.")
    extension.refresh_from_db()
    assert extension.status == ExtensionRequest.Status.REFUSED


def test_a_finished_task_cannot_be_cancelled(task: Task, staff_a: User, office: User) -> None:
    task = awaiting(task, staff_a)
    services.accept_completion(actor=office, task=task)
    with pytest.raises(services.TransitionError):
        services.cancel_task(actor=office, task=reload(task), reason="x")


def test_leadership_comments_without_changing_the_task(task: Task, leader: User) -> None:
    version = task.version
    services.add_comment(actor=leader, task=task, note="Đề nghị khẩn trương.")
    task = reload(task)
    assert (task.status, task.version) == (Status.ASSIGNED, version)
    assert kinds(task)[-1] == Kind.COMMENT


def test_unit_staff_cannot_write_leadership_comments(task: Task, staff_a: User) -> None:
    with pytest.raises(PermissionDenied):
        services.add_comment(actor=staff_a, task=task, note="x")


# --- concurrency and edits ----------------------------------------------------------------


def test_a_form_opened_before_a_change_is_refused_and_writes_nothing(
    task: Task, staff_a: User, head_a: User
) -> None:
    opened_at = task.version
    services.report_progress(actor=head_a, task=task, note="Trưởng phòng cập nhật.", progress=40)
    with pytest.raises(services.StaleTaskError):
        services.report_progress(
            actor=staff_a,
            task=task,
            note="Chuyên viên cập nhật.",
            progress=20,
            expected_version=opened_at,
        )
    task = reload(task)
    assert task.progress == 40
    assert task.events.filter(kind=Kind.PROGRESS).count() == 1


def test_the_office_corrects_a_task_and_the_timeline_keeps_the_old_values(
    task: Task, office: User, unit_b: Unit
) -> None:
    services.edit_task(
        actor=office, task=task, deadline=date(2023, 11, 15), lead_unit=unit_b, note="Đính chính."
    )
    task = reload(task)
    assert (task.deadline, task.original_deadline, task.lead_unit) == (
        date(2023, 11, 15),
        date(2023, 11, 15),
        unit_b,
    )
    changes = task.events.get(kind=Kind.EDITED).data["changes"]
    assert changes["deadline"] == ["2023-10-30", "2023-11-15"]
    assert changes["lead_unit"] == ["Phòng Nội vụ", "Phòng Tư pháp"]


def test_an_edit_that_changes_nothing_writes_nothing(task: Task, office: User) -> None:
    services.edit_task(actor=office, task=task, text=task.text, deadline=task.deadline)
    assert kinds(reload(task)) == [Kind.ASSIGNED]


def test_unit_staff_cannot_edit_a_task(task: Task, staff_a: User) -> None:
    with pytest.raises(PermissionDenied):
        services.edit_task(actor=staff_a, task=task, text="Khác")
