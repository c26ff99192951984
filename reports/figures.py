"""The dashboard's figures from one selector: today's tally when it can answer, else counted
live with the very same conditions (`reports.queries`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from . import queries, tally


@dataclass
class Tallied:
    """The dashboard's figures read from today's tally."""

    summed: dict[str, int]
    units: list[tally.UnitCounts]  # in the dashboard's order


def _from_tally(
    user: Any, task_filter: Any, today: date, stale_days: int, sort: str
) -> Tallied | None:
    """The dashboard's figures from today's tally, when its filters allow; None to count live."""
    found = tally.answering(user, task_filter, today, own_unit=True)
    if found is None:
        return None
    built, unit_id = found
    if unit_id is not None:
        row = tally.unit_counts(built, unit_id)
        if row is None or not row.counts.get("total"):
            return Tallied({}, [])
        return Tallied(dict(row.counts), [row])
    wanted = queries.unit_metrics(today, stale_days)
    return Tallied(tally.totals(built), tally.unit_table(built, wanted, sort))


@dataclass
class Figures:
    head: queries.Headline
    units: list[queries.UnitRow]  # sorted; the first `unit_rows` of them when a limit is set
    unit_count: int  # every unit with tasks in scope
    trend: queries.Trend
    # Every condition today's tally holds for the scope, when it answered; None when counted
    # live (the work-model figures it holds are then read from it: queries.work_counts).
    tallied: dict[str, int] | None = None


def dashboard(
    user: Any,
    task_filter: Any,
    today: date,
    *,
    stale_days: int,
    granularity: queries.Granularity,
    sort: str,
    unit_rows: int | None,
) -> Figures:
    """The headline, the per-unit table and the trend of the dashboard filtered by
    `task_filter`, whichever way they are counted."""
    counted = _from_tally(user, task_filter, today, stale_days, sort)
    if counted is not None:
        # In order already (sorted on the raw counts: tally.unit_table); rows are built only
        # for the units the page shows.
        ordered = counted.units
        shown = ordered if unit_rows is None else ordered[:unit_rows]
        return Figures(
            head=queries.headline_from(counted.summed, stale_days=stale_days),
            units=[
                queries.unit_row(r.unit_id, r.name, r.short_name, r.counts, stale_days)
                for r in shown
            ],
            unit_count=len(ordered),
            trend=queries.trend_from(counted.summed, today, granularity=granularity),
            tallied=counted.summed,
        )
    tasks = task_filter.qs
    units = queries.per_unit(tasks, today, sort=sort, stale_days=stale_days)
    return Figures(
        head=queries.headline(tasks, today, stale_days=stale_days),
        units=units,
        unit_count=len(units),
        trend=queries.trend(tasks, today, granularity=granularity),
    )
