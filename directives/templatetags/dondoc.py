from datetime import date

from django import template
from django.utils.html import format_html

from core.text import vn_number, vn_percent
from directives.timeliness import Timeliness

register = template.Library()


@register.filter
def timeliness_label(value: str) -> str:
    """The Vietnamese label of a timeliness bucket value ("overdue" → "Quá hạn")."""
    try:
        return str(Timeliness(value).label)
    except ValueError:
        return ""


# One count of days late everywhere (screens, reports, e-mails): calendar days past the deadline,
# up to the day completion was reported (docs/domain.md §4).
OVERDUE_DAYS_RULE = (
    "Số ngày theo lịch, tính từ sau thời hạn đến hôm nay (hoặc đến ngày báo cáo hoàn thành)"
)


@register.simple_tag
def timeliness_badge(value: str, days_overdue: int = 0) -> str:
    """The coloured badge of a bucket (built here, not by a template: one per row of a list)."""
    late = f" {days_overdue} ngày" if value == "overdue" and days_overdue else ""
    if late:
        return format_html(
            '<span class="badge badge-timeliness-{}" title="{}">{}{}</span>',
            value,
            OVERDUE_DAYS_RULE,
            timeliness_label(value),
            late,
        )
    return format_html(
        '<span class="badge badge-timeliness-{}">{}{}</span>', value, timeliness_label(value), late
    )


@register.filter
def points(value: float | None) -> str:
    """ "62,5": a score as Vietnamese write it; "—" when there is none."""
    return "—" if value is None else vn_number(float(value), 1)


@register.filter
def percent(value: float | None) -> str:
    """ "6,2%": a percentage as Vietnamese write it (core.text.vn_percent)."""
    return "—" if value is None else vn_percent(float(value))


@register.filter
def days_overdue(task: object, today: object) -> int:
    return task.days_overdue(today)  # type: ignore[attr-defined]


@register.filter
def isodate(value: str | None) -> date | None:
    """A date kept as ISO text in a timeline row's data, back as a date for `|date`."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@register.filter
def first_line(value: str) -> str:
    """ "12-14" → "12": the anchor of a task's first source line."""
    return str(value).split("-", 1)[0]
