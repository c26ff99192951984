"""What a report says, computed once (`compute`): its scope, figures, narrative and annex rows.

The three writers (`xlsx`, `docx`, `pdf`) render a `Report`; none reads the figures again, so an
issued report's three files agree. Annex I streams: its rows are read in chunks, and the XLSX
writes them in constant memory, so a year of a province's tasks never sits in memory.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connections, transaction
from django.db.models import (
    Count,
    Exists,
    F,
    FloatField,
    Func,
    JSONField,
    OuterRef,
    Q,
    Subquery,
)
from django.utils import timezone

from core.db import stream_values_list
from core.text import day_text, vn_number, vn_percent
from directives.models import (
    NOTED_KINDS,
    GroupTask,
    Notice,
    PeriodReport,
    Task,
    TaskEvent,
    TaskQuerySet,
)
from directives.timeliness import Timeliness
from units.models import Unit

from .. import queries

FONTS = Path(__file__).resolve().parent.parent / "fonts"
# Where the văn thư writes the number by hand (non-breaking: kept in every format).
BLANK_NUMBER = "\u00a0" * 8
# Who signs (quyền hạn, chức vụ), as the office chooses per report; the first is the default.
AUTHORITIES = {
    "kt-pct": ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"),
    "ct": ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"),
    "tl-cvp": ("TL. CHỦ TỊCH", "CHÁNH VĂN PHÒNG"),
}
SIGNATURE = AUTHORITIES["kt-pct"]


@dataclass(frozen=True)
class Signing:
    """What the office sets on a report before issuing it: its number, the proposals it
    writes, who signs (quyền hạn, chức vụ, full name). Kept with the issued report."""

    number: str = ""  # "125" of "Số: 125/BC-UBND"; blank until the document is numbered
    proposals: tuple[str, ...] = ()  # empty: proposals drawn from the figures
    authority: tuple[str, ...] = SIGNATURE
    signer: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "number": self.number,
            "proposals": list(self.proposals),
            "authority": list(self.authority),
            "signer": self.signer,
        }


# DOCX and PDF carry the task list as an annex up to this many rows; the XLSX has them all.
NARRATIVE_ANNEX_LIMIT = 2000


@dataclass(frozen=True)
class Scope:
    """Which tasks a report covers and the day its figures are taken on."""

    as_of: date
    notice: Notice | None = None
    date_from: date | None = None
    date_to: date | None = None
    unit: Unit | None = None

    @classmethod
    def build(
        cls,
        *,
        notice: Notice | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        unit: Unit | None = None,
        today: date | None = None,
    ) -> Scope:
        today = today or timezone.localdate()
        as_of = min(date_to, today) if date_to else today
        return cls(as_of=as_of, notice=notice, date_from=date_from, date_to=date_to, unit=unit)

    def tasks(self) -> TaskQuerySet:
        tasks = Task.objects.all()
        if self.notice is not None:
            tasks = tasks.filter(notice=self.notice)
        if self.date_from is not None:
            tasks = tasks.filter(assigned_on__gte=self.date_from)
        if self.date_to is not None:
            tasks = tasks.filter(assigned_on__lte=self.date_to)
        if self.unit is not None:
            tasks = tasks.filter(lead_unit=self.unit)
        return tasks

    @property
    def description(self) -> str:
        parts = []
        if self.notice is not None:
            parts.append(f"Thông báo số {self.notice.number} ngày {self.notice.issued_on:%d/%m/%Y}")
        if self.date_from or self.date_to:
            start = f"{self.date_from:%d/%m/%Y}" if self.date_from else "…"
            end = f"{self.date_to:%d/%m/%Y}" if self.date_to else "…"
            parts.append(f"nhiệm vụ giao từ {start} đến {end}")
        if self.unit is not None:
            parts.append(f"đơn vị chủ trì: {self.unit.name}")
        parts.append(f"số liệu tính đến ngày {self.as_of:%d/%m/%Y}")
        return "; ".join(parts)


# --- Annex I ------------------------------------------------------------------------------


# Slots, not frozen: a frozen dataclass sets each field through object.__setattr__, a
# tenth of a CSV's time at 100k rows. Nothing changes a row once made.
@dataclass(slots=True)
class AnnexRow:
    number: int
    text: str
    source: str
    leader: str
    lead_unit: str
    support_units: str
    deadline: date | None
    situation: str
    timeliness: str
    remarks: str
    latest_note: str
    updated_at: dt.datetime | None = None
    ref: str = ""
    output: str = ""  # the output document reported with the completion

    @property
    def status_text(self) -> str:
        """The status cell: the situation and timeliness, the latest report, the output
        document (the same in the workbook, the DOCX and the PDF)."""
        parts = [f"{self.situation} — {self.timeliness}."]
        if self.latest_note:
            parts.append(f"Báo cáo gần nhất: {self.latest_note}")
        if self.output:
            parts.append(f"Văn bản kết quả: {self.output}.")
        return " ".join(parts)

    def as_text(self) -> list[str]:
        """The row's cells as the annexes print them (ANNEX_ONE_COLUMNS)."""
        return [
            str(self.number),
            self.ref,
            self.text,
            self.source,
            self.leader,
            self.lead_unit,
            self.support_units,
            day_text(self.deadline) if self.deadline else "Thường xuyên",
            self.status_text,
            self.remarks,
        ]


STATUS_LABELS = dict(Task.Status.choices)


_ANNEX_FIELDS = (
    "pk",
    "text",
    "notice__number",
    "notice__issued_on",
    "notice__chair",
    "lead_unit__name",
    "deadline",
    "original_deadline",
    "status",
    "progress",
    "completed_on",
    "cancel_reason",
    "timeliness",
    "latest_note",
    "assignee__full_name",
    "assignee__username",
    "group_task__leads_text",
    "lapsed",
    "last_activity_at",
    "ref",
    "output_data",
)


def annex_rows(
    scope: Scope,
    *,
    chunk_size: int = 2000,
    tasks: TaskQuerySet | None = None,
    stream: bool = False,
) -> Generator[AnnexRow, None, None]:
    """Annex I, one task at a time, read from the database in chunks: the scope's tasks, or
    `tasks` (a filtered list) as of the scope's day.

    Plain rows, not model instances: at a hundred thousand tasks, building the instances and
    their related objects cost more than writing the workbook.

    `stream`: on PostgreSQL, read as the database produces them (core.db), the support units
    in the same query; nothing else may query the connection until the last row (the task
    list's exports, which only write).
    """
    latest_note = (
        TaskEvent.objects.filter(task=OuterRef("pk"), kind__in=NOTED_KINDS)
        .exclude(note="")
        .order_by("-created_at", "-pk")
        .values("note")[:1]
    )
    links = Task.support_units.through.objects.filter(task_id=OuterRef("pk"))
    reported = TaskEvent.objects.filter(
        task=OuterRef("pk"), kind=TaskEvent.Kind.COMPLETION_REPORTED
    ).order_by("-created_at", "-pk")
    # The completion report's data (its document's number and date), read once per task.
    output = reported.values("data")[:1]
    lapsed = (
        PeriodReport.objects.filter(task=OuterRef("pk"))
        .filter(period_lapsed(scope.as_of))
        .order_by()
        .values("task")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        (scope.tasks() if tasks is None else tasks)
        .with_timeliness(scope.as_of)
        .annotate(
            latest_note=Subquery(latest_note),
            output_data=Subquery(output, output_field=JSONField()),
            lapsed=Subquery(lapsed),
        )
        .order_by("notice__issued_on", "notice_id", "order", "pk")
    )
    with_supports: Iterator[tuple[tuple[Any, ...], Sequence[str]]]
    epoch = False
    # A streamed last update is made in the current zone, which the writers show it in.
    zone = timezone.get_current_timezone()
    if stream and connections[rows.db].vendor == "postgresql":
        # The last update as seconds since the epoch: read as a number, not through Django's
        # time-zone-aware timestamp loader (Python, ~7 µs a row: a fifth of a CSV's time).
        fields = tuple(
            "last_activity_epoch" if name == "last_activity_at" else name for name in _ANNEX_FIELDS
        )
        with_supports = _streamed_with_supports(
            rows.annotate(
                last_activity_epoch=Func(
                    F("last_activity_at"),
                    template="EXTRACT(EPOCH FROM %(expressions)s)::float8",
                    output_field=FloatField(),
                ),
            ),
            fields,
            links,
            chunk_size,
        )
        epoch = True
    else:
        with_supports = _chunked_with_supports(
            rows.annotate(has_support=Exists(links.values("task_id"))).values_list(
                *_ANNEX_FIELDS, "has_support"
            ),
            chunk_size,
        )
    for number, (
        (
            _,
            text,
            notice_number,
            issued_on,
            chair,
            lead_unit,
            deadline,
            original_deadline,
            status,
            progress,
            completed_on,
            cancel_reason,
            timeliness,
            latest,
            holder_name,
            holder_username,
            shared_with,
            lapsed_periods,
            updated_at,
            ref,
            output_data,
        ),
        supports,
    ) in enumerate(with_supports, start=1):
        bucket = BUCKETS[timeliness]
        situation = f"{STATUS_LABELS[status]} ({progress}%)"
        if bucket == Timeliness.OVERDUE:
            end = completed_on or scope.as_of
            situation += f", quá hạn {vn_number(max(0, (end - deadline).days))} ngày"
        if completed_on:
            situation += f", hoàn thành ngày {day_text(completed_on)}"
        remarks = []
        # (an ongoing task says "Thường xuyên" once, in its deadline cell)
        if deadline is not None and deadline != original_deadline and original_deadline is not None:
            remarks.append(f"Gia hạn từ {original_deadline:%d/%m/%Y}")
        if cancel_reason:
            remarks.append(f"Hủy: {cancel_reason}")
        if holder_name or holder_username:
            remarks.append(f"Người thực hiện: {holder_name or holder_username}")
        if shared_with:
            remarks.append(f"Giao chung cho {shared_with}")
        if lapsed_periods:
            remarks.append(f"{lapsed_periods} kỳ báo cáo định kỳ trễ hạn")
        if epoch and updated_at is not None:
            updated_at = dt.datetime.fromtimestamp(updated_at, zone)
        yield AnnexRow(
            number=number,
            text=text,
            source=f"{notice_number} ngày {day_text(issued_on)}",
            leader=chair,
            lead_unit=lead_unit,
            support_units="; ".join(supports or ()),
            deadline=deadline,
            situation=situation,
            timeliness=BUCKET_LABELS[bucket],
            remarks="; ".join(remarks),
            latest_note=latest or "",
            updated_at=updated_at,
            ref=ref,
            output=_output(output_data),
        )


def _streamed_with_supports(
    rows: Any, fields: Sequence[str], links: Any, chunk_size: int
) -> Iterator[tuple[tuple[Any, ...], Sequence[str]]]:
    """Each row (`fields`, streamed as psycopg reads them: the completion's data as JSON
    text, see `_output`) with its support units' names, in the order they were given.

    The query carries each task's support units as ids, named here from the units read once:
    joining the units' names per task cost more than the rest of the query. Both reads see
    one snapshot, so a unit added in between is not missing from the names.
    """
    connection = connections[rows.db]
    with contextlib.ExitStack() as stack:
        if not connection.in_atomic_block:
            stack.enter_context(transaction.atomic(using=rows.db))
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        names = dict(Unit.objects.using(rows.db).values_list("pk", "name"))
        supported_by = ArraySubquery(links.order_by("pk").values("unit_id"))
        stream = stream_values_list(
            rows.annotate(support_list=supported_by).values_list(*fields, "support_list"),
            chunk_size,
            raw=True,
        )
        # Closed before the transaction ends (a download cancelled half way): the stream
        # holds the connection, which the rollback needs.
        stack.enter_context(contextlib.closing(stream))
        for row in stream:
            yield row[:-1], [names[unit] for unit in row[-1]]


def _chunked_with_supports(
    rows: Any, chunk_size: int
) -> Iterator[tuple[tuple[Any, ...], Sequence[str]]]:
    """Each row (its last column says whether it has support units, and is left off) with
    its support units' names, read per chunk of rows."""
    iterator = rows.iterator(chunk_size=chunk_size)
    while chunk := list(islice(iterator, chunk_size)):
        supports = _support_names([row[0] for row in chunk if row[-1]])
        for row in chunk:
            yield row[:-1], supports.get(row[0], ())


def _output(data: Any) -> str:
    """ "số 215/BC-NV ngày 29/09/2023" from a completion's recorded document (its data, or
    that data as JSON text when read raw)."""
    if isinstance(data, str):
        with contextlib.suppress(ValueError):
            data = json.loads(data)
    if not isinstance(data, dict):
        return ""
    number, day = data.get("document_number"), data.get("document_date")
    parts = []
    if number:
        parts.append(f"số {number}")
    if day:
        with contextlib.suppress(ValueError):  # a date the timeline kept is ISO
            parts.append(f"ngày {date.fromisoformat(day):%d/%m/%Y}")
    return " ".join(parts)


def _support_names(task_ids: list[int]) -> dict[int, list[str]]:
    """The support units of a chunk of tasks, by task, in the order they were given."""
    names: dict[int, list[str]] = {}
    links = (
        Task.support_units.through.objects.filter(task_id__in=task_ids)
        .order_by("task_id", "pk")
        .values_list("task_id", "unit__name")
    )
    for task_id, name in links:
        names.setdefault(task_id, []).append(name)
    return names


BUCKET_LABELS = {bucket: str(bucket.label) for bucket in Timeliness}
BUCKETS = {bucket.value: bucket for bucket in Timeliness}


# Annex I's columns: the heading and the width in the workbook (characters); ANNEX_ONE_MM the
# width on an A4 landscape page (267 mm between 15 mm margins) in the DOCX and the PDF: a
# narrow number, a wide content, a deadline that never breaks.
ANNEX_ONE_COLUMNS = (
    ("STT", 6),
    ("Mục", 7),
    ("Nội dung nhiệm vụ", 55),
    ("Nguồn (số, ký hiệu, ngày)", 18),
    ("Lãnh đạo chỉ đạo", 16),
    ("Đơn vị chủ trì", 22),
    ("Đơn vị phối hợp", 24),
    ("Thời hạn", 12),
    ("Tình hình thực hiện / trạng thái", 45),
    ("Ghi chú", 22),
)
ANNEX_ONE_MM = (12, 12, 61, 24, 20, 25, 25, 21, 45, 22)
ANNEX_TWO_COLUMNS = (
    ("STT", 6),
    ("Đơn vị", 36),
    ("Tổng số", 9),
    ("Chưa hoàn thành trong hạn", 11),
    ("%", 8),
    ("Chưa hoàn thành quá hạn", 11),
    ("%", 8),
    ("Hoàn thành đúng hạn", 11),
    ("%", 8),
    ("Hoàn thành quá hạn", 11),
    ("%", 8),
    ("Hủy", 8),
    ("%", 8),
    ("Kỳ báo cáo định kỳ trễ hạn", 11),
)
# 267 mm: number, unit, total, five (count, %) pairs, late periods.
ANNEX_TWO_MM = (10, 57, 15, *(18, 16) * 5, 15)
ANNEX_TWO_ORDER = ("open_in_time", "open_overdue", "done_on_time", "done_late", "cancelled")


def period_lapsed(as_of: date) -> Q:
    """A recurring duty's period counted late on `as_of`: its cut-off passed and it was not
    reported by then (still missing, or sent after the cut-off)."""
    return Q(due_on__lt=as_of) & (Q(reported_on__isnull=True) | Q(reported_on__gt=F("due_on")))


@dataclass(frozen=True)
class Summary:
    headline: queries.Headline
    units: list[queries.UnitRow]
    # Recurring duties' periods counted late, per lead unit (Annex II's last column).
    lapsed: dict[int, int] = field(default_factory=dict)

    @property
    def total(self) -> queries.Counts:
        return self.headline.counts

    @property
    def total_lapsed(self) -> int:
        return sum(self.lapsed.values())


def summary(scope: Scope) -> Summary:
    tasks = scope.tasks()
    units = queries.per_unit(tasks, scope.as_of, sort="name")
    lapsed = dict(
        PeriodReport.objects.filter(task__in=tasks)
        .filter(period_lapsed(scope.as_of))
        .order_by()
        .values("task__lead_unit")
        .annotate(n=Count("pk"))
        .values_list("task__lead_unit", "n")
    )
    return Summary(headline=queries.headline(tasks, scope.as_of), units=units, lapsed=lapsed)


def extracted_at() -> dt.datetime:
    return timezone.localtime()


def footer_text(scope: Scope, at: dt.datetime) -> str:
    return (
        f"Phạm vi: {scope.description}. "
        f"Trích xuất lúc {at:%H:%M ngày %d/%m/%Y} từ hệ thống Đôn đốc."
    )


# --- the report, computed once -------------------------------------------------------------


@dataclass
class Report:
    """Everything a report prints, read once: the writers only lay it out."""

    issuer: str
    issuer_upper: str
    place: str
    day: date
    title: str
    scope: Scope
    summary: Summary
    results: list[str] = field(default_factory=list)
    overdue: list[AnnexRow] = field(default_factory=list)
    proposals: list[str] = field(default_factory=list)
    late_done: list[AnnexRow] = field(default_factory=list)
    signing: Signing = field(default_factory=Signing)
    recipients: list[str] = field(default_factory=list)
    annex: list[AnnexRow] = field(default_factory=list)
    annex_truncated: bool = False
    extracted: dt.datetime = field(default_factory=extracted_at)

    def annex_one(self) -> Iterator[AnnexRow]:
        """Every row of Annex I: those already read, or (past the narrative's limit) streamed
        again in chunks; `reports.services.issue_report` reads both in one snapshot."""
        if not self.annex_truncated:
            yield from self.annex
        else:
            yield from annex_rows(self.scope)

    @property
    def date_line(self) -> str:
        day = self.day
        return f"{self.place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"

    @property
    def number_line(self) -> str:
        """ "Số: 125/BC-UBND", or with the number left blank for the văn thư to fill in."""
        return f"Số: {self.signing.number or BLANK_NUMBER}/BC-UBND"

    @property
    def annex_reference(self) -> str:
        """The line under each annex's heading, naming the report it belongs to."""
        day = self.day
        number = self.signing.number or BLANK_NUMBER
        return (
            f"(Kèm theo Báo cáo số {number}/BC-UBND ngày {day.day:02d}/{day.month:02d}/"
            f"{day.year} của {self.issuer})"
        )


def _place(scope: Scope, issuer: str) -> str:
    """The place name of the date line: the notice's, else the issuer's last two words."""
    if scope.notice is not None and scope.notice.place:
        return scope.notice.place
    return " ".join(issuer.split()[-2:])


def default_signer(scope: Scope) -> str:
    """Who signs unless the office says otherwise: DONDOC_REPORT_SIGNER, else the leader who
    chaired the notice's meeting (a Phó Chủ tịch signs for the Chủ tịch)."""
    configured = str(getattr(settings, "DONDOC_REPORT_SIGNER", "") or "")
    if configured:
        return configured
    return scope.notice.chair if scope.notice is not None else ""


def default_proposals(report: Report) -> list[str]:
    """Proposals drawn from the figures, never contradicting them; the office rewrites them
    before issuing (`Signing.proposals`)."""
    counts = report.summary.total
    lines = []
    if counts.open_overdue:
        units = sorted(
            (u for u in report.summary.units if u.counts.open_overdue),
            key=lambda u: -u.counts.open_overdue,
        )
        named = ", ".join(u.name for u in units[:5]) + (
            " và các đơn vị khác" if len(units) > 5 else ""
        )
        lines.append(
            f"Đề nghị {named} khẩn trương hoàn thành các nhiệm vụ quá hạn, báo cáo kết quả và "
            "nguyên nhân chậm về Ủy ban nhân dân (qua Văn phòng HĐND-UBND)."
        )
    if counts.done_late:
        lines.append(
            "Đề nghị các đơn vị có nhiệm vụ hoàn thành quá hạn nghiêm túc rút kinh nghiệm."
        )
    if report.summary.total_lapsed:
        lines.append("Đề nghị các đơn vị thực hiện báo cáo định kỳ đúng thời hạn quy định.")
    if counts.open_in_time:
        lines.append(
            "Đề nghị các đơn vị tiếp tục triển khai các nhiệm vụ còn trong hạn, bảo đảm hoàn "
            "thành đúng thời hạn được giao."
        )
    if not lines:
        lines.append(
            "Các nhiệm vụ được giao đã hoàn thành đúng thời hạn; đề nghị các đơn vị "
            "tiếp tục phát huy."
        )
    return lines


def compute(scope: Scope, signing: Signing | None = None) -> Report:
    """Read everything the report of `scope` prints, once (`signing`: what the office set)."""
    figures = summary(scope)
    counts = figures.total
    issuer = str(settings.DONDOC_ISSUER_NAME)
    title = "Kết quả thực hiện các nhiệm vụ được giao tại thông báo kết luận"
    if scope.notice is not None:
        title = f"Kết quả thực hiện các nhiệm vụ tại Thông báo số {scope.notice.number}"
    report = Report(
        issuer=issuer.replace("UBND", "Ủy ban nhân dân"),
        issuer_upper=issuer.replace("UBND", "Ủy ban nhân dân").upper(),
        place=_place(scope, issuer),
        day=timezone.localdate(),
        title=title,
        scope=scope,
        summary=figures,
    )
    pct = counts.percent
    report.results = [
        f"Tổng số nhiệm vụ: {vn_number(counts.total)}.",
        f"Đã hoàn thành: {vn_number(counts.done)} nhiệm vụ, trong đó đúng hạn "
        f"{vn_number(counts.done_on_time)} ({vn_percent(pct('done_on_time'))}), quá hạn "
        f"{vn_number(counts.done_late)} ({vn_percent(pct('done_late'))}).",
        f"Chưa hoàn thành: {vn_number(counts.open_in_time + counts.open_overdue)} nhiệm vụ, "
        f"trong đó trong hạn {vn_number(counts.open_in_time)} "
        f"({vn_percent(pct('open_in_time'))}), quá hạn {vn_number(counts.open_overdue)} "
        f"({vn_percent(pct('open_overdue'))}).",
        f"Hủy: {vn_number(counts.cancelled)} nhiệm vụ.",
    ]
    laggards = [u for u in figures.units if u.counts.open_overdue]
    if laggards:
        listed = ", ".join(
            f"{u.name} ({vn_number(u.counts.open_overdue)})"
            for u in sorted(laggards, key=lambda u: -u.counts.open_overdue)[:10]
        )
        report.results.append(f"Các đơn vị còn nhiệm vụ quá hạn: {listed}.")
    report.results += group_lines(scope)
    report.results += evaluation_lines(scope)
    if figures.total_lapsed:
        report.results.append(
            f"Nhiệm vụ báo cáo định kỳ: {vn_number(figures.total_lapsed)} kỳ báo cáo trễ hạn "
            "hoặc chưa nộp (chi tiết theo đơn vị tại Phụ lục II)."
        )
    overdue_label, late_label = Timeliness.OVERDUE.label, Timeliness.DONE_LATE.label
    for row in annex_rows(scope):
        if row.timeliness == overdue_label:
            report.overdue.append(row)
        elif row.timeliness == late_label:
            report.late_done.append(row)
        if len(report.annex) < NARRATIVE_ANNEX_LIMIT:
            report.annex.append(row)
        else:
            report.annex_truncated = True
    report.signing = signing or Signing(signer=default_signer(scope))
    report.proposals = list(report.signing.proposals) or default_proposals(report)
    report.recipients = [
        "Chủ tịch, các Phó Chủ tịch UBND;",
        "Các phòng, ban, đơn vị có liên quan;",
        "Lưu: VT.",
    ]
    return report


def evaluation_lines(scope: Scope) -> list[str]:
    """A unit's report names each of its people's task results (Nghị định 335) for the
    period the scope covers (a month, a quarter, a year), else the month of its day."""
    from directives.evaluation import Period

    from ..evaluation import person_rows

    if scope.unit is None:
        return []
    period = None
    if scope.date_from and scope.date_to:
        for key in (
            f"{scope.date_from.year}-{scope.date_from.month:02d}",
            f"{scope.date_from.year}-Q{(scope.date_from.month - 1) // 3 + 1}",
            str(scope.date_from.year),
        ):
            found = Period.parse(key)
            if found and (found.start, found.end) == (scope.date_from, scope.date_to):
                period = found
                break
    period = period or Period.month_of(scope.as_of)
    lines = []
    for row in person_rows(period, scope.as_of, scope.unit):
        f = row.figures
        if not f["expected"] and not f["periods_due"]:
            continue
        score = f"{vn_number(f['score'], 1)}/70" if f["score"] is not None else "chưa tính"
        lines.append(
            f"Kết quả thực hiện nhiệm vụ {period.label} của {row.name} (Nghị định 335/2025): "
            f"{f['expected']} sản phẩm được giao, hoàn thành {f['finished']} "
            f"(đúng hạn {f['on_time']}), {f['returns']} lần bị trả lại; điểm kết quả {score}."
        )
    return lines


GROUP_LINES = 10  # tasks given to several units named in the narrative, newest first


def group_lines(scope: Scope) -> list[str]:
    """Each task given to several units, with its members: n of m done and who is not."""
    children = scope.tasks().filter(group_task__isnull=False)
    parents = list(
        GroupTask.objects.filter(pk__in=children.values("group_task_id")).order_by("-pk")[
            :GROUP_LINES
        ]
    )
    members: dict[int, list[tuple[str, str]]] = {}
    rows = (
        children.filter(group_task__in=parents)
        .order_by("lead_unit__order", "lead_unit__name")
        .values_list("group_task_id", "lead_unit__name", "status")
    )
    for parent_id, unit_name, status in rows:
        members.setdefault(parent_id, []).append((unit_name, status))
    lines = []
    for parent in parents:
        own = members.get(parent.pk, [])
        done = [name for name, status in own if status == Task.Status.DONE]
        waiting = [name for name, status in own if status in Task.OPEN_STATUSES]
        ref = f"mục {parent.ref} " if parent.ref else ""
        line = f"Nhiệm vụ {ref}giao {parent.leads_text}: {len(done)}/{len(own)} đơn vị hoàn thành"
        if waiting:
            shown = ", ".join(waiting[:8]) + (
                f" và {len(waiting) - 8} đơn vị khác" if len(waiting) > 8 else ""
            )
            line += f"; chưa hoàn thành: {shown}"
        lines.append(line + ".")
    return lines


def as_report(subject: Scope | Report) -> Report:
    return subject if isinstance(subject, Report) else compute(subject)


def narrative_late_lines(report: Report) -> list[str]:
    """Section II: the overdue tasks with their cause, then the late completions, each named;
    "none" said of each part that has none (so II never contradicts I or III)."""
    lines = ["1. Nhiệm vụ chưa hoàn thành, đã quá hạn:"]
    if not report.overdue:
        lines.append("Không có nhiệm vụ chưa hoàn thành quá hạn.")
    for row in report.overdue:
        cause = row.latest_note or "đơn vị chưa báo cáo nguyên nhân"
        lines.append(
            f"- {row.text} ({row.source}; chủ trì: {row.lead_unit}; {row.situation}). "
            f"Nguyên nhân, tình hình: {cause}"
        )
    lines.append("2. Nhiệm vụ đã hoàn thành nhưng quá hạn:")
    if not report.late_done:
        lines.append("Không có nhiệm vụ hoàn thành quá hạn.")
    for row in report.late_done:
        lines.append(f"- {row.text} ({row.source}; chủ trì: {row.lead_unit}; {row.situation}).")
    return lines


def file_name(scope: Scope, fmt: str, version: int | None = None) -> str:
    """What the downloaded file is: "bao-cao-194-TB-UBND-20261201.docx", a unit's
    "bao-cao-phong-noi-vu-20261201.xlsx", a period's "bao-cao-20260101-20261130-…"; an
    issued version adds "-lan2"."""
    from django.utils.text import slugify

    from core.text import strip_accents

    parts = ["bao-cao"]
    if scope.notice is not None:
        parts.append(scope.notice.number.replace("/", "-"))
    if scope.unit is not None:
        parts.append(slugify(strip_accents(scope.unit.name)))
    if scope.date_from or scope.date_to:
        start = f"{scope.date_from:%Y%m%d}" if scope.date_from else "dau"
        end = f"{scope.date_to:%Y%m%d}" if scope.date_to else "nay"
        parts.append(f"giao-{start}-{end}")
    parts.append(f"{scope.as_of:%Y%m%d}")
    if version is not None:
        parts.append(f"lan{version}")
    stem = "-".join(parts)
    return f"{strip_accents(stem)}.{fmt}"
