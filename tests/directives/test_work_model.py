"""Work inside the lead unit: the person responsible, "Việc của tôi", the head's review."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from directives import services
from directives.models import Notification, Task, TaskEvent
from tests.conftest import MakeTask
from units.models import Unit, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(unit_a: Unit) -> User:
    return User.objects.create_user(
        "staff_a2", password="pw-for-tests", role=User.Role.STAFF, unit=unit_a, full_name="Lê Hai"
    )


def test_the_head_gives_a_task_to_a_person_and_a_new_holder_needs_a_reason(
    task: Task, head_a: User, staff_a: User, colleague: User
) -> None:
    event = services.assign_person(actor=head_a, task=task, assignee=staff_a, helpers=[colleague])
    assert event is not None and event.kind == TaskEvent.Kind.PERSON_ASSIGNED
    task.refresh_from_db()
    assert task.assignee == staff_a and list(task.helpers.all()) == [colleague]
    assert event.data["assignee"] == [None, "staff_a"] and event.data["helpers"] == ["Lê Hai"]
    # The holder and the helper hear of it in the app; the head wrote it.
    told = set(
        Notification.objects.filter(event=event).values_list("recipient__username", flat=True)
    )
    assert told == {"staff_a", "staff_a2"}
    # Saying the same again writes nothing.
    assert (
        services.assign_person(actor=head_a, task=task, assignee=staff_a, helpers=[colleague])
        is None
    )
    with pytest.raises(ValidationError, match="Lý do giao lại"):
        services.assign_person(actor=head_a, task=task, assignee=colleague)
    again = services.assign_person(
        actor=head_a, task=task, assignee=colleague, reason="Đồng chí A đi học"
    )
    assert again is not None and again.data["assignee"] == ["staff_a", "Lê Hai"]
    assert again.note == "Đồng chí A đi học"
    assert task.events.filter(kind=TaskEvent.Kind.PERSON_ASSIGNED).count() == 2


def test_only_the_head_or_the_member_the_head_lets_divides_the_units_work(
    task: Task, head_a: User, staff_a: User, staff_b: User, office: User, colleague: User
) -> None:
    for actor in (staff_a, staff_b, office):
        with pytest.raises(PermissionDenied):
            services.assign_person(actor=actor, task=task, assignee=colleague)
    staff_a.assigns_work = True
    staff_a.save(update_fields=["assigns_work"])
    assert services.assign_person(actor=staff_a, task=task, assignee=colleague) is not None
    # Nobody outside the lead unit can hold its task.
    with pytest.raises(ValidationError, match="không thuộc"):
        services.assign_person(actor=head_a, task=task, assignee=staff_b, reason="thử")
    with pytest.raises(ValidationError, match="không thuộc"):
        services.assign_person(actor=head_a, task=task, assignee=colleague, helpers=[staff_b])


def test_my_tasks_hold_what_i_hold_or_help_with_and_the_head_sees_who_holds_what(
    client: Client, make_task: MakeTask, head_a: User, staff_a: User, colleague: User
) -> None:
    held = make_task(text="Việc tôi giữ", assignee=staff_a)
    helped = make_task(text="Việc tôi giúp")
    services.assign_person(actor=head_a, task=helped, assignee=colleague, helpers=[staff_a])
    make_task(text="Việc của đồng nghiệp", assignee=colleague)
    unheld = make_task(text="Việc chưa ai giữ")

    client.force_login(staff_a)
    home = client.get(reverse("home"), follow=True)
    mine = {t.pk for t in home.context["listing"].page.object_list}
    assert mine == {held.pk, helped.pk}
    assert home.context["listing"].total == 2
    everything = client.get(reverse("task_list"))
    assert everything.context["listing"].total == 4
    nobody = client.get(reverse("task_list"), {"person": "none"})
    assert [t.pk for t in nobody.context["listing"].page.object_list] == [unheld.pk]

    client.force_login(head_a)
    page = client.get(reverse("task_list")).content.decode()
    assert "Lê Hai" in page and "Chưa phân công" in page


def test_a_unit_that_wants_its_heads_review_sees_a_report_before_the_office(
    task: Task, head_a: User, staff_a: User, office: User, unit_a: Unit
) -> None:
    unit_a.head_review = True
    unit_a.save(update_fields=["head_review"])
    services.assign_person(actor=head_a, task=task, assignee=staff_a)
    event = services.report_completion(actor=staff_a, task=task, note="Đã trình dự thảo")
    task.refresh_from_db()
    assert task.status == Task.Status.AWAITING_ACCEPTANCE and task.awaiting_head
    # The head hears of it; the office does not yet, and cannot accept it.
    told = set(
        Notification.objects.filter(event=event).values_list("recipient__username", flat=True)
    )
    assert told == {"head_a"}
    with pytest.raises(services.TransitionError, match="chờ lãnh đạo đơn vị"):
        services.accept_completion(actor=office, task=task)
    with pytest.raises(PermissionDenied):
        services.forward_completion(actor=staff_a, task=task)

    # Returned to the person with a reason: running again, no completion date.
    services.return_to_person(actor=head_a, task=task, reason="Bổ sung số liệu quý III")
    task.refresh_from_db()
    assert (task.status, task.completed_on, task.awaiting_head) == ("in_progress", None, False)

    services.report_completion(actor=staff_a, task=task, note="Đã bổ sung")
    forwarded = services.forward_completion(actor=head_a, task=task, note="Đồng ý")
    told = set(
        Notification.objects.filter(event=forwarded).values_list("recipient__username", flat=True)
    )
    assert told == {"office"}
    with pytest.raises(services.TransitionError):
        services.return_to_person(actor=head_a, task=task, reason="muộn")
    services.accept_completion(actor=office, task=task)
    task.refresh_from_db()
    assert task.status == Task.Status.DONE
    kinds = list(task.events.values_list("kind", flat=True))
    assert kinds[-5:] == [
        "completion_reported",
        "head_returned",
        "completion_reported",
        "forwarded",
        "accepted",
    ]


def test_the_heads_own_report_and_a_unit_without_review_go_straight_to_the_office(
    make_task: MakeTask, head_a: User, staff_a: User, unit_a: Unit
) -> None:
    unit_a.head_review = True
    unit_a.save(update_fields=["head_review"])
    own = make_task(text="Việc trưởng phòng tự làm")
    services.report_completion(actor=head_a, task=own, note="Xong")
    own.refresh_from_db()
    assert not own.awaiting_head
    unit_a.head_review = False
    unit_a.save(update_fields=["head_review"])
    plain = make_task(text="Việc thường")
    services.report_completion(actor=staff_a, task=plain, note="Xong")
    plain.refresh_from_db()
    assert not plain.awaiting_head


def test_cancelling_a_report_under_review_leaves_no_review_behind(
    task: Task, staff_a: User, office: User, unit_a: Unit
) -> None:
    unit_a.head_review = True
    unit_a.save(update_fields=["head_review"])
    services.report_completion(actor=staff_a, task=task, note="Xong")
    services.cancel_task(actor=office, task=task, reason="Không còn phù hợp")
    task.refresh_from_db()
    assert task.status == Task.Status.CANCELLED and not task.awaiting_head


# Who may take each of the work model's actions, over HTTP: o done (redirect back to the
# task), f refused (403), n the task does not exist for that person (404: another unit's task,
# a fanned-out child of another unit included). One letter per role of ROLES.
ROLES = ("staff_a", "delegate_a", "head_a", "staff_b", "office", "leader")
NEW_ACTIONS: dict[str, str] = {
    "phan-cong": "foonff",
    "chuyen-van-phong": "ffonff",
    "tra-lai-chuyen-vien": "ffonff",
    "tra-lai-nhiem-vu": "ooonff",
    "giao-lai": "fffnof",
    "giu-nguyen": "fffnof",
    "bao-cao-dinh-ky": "ooonff",
    "de-nghi-phoi-hop": "ooonff",
}


def _setup(slug: str, task: Task, staff_a: User, unit_b: Unit) -> dict[str, Any]:
    """Bring the task to where the action is offered; the form's data."""
    data: dict[str, Any] = {"reason": "Lý do", "note": "Nội dung"}
    if slug == "phan-cong":
        data["assignee"] = staff_a.pk
    elif slug in ("chuyen-van-phong", "tra-lai-chuyen-vien"):
        services.report_completion(actor=staff_a, task=task, note="Xong")
    elif slug in ("giao-lai", "giu-nguyen"):
        services.hand_back(actor=staff_a, task=task, reason="Không đúng chức năng")
        data["lead_unit"] = "Phòng Tư pháp"
    elif slug == "de-nghi-phoi-hop":
        data |= {"unit": task.support_units.get().pk, "due_on": "31/12/2030"}
    return data


@pytest.mark.parametrize("slug", list(NEW_ACTIONS))
@pytest.mark.parametrize("role", ROLES)
def test_who_may_take_the_work_models_actions(
    client: Client,
    make_task: MakeTask,
    unit_a: Unit,
    unit_b: Unit,
    unit_support: Unit,
    head_a: User,
    staff_a: User,
    staff_b: User,
    office: User,
    leader: User,
    colleague: User,
    slug: str,
    role: str,
) -> None:
    colleague.assigns_work = True
    colleague.save(update_fields=["assigns_work"])
    unit_a.head_review = True
    unit_a.save(update_fields=["head_review"])
    # A child of a task given to units A and B: B's people find nothing at A's child.
    parent = services.assign_group_task(
        actor=office,
        notice=make_task().notice,
        text="Việc chung của hai phòng",
        lead_units=[unit_a, unit_b],
        support_units=[unit_support],
        deadline=date(2030, 10, 30),
        deadline_text="Thường xuyên; báo cáo trước ngày 20 hằng tháng"
        if slug == "bao-cao-dinh-ky"
        else "",
        assigned_on=timezone.localdate(),
    )
    task = parent.children.get(lead_unit=unit_a)
    if slug == "bao-cao-dinh-ky":
        services.edit_task(
            actor=office, task=task, deadline=None, report_every="month", report_day=20
        )
    data = _setup(slug, task, staff_a, unit_b)
    task.refresh_from_db()
    data["version"] = task.version
    people = {
        "staff_a": staff_a,
        "delegate_a": colleague,
        "head_a": head_a,
        "staff_b": staff_b,
        "office": office,
        "leader": leader,
    }
    before = task.events.count()
    client.force_login(people[role])
    response = client.post(reverse("task_action", args=[task.pk, slug]), data)
    got = {302: "o", 403: "f", 404: "n"}.get(response.status_code, str(response.status_code))
    expected = NEW_ACTIONS[slug][ROLES.index(role)]
    assert got == expected, response.content.decode()[-2000:]
    task.refresh_from_db()
    assert (task.events.count() > before) == (expected == "o")


def test_a_report_under_review_reminds_the_head_and_a_unit_without_a_head_skips_review(
    make_task: MakeTask, head_a: User, staff_a: User, staff_b: User, unit_a: Unit, unit_b: Unit
) -> None:
    from reminders import services as reminders

    for unit in (unit_a, unit_b):
        unit.head_review = True
        unit.save(update_fields=["head_review"])
    reviewed = make_task(text="Chờ trưởng phòng", deadline=date(2030, 10, 30))
    services.report_completion(actor=staff_a, task=reviewed, note="Xong")
    headless = make_task(text="Phòng không có tài khoản lãnh đạo", lead_unit=unit_b)
    services.report_completion(actor=staff_b, task=headless, note="Xong")
    headless.refresh_from_db()
    assert not headless.awaiting_head  # nobody could review it: straight to the office
    planned = reminders.plan(date(2023, 10, 2)).items
    assert [i.task_id for i in planned[head_a.pk] if i.step == reminders.HEAD_REVIEW] == [
        reviewed.pk
    ]


def test_a_task_moved_to_another_unit_leaves_its_people_behind(
    task: Task, head_a: User, staff_a: User, colleague: User, office: User, unit_b: Unit
) -> None:
    services.assign_person(actor=head_a, task=task, assignee=staff_a, helpers=[colleague])
    services.edit_task(actor=office, task=task, lead_unit=unit_b)
    task.refresh_from_db()
    assert task.assignee is None and not task.helpers.exists()
    edited = task.events.filter(kind="edited").get()
    assert edited.data["changes"]["assignee"][1] is None


@pytest.mark.parametrize("value", ["9223372036854775808", "-1", "1e3", "abc"])
def test_a_person_picked_by_a_forged_number_is_a_form_error(
    client: Client, task: Task, head_a: User, staff_a: User, value: str
) -> None:
    client.force_login(head_a)
    for field in ("assignee", "helpers"):
        data = {"version": task.version, "assignee": staff_a.pk, field: value}
        response = client.post(reverse("task_action", args=[task.pk, "phan-cong"]), data)
        assert response.status_code == 200
        assert "không thuộc đơn vị chủ trì" in response.content.decode()
    task.refresh_from_db()
    assert task.assignee is None
