"""Who sees which tasks: `Task.objects.visible_to(user)` and `for_unit`."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser

from directives.models import Task
from tests.conftest import MakeTask
from units.models import Unit, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks(make_task: MakeTask, unit_a: Unit, unit_b: Unit, unit_support: Unit) -> dict[str, Task]:
    return {
        "a_leads": make_task(lead_unit=unit_a),
        "b_leads": make_task(lead_unit=unit_b),
        "b_leads_a_supports": make_task(lead_unit=unit_b, support_units=[unit_a, unit_support]),
        "support_leads": make_task(lead_unit=unit_support, deadline=date(2023, 12, 31)),
    }


def visible(user: object) -> set[int]:
    return set(Task.objects.visible_to(user).values_list("pk", flat=True))  # type: ignore[arg-type]


def pks(tasks: dict[str, Task], *names: str) -> set[int]:
    return {tasks[name].pk for name in names}


def test_unit_staff_see_the_tasks_their_unit_leads_or_supports(
    tasks: dict[str, Task], staff_a: User, head_a: User
) -> None:
    expected = pks(tasks, "a_leads", "b_leads_a_supports")
    assert visible(staff_a) == expected
    assert visible(head_a) == expected


def test_unit_staff_never_see_another_units_tasks(tasks: dict[str, Task], staff_b: User) -> None:
    assert visible(staff_b) == pks(tasks, "b_leads", "b_leads_a_supports")
    assert tasks["a_leads"].pk not in visible(staff_b)


def test_a_task_with_several_support_units_is_listed_once(
    tasks: dict[str, Task], staff_a: User, unit_a: Unit
) -> None:
    listed = list(Task.objects.visible_to(staff_a).values_list("pk", flat=True))
    assert len(listed) == len(set(listed)) == 2


@pytest.mark.parametrize("persona", ["office", "leader"])
def test_the_office_and_leadership_see_every_task(
    tasks: dict[str, Task], persona: str, request: pytest.FixtureRequest
) -> None:
    assert visible(request.getfixturevalue(persona)) == pks(tasks, *tasks)


def test_anonymous_inactive_and_unplaced_accounts_see_nothing(
    tasks: dict[str, Task], staff_a: User
) -> None:
    assert visible(AnonymousUser()) == set()
    staff_a.is_active = False
    assert visible(staff_a) == set()
    nobody = User.objects.create_user(username="nobody", role=User.Role.OFFICE)
    nobody.role = "unknown"
    assert visible(nobody) == set()


def test_for_unit_by_role(tasks: dict[str, Task], unit_a: Unit) -> None:
    def ids(qs: object) -> set[int]:
        return set(qs.values_list("pk", flat=True))  # type: ignore[attr-defined]

    assert ids(Task.objects.for_unit(unit_a, role="lead")) == pks(tasks, "a_leads")
    assert ids(Task.objects.for_unit(unit_a, role="support")) == pks(tasks, "b_leads_a_supports")
    assert ids(Task.objects.for_unit(unit_a)) == pks(tasks, "a_leads", "b_leads_a_supports")
