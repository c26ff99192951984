"""Task results per person and per unit for a month, a quarter or a year, as Nghị định
335/2025/NĐ-CP evaluates civil servants (docs/domain.md §9).

The products of a period are the tasks due in it (their current deadline, or the original
one: `against`) and the tasks finished in it, cancelled ones left out, plus the recurring
duties' report periods whose cut-off falls in it. Of those, each figure is one condition
(`part_q`), so that the evaluation page and the task list behind each of its numbers count
the same tasks. The score of the task results (70 points) is the average of three percentages:

- quantity (a): products finished by the period's end;
- quality (b): each finished product scores 1, less `return_penalty` for each time it was
  returned at review (by the office or the unit's head), unless the office recorded an
  objective cause for that return;
- timeliness (c): each product finished in time scores 1; finished late, 1 less
  `delay_penalty` (unless the office recorded an objective cause for the delay); a report
  period sent late scores 1 less `delay_penalty`, a missed one 0.

The weights, penalties, the deadline measured against, and the grade thresholds are settings
(`DONDOC_EVALUATION`), each with the default the decree's published text supports.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery

from .models import ObjectiveCause, PeriodReport, Task, TaskEvent

RETURN_KINDS = (TaskEvent.Kind.RETURNED, TaskEvent.Kind.HEAD_RETURNED)

DEFAULTS: dict[str, Any] = {
    # Points of the task results out of 100, and of the general criteria entered by the head.
    "task_points": 70,
    "general_points": 30,
    # Quantity, quality, timeliness: an average, each counted alike.
    "weights": (1, 1, 1),
    "return_penalty": 0.25,
    "delay_penalty": 0.25,
    # Timeliness against the deadline in force (an approved extension moves it) or the
    # deadline first assigned.
    "against": "deadline",
    # A recurring duty's report period counts as this many products.
    "period_weight": 1,
    "grades": (
        (90, "Hoàn thành xuất sắc nhiệm vụ"),
        (70, "Hoàn thành tốt nhiệm vụ"),
        (50, "Hoàn thành nhiệm vụ"),
    ),
    "failed": "Không hoàn thành nhiệm vụ",
}


def rules() -> dict[str, Any]:
    return {**DEFAULTS, **getattr(settings, "DONDOC_EVALUATION", {})}


ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True)
class Period:
    """A month ("2026-11"), a quarter ("2026-Q4") or a year ("2026")."""

    key: str
    start: date
    end: date
    label: str

    @classmethod
    def parse(cls, key: str) -> Period | None:
        key = (key or "").strip()
        if match := re.fullmatch(r"(\d{4})-(\d{1,2})", key):
            year, month = int(match[1]), int(match[2])
            if 1 <= month <= 12 and 2000 <= year <= 2999:
                start = date(year, month, 1)
                return cls(f"{year}-{month:02d}", start, _month_end(start), f"tháng {month}/{year}")
        if match := re.fullmatch(r"(\d{4})-[Qq]([1-4])", key):
            year, quarter = int(match[1]), int(match[2])
            if 2000 <= year <= 2999:
                start = date(year, 3 * quarter - 2, 1)
                end = _month_end(date(year, 3 * quarter, 1))
                return cls(f"{year}-Q{quarter}", start, end, f"quý {ROMAN[quarter]}/{year}")
        if match := re.fullmatch(r"(\d{4})", key):
            year = int(match[1])
            if 2000 <= year <= 2999:
                return cls(str(year), date(year, 1, 1), date(year, 12, 31), f"năm {year}")
        return None

    @classmethod
    def month_of(cls, day: date) -> Period:
        period = cls.parse(f"{day.year}-{day.month:02d}")
        assert period is not None
        return period

    def choices(self, today: date) -> list[Period]:
        """The periods offered next to this one: the last 12 months, 4 quarters, 2 years."""
        months = []
        day = date(today.year, today.month, 1)
        for _ in range(12):
            months.append(Period.month_of(day))
            day = (day - timedelta(days=1)).replace(day=1)
        quarter = (today.month - 1) // 3 + 1
        quarters = []
        year = today.year
        for _ in range(4):
            found = Period.parse(f"{year}-Q{quarter}")
            assert found is not None
            quarters.append(found)
            quarter -= 1
            if quarter == 0:
                quarter, year = 4, year - 1
        years = [Period.parse(str(today.year)), Period.parse(str(today.year - 1))]
        return [*months, *quarters, *(y for y in years if y is not None)]


def _month_end(first: date) -> date:
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


# --- which tasks each figure counts -------------------------------------------------------

PARTS = {
    "expected": "sản phẩm/công việc được giao trong kỳ",
    "finished": "đã hoàn thành",
    "on_time": "hoàn thành đúng hạn",
    "late": "hoàn thành quá hạn",
    "overdue": "chưa hoàn thành, đã quá hạn",
    "first_pass": "đạt ngay lần đầu",
    "returned": "bị trả lại",
}


def _returns() -> QuerySet[TaskEvent]:
    return TaskEvent.objects.filter(task=OuterRef("pk"), kind__in=RETURN_KINDS)


def _products(period: Period, against: str) -> tuple[Q, Q]:
    """The products of a period as two conditions: due in it (not cancelled), finished in
    it. Each is one indexed lookup; `evaluate` reads them apart, `part_q` as one OR."""
    due = Q(
        status__in=[s for s in Task.Status.values if s != Task.Status.CANCELLED],
        **{f"{against}__gte": period.start, f"{against}__lte": period.end},
    )
    finished_in = Q(
        status=Task.Status.DONE, completed_on__gte=period.start, completed_on__lte=period.end
    )
    return due, finished_in


def part_q(part: str, period: Period, today: date, against: str | None = None) -> Q:
    """The tasks one figure of the evaluation counts (the products of the period, then the
    part's own condition)."""
    deadline = against or rules()["against"]
    due, finished_in = _products(period, deadline)
    expected = due | finished_in
    finished = Q(status=Task.Status.DONE) & Q(completed_on__lte=period.end)
    late = Q(completed_on__gt=F(deadline))
    returned = Q(Exists(_returns()))
    conditions: dict[str, Q] = {
        "expected": Q(),
        "finished": finished,
        "on_time": finished & ~late,
        "late": finished & late,
        # Not finished by the period's end, its deadline passed by then (or by today).
        "overdue": ~finished & Q(**{f"{deadline}__lt": min(period.end + timedelta(days=1), today)}),
        "first_pass": finished & ~returned,
        "returned": returned,
    }
    return expected & conditions[part]


# --- the figures ---------------------------------------------------------------------------


@dataclass
class Figures:
    """One person's or one unit's task results in a period."""

    expected: int = 0
    finished: int = 0
    on_time: int = 0
    late: int = 0
    late_objective: int = 0
    late_vs_original: int = 0
    overdue: int = 0
    first_pass: int = 0
    returned_tasks: int = 0
    returns: int = 0
    returns_objective: int = 0
    periods_due: int = 0
    periods_on_time: int = 0
    periods_late: int = 0
    periods_missed: int = 0
    quality_points: float = 0.0
    progress_points: float = 0.0
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def products(self) -> float:
        return self.expected + self.periods_due * rules()["period_weight"]

    def _percent(self, value: float) -> float | None:
        return None if not self.products else round(100 * value / self.products, 1)

    @property
    def quantity(self) -> float | None:
        done = self.finished + (self.periods_on_time + self.periods_late) * rules()["period_weight"]
        return self._percent(done)

    @property
    def quality(self) -> float | None:
        return self._percent(self.quality_points)

    @property
    def timeliness(self) -> float | None:
        return self._percent(self.progress_points)

    @property
    def score(self) -> float | None:
        """The task results' points (of 70): the weighted average of a, b, c."""
        parts = (self.quantity, self.quality, self.timeliness)
        if any(p is None for p in parts):
            return None
        weights = rules()["weights"]
        average = sum(w * (p or 0) for w, p in zip(weights, parts, strict=True)) / sum(weights)
        return round(rules()["task_points"] * average / 100, 1)

    def as_dict(self) -> dict[str, Any]:
        names = [n for n in self.__dataclass_fields__ if n != "extras"]
        return {
            **{n: getattr(self, n) for n in names},
            "quantity": self.quantity,
            "quality": self.quality,
            "timeliness": self.timeliness,
            "score": self.score,
        }


def grade(total: float | None) -> str:
    if total is None:
        return ""
    for threshold, label in rules()["grades"]:
        if total >= threshold:
            return str(label)
    return str(rules()["failed"])


def evaluate(
    period: Period,
    today: date,
    *,
    by: str,
    lead_units: Iterable[int] | None = None,
    assignees: Iterable[int] | None = None,
) -> dict[int | None, Figures]:
    """The figures of `period` grouped by `by` ("assignee_id" or "lead_unit_id"), for the
    tasks of `lead_units` or held by `assignees` (every task when neither is given)."""
    rule = rules()
    against = rule["against"]
    scope = Q()
    if lead_units is not None:
        scope &= Q(lead_unit_id__in=list(lead_units))
    if assignees is not None:
        scope &= Q(assignee_id__in=list(assignees))
    objective_delay = ObjectiveCause.objects.filter(
        event__task=OuterRef("pk"), event__kind=TaskEvent.Kind.ACCEPTED
    )
    returns_of = _returns().order_by().values("task")
    columns = (
        "pk",
        by,
        "status",
        "completed_on",
        against,
        "original_deadline",
        "n_returns",
        "n_objective",
        "delay_excused",
    )
    # The products as two indexed lookups, merged here: as one OR (`part_q`) the database
    # would answer by reading every task.
    lookups = _products(period, against)
    seen: set[int] = set()
    rows = []
    for lookup in lookups:
        found = (
            Task.objects.filter(scope, lookup)
            .order_by()
            .annotate(
                n_returns=Subquery(returns_of.annotate(n=Count("pk")).values("n")),
                n_objective=Subquery(
                    returns_of.filter(objective_cause__isnull=False)
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                delay_excused=Exists(objective_delay),
            )
            .values_list(*columns)
        )
        for pk, *rest in found:
            if pk not in seen:
                seen.add(pk)
                rows.append(rest)
    result: dict[int | None, Figures] = defaultdict(Figures)
    end = period.end
    overdue_by = min(end + timedelta(days=1), today)
    for key, status, completed_on, deadline, original, n_returns, n_objective, excused in rows:
        returns, objective = n_returns or 0, n_objective or 0
        figures = result[key]
        figures.expected += 1
        finished = status == Task.Status.DONE and completed_on is not None and completed_on <= end
        figures.returns += returns
        figures.returns_objective += objective
        if returns:
            figures.returned_tasks += 1
        if not finished:
            if deadline is not None and deadline < overdue_by:
                figures.overdue += 1
            continue
        figures.finished += 1
        counted = returns - objective
        figures.quality_points += max(0.0, 1 - rule["return_penalty"] * counted)
        if not returns:
            figures.first_pass += 1
        if deadline is not None and completed_on > deadline:
            figures.late += 1
            if excused:
                figures.late_objective += 1
                figures.progress_points += 1
            else:
                figures.progress_points += max(0.0, 1 - rule["delay_penalty"])
        else:
            figures.on_time += 1
            figures.progress_points += 1
        if original is not None and completed_on > original:
            figures.late_vs_original += 1
    weight = rule["period_weight"]
    reports = (
        _periods_of_all(period, today, by)
        if lead_units is None and assignees is None
        else _periods_of(period, today, by, lead_units, assignees)
    )
    for key, due, on_time, late in reports:
        figures = result[key]
        figures.periods_due += due
        figures.periods_on_time += on_time
        figures.periods_late += late
        figures.periods_missed += due - on_time - late  # not sent by the period's end
        figures.quality_points += weight * (on_time + late)
        figures.progress_points += weight * (on_time + late * max(0.0, 1 - rule["delay_penalty"]))
    return dict(result)


def _owed(period: Period, today: date) -> QuerySet[PeriodReport]:
    """The report periods whose cut-off falls in the period, counted per group: how many were
    owed, sent on time, sent late (by the period's end)."""
    return PeriodReport.objects.filter(
        due_on__gte=period.start,
        due_on__lte=period.end,
    ).filter(Q(due_on__lt=today) | Q(reported_on__isnull=False))  # not yet due nor sent: none


def _period_counts(end: date) -> tuple[Count, Count, Count]:
    """Owed, sent on time, sent late (by `end`)."""
    return (
        Count("pk"),
        Count("pk", filter=Q(reported_on__lte=F("due_on"))),
        Count("pk", filter=Q(reported_on__gt=F("due_on"), reported_on__lte=end)),
    )


def _periods_of(
    period: Period,
    today: date,
    by: str,
    lead_units: Iterable[int] | None,
    assignees: Iterable[int] | None,
) -> Iterable[tuple[Any, int, int, int]]:
    due, on_time, late = _period_counts(period.end)
    task_scope = Q()
    if lead_units is not None:
        task_scope &= Q(task__lead_unit_id__in=list(lead_units))
    if assignees is not None:
        task_scope &= Q(task__assignee_id__in=list(assignees))
    return (
        _owed(period, today)
        .filter(task_scope)
        .order_by()
        .values(f"task__{by}")
        .annotate(due=due, on_time=on_time, late=late)
        .values_list(f"task__{by}", "due", "on_time", "late")
    )


def _periods_of_all(period: Period, today: date, by: str) -> Iterable[tuple[Any, int, int, int]]:
    """Every unit's or person's report periods. Joined to their tasks in the database, the
    planner reads all tasks to group a few thousand periods (30 ms at 100k tasks); instead
    the periods are counted per task, and the tasks' units or holders read from the duties'
    own index (`task_duty_keys`); a task whose reporting was later switched off is looked up
    by its key."""
    due, on_time, late = _period_counts(period.end)
    per_task = list(
        _owed(period, today)
        .order_by()
        .values("task_id")
        .annotate(due=due, on_time=on_time, late=late)
        .values_list("task_id", "due", "on_time", "late")
    )
    if not per_task:
        return []
    keys = dict(Task.objects.exclude(report_every="").order_by().values_list("pk", by))
    missing = {row[0] for row in per_task} - keys.keys()
    if missing:
        keys |= dict(Task.objects.filter(pk__in=missing).order_by().values_list("pk", by))
    grouped: dict[Any, list[int]] = defaultdict(lambda: [0, 0, 0])
    for task_id, *owed in per_task:
        counts = grouped[keys[task_id]]
        for k, n in enumerate(owed):
            counts[k] += n
    return [(key, *counts) for key, counts in grouped.items()]


def total(figures: Iterable[Figures]) -> Figures:
    """The sum of several figures (a unit's people, every unit)."""
    out = Figures()
    for one in figures:
        for name in out.__dataclass_fields__:
            if name != "extras":
                setattr(out, name, getattr(out, name) + getattr(one, name))
    return out
