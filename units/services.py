"""Writes about units and accounts; each leaves an audit entry with who, when and what."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core import seams
from core.changes import diff_values

from .access import require_office
from .models import AuditEntry, Unit, UnitGroup, User

OFFICE_GROUP = "Văn phòng"
OFFICE_APPS = ("units", "directives", "reminders", "reports")

UNIT_FIELDS = ("name", "short_name", "aliases", "kind", "order", "head_review")
ACCOUNT_FIELDS = (
    "username",
    "full_name",
    "job_title",
    "email",
    "phone",
    "role",
    "unit",
    "assigns_work",
    "is_active",
    "notify_by_email",
    "notify_by_sms",
)


def _require_office(actor: User) -> None:
    require_office(actor, "Chỉ Văn phòng được quản lý đơn vị và tài khoản.")


def _audit(actor: User, obj: Unit | User | UnitGroup, action: str, changes: dict[str, Any]) -> None:
    AuditEntry.objects.create(
        actor=actor,
        object_type=obj._meta.model_name or "",
        object_id=obj.pk,
        object_repr=str(obj)[:255],
        action=action,
        changes=changes,
    )


def _apply(
    obj: Unit | User | UnitGroup, fields: tuple[str, ...], values: dict[str, Any]
) -> dict[str, list[Any]]:
    unknown = set(values) - set(fields)
    if unknown:
        raise TypeError(f"unexpected fields {sorted(unknown)}")
    diff = diff_values(obj, values)
    for name in diff:
        setattr(obj, name, values[name])
    return diff


@transaction.atomic
def save_unit(*, actor: User, unit: Unit | None = None, **values: Any) -> Unit:
    """Create a unit, or change its names; the audit keeps the old values."""
    _require_office(actor)
    creating = unit is None
    unit = unit or Unit()
    diff = _apply(unit, UNIT_FIELDS, values)
    if creating or diff:
        unit.full_clean()
        unit.save()
        _audit(actor, unit, "tạo" if creating else "sửa", diff)
    return unit


@transaction.atomic
def save_group(
    *,
    actor: User,
    group: UnitGroup | None = None,
    name: str,
    aliases: list[str],
    members: list[Unit],
    order: int = 0,
) -> UnitGroup:
    """Create or change a group of units (a task given to it goes to every member)."""
    _require_office(actor)
    creating = group is None
    group = group or UnitGroup()
    values = {"name": name.strip(), "aliases": aliases, "order": order}
    diff = _apply(group, ("name", "aliases", "order"), values)
    old = set() if creating else {u.name for u in group.members.all()}
    new = {u.name for u in members}
    if old != new:
        diff["members"] = [sorted(old), sorted(new)]
    if creating or diff:
        group.full_clean()
        group.save()
        group.members.set(members)
        _audit(actor, group, "tạo" if creating else "sửa", diff)
    return group


@transaction.atomic
def close_unit(*, actor: User, unit: Unit, closed_on: date, successor: Unit | None) -> int:
    """Close a unit; its open tasks move to the successor with their history. Returns how many."""
    _require_office(actor)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if not unit.is_active:
        raise ValidationError("Đơn vị này đã ngừng hoạt động.", code="closed")
    if successor is not None and (successor.pk == unit.pk or not successor.is_active):
        raise ValidationError(
            "Đơn vị kế thừa phải là một đơn vị khác đang hoạt động.", code="successor"
        )
    # The apps above hand over what the unit still holds (directives: its open tasks).
    moved = sum(seams.unit_closing.call(actor=actor, unit=unit, successor=successor))
    unit.is_active, unit.closed_on, unit.successor = False, closed_on, successor
    unit.save(update_fields=["is_active", "closed_on", "successor"])
    _audit(
        actor,
        unit,
        "giải thể, sáp nhập",
        {
            "closed_on": closed_on.isoformat(),
            "successor": successor.name if successor else None,
            "tasks_moved": moved,
        },
    )
    return moved


@transaction.atomic
def save_account(
    *, actor: User, account: User | None = None, password: str | None = None, **values: Any
) -> User:
    """Create an account or change its unit, role, contacts or active flag."""
    _require_office(actor)
    if account is not None and account.is_superuser and not actor.is_superuser:
        raise PermissionDenied("Văn phòng không được sửa tài khoản quản trị hệ thống.")
    creating = account is None
    account = account or User()
    diff = _apply(account, ACCOUNT_FIELDS, values)
    if account.role in (User.Role.STAFF, User.Role.HEAD) and account.unit_id is None:
        raise ValidationError({"unit": "Chuyên viên và lãnh đạo đơn vị phải thuộc một đơn vị."})
    if password:
        account.set_password(password)
        diff["password"] = ["***", "***"]
    if creating and not password:
        account.set_unusable_password()
    if creating or diff:
        account.save()
        if account.role == User.Role.OFFICE:
            grant_office_admin(account)
        _audit(actor, account, "tạo" if creating else "sửa", diff)
    return account


@transaction.atomic
def grant_office_admin(user: User) -> None:
    """Give an office account the admin screens for units, accounts, notices and tasks.

    Statuses and timelines stay read-only there: the admin itself refuses those edits.
    """
    group, _ = Group.objects.get_or_create(name=OFFICE_GROUP)
    wanted = set(
        Permission.objects.filter(content_type__app_label__in=OFFICE_APPS).values_list(
            "pk", flat=True
        )
    )
    if set(group.permissions.values_list("pk", flat=True)) != wanted:
        group.permissions.set(wanted)
    user.groups.add(group)
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
