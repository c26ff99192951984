"""The daily reminder job: plan what is due for whom, record it, deliver each digest once.

`plan` only reads. `record` writes the digests and their items under the uniqueness rules, so
running it twice, or from two schedulers at once, adds nothing; what is planned after a digest
went out goes into the day's next digest. Delivery is `reminders.delivery`: at least once, with
one idempotency key per digest that the e-mail (Message-ID) and the SMS gateway (request id) use
to drop a repeat, and a sweeper that hands the queue again whatever was lost.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import islice
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Min, OuterRef, Q, QuerySet

from core.workdays import WorkdayIndex, add_working_days, is_working_day, latest_start_past
from directives.models import ExtensionRequest, PeriodReport, SupportRequest, Task
from directives.periods import label as period_label
from directives.services import ensure_periods
from units.models import User

from .delivery import (
    _OPEN,
    MAX_ATTEMPTS,
    DeliveryError,
    deliver,
)
from .models import Channel, ReminderDigest, ReminderItem, ReminderStep

logger = logging.getLogger(__name__)

AWAITING = "awaiting"
NOT_RECEIVED = "not-received"
HANDED_BACK = "handed-back"
HEAD_REVIEW = "head-review"
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


def _label(offset: int, deadline: date, day: date) -> str:
    """The line of a reminder: working days left before the deadline (the ladder counts those),
    and once late, the days past it as every screen and report counts them: calendar days
    (docs/domain.md §4)."""
    if offset < 0:
        return f"Còn {-offset} ngày làm việc đến hạn ({deadline:%d/%m/%Y})"
    if offset == 0:
        return f"Đến hạn ({deadline:%d/%m/%Y})"
    return f"Quá hạn {(day - deadline).days} ngày (hạn {deadline:%d/%m/%Y})"


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


def _holders(
    assignee_id: int | None,
    unit_id: int,
    staff: dict[int, list[int]],
    heads: dict[int, list[int]],
    active: set[int],
) -> list[int]:
    """Who a unit's reminder reaches first: the person responsible; while nobody holds the
    task (or its holder left), the unit's heads, who divide the work (its staff when the unit
    has no head account)."""
    if assignee_id is not None and assignee_id in active:
        return [assignee_id]
    return heads.get(unit_id) or staff.get(unit_id, [])


def _ladder_window(
    day: date, steps: list[ReminderStep], dated: QuerySet[Any], field: str
) -> tuple[QuerySet[Any], WorkdayIndex | None]:
    """The rows whose date (`field`: a deadline, a period's cut-off) some step of the ladder
    can reach on `day`, and the working-day index to place them on it (None: no such row)."""
    latest = add_working_days(day, max(0, -min(step.offset for step in steps)))
    reached = dated.filter(**{f"{field}__lte": latest})
    if not any(step.offset > 0 or step.repeat_every for step in steps):
        reached = reached.filter(**{f"{field}__gte": day})  # no step reaches past dates
    earliest = reached.aggregate(first=Min(field))["first"]
    return reached, (WorkdayIndex(day, earliest, latest) if earliest is not None else None)


def _step_recipients(
    step: ReminderStep,
    unit_id: int,
    assignee_id: int | None,
    staff: dict[int, list[int]],
    heads: dict[int, list[int]],
    active: set[int],
    office: list[int],
) -> set[int]:
    """Who one step of the ladder reaches for a task of `unit_id`."""
    recipients: set[int] = set()
    if step.to_staff:
        recipients.update(_holders(assignee_id, unit_id, staff, heads, active))
    if step.to_head:
        recipients.update(heads.get(unit_id, []))
    if step.to_office:
        recipients.update(office)
    return recipients


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
    active = {pk for members in (*staff.values(), *heads.values()) for pk in members}

    if steps:
        running, index = _ladder_window(
            day,
            steps,
            Task.objects.filter(
                status__in=[Task.Status.ASSIGNED, Task.Status.IN_PROGRESS],
                deadline__isnull=False,
            ),
            "deadline",
        )
        if index is not None:
            rows = running.order_by().values_list("pk", "deadline", "lead_unit_id", "assignee_id")
            chunk: Chunk = []
            for pk, deadline, unit_id, assignee_id in rows.iterator(chunk_size=CHUNK_TASKS):
                assert deadline is not None  # filtered above
                offset = index.offset(deadline)
                for step in steps:
                    if step.fires_at(offset):
                        recipients = _step_recipients(
                            step, unit_id, assignee_id, staff, heads, active, office
                        )
                        label = _label(offset, deadline, day)
                        chunk.append((recipients, Planned(pk, step.key, label)))
                if len(chunk) >= CHUNK_TASKS:
                    yield chunk
                    chunk = []
            if chunk:
                yield chunk

    if steps:
        yield from _period_chunks(day, steps, staff, heads, active)
    yield from _receipt_chunks(day, staff, heads, active, office)
    yield from _support_chunks(day, staff, heads, active)

    # Completion reports waiting for a unit head's review: to the unit's heads.
    reviews = (
        Task.objects.filter(status=Task.Status.AWAITING_ACCEPTANCE, awaiting_head=True)
        .order_by()
        .values_list("pk", "lead_unit_id")
        .iterator(chunk_size=CHUNK_TASKS)
    )
    while review_batch := list(islice(reviews, CHUNK_TASKS)):
        yield [
            (heads.get(unit_id, []), Planned(pk, HEAD_REVIEW, "Chờ lãnh đạo đơn vị duyệt"))
            for pk, unit_id in review_batch
        ]
    waiting = Task.objects.filter(
        status=Task.Status.AWAITING_ACCEPTANCE, awaiting_head=False
    ).values_list("pk", flat=True)
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


def _period_chunks(
    day: date,
    steps: list[ReminderStep],
    staff: dict[int, list[int]],
    heads: dict[int, list[int]],
    active: set[int],
) -> Iterator[Chunk]:
    """A recurring duty's period report is reminded like a deadline, on the same ladder, until
    it is sent; each period has its own items (`p<due>:<step>`)."""
    unreported, index = _ladder_window(
        day,
        steps,
        PeriodReport.objects.filter(
            reported_on__isnull=True,
            task__status__in=[Task.Status.ASSIGNED, Task.Status.IN_PROGRESS],
        ),
        "due_on",
    )
    if index is None:
        return
    rows = unreported.order_by().values_list(
        "task_id",
        "due_on",
        "period_start",
        "task__report_every",
        "task__lead_unit_id",
        "task__assignee_id",
    )
    chunk: Chunk = []
    for task_id, due, start, every, unit_id, assignee_id in rows.iterator(CHUNK_TASKS):
        offset = index.offset(due)
        for step in steps:
            if step.fires_at(offset):
                # The office is not reminded of a unit's period reports (its list holds them).
                recipients = _step_recipients(step, unit_id, assignee_id, staff, heads, active, [])
                text = f"Báo cáo định kỳ {period_label(start, every)}: {_label(offset, due, day)}"
                chunk.append((recipients, Planned(task_id, f"p{due:%y%m%d}:{step.key}", text)))
        if len(chunk) >= CHUNK_TASKS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _support_chunks(
    day: date,
    staff: dict[int, list[int]],
    heads: dict[int, list[int]],
    active: set[int],
) -> Iterator[Chunk]:
    """A support unit asked for its part: reminded (its heads, else its staff) on the day it
    is due and every working day after, until its contribution answers it."""
    asked = (
        SupportRequest.objects.filter(
            answered_at__isnull=True, due_on__lte=day, task__status__in=Task.OPEN_STATUSES
        )
        .order_by()
        .values_list("task_id", "unit_id", "due_on")
        .iterator(chunk_size=CHUNK_TASKS)
    )
    while batch := list(islice(asked, CHUNK_TASKS)):
        yield [
            (
                set(_holders(None, unit_id, staff, heads, active)),
                Planned(
                    task_id,
                    f"support-late-{unit_id}" if due < day else f"support-{unit_id}",
                    f"Đơn vị chủ trì đề nghị gửi phần phối hợp (hạn {due:%d/%m/%Y})"
                    + (" – đã quá hạn" if due < day else ""),
                ),
            )
            for task_id, unit_id, due in batch
        ]


def _receipt_chunks(
    day: date,
    staff: dict[int, list[int]],
    heads: dict[int, list[int]],
    active: set[int],
    office: list[int],
) -> Iterator[Chunk]:
    """New tasks nobody acknowledged in time: to the lead unit (its holder, else its heads)
    every working day, to the office on the day it became late (the office's list holds the
    rest, `?receipt=late`); tasks a unit returned as not its own: to the office."""
    previous = day - timedelta(days=1)
    while not is_working_day(previous):
        previous -= timedelta(days=1)
    # Late since an earlier working day: assigned on or before this day.
    late_before = latest_start_past(previous, settings.DONDOC_RECEIVE_WORKING_DAYS)
    late = (
        Task.objects.not_received(day)
        .order_by()
        .values_list("pk", "lead_unit_id", "assignee_id", "assigned_on")
        .iterator(chunk_size=CHUNK_TASKS)
    )
    label = "Chưa tiếp nhận nhiệm vụ mới giao (quá thời hạn tiếp nhận)"
    while batch := list(islice(late, CHUNK_TASKS)):
        yield [
            (
                {
                    *_holders(assignee_id, unit_id, staff, heads, active),
                    *(office if assigned_on > late_before else ()),
                },
                Planned(pk, NOT_RECEIVED, label),
            )
            for pk, unit_id, assignee_id, assigned_on in batch
        ]
    returned = Task.objects.handed_back().values_list("pk", flat=True).iterator(CHUNK_TASKS)
    while ids := list(islice(returned, CHUNK_TASKS)):
        yield [
            (office, Planned(pk, HANDED_BACK, "Đơn vị trả lại nhiệm vụ, chờ Văn phòng xử lý"))
            for pk in ids
        ]


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
    ensure_periods(day)  # the recurring duties' periods up to today exist before planning
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


# --- "Nhắc ngay": the office reminds now ----------------------------------------------------

MANUAL = "manual"  # a running task reminded by the office, not yet late
MANUAL_LATE = "manual-late"  # … already late
# One press reminds at most this many tasks (a notice's or a filtered list's late tasks).
MANUAL_LIMIT = 500


@dataclass
class Reminded:
    tasks: int = 0  # tasks whose people were reminded now
    people: int = 0  # people reminded now
    already: int = 0  # tasks whose people had all been reminded today
    over_limit: int = 0  # tasks left out beyond MANUAL_LIMIT
    digest_ids: list[int] = field(default_factory=list)  # to deliver


def _manual_label(deadline: date | None, day: date) -> tuple[str, str]:
    if deadline is None:
        return MANUAL, "Văn phòng nhắc: nhiệm vụ thường xuyên, đề nghị báo cáo tiến độ"
    if deadline < day:
        return MANUAL_LATE, (
            f"Văn phòng nhắc: quá hạn {(day - deadline).days} ngày (hạn {deadline:%d/%m/%Y})"
        )
    return MANUAL, f"Văn phòng nhắc: hạn {deadline:%d/%m/%Y}"


def remind_now(*, actor: User, tasks: QuerySet[Task], day: date) -> Reminded:
    """Remind the people holding `tasks` now (running tasks only: those reported done wait
    for the office, not for them), through the same log as the daily reminders: one manual
    reminder per task, person and day, however often it is asked for. Each task reminded now
    gets a timeline row naming who was reminded."""
    from directives.services import note_reminded

    staff, heads, _office, _leaders = _members()
    active = {pk for pks in (*staff.values(), *heads.values()) for pk in pks}
    result = Reminded()
    with transaction.atomic():
        # Not paused (nothing to do meanwhile), not reported done (waiting for the office).
        running = tasks.filter(status__in=[Task.Status.ASSIGNED, Task.Status.IN_PROGRESS])
        # Locked: two presses at once remind, and write the timeline, once.
        rows = list(
            Task.objects.select_for_update()
            .filter(
                pk__in=list(
                    running.order_by("deadline", "pk").values_list("pk", flat=True)[
                        : MANUAL_LIMIT + 1
                    ]
                )
            )
            .order_by("deadline", "pk")
            .values_list("pk", "lead_unit_id", "assignee_id", "deadline")
        )
        if len(rows) > MANUAL_LIMIT:
            result.over_limit = running.count() - MANUAL_LIMIT
        rows = rows[:MANUAL_LIMIT]
        wanted: dict[int, set[int]] = {}
        chunk: Chunk = []
        for pk, unit_id, assignee_id, deadline in rows:
            recipients = _holders(assignee_id, unit_id, staff, heads, active)
            wanted[pk] = set(recipients)
            step, label = _manual_label(deadline, day)
            if recipients:
                chunk.append((tuple(recipients), Planned(pk, step, label)))
        earlier: dict[int, set[int]] = defaultdict(set)
        for task_id, recipient_id in ReminderItem.objects.filter(
            digest__day=day, step__in=[MANUAL, MANUAL_LATE], task_id__in=list(wanted)
        ).values_list("task_id", "digest__recipient_id"):
            earlier[task_id].add(recipient_id)
        recorded = record_chunks(day, [chunk] if chunk else [])
        fresh = {pk: sorted(people - earlier[pk]) for pk, people in wanted.items()}
        fresh = {pk: people for pk, people in fresh.items() if people}
        names = {
            pk: full_name or username
            for pk, full_name, username in User.objects.filter(
                pk__in={p for people in fresh.values() for p in people}
            ).values_list("pk", "full_name", "username")
        }
        note_reminded(
            actor=actor,
            people={pk: [names.get(p) or str(p) for p in people] for pk, people in fresh.items()},
        )
        result.tasks = len(fresh)
        result.people = len({p for people in fresh.values() for p in people})
        result.already = sum(1 for pk, people in wanted.items() if people and pk not in fresh)
        result.digest_ids = recorded.digest_ids
    return result
