"""Every form of the app, filled with anything (hypothesis): no 500, no partial write, a message.

The forms are not listed by hand: each page below is fetched as the person who uses it and every
`<form method="post">` on it is read from the HTML (its action, fields, options and hidden
values). `test_every_form_is_fuzzed` checks that the pages together reach every URL that accepts
a POST and every action of the task page, so a new form cannot be left out.

For each form, hypothesis posts values drawn from the form's own options and defaults, and from
junk (long, empty, control characters, odd dates and numbers, files of random bytes). Whatever
it sends:

- the answer is never a server error;
- when the form is refused (no redirect), nothing in the database changed: the row count of every
  table and the rows of tasks, notices, units and accounts are what they were;
- a refused form says why: the page shows a form error or message, or is a Vietnamese error page.
"""

from __future__ import annotations

import html.parser
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlparse

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.models import Webhook, WebhookDelivery
from directives import services
from directives.models import ImportDraft, Notice, SavedFilter, Task
from directives.views import ACTIONS
from reminders.models import ReminderDigest
from tests.conftest import MakeTask, on_day
from tests.security.test_permission_matrix import EXPECTED, ROLES
from units.models import Unit, UnitGroup, User

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
ERROR_MARKERS = ("is-invalid", "invalid-feedback", "errorlist", "alert-danger", "alert-warning")
# Tables that legitimately change on a refused POST: sessions and django-axes' login records.
UNWATCHED = {"sessions.Session", "axes.AccessAttempt", "axes.AccessFailureLog", "axes.AccessLog"}


@dataclass
class Field:
    name: str
    kind: str  # text, hidden, select, multiple, checkbox, file, textarea
    value: str = ""
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    action: str
    fields: dict[str, Field] = field(default_factory=dict)

    @property
    def target(self) -> tuple[str, str]:
        match = resolve(urlparse(self.action).path)
        return match.url_name or "", str(match.kwargs.get("action", ""))


class FormReader(html.parser.HTMLParser):
    """The forms of a page (POST, or GET with `method="get"`), with their fields as a browser
    would send them; named submit buttons ("Thêm dòng") are fields that are sent or not."""

    def __init__(self, page_url: str, method: str = "post") -> None:
        super().__init__()
        self.page_url = page_url
        self.method = method
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: Field | None = None
        self.textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == self.method:
                self.form = Form(action=a.get("action") or self.page_url)
            return
        if self.form is None or not a.get("name") or a.get("name") == "csrfmiddlewaretoken":
            if tag == "option" and self.select is not None:
                self.select.options.append(a.get("value", ""))
                if "selected" in a:
                    self.select.value = a.get("value", "")
            return
        name = a["name"]
        if tag == "button" or (tag == "input" and a.get("type") in ("submit", "button")):
            self.form.fields[name] = Field(name, "button", a.get("value", ""))
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                existing = self.form.fields.get(name)
                target = existing or Field(name, "checkbox" if kind == "checkbox" else "select")
                target.options.append(a.get("value", "on"))
                if "checked" in a:
                    target.value = a.get("value", "on")
                self.form.fields[name] = target
                return
            self.form.fields[name] = Field(name, kind, a.get("value", ""))
        elif tag == "select":
            self.select = Field(name, "multiple" if "multiple" in a else "select")
            self.form.fields[name] = self.select
        elif tag == "textarea":
            self.textarea = Field(name, "textarea")
            self.form.fields[name] = self.textarea

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.form is not None:
            self.forms.append(self.form)
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea.value += data


def forms_on(client: Client, url: str, method: str = "post") -> list[Form]:
    response = client.get(url)
    assert response.status_code == 200, f"GET {url}: {response.status_code}"
    reader = FormReader(url, method)
    reader.feed(response.content.decode())
    return reader.forms


JUNK = st.one_of(
    st.text(max_size=40),
    st.text(min_size=300, max_size=3000),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "101",
            "1e9",
            "99999999999999999999",
            "2023-02-30",
            "30/02/2023",
            "31/12/9999",
            "01/01/0001",
            "hàng tháng",
            "Quý IV/2023",
            "trước ngày 15",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "\x00",
            "a\r\nb",
            "null",
        ]
    ),
    st.integers(-(10**12), 10**12).map(str),
    st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
    # The calendar's ends, where date arithmetic overflows, typed either way.
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(
        [
            "9999-12-31",
            "0001-01-01",
            "31/12/9999",
            "01/01/0001",
            "năm 0000",
            "năm 9999",
            "30 ngày",
            "quý IV/9999",
        ]
    ),
)
FILES = st.one_of(
    st.binary(max_size=3000).map(lambda b: SimpleUploadedFile("tep.pdf", b)),
    st.just(PDF).map(lambda b: SimpleUploadedFile("bien-ban.pdf", b, "application/pdf")),
    st.binary(max_size=500).map(lambda b: SimpleUploadedFile("tep.exe", b"MZ" + b)),
)


def value_for(spec: Field) -> st.SearchStrategy[Any]:
    """A field's value: its own default or options most of the time, junk otherwise."""
    own = [spec.value, *spec.options]
    if spec.kind == "button":
        return st.one_of(st.none(), st.just(spec.value))
    if spec.kind == "hidden" and spec.name.endswith(("TOTAL_FORMS", "INITIAL_FORMS")):
        # A management form as a browser sends it, or tampered with.
        return st.one_of(st.just(spec.value), JUNK, st.none())
    if spec.kind == "file":
        return st.one_of(st.none(), FILES, st.lists(FILES, max_size=3))
    if spec.kind == "multiple" or spec.kind == "checkbox":
        return st.lists(st.one_of(st.sampled_from(own), JUNK), max_size=3)
    return st.one_of(st.sampled_from(own), JUNK, st.none())


def state() -> dict[str, Any]:
    counts = {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.label not in UNWATCHED and not model._meta.proxy
    }
    return {
        "counts": counts,
        "tasks": list(Task.objects.order_by("pk").values()),
        "notices": list(Notice.objects.order_by("pk").values()),
        "units": list(Unit.objects.order_by("pk").values()),
        "users": [
            {k: v for k, v in row.items() if k != "last_login"}
            for row in User.objects.order_by("pk").values()
        ],
    }


def explained(response: Any) -> bool:
    body = response.content.decode(errors="replace")
    if response.status_code == 200:
        return any(marker in body for marker in ERROR_MARKERS)
    return 'lang="vi"' in body


# The pages holding every form, and who fills each in.
PAGES: list[tuple[str, str]] = [
    ("anonymous", "login"),
    ("staff_a", "password_change"),
    ("staff_a", "notification_list"),
    ("staff_a", "task:new"),
    ("staff_a", "task:fresh"),
    ("staff_a", "task:duty"),
    ("office", "task:handed"),
    ("staff_a", "task:running"),
    ("head_a", "task:running"),
    ("head_a", "task:new"),
    ("head_a", "task:reviewing"),
    ("staff_support", "task:running"),
    ("leader", "task:running"),
    ("office", "task:new"),
    ("office", "task:awaiting"),
    ("office", "task:extension"),
    ("office", "task:paused"),
    ("office", "notice_create"),
    ("office", "notice_detail"),
    ("office", "group_task_detail"),
    ("office", "notice_edit"),
    ("office", "notice_import"),
    ("office", "api_tokens"),
    ("office", "webhooks"),
    ("office", "webhook_detail"),
    ("office", "unit_create"),
    ("office", "unit_edit"),
    ("office", "unit_close"),
    ("office", "group_create"),
    ("office", "group_edit"),
    ("office", "account_create"),
    ("office", "account_edit"),
    ("office", "report_center?as_of=16/10/2023"),
    ("office", "reminder_log"),
    ("office", "inbox"),
    ("office", "task_list"),
    ("staff_a", "task_list"),
    ("office", "task:returned"),
    ("office", "evaluation?ky=2023-09"),
    ("head_a", "evaluation?ky=2023-10"),
]


@pytest.fixture
def tasks(
    make_task: MakeTask,
    office: User,
    staff_a: User,
    head_a: User,
    unit_a: Unit,
    unit_support: Unit,
) -> dict[str, Any]:
    with on_day(date(2023, 10, 2)):
        new = make_task(text="Mới giao", deadline=date(2030, 10, 30), support_units=[unit_support])
        running = make_task(text="Đang làm", deadline=date(2030, 10, 30))
        running.support_units.add(unit_support)
        services.start_task(actor=staff_a, task=running)
        awaiting = make_task(text="Chờ xác nhận", deadline=date(2030, 10, 30))
        services.report_completion(actor=staff_a, task=awaiting, note="Đã xong")
        extension = make_task(text="Xin gia hạn", deadline=date(2030, 10, 30))
        services.request_extension(
            actor=staff_a,
            task=extension,
            reason="Chờ ý kiến Sở",
            proposed_deadline=date(2030, 12, 31),
        )
        reviewing = make_task(text="Chờ lãnh đạo phòng duyệt", deadline=date(2030, 10, 30))
        Unit.objects.filter(pk=reviewing.lead_unit_id).update(head_review=True)
        services.report_completion(actor=staff_a, task=reviewing, note="Đã xong")
        Unit.objects.filter(pk=reviewing.lead_unit_id).update(head_review=False)
        returned = make_task(text="Bị trả lại", deadline=date(2030, 10, 30))
        services.report_completion(actor=staff_a, task=returned, note="Đã xong")
        services.return_completion(actor=office, task=returned, reason="Thiếu số liệu")
        returned.assignee = staff_a  # held by staff A: the head scores them on the evaluation
        Task.objects.filter(pk=returned.pk).update(assignee=staff_a)
        paused = make_task(text="Tạm dừng", deadline=date(2030, 10, 30))
        services.pause_task(actor=office, task=paused, reason="Chờ chủ trương")
    # Assigned today: the unit may still return it; another one it did return.
    fresh = make_task(
        text="Mới giao hôm nay", deadline=date(2030, 10, 30), assigned_on=timezone.localdate()
    )
    handed = make_task(
        text="Không đúng chức năng", deadline=date(2030, 10, 30), assigned_on=timezone.localdate()
    )
    services.hand_back(actor=staff_a, task=handed, reason="Thuộc chức năng Phòng Tư pháp")
    # An import left in preview: the inbox offers to set it aside.
    ImportDraft.objects.create(created_by=office, source_text="Thông báo", number="9/TB-UBND")
    SavedFilter.objects.create(owner=staff_a, name="Việc trễ", query="timeliness=overdue")
    # A reminder that could not be sent: the send log offers "Gửi lại".
    ReminderDigest.objects.create(
        recipient=staff_a, day=date(2023, 10, 2), channel="email", status="failed", attempts=12
    )
    # A connected system whose last delivery failed: its page offers "Gửi lại".
    webhook = Webhook.objects.create(
        name="Trục", url="http://127.0.0.1:9/hook", user=staff_a, created_by=office
    )
    WebhookDelivery.objects.create(
        webhook=webhook, key=uuid.uuid4(), kind="ping", body="{}", status="failed", attempts=3
    )
    return {
        "webhook": webhook,
        "new": new,
        "running": running,
        "awaiting": awaiting,
        "extension": extension,
        "paused": paused,
        "returned": returned,
        "reviewing": reviewing,
        "fresh": fresh,
        "duty": make_task(
            text="Báo cáo tình hình cải cách hành chính",
            deadline_text="Thường xuyên, báo cáo trước ngày 20 hằng tháng",
        ),
        "handed": handed,
        "unit_group": UnitGroup.objects.create(name="Các phòng, ban chuyên môn"),
        "group": services.assign_group_task(
            actor=office, notice=new.notice, text="Việc chung", lead_units=[unit_a, unit_support]
        ),
    }


def page_url(page: str, tasks: dict[str, Task], unit_a: Unit, staff_a: User) -> str:
    page, _, query = page.partition("?")
    if query:
        return f"{page_url(page, tasks, unit_a, staff_a)}?{query}"
    if page.startswith("task:"):
        return reverse("task_detail", args=[tasks[page.removeprefix("task:")].pk])
    args: dict[str, list[int]] = {
        "notice_detail": [tasks["new"].notice_id],
        "notice_edit": [tasks["new"].notice_id],
        "unit_edit": [unit_a.pk],
        "unit_close": [unit_a.pk],
        "account_edit": [staff_a.pk],
        "group_task_detail": [tasks["group"].pk],
        "group_edit": [tasks["unit_group"].pk],
        "webhook_detail": [tasks["webhook"].pk],
    }
    return reverse(page, args=args.get(page, []))


def client_for(persona: str, request: pytest.FixtureRequest) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    return client


def fuzz(client: Client, form: Form, version_of: Task | None) -> None:
    @settings(
        max_examples=20,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def one_post(data: st.DataObject) -> None:
        payload: dict[str, Any] = {}
        for name, spec in form.fields.items():
            if name == "version" and version_of is not None:
                current = str(Task.objects.get(pk=version_of.pk).version)
                value = data.draw(st.one_of(st.just(current), JUNK), label=name)
            else:
                value = data.draw(value_for(spec), label=name)
            if value is not None:
                payload[name] = value
        before = state()
        response = client.post(form.action, payload)
        assert response.status_code < 500, f"{form.action}: {response.status_code}"
        if response.status_code in (301, 302):
            return
        assert state() == before, f"{form.action} refused the form but changed the database"
        assert explained(response), (
            f"{form.action} answered {response.status_code} silently: "
            + response.content.decode(errors="replace")[-3000:]
        )

    one_post()


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "where"), PAGES)
def test_any_input_to_a_form(
    persona: str,
    where: str,
    tasks: dict[str, Task],
    unit_a: Unit,
    staff_a: User,
    request: pytest.FixtureRequest,
) -> None:
    client = client_for(persona, request)
    url = page_url(where, tasks, unit_a, staff_a)
    found = forms_on(client, url)
    assert found, f"no form on {url}"
    task = tasks[where.removeprefix("task:")] if where.startswith("task:") else None
    for form in found:
        if form.target[0] != "logout":
            fuzz(client, form, task)


@pytest.mark.django_db
def test_every_form_is_fuzzed(
    tasks: dict[str, Task], unit_a: Unit, staff_a: User, request: pytest.FixtureRequest
) -> None:
    reached: set[tuple[str, str]] = set()
    for persona, page in PAGES:
        client = client_for(persona, request)
        reached |= {
            form.target for form in forms_on(client, page_url(page, tasks, unit_a, staff_a))
        }
    names = {name for name, _ in reached}
    posting = {
        name
        for name, outcomes in EXPECTED.items()
        if any(outcomes[role][1] == "o" for role in ROLES)
        and name not in ("logout", "healthz", "api_token_revoke")  # a button, no fields
        and not name.startswith("api-")  # the REST API: schemathesis reads its schema
    }
    assert posting - names == set(), "add a page holding this form to PAGES"
    assert {slug for name, slug in reached if name == "task_action"} == set(ACTIONS)


# The pages whose filters live in the URL, and who reads each.
FILTER_PAGES: list[tuple[str, str]] = [
    ("staff_a", "task_list"),
    ("staff_a", "dashboard"),
    ("leader", "dashboard"),
    ("office", "task_list"),
    ("office", "report_center"),
    ("office", "audit_log"),
    ("office", "reminder_log"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "where"), FILTER_PAGES)
def test_any_query_to_a_filter(
    persona: str,
    where: str,
    tasks: dict[str, Task],
    unit_a: Unit,
    staff_a: User,
    request: pytest.FixtureRequest,
) -> None:
    """Whatever lands in a filter's query string (a far date, junk, a cut-off value): a page
    with a message, never a 500."""
    client = client_for(persona, request)
    url = page_url(where, tasks, unit_a, staff_a)
    found = forms_on(client, url, method="get")
    assert found, f"no filter form on {url}"

    for form in found:
        query_fuzz(client, form)


def query_fuzz(client: Client, form: Form) -> None:
    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def one_get(data: st.DataObject) -> None:
        query: dict[str, Any] = {}
        for name, spec in form.fields.items():
            if spec.kind == "file":
                continue
            value = data.draw(value_for(spec), label=name)
            if value is not None:
                query[name] = value
        response = client.get(form.action, query)
        assert response.status_code < 500, f"{form.action} {query}: {response.status_code}"

    one_get()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"as_of": "31/12/9999"},
        {"as_of": "0001-01-01"},
        {"as_of": "9999-12-31", "ageing": "91-"},
        {"as_of": "0001-01-01", "stale": "90"},
        {"deadline_to": "01/01/0001", "deadline_from": "9999-12-31"},
    ],
)
def test_far_dates_on_the_lists_and_the_dashboard_are_refused_with_a_message(
    query: dict[str, str], tasks: dict[str, Task], request: pytest.FixtureRequest
) -> None:
    client = client_for("staff_a", request)
    for name in ("task_list", "dashboard"):
        response = client.get(reverse(name), query)
        assert response.status_code == 200
        assert "nằm ngoài khoảng hệ thống xử lý" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("audit_log", {"since": "9999-12-31", "until": "9999-12-31"}),
        ("report_center", {"date_to": "01/01/0001"}),
        ("reminder_log", {"day_from": "0001-01-01"}),
    ],
)
def test_far_dates_on_the_offices_pages_are_refused_with_a_message(
    name: str, query: dict[str, str], tasks: dict[str, Task], request: pytest.FixtureRequest
) -> None:
    response = client_for("office", request).get(reverse(name), query)
    assert response.status_code == 200
    assert "nằm ngoài khoảng hệ thống xử lý" in response.content.decode()


@pytest.mark.django_db
def test_far_dates_on_report_downloads_go_back_to_the_form_with_its_message(
    tasks: dict[str, Task], request: pytest.FixtureRequest
) -> None:
    response = client_for("office", request).get(
        reverse("report_download", args=["xlsx"]), {"date_to": "01/01/0001"}, follow=True
    )
    assert response.redirect_chain and response.status_code == 200
    assert "nằm ngoài khoảng hệ thống xử lý" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("phrase", ["năm 0000", "30 ngày", "quý IV/9999", "trong tháng 13/2023"])
def test_deadline_phrases_past_the_calendar_are_a_form_error(
    phrase: str, tasks: dict[str, Task], request: pytest.FixtureRequest
) -> None:
    client = client_for("office", request)
    data = {
        "number": "7/TB-UBND",
        "issuer": "UBND huyện Hương Sơn",
        "issued_on": "31/12/2999",
        "title": "Kết luận",
        "tasks-TOTAL_FORMS": "1",
        "tasks-INITIAL_FORMS": "0",
        "tasks-0-text": "Báo cáo",
        "tasks-0-lead_unit": "Phòng Nội vụ",
        "tasks-0-deadline": phrase,
    }
    before = Notice.objects.count()
    response = client.post(reverse("notice_create"), data)
    assert response.status_code == 200
    assert Notice.objects.count() == before
    page = response.content.decode()
    assert any(
        reason in page for reason in ("nằm ngoài khoảng", "không phải là một ngày", "không có thật")
    ), phrase
    preview = client.get(
        reverse("deadline_preview"), {"tasks-0-deadline": phrase, "issued_on": "9999-12-31"}
    )
    assert preview.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("total", ["abc", "", "-5", "99999999999999999999"])
def test_a_tampered_row_count_with_add_row_is_not_a_500(
    total: str, tasks: dict[str, Task], request: pytest.FixtureRequest
) -> None:
    client = client_for("office", request)
    data = {
        "number": "8/TB-UBND",
        "issuer": "UBND huyện Hương Sơn",
        "issued_on": "01/10/2023",
        "title": "Kết luận",
        "tasks-TOTAL_FORMS": total,
        "tasks-INITIAL_FORMS": "0",
        "add_row": "1",
    }
    assert client.post(reverse("notice_create"), data).status_code == 200
    confirm = {**data, "step": "confirm"}
    assert client.post(reverse("notice_import"), confirm).status_code == 200  # with "Thêm dòng"
    del confirm["add_row"]
    assert client.post(reverse("notice_import"), confirm).status_code == 200  # sent as it is


@pytest.mark.django_db
def test_a_forged_pending_path_of_dots_is_ignored(
    tasks: dict[str, Task], request: pytest.FixtureRequest
) -> None:
    client = client_for("office", request)
    response = client.post(
        reverse("notice_import"),
        {
            "step": "confirm",
            "pending": "imports/pending/" + "a" * 32 + "/..",
            "number": "9/TB-UBND",
            "issuer": "UBND huyện Hương Sơn",
            "issued_on": "01/10/2023",
            "title": "Kết luận",
            "tasks-TOTAL_FORMS": "1",
            "tasks-INITIAL_FORMS": "0",
            "tasks-0-text": "Báo cáo",
            "tasks-0-lead_unit": "Phòng Nội vụ",
        },
    )
    assert response.status_code in (200, 302)
