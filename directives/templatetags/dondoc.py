from datetime import date

from django import template

from directives.timeliness import Timeliness

register = template.Library()


@register.filter
def timeliness_label(value: str) -> str:
    """The Vietnamese label of a timeliness bucket value ("overdue" → "Quá hạn")."""
    try:
        return str(Timeliness(value).label)
    except ValueError:
        return ""


@register.inclusion_tag("directives/_timeliness_badge.html")
def timeliness_badge(value: str, days_overdue: int = 0) -> dict[str, object]:
    return {"value": value, "label": timeliness_label(value), "days_overdue": days_overdue}


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
