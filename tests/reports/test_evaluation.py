"""Nghị định 335's task results per person and per unit: the counting rules on constructed
cases, a recount from the timeline, who sees what, the heads' general criteria, a closed
period frozen, every figure opening exactly its tasks, the export."""

from __future__ import annotations

import io
import re
from datetime import date
from html import unescape
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from directives import services
from directives.evaluation import RETURN_KINDS, Period, evaluate, grade, rules
from directives.models import ObjectiveCause, Task, TaskEvent
from reports.models import EvaluationClosing, GeneralScore
from tests.conftest import MakeTask, on_day
from units.models import Unit, User

pytestmark = pytest.mark.django_db


def period(key: str) -> Period:
    found = Period.parse(key)
    assert found is not None
    return found


NOVEMBER = period("2023-11")
DECEMBER = period("2023-12")
TODAY = date(2023, 12, 10)


def done(task: Task, person: User, office: User, day: date) -> None:
    with on_day(day):
        services.report_completion(
            actor=person, task=Task.objects.get(pk=task.pk), note="Xong", completed_on=day
        )
        services.accept_completion(actor=office, task=Task.objects.get(pk=task.pk))


def returned_once(task: Task, person: User, office: User, first: date, again: date) -> None:
    with on_day(first):
        services.report_completion(actor=person, task=Task.objects.get(pk=task.pk), note="Xong")
        services.return_completion(
            actor=office, task=Task.objects.get(pk=task.pk), reason="Thiếu số liệu"
        )
    done(task, person, office, again)


@pytest.fixture
def world(
    make_task: MakeTask,
    office: User,
    staff_a: User,
    head_a: User,
    unit_a: Unit,
    unit_b: Unit,
    staff_b: User,
    settings: Any,
) -> dict[str, Task]:
    settings.DONDOC_RECEIVE_WORKING_DAYS = 1000
    given = date(2023, 10, 25)

    def task(text: str, deadline: date | None, **extra: Any) -> Task:
        return make_task(text=text, deadline=deadline, assigned_on=given, assignee=staff_a, **extra)

    tasks = {
        "on_time": task("Đúng hạn, đạt ngay", date(2023, 11, 10)),
        "returned": task("Bị trả lại một lần", date(2023, 11, 20)),
        "excused": task("Bị trả lại, có nguyên nhân khách quan", date(2023, 11, 20)),
        "extended": task("Được gia hạn", date(2023, 11, 5)),
        "late_next": task("Hoàn thành trễ sang tháng sau", date(2023, 11, 28)),
        "duty": task(
            "Báo cáo hằng tháng",
            None,
            deadline_text="Thường xuyên, báo cáo trước ngày 20 hằng tháng",
        ),
        "other_month": task("Hạn tháng 12", date(2023, 12, 30)),
    }
    done(tasks["on_time"], staff_a, office, date(2023, 11, 8))
    returned_once(tasks["returned"], staff_a, office, date(2023, 11, 15), date(2023, 11, 18))
    returned_once(tasks["excused"], staff_a, office, date(2023, 11, 15), date(2023, 11, 18))
    back = TaskEvent.objects.get(task=tasks["excused"], kind=TaskEvent.Kind.RETURNED)
    services.mark_objective_cause(actor=office, event=back, note="Chờ số liệu của Cục Thống kê")
    with on_day(date(2023, 11, 1)):
        request = services.request_extension(
            actor=staff_a,
            task=tasks["extended"],
            reason="Chờ ý kiến Sở",
            proposed_deadline=date(2023, 11, 25),
        )
        services.approve_extension(actor=office, request=request)
    done(tasks["extended"], staff_a, office, date(2023, 11, 20))
    done(tasks["late_next"], staff_a, office, date(2023, 12, 5))
    # A task given to units A and B: A's part is staff A's, done in time.
    with on_day(given):
        group = services.assign_group_task(
            actor=office,
            notice=tasks["on_time"].notice,
            text="Việc chung của hai đơn vị",
            lead_units=[unit_a, unit_b],
            deadline=date(2023, 11, 15),
        )
    child_a = group.children.get(lead_unit=unit_a)
    services.assign_person(actor=head_a, task=child_a, assignee=staff_a)
    done(child_a, staff_a, office, date(2023, 11, 14))
    tasks["child_a"] = child_a
    tasks["child_b"] = group.children.get(lead_unit=unit_b)
    services.ensure_periods(TODAY, [Task.objects.get(pk=tasks["duty"].pk)])  # Nov's: missed
    return tasks


def test_the_counting_rules_on_constructed_cases(world: dict[str, Task], staff_a: User) -> None:
    held = evaluate(NOVEMBER, TODAY, by="assignee_id")[staff_a.pk]
    assert held.expected == 6  # five due in November + A's part; the duty only by its period
    assert (held.finished, held.on_time, held.late) == (5, 5, 0)
    assert held.late_vs_original == 1  # the extended one, against its first deadline
    assert held.overdue == 1  # due 28/11, finished in December
    assert (held.first_pass, held.returned_tasks, held.returns, held.returns_objective) == (
        3,
        2,
        2,
        1,
    )
    assert (held.periods_due, held.periods_missed) == (1, 1)
    penalty = rules()["return_penalty"]
    products = 6 + 1
    assert held.quantity == round(100 * 5 / products, 1)
    assert held.quality == round(100 * (4 + (1 - penalty)) / products, 1)
    assert held.timeliness == round(100 * 5 / products, 1)
    a, b, c = (held.quantity, held.quality, held.timeliness)
    assert a is not None and b is not None and c is not None
    assert held.score == round(70 * (a + b + c) / 300, 1)

    # December: the late one is finished there, late, and deducted for it.
    december = evaluate(DECEMBER, TODAY, by="assignee_id")[staff_a.pk]
    assert (december.expected, december.finished, december.late) == (2, 1, 1)
    assert december.progress_points == 1 - rules()["delay_penalty"]


def test_a_late_completion_with_an_objective_cause_is_not_deducted(
    world: dict[str, Task], staff_a: User, office: User
) -> None:
    accepted = TaskEvent.objects.get(task=world["late_next"], kind=TaskEvent.Kind.ACCEPTED)
    services.mark_objective_cause(actor=office, event=accepted, note="Mưa lũ")
    december = evaluate(DECEMBER, TODAY, by="assignee_id")[staff_a.pk]
    assert (december.late, december.late_objective, december.progress_points) == (1, 1, 1)
    # Only the office, only once, only for a return or a late acceptance.
    with pytest.raises(Exception, match="đã được ghi nhận"):
        services.mark_objective_cause(actor=office, event=accepted, note="Lần nữa")
    on_time = TaskEvent.objects.get(task=world["on_time"], kind=TaskEvent.Kind.ACCEPTED)
    with pytest.raises(Exception, match="đúng hạn"):
        services.mark_objective_cause(actor=office, event=on_time, note="Không cần")
    with pytest.raises(Exception, match="Chỉ Văn phòng"):
        services.mark_objective_cause(actor=staff_a, event=on_time, note="Tự ghi")


def test_the_units_figures_count_each_members_part(world: dict[str, Task], unit_b: Unit) -> None:
    units = evaluate(NOVEMBER, TODAY, by="lead_unit_id")
    assert units[unit_b.pk].expected == 1 and units[unit_b.pk].overdue == 1  # B's part, undone


def test_every_units_figures_equal_each_units_own(
    world: dict[str, Task], office: User, unit_a: Unit, unit_b: Unit, staff_a: User
) -> None:
    """The whole province's figures are read another way (the report periods counted per
    task, their units from the duties' index): they equal each unit's and person's own, a
    duty whose reporting was switched off after its period included."""
    with on_day(TODAY):
        services.edit_task(
            actor=office, task=Task.objects.get(pk=world["duty"].pk), report_every=""
        )
    assert Task.objects.get(pk=world["duty"].pk).report_every == ""
    for by, scope in (("lead_unit_id", "lead_units"), ("assignee_id", "assignees")):
        every = evaluate(NOVEMBER, TODAY, by=by)
        keys = [unit_a.pk, unit_b.pk] if by == "lead_unit_id" else [staff_a.pk]
        for key in keys:
            own = evaluate(NOVEMBER, TODAY, by=by, **{scope: [key]})[key]
            assert every[key].as_dict() == own.as_dict(), (by, key)
    assert evaluate(NOVEMBER, TODAY, by="assignee_id")[staff_a.pk].periods_missed == 1


def test_the_figures_equal_a_recount_from_the_timeline(
    world: dict[str, Task], staff_a: User
) -> None:
    """Deadlines, completion dates and returns read back from the timeline rows alone."""
    evaluated = evaluate(NOVEMBER, TODAY, by="assignee_id")[staff_a.pk]
    expected = finished = on_time = returns = 0
    end = NOVEMBER.end
    for task in Task.objects.filter(assignee=staff_a):
        events = list(task.events.order_by("created_at", "pk"))
        deadline = task.original_deadline
        completed = None
        for event in events:
            if event.kind == TaskEvent.Kind.EXTENSION_APPROVED:
                deadline = date.fromisoformat(event.data["deadline"])
            if event.kind == TaskEvent.Kind.ACCEPTED:
                completed = date.fromisoformat(event.data["completed_on"])
        due_in = deadline is not None and NOVEMBER.start <= deadline <= end
        done_in = completed is not None and NOVEMBER.start <= completed <= end
        if not (due_in or done_in):
            continue
        expected += 1
        returns += sum(1 for e in events if e.kind in RETURN_KINDS)
        if completed is not None and completed <= end:
            finished += 1
            on_time += deadline is None or completed <= deadline
    assert (evaluated.expected, evaluated.finished, evaluated.on_time, evaluated.returns) == (
        expected,
        finished,
        on_time,
        returns,
    )


def figure_links(html: str) -> dict[str, int]:
    found = {}
    for href, count in re.findall(r'<a href="(/nhiem-vu/\?[^"]*)" data-count="(\d+)"', html):
        found[unescape(href)] = int(count)
    return found


@pytest.mark.parametrize("persona", ["staff_a", "head_a", "office", "leader"])
def test_every_figure_opens_exactly_its_tasks_for_each_persona(
    world: dict[str, Task], persona: str, request: pytest.FixtureRequest, unit_a: Unit
) -> None:
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    with on_day(TODAY):
        page = client.get(reverse("evaluation"), {"ky": "2023-11"})
        assert page.status_code == 200
        links = figure_links(page.content.decode())
        if persona in ("office", "leader"):  # the units; one unit's people one click away
            unit_page = client.get(
                reverse("evaluation"), {"ky": "2023-11", "don_vi": str(unit_a.pk)}
            )
            links |= figure_links(unit_page.content.decode())
        assert links
        for url, count in links.items():
            listed = client.get(url)
            assert listed.context["listing"].selected_count == count, url


def test_who_sees_what(world: dict[str, Task], staff_a: User, head_a: User, staff_b: User) -> None:
    def rows(user: User, **query: str) -> list[str]:
        client = Client()
        client.force_login(user)
        with on_day(TODAY):
            response = client.get(reverse("evaluation"), {"ky": "2023-11", **query})
        if response.status_code != 200:
            return [str(response.status_code)]
        return re.findall(r'data-row="([^"]+)"', response.content.decode())

    assert rows(staff_a) == [f"person-{staff_a.pk}"]  # a chuyên viên: their own
    assert set(rows(head_a)) == {
        f"unit-{staff_a.unit_id}",
        f"person-{staff_a.pk}",
        f"person-{head_a.pk}",
    }
    assert rows(staff_b, don_vi=str(staff_a.unit_id)) == ["404"]


def test_the_head_enters_the_general_criteria_and_the_office_closes_the_period(
    world: dict[str, Task], staff_a: User, head_a: User, office: User, staff_b: User
) -> None:
    head = Client()
    head.force_login(head_a)
    with on_day(TODAY):
        head.post(
            reverse("evaluation_score"), {"ky": "2023-11", "person": staff_a.pk, "points": "27,5"}
        )
        score = GeneralScore.objects.get(person=staff_a, period="2023-11")
        assert float(score.points) == 27.5
        bad = head.post(
            reverse("evaluation_score"),
            {"ky": "2023-11", "person": staff_a.pk, "points": "31"},
            follow=True,
        )
        assert "Điểm tiêu chí chung từ 0 đến 30." in bad.content.decode()
        other = Client()
        other.force_login(staff_b)
        assert (
            other.post(
                reverse("evaluation_score"), {"ky": "2023-11", "person": staff_a.pk, "points": "1"}
            ).status_code
            == 403
        )
        page = head.get(reverse("evaluation"), {"ky": "2023-11"}).content.decode()
        held = evaluate(NOVEMBER, TODAY, by="assignee_id")[staff_a.pk]
        assert held.score is not None
        total = round(held.score + 27.5, 1)
        assert grade(total) in page

        desk = Client()
        desk.force_login(office)
        desk.post(reverse("evaluation_close"), {"ky": "2023-11"})
        closed = EvaluationClosing.objects.get(period="2023-11")
        before = head.get(reverse("evaluation"), {"ky": "2023-11"}).content.decode()
        # A change afterwards does not move the closed figures.
        done(world["child_b"], staff_b, office, TODAY)
        Task.objects.filter(pk=world["on_time"].pk).update(completed_on=date(2023, 12, 1))
        after = head.get(reverse("evaluation"), {"ky": "2023-11"}).content.decode()
        assert re.findall(r"data-score>([^<]*)<", before) == re.findall(
            r"data-score>([^<]*)<", after
        )
        assert "Kỳ đã chốt" in after and closed.figures["units"]
        refused = head.post(
            reverse("evaluation_score"),
            {"ky": "2023-11", "person": staff_a.pk, "points": "10"},
            follow=True,
        )
        assert "đã chốt" in refused.content.decode()
        assert float(GeneralScore.objects.get(person=staff_a).points) == 27.5
        # The current month cannot be closed yet.
        desk.post(reverse("evaluation_close"), {"ky": "2023-12"})
        assert not EvaluationClosing.objects.filter(period="2023-12").exists()


def test_the_page_exports_to_excel(world: dict[str, Task], office: User, unit_a: Unit) -> None:
    client = Client()
    client.force_login(office)
    with on_day(TODAY):
        response = client.get(
            reverse("evaluation_export"), {"ky": "2023-11", "don_vi": str(unit_a.pk)}
        )
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    sheet = book.active
    assert sheet["A1"].value == "KẾT QUẢ THỰC HIỆN NHIỆM VỤ THÁNG 11/2023"
    names = [row[0].value for row in sheet.iter_rows(min_row=5) if row[0].value]
    assert "staff_a" in names and unit_a.name in names


def test_a_period_key_is_read_or_refused() -> None:
    assert period("2026-Q4").label == "quý IV/2026"
    assert period("2026").end == date(2026, 12, 31)
    assert period("2026-02").end == date(2026, 2, 28)
    assert Period.parse("2026-13") is None and Period.parse("x") is None
    assert ObjectiveCause.objects.count() == 0


def test_the_page_query_count_does_not_grow_with_tasks_or_people(
    make_task: MakeTask, office: User, staff_a: User, head_a: User, unit_a: Unit
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from directives import caching

    client = Client()
    client.force_login(office)

    def count() -> tuple[int, int]:
        with on_day(TODAY):
            with CaptureQueriesContext(connection) as units:
                client.get(reverse("evaluation"), {"ky": "2023-11"})
            with CaptureQueriesContext(connection) as people:
                client.get(reverse("evaluation"), {"ky": "2023-11", "don_vi": str(unit_a.pk)})
        return len(units), len(people)

    def add(n: int) -> None:
        for k in range(n):
            person = User.objects.create_user(
                username=f"cv{User.objects.count()}", role=User.Role.STAFF, unit=unit_a
            )
            make_task(text=f"Việc {k}", deadline=date(2023, 11, 10), assignee=person)

    add(2)
    caching.unit_shown_name(unit_a.pk)  # the units' names, kept in the process (the header)
    first = count()
    add(6)
    assert count() == first


def test_a_units_narrative_report_names_its_peoples_results(
    world: dict[str, Task], unit_a: Unit, staff_a: User
) -> None:
    from reports.exports import Scope, compute

    with on_day(TODAY):
        scope = Scope.build(
            unit=unit_a, date_from=NOVEMBER.start, date_to=NOVEMBER.end, today=TODAY
        )
        report = compute(scope)
    held = evaluate(NOVEMBER, TODAY, by="assignee_id")[staff_a.pk]
    line = next(r for r in report.results if "Nghị định 335" in r)
    assert "tháng 11/2023" in line and staff_a.full_name in line
    assert f"{held.expected} sản phẩm được giao, hoàn thành {held.finished}" in line
