"""Turning a digest into an e-mail or an SMS."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from core.text import strip_accents
from directives.models import Task
from reports.queries import UnitRow, per_unit

from . import sms
from .models import Channel, ReminderDigest, ReminderItem


@dataclass(frozen=True)
class Line:
    label: str
    task: Task
    url: str


# A digest lists this many tasks per section; beyond them it gives the count and a link to the
# filtered task list (at province scale the office waits on tens of thousands of tasks).
DIGEST_LINES = 30
SECTION_LINKS = {
    "overdue": "?timeliness=overdue",
    "upcoming": "?timeliness=due_soon",
    "for_office": "?status=awaiting",
    "to_receive": "?receipt=late",
    "for_head": "?status=awaiting",
}


@dataclass
class DigestContent:
    overdue: list[Line] = field(default_factory=list)
    upcoming: list[Line] = field(default_factory=list)
    for_office: list[Line] = field(default_factory=list)
    to_receive: list[Line] = field(default_factory=list)
    for_head: list[Line] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SECTION_LINKS, 0))
    summary: list[UnitRow] | None = None

    @property
    def count(self) -> int:
        return sum(self.totals.values())

    def more(self, section: str) -> int:
        return self.totals[section] - len(getattr(self, section))

    @property
    def overdue_more(self) -> int:
        return self.more("overdue")

    @property
    def upcoming_more(self) -> int:
        return self.more("upcoming")

    @property
    def for_office_more(self) -> int:
        return self.more("for_office")

    @property
    def for_head_more(self) -> int:
        return self.more("for_head")

    @property
    def to_receive_more(self) -> int:
        return self.more("to_receive")

    @property
    def links(self) -> dict[str, str]:
        base = absolute(reverse("task_list"))
        return {section: base + query for section, query in SECTION_LINKS.items()}


def absolute(path: str) -> str:
    return settings.DONDOC_BASE_URL.rstrip("/") + path


def section_of(step: str) -> str:
    """Which part of a digest an item of `step` belongs to (summary items: "summary")."""
    if step == "weekly-overdue":
        return "summary"
    if step.startswith("p") and ":" in step:  # a recurring duty's period report
        step = step.partition(":")[2]
    if step.startswith("step-"):
        return "overdue" if int(step.removeprefix("step-")) > 0 else "upcoming"
    if step in ("manual", "manual-late"):  # the office's "Nhắc ngay"
        return "overdue" if step == "manual-late" else "upcoming"
    if step == "not-received":
        return "to_receive"
    if step == "head-review":
        return "for_head"
    if step.startswith("support-"):  # a support unit asked for its part
        return "overdue" if step.startswith("support-late-") else "upcoming"
    return "for_office"


def content(digest: ReminderDigest) -> DigestContent:
    """What a digest says: the first tasks of each section, the counts of all (two queries)."""
    result = DigestContent()
    shown: list[int] = []
    for pk, step, task_id in digest.items.order_by("pk").values_list("pk", "step", "task_id"):
        if task_id is None:
            overdue = Task.objects.overdue(digest.day)
            rows = per_unit(overdue, digest.day)
            result.summary = [row for row in rows if row.counts.open_overdue][:20]
            continue
        section = section_of(step)
        result.totals[section] += 1
        if result.totals[section] <= DIGEST_LINES:
            shown.append(pk)
    items = (
        ReminderItem.objects.filter(pk__in=shown)
        .select_related("task__notice", "task__lead_unit")
        .order_by("pk")
    )
    for item in items:
        assert item.task is not None
        lines: list[Line] = getattr(result, section_of(item.step))
        lines.append(Line(item.label, item.task, absolute(item.task.get_absolute_url())))
    return result


def send(digest: ReminderDigest) -> None:
    if digest.channel == Channel.EMAIL:
        send_email(digest)
    elif digest.channel == Channel.SMS:
        send_sms(digest)
    else:
        raise ValueError(f"Unknown channel {digest.channel!r}")


def message_id(digest: ReminderDigest) -> str:
    host = urlsplit(settings.DONDOC_BASE_URL).hostname or "dondoc.local"
    return f"<{digest.idempotency_key}@{host}>"


def send_email(digest: ReminderDigest) -> None:
    body = content(digest)
    context = {
        "digest": digest,
        "user": digest.recipient,
        "content": body,
        "tasks_url": absolute(reverse("task_list")),
        "dashboard_url": absolute(reverse("dashboard")),
    }
    subject = render_to_string("emails/reminder-subject.txt", context).strip()
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string("emails/reminder-body.txt", context),
        to=[digest.recipient.email],
        # The same for every attempt: a repeat after a lost acknowledgement is one message.
        headers={"Message-ID": message_id(digest)},
    )
    message.attach_alternative(render_to_string("emails/reminder-body.html", context), "text/html")
    message.send()


def send_sms(digest: ReminderDigest) -> None:
    body = content(digest)
    parts = []
    if body.totals["overdue"]:
        parts.append(f"{body.totals['overdue']} nhiệm vụ quá hạn")
    if body.totals["upcoming"]:
        parts.append(f"{body.totals['upcoming']} nhiệm vụ sắp/đến hạn")
    if body.totals["for_head"]:
        parts.append(f"{body.totals['for_head']} báo cáo chờ lãnh đạo đơn vị duyệt")
    if body.totals["to_receive"]:
        parts.append(f"{body.totals['to_receive']} nhiệm vụ chưa tiếp nhận")
    if body.totals["for_office"]:
        parts.append(f"{body.totals['for_office']} việc chờ Văn phòng")
    if body.summary:
        parts.append(
            f"{sum(r.counts.open_overdue for r in body.summary)} nhiệm vụ quá hạn toàn huyện"
        )
    text = (
        f"Đôn đốc {digest.day:%d/%m}: " + ", ".join(parts) + f". Xem: {absolute(reverse('home'))}"
    )
    # Without accents an SMS segment holds 160 characters instead of 70.
    sms.send(digest.recipient.phone, strip_accents(text), key=digest.idempotency_key)
