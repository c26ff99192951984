"""The evaluation page's rows (Nghị định 335): per unit and per person, live or as the office
froze them when it closed the period; the general criteria the heads enter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from directives.evaluation import Figures, Period, evaluate, grade, rules
from units.access import is_office, is_office_or_leader, require_office
from units.models import Unit, User

from .models import EvaluationClosing, GeneralScore

MEMBER_ROLES = (User.Role.STAFF, User.Role.HEAD)


@dataclass
class Row:
    """One line of the page: a unit or a person, their figures, general score and total."""

    kind: str  # "unit" or "person"
    pk: int
    name: str
    detail: str  # the person's job title, the unit's short name
    figures: dict[str, Any]
    general: float | None = None

    @property
    def total(self) -> float | None:
        score = self.figures.get("score")
        if score is None:
            return None
        return round(score + (self.general or 0), 1)

    @property
    def grade(self) -> str:
        # Without the general criteria the grade would mislead: shown once they are entered.
        return grade(self.total) if self.general is not None else ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "pk": self.pk,
            "name": self.name,
            "detail": self.detail,
            "figures": self.figures,
            "general": self.general,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Row:
        return cls(**data)


def may_see_unit(user: User, unit_id: int) -> bool:
    return is_office_or_leader(user) or (user.is_unit_member and user.unit_id == unit_id)


def may_score(user: User, person: User) -> bool:
    """The head of the person's unit enters the general criteria (the office too)."""
    if is_office(user):
        return True
    return bool(
        user.is_active
        and user.role == User.Role.HEAD
        and user.unit_id is not None
        and user.unit_id == person.unit_id
    )


def _general(period: Period, people: list[int]) -> dict[int, float]:
    return {
        person: float(points)
        for person, points in GeneralScore.objects.filter(
            period=period.key, person_id__in=people
        ).values_list("person_id", "points")
    }


def unit_rows(period: Period, today: date, units: list[Unit], *, every: bool = False) -> list[Row]:
    """The rows of `units` (`every`: they are all the active units, so no unit filter)."""
    figures = evaluate(
        period, today, by="lead_unit_id", lead_units=None if every else [u.pk for u in units]
    )
    return [
        Row("unit", u.pk, u.name, u.display_name, figures.get(u.pk, Figures()).as_dict())
        for u in units
    ]


def person_rows(period: Period, today: date, unit: Unit, only: User | None = None) -> list[Row]:
    people = list(
        User.objects.filter(unit=unit, role__in=MEMBER_ROLES, is_active=True).order_by(
            "-role", "full_name", "username"
        )
    )
    if only is not None:
        people = [p for p in people if p.pk == only.pk]
    figures = evaluate(period, today, by="assignee_id", assignees=[p.pk for p in people])
    general = _general(period, [p.pk for p in people])
    return [
        Row(
            "person",
            p.pk,
            p.full_name or p.username,
            p.job_title or p.get_role_display(),
            figures.get(p.pk, Figures()).as_dict(),
            general.get(p.pk),
        )
        for p in people
    ]


def closing(period: Period) -> EvaluationClosing | None:
    return EvaluationClosing.objects.filter(period=period.key).select_related("closed_by").first()


def frozen_rows(closed: EvaluationClosing, part: str, unit_id: int | None = None) -> list[Row]:
    """The rows of a closed period as they were: the units, or one unit's people."""
    if part == "units":
        return [Row.from_dict(r) for r in closed.figures.get("units", [])]
    return [Row.from_dict(r) for r in closed.figures.get("people", {}).get(str(unit_id), [])]


@transaction.atomic
def set_general(*, actor: User, person: User, period: Period, points: str) -> GeneralScore | None:
    """Enter (or clear, with an empty value) a person's general criteria for a period."""
    if not may_score(actor, person):
        raise PermissionDenied("Chỉ lãnh đạo đơn vị (hoặc Văn phòng) chấm tiêu chí chung.")
    if EvaluationClosing.objects.filter(period=period.key).exists():
        raise ValidationError(f"Kỳ {period.label} đã chốt; không sửa điểm được nữa.")
    text = (points or "").strip().replace(",", ".")
    if not text:
        GeneralScore.objects.filter(person=person, period=period.key).delete()
        return None
    try:
        value = Decimal(text).quantize(Decimal("0.1"))
    except InvalidOperation:
        raise ValidationError(f"“{points}” không phải là số điểm.") from None
    limit = rules()["general_points"]
    if not 0 <= value <= limit:
        raise ValidationError(f"Điểm tiêu chí chung từ 0 đến {limit}.")
    score, _ = GeneralScore.objects.update_or_create(
        person=person, period=period.key, defaults={"points": value, "entered_by": actor}
    )
    return score


def close(*, actor: User, period: Period, today: date) -> EvaluationClosing:
    """Freeze a finished period's figures (every unit, every unit's people)."""
    require_office(actor, "Chỉ Văn phòng được chốt kỳ đánh giá.")
    if period.end >= today:
        raise ValidationError(
            f"Kỳ {period.label} chưa kết thúc; chốt sau ngày {period.end:%d/%m/%Y}."
        )
    units = list(Unit.objects.filter(is_active=True).order_by("order", "name"))
    figures = {
        "units": [r.as_dict() for r in unit_rows(period, today, units, every=True)],
        "people": {str(u.pk): [r.as_dict() for r in person_rows(period, today, u)] for u in units},
        "rules": {k: v for k, v in rules().items() if k != "grades"},
    }
    try:
        with transaction.atomic():
            return EvaluationClosing.objects.create(
                period=period.key, closed_by=actor, closed_at=timezone.now(), figures=figures
            )
    except IntegrityError:
        raise ValidationError(f"Kỳ {period.label} đã được chốt.") from None
