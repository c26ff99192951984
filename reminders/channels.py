"""Turning a digest into an e-mail or an SMS."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from directives.models import Task
from reports.queries import UnitRow, per_unit
from units.text import strip_accents

from . import sms
from .models import Channel, ReminderDigest


@dataclass(frozen=True)
class Line:
    label: str
    task: Task
    url: str


@dataclass
class DigestContent:
    overdue: list[Line] = field(default_factory=list)
    upcoming: list[Line] = field(default_factory=list)
    for_office: list[Line] = field(default_factory=list)
    summary: list[UnitRow] | None = None

    @property
    def count(self) -> int:
        return len(self.overdue) + len(self.upcoming) + len(self.for_office)


def absolute(path: str) -> str:
    return settings.DONDOC_BASE_URL.rstrip("/") + path


def content(digest: ReminderDigest) -> DigestContent:
    result = DigestContent()
    items = digest.items.select_related("task__notice", "task__lead_unit").order_by("pk")
    for item in items:
        if item.task is None:
            overdue = Task.objects.overdue(digest.day)
            rows = per_unit(overdue, digest.day)
            result.summary = [row for row in rows if row.counts.open_overdue][:20]
            continue
        if item.step.startswith("step-"):
            late = int(item.step.removeprefix("step-")) > 0
            target = result.overdue if late else result.upcoming
        else:
            target = result.for_office
        target.append(Line(item.label, item.task, absolute(item.task.get_absolute_url())))
    return result


def send(digest: ReminderDigest) -> None:
    if digest.channel == Channel.EMAIL:
        send_email(digest)
    elif digest.channel == Channel.SMS:
        send_sms(digest)
    else:
        raise ValueError(f"Unknown channel {digest.channel!r}")


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
    )
    message.attach_alternative(render_to_string("emails/reminder-body.html", context), "text/html")
    message.send()


def send_sms(digest: ReminderDigest) -> None:
    body = content(digest)
    parts = []
    if body.overdue:
        parts.append(f"{len(body.overdue)} nhiệm vụ quá hạn")
    if body.upcoming:
        parts.append(f"{len(body.upcoming)} nhiệm vụ sắp/đến hạn")
    if body.for_office:
        parts.append(f"{len(body.for_office)} việc chờ Văn phòng")
    if body.summary:
        parts.append(
            f"{sum(r.counts.open_overdue for r in body.summary)} nhiệm vụ quá hạn toàn huyện"
        )
    text = (
        f"Đôn đốc {digest.day:%d/%m}: " + ", ".join(parts) + f". Xem: {absolute(reverse('home'))}"
    )
    # Without accents an SMS segment holds 160 characters instead of 70.
    sms.send(digest.recipient.phone, strip_accents(text))
