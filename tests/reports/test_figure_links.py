"""Every figure on the dashboard, for every persona, opens a list that holds exactly it: the
list's count is the figure, its rows are the figure's (a page of them), and it names its
filters. On the demo data and on data generated at random through the services."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta
from html import unescape
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from directives import services
from directives.models import Notice, Task
from tests.conftest import on_day
from units.models import Unit, User

pytestmark = pytest.mark.django_db

DAY = date(2026, 12, 4)
FIGURE = re.compile(r'<a [^>]*href="(/nhiem-vu/\?[^"]*)"[^>]*data-count="(\d+)"')
PAGE_SIZE = 25


def figures(client: Client) -> dict[str, int]:
    page = client.get(reverse("dashboard"))
    assert page.status_code == 200
    found: dict[str, int] = {}
    for href, count in FIGURE.findall(page.content.decode()):
        url = unescape(href)
        assert found.setdefault(url, int(count)) == int(count), f"{url}: two figures"
    return found


def check_every_figure(username: str) -> int:
    client = Client()
    client.force_login(User.objects.get(username=username))
    found = figures(client)
    assert found, f"{username}: no figure links"
    for url, count in found.items():
        listed = client.get(url)
        assert listed.status_code == 200, url
        assert listed.context["listing"].selected_count == count, (
            f"{username}: {url} shows a different count"
        )
        assert len(listed.context["listing"].page.object_list) == min(count, PAGE_SIZE), url
        if "?" in url and url.split("?", 1)[1]:
            assert (
                listed.context["listing"].chips
                or listed.context["listing"].selected
                or listed.context["listing"].bucket
            ), f"{url}: the list does not say what it holds"
    return len(found)


PERSONAS = ["pct", "vanphong", "truongphong.noivu", "noivu", "sontay"]


def test_on_the_demo_data_every_figure_opens_exactly_its_tasks() -> None:
    with on_day(DAY):
        call_command("seed_demo", stdout=StringIO())
        checked = {username: check_every_figure(username) for username in PERSONAS}
    assert checked["pct"] >= 40  # the leadership's dashboard: cards, units, notices, work


def test_on_generated_data_every_figure_opens_exactly_its_tasks() -> None:
    rng = random.Random(20261204)
    with on_day(DAY - timedelta(days=200)):
        call_command("seed_demo", stdout=StringIO())
    office = User.objects.get(username="vanphong")
    units = list(Unit.objects.filter(members__role__in=["staff", "head"]).distinct())
    members = {u.pk: list(User.objects.filter(unit=u, role__in=["staff", "head"])) for u in units}
    for n in range(4):
        issued = DAY - timedelta(days=rng.randint(30, 400))
        with on_day(issued):
            notice = services.create_notice(
                actor=office,
                number=f"{300 + n}/TB-UBND",
                issuer="UBND huyện Hương Sơn",
                issued_on=issued,
                title=f"Kết luận số {n}",
                chair=rng.choice(["Hồ Thái Sơn", "Nguyễn Văn A"]),
            )
            tasks = []
            for k in range(rng.randint(10, 25)):
                unit = rng.choice(units)
                deadline = (
                    None if rng.random() < 0.2 else issued + timedelta(days=rng.randint(5, 300))
                )
                tasks.append(
                    services.assign_task(
                        actor=office,
                        notice=notice,
                        text=f"Nhiệm vụ {n}.{k}",
                        lead_unit=unit,
                        support_units=rng.sample(
                            [u for u in units if u != unit], rng.randint(0, 2)
                        ),
                        deadline=deadline,
                    )
                )
        for task in tasks:
            person = rng.choice(members[task.lead_unit_id])
            roll = rng.random()
            day = min(DAY, task.assigned_on + timedelta(days=rng.randint(1, 300)))
            with on_day(day):
                if roll < 0.3:
                    continue
                services.start_task(actor=person, task=task)
                if roll < 0.5:
                    services.report_progress(actor=person, task=task, note="Đang làm", progress=50)
                elif roll < 0.8:
                    services.report_completion(actor=person, task=task, note="Xong")
                    if roll < 0.7:
                        services.accept_completion(actor=office, task=Task.objects.get(pk=task.pk))
                elif roll < 0.9:
                    services.cancel_task(actor=office, task=task, reason="Không còn phù hợp")
                else:
                    services.pause_task(actor=office, task=task, reason="Chờ chủ trương")
    assert Notice.objects.count() >= 6
    with on_day(DAY):
        for username in PERSONAS:
            check_every_figure(username)


_NAMES = st.sampled_from(["q", "unit", "timeliness", "notice", "stale", "sort", "print", "ả ợ&="])
_VALUES = st.text(alphabet="aăâ ợ&=+%/?#1", max_size=6)


@given(
    address=st.lists(st.tuples(_NAMES, _VALUES), max_size=6),
    extra=st.dictionaries(_NAMES, _VALUES, max_size=2),
    params=st.dictionaries(
        _NAMES, st.one_of(_VALUES, st.integers(0, 99), st.lists(_VALUES, max_size=3)), max_size=3
    ),
)
def test_a_figures_link_is_the_address_urlencode_makes(
    address: list[tuple[str, str]],
    extra: dict[str, str],
    params: dict[str, str | int | list[str]],
) -> None:
    """`Links` (each parameter encoded once per page) writes what `urlencode` writes of the
    dashboard's address, its own parameters left out, the scope's added and the figure's
    replacing a parameter of the same name where it stands."""
    from urllib.parse import urlencode

    from django.test import RequestFactory

    from reports.views import DASHBOARD_ONLY, Links

    request = RequestFactory().get("/bang-dieu-khien/?" + urlencode(address))
    base = request.GET.copy()
    for key in DASHBOARD_ONLY:
        base.pop(key, None)
    for key, scope in extra.items():
        base[key] = scope
    query = {key: base.getlist(key) for key in base}
    for key, value in params.items():
        query[key] = [str(v) for v in ([value] if isinstance(value, str | int) else value)]
    expected = urlencode([(k, v) for k, vs in query.items() for v in vs])
    link = Links(request, extra)(**params)
    assert link == reverse("task_list") + (f"?{expected}" if expected else "")
