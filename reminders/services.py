"""The daily reminder job: plan what is due for whom, record it, deliver each digest once.

`plan` only reads. `record` writes the digests and their items under the uniqueness rules, so
running it twice, or from two schedulers at once, adds nothing; what is planned after a digest
went out goes into the day's next digest. `deliver` claims a digest by moving it to sending, with
a lease, in one conditional UPDATE before it sends anything, so two workers never both hold it;
it is marked sent only after its channel accepted it. A failure is tried again with backoff over
hours; the sweeper (`due_for_delivery`, every few minutes) hands the queue again whatever was
lost: a message the broker dropped, a digest a dead worker held, a retry that never ran. Each
digest carries one idempotency key for all its attempts, which the e-mail (Message-ID) and the SMS
gateway (request id) use to drop a repeat. docs/operations.md says what is promised.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import islice

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from core.workdays import WorkdayIndex, add_working_days, is_working_day
from directives.models import ExtensionRequest, Notification, Task
from units.access import require_office
from units.models import User

from . import channels
from .models import Channel, ReminderDigest, ReminderItem, ReminderStep

logger = logging.getLogger(__name__)

AWAITING = "awaiting"
EXTENSION = "extension"
WEEKLY_SUMMARY = "weekly-overdue"


@dataclass(frozen=True)
class Planned:
    task_id: int | None
    step: str
    label: str


@dataclass
class Plan:
    day: date
    items: dict[int, list[Planned]] = field(default_factory=lambda: defaultdict(list))

    def add(self, recipients: Iterable[int], item: Planned) -> None:
        for recipient in recipients:
            self.items[recipient].append(item)

    @property
    def recipients(self) -> int:
        return len(self.items)

    @property
    def item_count(self) -> int:
        return sum(len(v) for v in self.items.values())


def _label(offset: int, deadline: date) -> str:
    if offset < 0:
        return f"Còn {-offset} ngày làm việc đến hạn ({deadline:%d/%m/%Y})"
    if offset == 0:
        return f"Đến hạn ({deadline:%d/%m/%Y})"
    return f"Quá hạn {offset} ngày làm việc (hạn {deadline:%d/%m/%Y})"


def _members() -> tuple[dict[int, list[int]], dict[int, list[int]], list[int], list[int]]:
    staff: dict[int, list[int]] = defaultdict(list)
    heads: dict[int, list[int]] = defaultdict(list)
    office: list[int] = []
    leaders: list[int] = []
    people = User.objects.filter(is_active=True).values_list("pk", "role", "unit_id")
    for pk, role, unit_id in people:
        if role == User.Role.STAFF and unit_id:
            staff[unit_id].append(pk)
        elif role == User.Role.HEAD and unit_id:
            heads[unit_id].append(pk)
        elif role == User.Role.OFFICE:
            office.append(pk)
        elif role == User.Role.LEADER:
            leaders.append(pk)
    return staff, heads, office, leaders


def _first_working_day_of_week(day: date) -> bool:
    monday = day - timedelta(days=day.weekday())
    first = monday
    while first < day and not is_working_day(first):
        first += timedelta(days=1)
    return first == day


Chunk = list[tuple[Iterable[int], Planned]]
CHUNK_TASKS = 5000


def plan_chunks(day: date) -> Iterator[Chunk]:
    """Who gets reminded of what on `day`, a few thousand tasks at a time (memory stays flat).

    Nothing on a weekend or a public holiday.
    """
    if not is_working_day(day):
        return
    steps = list(ReminderStep.objects.filter(is_active=True))
    staff, heads, office, leaders = _members()

    if steps:
        earliest_step = min(step.offset for step in steps)
        latest_deadline = add_working_days(day, max(0, -earliest_step))
        running = Task.objects.filter(
            status__in=[Task.Status.ASSIGNED, Task.Status.IN_PROGRESS],
            deadline__isnull=False,
            deadline__lte=latest_deadline,
        )
        if not any(step.offset > 0 or step.repeat_every for step in steps):
            running = running.filter(deadline__gte=day)  # no step reaches overdue tasks
        earliest = running.aggregate(first=Min("deadline"))["first"]
        if earliest is not None:
            index = WorkdayIndex(day, earliest, latest_deadline)
            rows = running.order_by().values_list("pk", "deadline", "lead_unit_id")
            chunk: Chunk = []
            for pk, deadline, unit_id in rows.iterator(chunk_size=CHUNK_TASKS):
                assert deadline is not None  # filtered above
                offset = index.offset(deadline)
                for step in steps:
                    if not step.fires_at(offset):
                        continue
                    recipients: list[int] = []
                    if step.to_staff:
                        recipients += staff.get(unit_id, [])
                    if step.to_head:
                        recipients += heads.get(unit_id, [])
                    if step.to_office:
                        recipients += office
                    chunk.append((set(recipients), Planned(pk, step.key, _label(offset, deadline))))
                if len(chunk) >= CHUNK_TASKS:
                    yield chunk
                    chunk = []
            if chunk:
                yield chunk

    waiting = Task.objects.filter(status=Task.Status.AWAITING_ACCEPTANCE).values_list(
        "pk", flat=True
    )
    pending = ExtensionRequest.objects.filter(status=ExtensionRequest.Status.PENDING)
    for query, kind, label in (
        (waiting, AWAITING, "Chờ Văn phòng xác nhận hoàn thành"),
        (pending.values_list("task_id", flat=True), EXTENSION, "Đề nghị gia hạn chờ quyết định"),
    ):
        ids = query.iterator(chunk_size=CHUNK_TASKS)
        while batch := list(islice(ids, CHUNK_TASKS)):
            yield [(office, Planned(pk, kind, label)) for pk in batch]

    if leaders and _first_working_day_of_week(day) and Task.objects.overdue(day).exists():
        yield [(leaders, Planned(None, WEEKLY_SUMMARY, "Tổng hợp nhiệm vụ quá hạn theo đơn vị"))]


def plan(day: date) -> Plan:
    """The whole plan of `day` in memory: for dry runs and tests (the job streams it)."""
    result = Plan(day=day)
    for chunk in plan_chunks(day):
        for recipients, item in chunk:
            result.add(recipients, item)
    return result


def channels_for(user: User) -> list[str]:
    """Everyone gets in-app reminders; e-mail and SMS when chosen and possible."""
    chosen = [Channel.IN_APP.value]
    if user.notify_by_email and user.email:
        chosen.append(Channel.EMAIL.value)
    if user.notify_by_sms and user.phone:
        chosen.append(Channel.SMS.value)
    return chosen


@dataclass
class Recorded:
    recipients: int = 0
    items: int = 0  # (person, task, step) reminders planned, whatever the channels
    new_items: int = 0  # lines written to digests by this run (a rerun writes none)
    digest_ids: list[int] = field(default_factory=list)  # still to deliver
    already: int = 0  # the day's digests of these people already sent or being sent


_OPEN = (ReminderDigest.Status.PENDING, ReminderDigest.Status.FAILED)


def record_chunks(day: date, chunks: Iterable[Chunk]) -> Recorded:
    """Write the day's digests and items as the plan streams in, in one transaction.

    Each person's digests are found or opened the first time a chunk names them; items are
    inserted a batch at a time, so memory holds one chunk, never the day. A digest already sent
    (or being sent) takes no more items: the day's next digest of that person and channel does,
    without the items the earlier ones carried.
    """
    digests: dict[int, list[int]] = {}
    opened: set[int] = set()
    result = Recorded()
    with transaction.atomic():
        before = ReminderItem.objects.filter(digest__day=day).count()
        for chunk in chunks:
            new = {pk for recipients, _ in chunk for pk in recipients} - digests.keys()
            if new:
                opened |= _open_digests(day, new, digests)
            result.items += sum(len(set(recipients)) for recipients, _ in chunk)
            items = (
                ReminderItem(
                    digest_id=digest_id, task_id=item.task_id, step=item.step, label=item.label
                )
                for recipients, item in chunk
                for pk in recipients
                for digest_id in digests.get(pk, ())
            )
            while batch := list(islice(items, 5000)):
                ReminderItem.objects.bulk_create(batch, ignore_conflicts=True)
        if opened:
            _drop_repeats(day, opened)
        result.new_items = ReminderItem.objects.filter(digest__day=day).count() - before
    rows = ReminderDigest.objects.filter(
        Exists(ReminderItem.objects.filter(digest=OuterRef("pk"))),
        day=day,
        recipient_id__in=list(digests),
    ).values_list("pk", "status")
    for digest_id, status in rows:
        if status in _OPEN:
            result.digest_ids.append(digest_id)
        else:
            result.already += 1
    result.recipients = sum(1 for held in digests.values() if held)
    return result


def _open_digests(day: date, people: set[int], digests: dict[int, list[int]]) -> set[int]:
    """Find or open the digest each of `people` takes items into today, per channel; returns
    the ids of digests opened after an earlier one of the day had gone out."""
    users = User.objects.in_bulk(list(people))
    # Per person and channel, the day's latest digest and whether it still takes items (not
    # sent, not being sent, not given up after MAX_ATTEMPTS).
    latest: dict[tuple[int, str], tuple[int, bool]] = {}
    rows = ReminderDigest.objects.filter(day=day, recipient_id__in=list(users)).values_list(
        "recipient_id", "channel", "sequence", "status", "attempts"
    )
    for recipient_id, channel, sequence, status, attempts in rows:
        known = latest.get((recipient_id, channel))
        if known is None or sequence > known[0]:
            takes = status in _OPEN and attempts < MAX_ATTEMPTS
            latest[(recipient_id, channel)] = (sequence, takes)
    wanted = []
    for pk, user in users.items():
        for channel in channels_for(user):
            known = latest.get((pk, channel))
            if known is None:
                wanted.append(ReminderDigest(recipient_id=pk, day=day, channel=channel))
            elif not known[1]:
                wanted.append(
                    ReminderDigest(recipient_id=pk, day=day, channel=channel, sequence=known[0] + 1)
                )
    ReminderDigest.objects.bulk_create(wanted, ignore_conflicts=True, batch_size=2000)
    for pk in people:
        digests.setdefault(pk, [])
    later: set[int] = set()
    taking = ReminderDigest.objects.filter(
        day=day, recipient_id__in=list(users), status__in=_OPEN, attempts__lt=MAX_ATTEMPTS
    ).values_list("pk", "recipient_id", "sequence")
    for digest_id, recipient_id, sequence in taking:
        digests[recipient_id].append(digest_id)
        if sequence:
            later.add(digest_id)
    return later


def _drop_repeats(day: date, later: set[int]) -> None:
    """Take out of the day's later digests what an earlier digest already carried, then drop
    the later digests left empty (everything in them had gone out already)."""
    earlier = ReminderItem.objects.filter(
        digest__day=day,
        digest__recipient_id=OuterRef("digest__recipient_id"),
        digest__channel=OuterRef("digest__channel"),
        digest__sequence__lt=OuterRef("digest__sequence"),
        step=OuterRef("step"),
    )
    repeats = ReminderItem.objects.filter(digest_id__in=later).filter(
        Exists(earlier.filter(task_id=OuterRef("task_id")))
        | Q(task__isnull=True) & Exists(earlier.filter(task__isnull=True))
    )
    ReminderItem.objects.filter(pk__in=list(repeats.values_list("pk", flat=True))).delete()
    ReminderDigest.objects.filter(pk__in=later, items__isnull=True).delete()


def record(planned: Plan) -> list[int]:
    """Write a whole plan's digests and items; returns the digests still to be delivered."""
    chunk: Chunk = [((pk,), item) for pk, items in planned.items.items() for item in items]
    return record_chunks(planned.day, [chunk] if chunk else []).digest_ids


# --- delivery: at least once, and the channel drops a repeat by the digest's key -----------

# A worker holds a digest while it sends it; longer than any send may take (the task's time
# limit), after which the digest is taken again (its worker died). DONDOC_REMINDER_LEASE_SECONDS.
LEASE = timedelta(seconds=settings.DONDOC_REMINDER_LEASE_SECONDS)
# Failed sends are tried again after 1, 2, 4 … minutes, at most an hour apart, this many times
# in all (about six hours), then left for the office's "Gửi lại".
MAX_ATTEMPTS = 12
# A pending digest handed to the queue this long ago and not taken: the message was lost.
# DONDOC_REMINDER_REQUEUE_SECONDS.
REQUEUE_AFTER = timedelta(seconds=settings.DONDOC_REMINDER_REQUEUE_SECONDS)
# The sweeper looks this many days back: older reminders are no longer worth sending.
SWEEP_DAYS = settings.DONDOC_REMINDER_SWEEP_DAYS


def retry_delay(attempts: int) -> timedelta:
    base = max(1, int(settings.DONDOC_REMINDER_RETRY_BACKOFF))
    return timedelta(seconds=min(3600, base * 2 ** max(0, attempts - 1)))


class DeliveryError(Exception):
    """A channel refused or failed to take a digest; it is tried again at `retry_at`."""

    def __init__(self, message: str, *, retry_at: dt.datetime | None) -> None:
        super().__init__(message)
        self.retry_at = retry_at


def _claimable(now: dt.datetime) -> Q:
    """Pending, or failed and due again, or held by a worker whose lease ran out."""
    return (
        Q(status__in=_OPEN, attempts__lt=MAX_ATTEMPTS)
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    ) | Q(status=ReminderDigest.Status.SENDING, lease_until__lt=now)


def deliver(digest_id: int) -> str:
    """Send one digest if it is ours to send: "sent", or "already" (sent, held by another
    worker, or not due yet). A failure raises DeliveryError with when to try again."""
    now = timezone.now()
    claim = ReminderDigest.objects.filter(Q(pk=digest_id) & _claimable(now))
    channel = ReminderDigest.objects.filter(pk=digest_id).values_list("channel", flat=True).first()
    if channel is None:
        return "already"
    taken = {
        "status": ReminderDigest.Status.SENDING,
        "attempts": F("attempts") + 1,
        "lease_until": now + LEASE,
    }
    if channel == Channel.IN_APP:
        # In-app delivery is a database write: claim, write and mark sent in one transaction.
        with transaction.atomic():
            if not claim.update(**taken):
                return "already"
            digest = ReminderDigest.objects.select_related("recipient").get(pk=digest_id)
            _write_in_app(digest)
            _mark_sent(digest_id)
        return "sent"

    if not claim.update(**taken):
        return "already"
    digest = ReminderDigest.objects.select_related("recipient__unit").get(pk=digest_id)
    try:
        channels.send(digest)
    except Exception as error:
        retry_at = (
            timezone.now() + retry_delay(digest.attempts)
            if digest.attempts < MAX_ATTEMPTS
            else None
        )
        ReminderDigest.objects.filter(pk=digest_id).update(
            status=ReminderDigest.Status.FAILED,
            last_error=f"{type(error).__name__}: {error}"[:2000],
            lease_until=None,
            next_attempt_at=retry_at,
        )
        logger.warning(
            "Reminder digest %s (%s) failed (attempt %s): %s",
            digest_id,
            digest.channel,
            digest.attempts,
            type(error).__name__,
        )
        raise DeliveryError(str(error), retry_at=retry_at) from error
    _mark_sent(digest_id)
    return "sent"


def due_for_delivery(now: dt.datetime | None = None) -> QuerySet[ReminderDigest]:
    """What the sweeper hands to the queue again: pending digests whose message never came,
    failed ones due for their next attempt, and those a dead worker held."""
    now = now or timezone.now()
    since = timezone.localdate(now) - timedelta(days=SWEEP_DAYS)
    lost = Q(status=ReminderDigest.Status.PENDING) & (
        Q(queued_at__isnull=True, created_at__lt=now - REQUEUE_AFTER)
        | Q(queued_at__lt=now - REQUEUE_AFTER)
    )
    again = Q(
        status=ReminderDigest.Status.FAILED, attempts__lt=MAX_ATTEMPTS, next_attempt_at__lte=now
    )
    abandoned = Q(status=ReminderDigest.Status.SENDING, lease_until__lt=now)
    return ReminderDigest.objects.filter(Q(day__gte=since) & (lost | again | abandoned))


def mark_queued(digest_ids: Iterable[int]) -> None:
    ReminderDigest.objects.filter(pk__in=list(digest_ids)).update(queued_at=timezone.now())


def stuck_digests() -> QuerySet[ReminderDigest]:
    """Digests that need the office: tried MAX_ATTEMPTS times without success, or left
    "sending" past the lease (the sweeper takes those again; still shown until it has)."""
    now = timezone.now()
    return ReminderDigest.objects.filter(
        Q(status=ReminderDigest.Status.FAILED, attempts__gte=MAX_ATTEMPTS)
        | Q(status=ReminderDigest.Status.SENDING, lease_until__lt=now)
    )


def resend(*, actor: User, digest: ReminderDigest) -> ReminderDigest:
    """The office's "Gửi lại": a digest not sent is tried again now, with a fresh budget.

    The same digest and key: where the channel honours the key, a copy that did arrive is
    not shown twice.
    """
    require_office(actor, "Chỉ Văn phòng được gửi lại nhắc việc.")
    with transaction.atomic():
        digest = ReminderDigest.objects.select_for_update().get(pk=digest.pk)
        if digest.status == ReminderDigest.Status.SENT:
            raise ValidationError("Lượt nhắc này đã gửi xong; không gửi lại.", code="sent")
        if digest.status == ReminderDigest.Status.SENDING and (
            digest.lease_until is None or digest.lease_until >= timezone.now()
        ):
            raise ValidationError(
                "Lượt nhắc này đang được gửi; hãy xem lại sau ít phút.", code="sending"
            )
        digest.status = ReminderDigest.Status.PENDING
        digest.attempts = 0
        digest.next_attempt_at = None
        digest.lease_until = None
        digest.queued_at = timezone.now()
        digest.save(
            update_fields=["status", "attempts", "next_attempt_at", "lease_until", "queued_at"]
        )
    return digest


def _mark_sent(digest_id: int) -> None:
    ReminderDigest.objects.filter(pk=digest_id).update(
        status=ReminderDigest.Status.SENT, sent_at=timezone.now(), last_error="", lease_until=None
    )


SECTION_MESSAGES = {
    "overdue": "{} nhiệm vụ quá hạn",
    "upcoming": "{} nhiệm vụ sắp đến hạn hoặc đến hạn",
    "for_office": "{} việc chờ Văn phòng xử lý (xác nhận hoàn thành, gia hạn)",
}


def _write_in_app(digest: ReminderDigest) -> None:
    """One notification per task; beyond a screenful, one per section with its count."""
    items = list(digest.items.values_list("task_id", "label", "step"))
    per_task: list[tuple[int | None, str]] = [
        (task_id, label) for task_id, label, _ in items if task_id is not None
    ]
    if len(per_task) > channels.DIGEST_LINES:
        counts: dict[str, int] = defaultdict(int)
        for _, _, step in items:
            counts[channels.section_of(step)] += 1
        per_task = [
            (None, SECTION_MESSAGES[section].format(count))
            for section, count in counts.items()
            if section in SECTION_MESSAGES
        ]
    summaries: list[tuple[int | None, str]] = [
        (None, label) for task_id, label, _ in items if task_id is None
    ]
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=digest.recipient_id,
                task_id=task_id,
                message=f"Nhắc việc: {label}"[:300],
            )
            for task_id, label in per_task + summaries
        ]
    )


@dataclass
class RunResult:
    day: date
    planned_recipients: int = 0
    planned_items: int = 0
    new_items: int = 0
    sent: int = 0
    already_sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "day": self.day.isoformat(),
            "recipients": self.planned_recipients,
            "items": self.planned_items,
            "new_items": self.new_items,
            "sent": self.sent,
            "already_sent": self.already_sent,
            "failed": self.failed,
        }


def run_day(day: date) -> RunResult:
    """Plan, record and deliver the day's reminders here and now (the command's way)."""
    recorded = record_chunks(day, plan_chunks(day))
    result = RunResult(
        day=day,
        planned_recipients=recorded.recipients,
        planned_items=recorded.items,
        new_items=recorded.new_items,
        already_sent=recorded.already,
    )
    for digest_id in sorted(recorded.digest_ids):
        try:
            outcome = deliver(digest_id)
        except DeliveryError as error:
            result.failed += 1
            result.errors.append(str(error))
            continue
        if outcome == "sent":
            result.sent += 1
        else:
            result.already_sent += 1
    return result
