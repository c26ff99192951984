"""A task's timeline on its page (directives/templatetags/timeline.py): what each kind of row
says beside its kind, escaped, and the office's objective-cause form where it belongs."""

from __future__ import annotations

import re
from datetime import date, datetime
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from directives.models import Attachment, ObjectiveCause, Task, TaskEvent
from tests.conftest import LOCAL, on_day
from units.models import Unit, User

pytestmark = pytest.mark.django_db

# Each row's kind and data, and the line the page shows for it.
ROWS = [
    (
        "person_assigned",
        {"assignee": ["Lê Văn A", "Trần Thị <B>"], "helpers": ["Hà", "Minh & Co"]},
        "Lê Văn A → Trần Thị <B>; cùng thực hiện: Hà, Minh & Co",
    ),
    ("person_assigned", {"assignee": [None, "Trần Thị B"]}, "Trần Thị B"),
    ("reminded", {"people": ["Lê Văn A", "Trần Thị B"]}, "Đã nhắc: Lê Văn A, Trần Thị B"),
    (
        "support_asked",
        {"unit": "Phòng Tư pháp", "due_on": "2023-10-25"},
        "Gửi Phòng Tư pháp, hạn 25/10/2023",
    ),
    (
        "period_reported",
        {"period": "tháng 9/2023", "due_on": "2023-09-20", "late": True},
        "Kỳ tháng 9/2023 (hạn 20/09/2023) · trễ hạn",
    ),
    ("reassigned", {"changes": {"lead_unit": ["Phòng A", "Phòng B"]}}, "Phòng A → Phòng B"),
    ("handed_back", {"proposed_unit": "Phòng Tư pháp"}, "Đề xuất giao: Phòng Tư pháp"),
    (
        "completion_reported",
        {"document_number": "215/QĐ-UBND", "document_date": "2023-10-19"},
        "Văn bản kết quả: số 215/QĐ-UBND ngày 19/10/2023",
    ),
    (
        "extension_requested",
        {"proposed_deadline": "2023-11-30", "after_deadline": True},
        "Đề nghị gia hạn đến 30/11/2023 · đề nghị sau thời hạn",
    ),
    (
        "extension_approved",
        {"deadline": "2023-11-15", "proposed_deadline": "2023-11-30"},
        "Thời hạn mới: 15/11/2023 (đơn vị đề nghị 30/11/2023)",
    ),
    (
        "extension_approved",
        {"deadline": "2023-11-30", "proposed_deadline": "2023-11-30"},
        "Thời hạn mới: 30/11/2023",
    ),
]


def shown_lines(html: str) -> list[str]:
    """The timeline's text, a line per block element, as a reader sees it."""
    timeline = html[html.index('id="timeline-heading"') :]
    timeline = re.sub(r"\s+", " ", timeline[: timeline.index("</ol>")])
    # Block elements end a line; inline ones (a, span, strong, i) run on.
    blocks = r"</?(?:div|li|ul|ol|p|h2|summary|details|form|label|button)\b[^>]*>"
    text = re.sub(r"<[^>]+>", "", re.sub(blocks, "\n", timeline))
    return [
        unescape(re.sub(r"\s+", " ", line)).strip() for line in text.split("\n") if line.strip()
    ]


def test_each_kind_of_row_says_what_its_data_holds(
    client: Client, task: Task, office: User, staff_a: User, unit_a: Unit
) -> None:
    at = datetime(2023, 10, 20, 14, 5, tzinfo=LOCAL)
    for kind, data, _ in ROWS:
        TaskEvent.objects.create(
            task=task, kind=kind, actor=staff_a, unit=unit_a, data=data, created_at=at
        )
    noted = TaskEvent.objects.create(
        task=task,
        kind="progress",
        actor=staff_a,
        created_at=at,
        status_from="assigned",
        status_to="in_progress",
        progress=40,
        note="<script>alert(1)</script> & xong",
    )
    Attachment.objects.create(event=noted, file="x/y.pdf", name="minh <chứng>.pdf", size=2048)
    with on_day(date(2023, 10, 21)):
        client.force_login(staff_a)
        html = client.get(reverse("task_detail", args=[task.pk])).content.decode()
    lines = shown_lines(html)
    for _, _, expected in ROWS:
        assert expected in lines, expected
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; xong" in html
    assert any(line.endswith(": Mới giao → Đang thực hiện 40%") for line in lines)
    assert "minh <chứng>.pdf (2,0 KB)" in lines
    assert f"20/10/2023 14:05 · {staff_a} ({unit_a.display_name})" in lines
    assert "Ghi nhận nguyên nhân khách quan" not in html  # no return yet, and not the office


def test_the_office_records_an_objective_cause_on_a_return_and_sees_it_after(
    client: Client, task: Task, office: User, staff_a: User
) -> None:
    returned = TaskEvent.objects.create(task=task, kind="returned", actor=office, data={})
    TaskEvent.objects.create(task=task, kind="accepted", actor=office, data={})
    client.force_login(office)
    html = client.get(reverse("task_detail", args=[task.pk])).content.decode()
    # On the return only (an on-time acceptance has no cause to record), with its token.
    assert html.count("Ghi nhận nguyên nhân khách quan</summary>") == 1
    form = html[html.index(reverse("objective_cause", args=[task.pk, returned.pk])) :]
    assert 'name="csrfmiddlewaretoken"' in form[: form.index("</form>")]
    ObjectiveCause.objects.create(event=returned, note="Chờ văn bản <của> Sở", marked_by=office)
    lines = shown_lines(client.get(reverse("task_detail", args=[task.pk])).content.decode())
    assert "Nguyên nhân khách quan (Văn phòng ghi nhận): Chờ văn bản <của> Sở" in lines
    client.force_login(staff_a)
    assert (
        "Ghi nhận nguyên nhân khách quan"
        not in client.get(reverse("task_detail", args=[task.pk])).content.decode()
    )
