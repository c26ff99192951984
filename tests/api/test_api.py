"""The REST API: tokens issued and revoked by the office, every endpoint for every role
(the same scope and action table as the pages), errors in Vietnamese, the edXML exchange,
the OpenAPI schema and its documentation page served by the app."""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from api.models import ApiToken
from directives import edxml, services
from directives.demo.seed import seed_units
from directives.models import ExchangePackage, ImportDraft, Task
from tests.conftest import MakeTask, on_day
from tests.directives.test_edxml import package
from units.models import User

pytestmark = pytest.mark.django_db

DAY = date(2023, 10, 2)


def bearer(user: User, office: User) -> Client:
    _, key = ApiToken.issue(name=f"hệ thống của {user}", user=user, created_by=office)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.fixture
def world(
    make_task: MakeTask, office: User, staff_a: User, staff_b: User, head_a: User, leader: User
) -> dict[str, Any]:
    with on_day(DAY):
        task = make_task(deadline=date(2023, 10, 30))
    people = {
        "staff_a": staff_a,
        "staff_b": staff_b,
        "head_a": head_a,
        "office": office,
        "leader": leader,
    }
    return {"task": task, "people": people, "office": office}


def test_the_office_issues_a_token_shown_once_and_revokes_it(
    client: Client, office: User, staff_a: User
) -> None:
    client.force_login(office)
    page = client.post(
        reverse("api_tokens"), {"name": "Trục LGSP", "user": staff_a.pk}, follow=True
    )
    assert page.status_code == 200
    key = page.context["key"]
    assert key.startswith("dd_") and key in page.content.decode()
    token = ApiToken.objects.get()
    assert token.key_hash != key and key not in token.hint + token.key_hash  # only a hash kept
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get("/api/tasks/").status_code == 200
    assert "dd_" not in client.get(reverse("api_tokens")).content.decode().replace(token.hint, "")
    client.post(reverse("api_token_revoke", args=[token.pk]))
    refused = api.get("/api/tasks/")
    assert refused.status_code == 401
    assert refused.json()["loi"] == "Mã truy cập không đúng hoặc đã bị thu hồi."


def test_without_a_token_the_api_answers_401_in_vietnamese(client: Client) -> None:
    response = client.get("/api/tasks/")
    assert response.status_code == 401
    assert "Authorization" in response.json()["loi"] or "xác thực" in response.json()["loi"]
    wrong = Client(HTTP_AUTHORIZATION="Bearer dd_khong-dung").get("/api/tasks/")
    assert wrong.status_code == 401


# Per role, in this order: staff_a, staff_b, head_a, office, leader (unit A leads the task).
ROLES = ("staff_a", "staff_b", "head_a", "office", "leader")
READS = {
    "/api/units/": "22222",
    "/api/notices/": "22222",
    "/api/notices/{notice}/": "24222",
    "/api/tasks/": "22222",
    "/api/tasks/{task}/": "24222",
    "/api/dashboard/": "22222",
    "/api/edxml/status/": "44424",
}


@pytest.mark.parametrize("path", list(READS))
def test_every_read_endpoint_for_every_role(world: dict[str, Any], path: str) -> None:
    task = world["task"]
    url = path.format(task=task.pk, notice=task.notice_id)
    got = ""
    for role in ROLES:
        response = bearer(world["people"][role], world["office"]).get(url)
        got += str(response.status_code)[0]
    assert got == READS[path], url


def test_lists_hold_only_what_the_role_sees(
    world: dict[str, Any], make_task: MakeTask, unit_b: Any
) -> None:
    with on_day(DAY):
        make_task(text="Việc của đơn vị B", lead_unit=unit_b, deadline=date(2023, 10, 30))
    office = world["office"]

    def ids(role: str) -> set[int]:
        body = bearer(world["people"][role], office).get("/api/tasks/").json()
        return {row["id"] for row in body["results"]}

    assert ids("office") == ids("leader") == set(Task.objects.values_list("pk", flat=True))
    assert ids("staff_a") == {world["task"].pk}
    assert world["task"].pk not in ids("staff_b") and len(ids("staff_b")) == 1


ACTIONS = {
    # action: body, expected first digit per role (staff_a, staff_b, head_a, office, leader)
    "start": ({}, "24244"),
    "progress": ({"note": "Đang làm", "progress": 40}, "24244"),
    "extension": ({"reason": "Chờ số liệu", "proposed_deadline": "2023-11-30"}, "24244"),
    "completion": ({"note": "Xong"}, "24244"),
    "accept": ({}, "44424"),
}


@pytest.mark.parametrize("name", list(ACTIONS))
def test_every_action_for_every_role(
    world: dict[str, Any], name: str, settings: Any, make_task: MakeTask
) -> None:
    settings.DONDOC_RECEIVE_WORKING_DAYS = 1000
    body, expected = ACTIONS[name]
    staff = world["people"]["staff_a"]
    got = ""
    for role in ROLES:
        with on_day(DAY):
            # Each role meets a task of unit A in the state the action needs.
            task = make_task(text=f"Việc cho {role}", deadline=date(2023, 10, 30))
            if name != "start":
                services.start_task(actor=staff, task=task)
            if name == "accept":
                services.report_completion(actor=staff, task=Task.objects.get(pk=task.pk), note="x")
            response = bearer(world["people"][role], world["office"]).post(
                f"/api/tasks/{task.pk}/{name}/", body, content_type="application/json"
            )
        got += str(response.status_code)[0]
        if response.status_code >= 400:
            assert response.json()["loi"], (role, response.content)
    assert got == expected, name


def test_a_stale_version_is_refused_with_409_and_nothing_written(
    world: dict[str, Any], settings: Any
) -> None:
    settings.DONDOC_RECEIVE_WORKING_DAYS = 1000
    staff = world["people"]["staff_a"]
    task = world["task"]
    with on_day(DAY):
        services.start_task(actor=staff, task=task)
        old = task.version
        api = bearer(staff, world["office"])
        first = api.post(
            f"/api/tasks/{task.pk}/progress/",
            {"note": "Lần 1", "progress": 20, "version": Task.objects.get(pk=task.pk).version},
            content_type="application/json",
        )
        assert first.status_code == 200 and first.json()["progress"] == 20
        again = api.post(
            f"/api/tasks/{task.pk}/progress/",
            {"note": "Lần 2", "progress": 30, "version": old},
            content_type="application/json",
        )
    assert again.status_code == 409 and "cập nhật" in again.json()["loi"]
    assert Task.objects.get(pk=task.pk).progress == 20


def test_bad_input_is_a_400_naming_the_field(world: dict[str, Any], settings: Any) -> None:
    settings.DONDOC_RECEIVE_WORKING_DAYS = 1000
    staff = world["people"]["staff_a"]
    with on_day(DAY):
        services.start_task(actor=staff, task=world["task"])
        response = bearer(staff, world["office"]).post(
            f"/api/tasks/{world['task'].pk}/progress/",
            {"note": "", "progress": 140},
            content_type="application/json",
        )
    assert response.status_code == 400
    body = response.json()
    assert set(body["chi_tiet"]) == {"note", "progress"} and body["loi"].startswith("Dữ liệu")


def test_the_task_carries_its_timeline(world: dict[str, Any]) -> None:
    body = bearer(world["office"], world["office"]).get(f"/api/tasks/{world['task'].pk}/").json()
    assert body["timeline"] and body["timeline"][-1]["kind"] == "assigned"


def test_an_edxml_package_is_posted_and_its_status_collected(
    office: User, staff_a: User, settings: Any
) -> None:
    seed_units()
    settings.DONDOC_RECEIVE_WORKING_DAYS = 1000
    api = bearer(office, office)
    bad = api.post("/api/edxml/", {"file": SimpleUploadedFile("x.edxml", b"<a><b>")})
    assert bad.status_code == 400 and "XML" in bad.json()["loi"]
    posted = api.post("/api/edxml/", {"file": SimpleUploadedFile("194.edxml", package())})
    assert posted.status_code == 201
    draft = ImportDraft.objects.get(pk=posted.json()["ban_nhap"])
    assert posted.json()["so_ky_hieu"] == "194/TB-UBND" and draft.package
    # Staff may not post packages nor collect statuses.
    staff = bearer(staff_a, office)
    assert (
        staff.post("/api/edxml/", {"file": SimpleUploadedFile("a.edxml", package())}).status_code
        == 403
    )
    assert not api.get("/api/edxml/status/").json()["results"]
    # A status waiting is collected once, then no longer listed.
    notice = services.create_notice(
        actor=office, number="194/TB-UBND", issued_on=date(2023, 9, 13), title="Kết luận"
    )
    ExchangePackage.objects.create(
        direction=ExchangePackage.Direction.INCOMING,
        notice=notice,
        organ_id="000.00.00.H42",
        code="194/TB-UBND",
        file=SimpleUploadedFile("in.edxml", package()),
    )
    task = services.assign_task(
        actor=office,
        notice=notice,
        text="Rà soát",
        lead_unit=staff_a.unit,  # type: ignore[arg-type]
        deadline=date(2023, 10, 30),
    )
    services.start_task(actor=staff_a, task=Task.objects.get(pk=task.pk))
    waiting = api.get("/api/edxml/status/").json()["results"]
    assert [w["status_code"] for w in waiting] == ["03"]
    collected = api.post(f"/api/edxml/status/{waiting[0]['id']}/collect/").json()
    status = edxml.parse_status(base64.b64decode(collected["xml_base64"]))
    assert (status.status_code, status.responding_to.organ_id) == ("03", "000.00.00.H42")
    assert not api.get("/api/edxml/status/").json()["results"]


def test_the_schema_and_its_documentation_page_are_served(client: Client) -> None:
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in ("/api/tasks/{id}/progress/", "/api/edxml/", "/api/dashboard/"):
        assert path in text
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html and "cdn" not in html.lower()  # vendored assets


def test_issued_reports_are_read_by_the_office_and_the_leadership_with_their_files(
    world: dict[str, Any],
) -> None:
    from reports.exports import Scope
    from reports.services import issue_report

    office = world["office"]
    with on_day(date(2023, 10, 20)):
        report = issue_report(actor=office, scope=Scope(as_of=date(2023, 10, 20)))
    paths = [
        "/api/reports/",
        f"/api/reports/{report.pk}/",
        f"/api/reports/{report.pk}/tep/pdf/",
    ]
    for path in paths:
        got = "".join(
            str(bearer(world["people"][role], office).get(path).status_code)[0] for role in ROLES
        )
        assert got == "44422", path
    leader = bearer(world["people"]["leader"], office)
    listed = leader.get("/api/reports/").json()["results"]
    assert [row["id"] for row in listed] == [report.pk]
    assert listed[0]["figures"] == report.figures
    detail = leader.get(f"/api/reports/{report.pk}/").json()
    for fmt in ("xlsx", "docx", "pdf"):
        assert detail["files"][fmt].endswith(f"/api/reports/{report.pk}/tep/{fmt}/")
        response = leader.get(detail["files"][fmt])
        assert response.status_code == 200
        report.refresh_from_db()
        body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
        with getattr(report, fmt).open("rb") as stored:
            stored.seek(0)  # the test storage hands out one shared in-memory file
            assert body == stored.read() and len(body) > 1000
    assert leader.get(f"/api/reports/{report.pk}/tep/csv/").status_code == 404
