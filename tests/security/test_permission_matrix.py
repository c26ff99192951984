"""Every URL the resolver knows, requested as every role with GET and POST.

A URL added without an entry in EXPECTED fails `test_every_url_has_an_entry`. Objects of
another unit answer 404 (they do not exist for that person), actions a role may not take 403,
anonymous visitors go to the login page. Each case runs on its own fresh data.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from api.models import ApiToken, Webhook, WebhookDelivery
from directives import services
from directives.models import ExchangePackage, ImportDraft, Notice, SavedFilter, Task
from reminders.models import ReminderDigest
from reports.models import IssuedReport
from tests.conftest import MakeTask, on_day
from units.models import Unit, UnitGroup, User

ROLES = ("anonymous", "staff_a", "staff_b", "head_a", "office", "leader")


def row(get: str, post: str) -> dict[str, tuple[str, str]]:
    """One letter per role, in ROLES' order: o ok (2xx, or a redirect elsewhere than the
    login page), l to the login page, u 401 (the API), b 400, f 403, n 404, m 405."""
    assert len(get) == len(post) == len(ROLES)
    return {role: (get[i], post[i]) for i, role in enumerate(ROLES)}


def page(get: str) -> dict[str, tuple[str, str]]:
    """A page that only shows: any POST by a signed-in person is refused with 405."""
    return row(get, "lmmmmm")


OFFICE_ONLY = row("lfffof", "lfffof")
SIGNED_IN = row("looooo", "looooo")
# Pages (read-only): who may see them.
OFFICE_PAGE = page("lfffof")
READERS_PAGE = page("lfffoo")  # the office and the leadership
SIGNED_IN_PAGE = page("looooo")
TASK_SCOPE_PAGE = page("lonooo")  # staff B does not see unit A's task
# The API (u: 401): what any signed-in role reads, and what only unit A's task's readers do.
API_READ = row("uooooo", "ummmmm")
API_SCOPED = row("uonooo", "ummmmm")
EXPECTED: dict[str, dict[str, tuple[str, str]]] = {
    "login": row("oooooo", "oooooo"),
    "logout": row("mmmmmm", "llllll"),  # signing out lands on the login page
    "password_change": SIGNED_IN,
    "healthz": row("oooooo", "mmmmmm"),
    "home": SIGNED_IN_PAGE,
    "task_list": SIGNED_IN_PAGE,
    "task_detail": TASK_SCOPE_PAGE,
    # Taking up unit A's task: A's staff and head may; B gets 404; the office and the
    # leadership are not the lead unit, so the service refuses.
    "task_action": row("lmmmmm", "lonoff"),
    "attachment_download": TASK_SCOPE_PAGE,
    # The roll-up of a task given to several units: the office and the leadership read it
    # (a unit sees only its own part: the page does not exist for it); the office changes
    # the shared terms.
    "group_task_detail": row("lnnnoo", "lnnnof"),
    "notification_list": SIGNED_IN_PAGE,
    "notifications_mark_read": row("lmmmmm", "looooo"),
    "notice_list": SIGNED_IN_PAGE,
    "notice_create": OFFICE_ONLY,
    "notice_import": OFFICE_ONLY,
    # Setting aside an unconfirmed import: the office only.
    "import_draft_discard": row("lmmmmm", "lfffof"),
    # What waits for a decision: the office, the leadership and a unit's head; staff have
    # none (403 with where their work is).
    "inbox": page("lffooo"),
    # Nghị định 335's evaluation: everyone with a unit sees their own (or their unit's),
    # the office and the leadership every unit. A POST without a person names nobody; only
    # the office closes a period or records an objective cause (staff B does not see A's task).
    "evaluation": SIGNED_IN_PAGE,
    "evaluation_export": SIGNED_IN_PAGE,
    "evaluation_score": row("lmmmmm", "lnnnnn"),
    "evaluation_close": row("lmmmmm", "lfffof"),
    "objective_cause": row("lmmmmm", "lfnfof"),
    # The task list's export (each reads their own scope), its saved filters (a POST without
    # a name goes back to the list with the message) and "Nhắc ngay" (the office only; a
    # task of unit A does not exist for unit B).
    "task_list_export": SIGNED_IN_PAGE,
    "task_list_csv": SIGNED_IN_PAGE,
    "task_list_counts": SIGNED_IN_PAGE,
    "saved_filter_create": row("lmmmmm", "looooo"),
    "saved_filter_delete": row("lmmmmm", "lnnnon"),
    "remind_list": row("lmmmmm", "lfffof"),
    "remind_task": row("lmmmmm", "lfffof"),
    "inbox_accept": row("lmmmmm", "lfffof"),
    "notice_detail": TASK_SCOPE_PAGE,
    "notice_edit": OFFICE_ONLY,
    "notice_add_task": OFFICE_ONLY,
    "deadline_preview": row("lfffof", "lmmmmm"),
    "dashboard": SIGNED_IN_PAGE,
    "report_center": READERS_PAGE,
    "report_download": READERS_PAGE,
    # The leadership reads reports; only the office issues them.
    "report_issue": row("lmmmmm", "lfffof"),
    "issued_report": READERS_PAGE,
    "issued_report_file": READERS_PAGE,
    "reminder_log": OFFICE_PAGE,
    "reminder_resend": row("lmmmmm", "lfffof"),
    "unit_list": OFFICE_PAGE,
    "unit_create": OFFICE_ONLY,
    "unit_edit": OFFICE_ONLY,
    "unit_close": OFFICE_ONLY,
    "group_list": OFFICE_PAGE,
    "group_create": OFFICE_ONLY,
    "group_edit": OFFICE_ONLY,
    "account_list": OFFICE_PAGE,
    "account_create": OFFICE_ONLY,
    "account_edit": OFFICE_ONLY,
    "audit_log": OFFICE_PAGE,
    # The office issues and revokes the API's tokens.
    "api_tokens": row("lfffof", "lfffbf"),
    "api_token_revoke": row("lmmmmm", "lfffof"),
    # The REST API: no login page, 401 without a token or session. The schema and its
    # documentation are public (they hold no data). Reads follow the pages' scope; an action
    # checks the task's scope (404), then who may act (403), then the fields (400: empty).
    "api-schema": row("oooooo", "mmmmmm"),
    "api-docs": row("oooooo", "mmmmmm"),
    "api-root": API_READ,
    "api-dashboard": API_READ,
    "api-unit-list": API_READ,
    "api-unit-detail": API_READ,
    "api-notice-list": API_READ,
    "api-notice-detail": API_SCOPED,
    "api-task-list": API_READ,
    "api-task-detail": API_SCOPED,
    "api-task-start": row("ummmmm", "ubnbff"),  # the task is already in progress
    "api-task-progress": row("ummmmm", "ubnbff"),
    "api-task-completion": row("ummmmm", "ubnbff"),
    "api-task-extension": row("ummmmm", "ubnbff"),
    "api-task-accept": row("ummmmm", "ufnfbf"),  # nothing reported to accept
    # Issued reports over the API: the office and the leadership.
    "api-report-list": row("ufffoo", "ufffmm"),
    "api-report-detail": row("ufffoo", "ufffmm"),
    "api-report-file": row("ufffoo", "ufffmm"),
    # The office connects systems by webhook.
    "webhooks": row("lfffof", "lfffbf"),
    "webhook_detail": row("lfffof", "lfffbf"),
    "webhook_toggle": row("lmmmmm", "lfffof"),
    "webhook_secret": row("lmmmmm", "lfffof"),
    "webhook_ping": row("lmmmmm", "lfffof"),
    "webhook_resend": row("lmmmmm", "lfffof"),
    "api-edxml": row("ufffmf", "ufffbf"),
    "api-edxml-status-list": row("ufffof", "ufffmf"),
    "api-edxml-status-collect": row("ufffmf", "ufffof"),
}


def url_names() -> list[str]:
    """Every named URL of the project, outside the admin (which guards itself)."""
    names: list[str] = []

    def walk(patterns: list[Any], namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.append(pattern.name)

    walk(get_resolver().url_patterns, None)
    return sorted(set(names))


def test_every_url_has_an_entry() -> None:
    assert set(url_names()) == set(EXPECTED), "add the new URL to EXPECTED with its outcomes"


def outcome(response: Any) -> str:
    if response.status_code in (301, 302):
        return "l" if reverse("login") in response["Location"] else "o"
    return {401: "u", 403: "f", 404: "n", 405: "m", 400: "b"}.get(
        response.status_code, "o" if response.status_code < 300 else str(response.status_code)
    )


@pytest.fixture
def world(
    make_task: MakeTask,
    office: User,
    staff_a: User,
    staff_b: User,
    head_a: User,
    leader: User,
    unit_a: Unit,
    unit_b: Unit,
) -> dict[str, Any]:
    with on_day(date(2023, 10, 2)):
        task = make_task(deadline=date(2023, 10, 30))
        proof = SimpleUploadedFile("bb.pdf", b"%PDF-1.4 minimal", content_type="application/pdf")
        event = services.report_progress(
            actor=staff_a, task=task, note="x", progress=10, files=[proof]
        )
    issued = IssuedReport.objects.create(
        title="Báo cáo",
        as_of=date(2023, 10, 2),
        scope_key="k",
        issued_by=office,
        issued_at=timezone.now(),
        figures={"total": {}, "units": []},
    )
    for kind in ("xlsx", "docx", "pdf"):
        getattr(issued, kind).save(f"r.{kind}", ContentFile(b"stub"), save=False)
    issued.save()
    digest = ReminderDigest.objects.create(
        recipient=staff_a, day=date(2023, 10, 2), channel="email", status="failed", attempts=12
    )
    # On a notice of its own: unit B's part must not make B a reader of the first notice.
    other = services.create_notice(
        actor=office, number="195/TB-UBND", issued_on=date(2023, 9, 14), title="Khác"
    )
    group_task = services.assign_group_task(
        actor=office, notice=other, text="Việc chung", lead_units=[unit_a, unit_b]
    )
    draft = ImportDraft.objects.create(created_by=office, source_text="Thông báo")
    status_package = ExchangePackage(
        direction=ExchangePackage.Direction.STATUS, notice=task.notice, status_code="03"
    )
    status_package.file.save("s.xml", ContentFile(b"<Status/>"), save=False)
    status_package.save()
    token, _ = ApiToken.issue(name="Trục", user=staff_a, created_by=office)
    webhook = Webhook.objects.create(
        name="Trục", url="http://127.0.0.1:9/hook", user=staff_a, created_by=office
    )
    delivery = WebhookDelivery.objects.create(
        webhook=webhook, key=uuid.uuid4(), kind="ping", body="{}", status="failed", attempts=3
    )
    saved_filter = SavedFilter.objects.create(owner=office, name="Quá hạn", query="x=1")
    return {
        "task": task,
        "draft": draft,
        "status_package": status_package,
        "token": token,
        "webhook": webhook,
        "delivery": delivery,
        "saved_filter": saved_filter,
        "group_task": group_task,
        "unit_group": UnitGroup.objects.create(name="Các phòng, ban chuyên môn"),
        "digest": digest,
        "attachment": event.attachments.get(),
        "notice": task.notice,
        "issued": issued,
        "unit": unit_a,
        "account": staff_a,
        "people": {
            "staff_a": staff_a,
            "staff_b": staff_b,
            "head_a": head_a,
            "office": office,
            "leader": leader,
        },
    }


def url_for(name: str, world: dict[str, Any]) -> str:
    pattern_args = {
        "task_detail": [world["task"].pk],
        "task_action": [world["task"].pk, "tiep-nhan"],
        "group_task_detail": [world["group_task"].pk],
        "attachment_download": [world["attachment"].pk],
        "notice_detail": [world["notice"].pk],
        "notice_edit": [world["notice"].pk],
        "notice_add_task": [world["notice"].pk],
        "issued_report": [world["issued"].pk],
        "issued_report_file": [world["issued"].pk, "pdf"],
        "report_download": ["xlsx"],
        "unit_edit": [world["unit"].pk],
        "unit_close": [world["unit"].pk],
        "group_edit": [world["unit_group"].pk],
        "account_edit": [world["account"].pk],
        "reminder_resend": [world["digest"].pk],
        "import_draft_discard": [world["draft"].pk],
        "saved_filter_delete": [world["saved_filter"].pk],
        "remind_task": [world["task"].pk],
        "objective_cause": [world["task"].pk, world["task"].events.earliest("pk").pk],
        "api_token_revoke": [world["token"].pk],
        "api-unit-detail": [world["unit"].pk],
        "api-notice-detail": [world["notice"].pk],
        "api-task-detail": [world["task"].pk],
        "api-task-start": [world["task"].pk],
        "api-task-progress": [world["task"].pk],
        "api-task-completion": [world["task"].pk],
        "api-task-extension": [world["task"].pk],
        "api-task-accept": [world["task"].pk],
        "api-edxml-status-collect": [world["status_package"].pk],
        "api-report-detail": [world["issued"].pk],
        "api-report-file": [world["issued"].pk, "pdf"],
        "webhook_detail": [world["webhook"].pk],
        "webhook_toggle": [world["webhook"].pk],
        "webhook_secret": [world["webhook"].pk],
        "webhook_ping": [world["webhook"].pk],
        "webhook_resend": [world["delivery"].pk],
    }
    return reverse(name, args=pattern_args.get(name, []))


CASES = [(name, role, method) for name in EXPECTED for role in ROLES for method in ("get", "post")]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role", "method"), CASES)
def test_every_url_for_every_role(world: dict[str, Any], name: str, role: str, method: str) -> None:
    client = Client()
    if role != "anonymous":
        client.force_login(world["people"][role])
    url = url_for(name, world)
    data = (
        {"version": Task.objects.get(pk=world["task"].pk).version} if name == "task_action" else {}
    )
    response = client.get(url) if method == "get" else client.post(url, data)
    expected = EXPECTED[name][role][0 if method == "get" else 1]
    assert outcome(response) == expected, (
        f"{method.upper()} {url} as {role}: {response.status_code}"
    )


@pytest.mark.django_db
def test_the_admin_is_for_the_office(client: Client, world: dict[str, Any]) -> None:
    people = world["people"]
    client.force_login(people["staff_a"])
    assert reverse("admin:login") in client.get("/quan-tri/")["Location"]
    from units.services import grant_office_admin

    grant_office_admin(people["office"])
    client.force_login(people["office"])
    assert client.get("/quan-tri/").status_code == 200
    assert client.get(reverse("admin:directives_task_changelist")).status_code == 200
    event = world["task"].events.first()
    # The timeline can be read, never changed or deleted, even by the office.
    assert (
        client.get(reverse("admin:directives_taskevent_change", args=[event.pk])).status_code == 200
    )
    assert (
        client.post(
            reverse("admin:directives_taskevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert Notice.objects.count() == 2  # the world's two notices, none deleted


@pytest.mark.django_db
def test_the_admin_never_deletes_a_task_or_notice_and_keeps_notice_history(
    client: Client, world: dict[str, Any]
) -> None:
    from directives.models import NoticeRevision
    from units.services import grant_office_admin

    office = world["people"]["office"]
    grant_office_admin(office)
    client.force_login(office)
    task, notice = world["task"], world["notice"]
    for name, obj in (("task", task), ("notice", notice)):
        url = reverse(f"admin:directives_{name}_delete", args=[obj.pk])
        assert client.post(url, {"post": "yes"}).status_code == 403
    assert Task.objects.filter(pk=task.pk).exists() and Notice.objects.filter(pk=notice.pk).exists()

    # A header corrected in the admin is kept in the notice's history, as on the notice page.
    page = client.get(reverse("admin:directives_notice_change", args=[notice.pk]))
    form = page.context["adminform"].form
    data = {
        name: form.initial.get(name) if form.initial.get(name) is not None else ""
        for name in form.fields
    }
    data["issued_on"] = notice.issued_on.isoformat()
    data["meeting_on"] = notice.meeting_on.isoformat() if notice.meeting_on else ""
    data["title"] = "Trích yếu đã sửa trong trang quản trị"
    for prefix in ("sections", "tasks"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    response = client.post(reverse("admin:directives_notice_change", args=[notice.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    revision = NoticeRevision.objects.get(notice=notice)
    assert revision.actor == office
    assert revision.changes["title"][1] == "Trích yếu đã sửa trong trang quản trị"


@pytest.mark.django_db
def test_the_office_cannot_raise_itself_or_anyone_above_its_rights(
    client: Client, world: dict[str, Any]
) -> None:
    from units.services import grant_office_admin

    office = world["people"]["office"]
    staff = world["people"]["staff_a"]
    grant_office_admin(office)
    root = User.objects.create_superuser(
        "root", "root@example.gov.vn", "an old secret 1", role=User.Role.OFFICE
    )
    client.force_login(office)

    # The admin's account form offers no rights above the office's own …
    page = client.get(reverse("admin:units_user_change", args=[office.pk])).content.decode()
    assert 'name="is_active"' in page
    for field in ("is_superuser", "is_staff", "groups", "user_permissions"):
        assert f'name="{field}"' not in page
    # … and a forged post of them changes nothing.
    form = {
        "username": office.username,
        "full_name": office.full_name,
        "role": office.role,
        "is_active": "on",
        "is_superuser": "on",
        "is_staff": "on",
        "date_joined_0": "2023-01-01",
        "date_joined_1": "00:00:00",
    }
    for target in (office, staff):
        client.post(
            reverse("admin:units_user_change", args=[target.pk]),
            {**form, "username": target.username, "role": target.role},
        )
        target.refresh_from_db()
        assert not target.is_superuser
    staff.refresh_from_db()
    assert not staff.is_staff
    # A superuser's account is beyond the office: not in the admin, not on the account page.
    read_only = client.get(reverse("admin:units_user_change", args=[root.pk])).content.decode()
    assert 'name="username"' not in read_only  # shown, not editable
    assert (
        client.post(
            reverse("admin:units_user_change", args=[root.pk]), {**form, "username": "root"}
        ).status_code
        == 403
    )
    assert client.post(
        reverse("admin:auth_user_password_change", args=[root.pk]),
        {"password1": "taken over 123", "password2": "taken over 123"},
    ).status_code in (302, 403)
    assert client.get(reverse("account_edit", args=[root.pk])).status_code == 403
    response = client.post(
        reverse("account_edit", args=[root.pk]),
        {"username": "root", "role": "office", "password": "taken over 123", "is_active": "on"},
    )
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.check_password("an old secret 1") and root.is_superuser
