from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from core.text import name_key

if TYPE_CHECKING:
    from collections.abc import Iterable


class UnitQuerySet(models.QuerySet["Unit"]):
    def active(self) -> UnitQuerySet:
        return self.filter(is_active=True)

    def match(self, text: str) -> Unit | None:
        """The unit that `text` names by its full name, short form or an alias.

        Accents, case, dashes and spacing are ignored. Unit registries hold tens to a few
        hundred rows, so the comparison runs in Python over the whole registry.
        """
        found = self.candidates(text)
        return found[0] if len(found) == 1 else None

    def candidates(self, text: str) -> list[Unit]:
        """The units `text` may name: the one it names whole, else every unit with a name
        holding its words ("Sơn Tây" → "Ủy ban nhân dân xã Sơn Tây"; "VP" → each "VP …")."""
        key = name_key(text)
        if not key:
            return []
        units = list(self.order_by("-is_active", "pk"))
        for unit in units:
            if key in unit.name_keys():
                return [unit]
        words = f" {key} "
        return [u for u in units if u.is_active and any(words in f" {k} " for k in u.name_keys())]


class Unit(models.Model):
    """A unit that can lead or support a task: a phòng/ban, a xã/thị trấn, an outside agency."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", "Phòng, ban chuyên môn"
        OFFICE = "office", "Văn phòng HĐND-UBND"
        COMMUNE = "commune", "UBND xã, thị trấn"
        AGENCY = "agency", "Đơn vị sự nghiệp, trung tâm"
        EXTERNAL = "external", "Cơ quan ngoài huyện"

    name = models.CharField("tên đơn vị", max_length=255, unique=True)
    short_name = models.CharField("tên viết tắt", max_length=64, blank=True)
    aliases = models.JSONField(
        "tên gọi khác",
        default=list,
        blank=True,
        help_text=(
            "Những cách viết người dùng hay gõ, ví dụ “TN-MT”, “Phòng Tài nguyên - Môi trường”."
        ),
    )
    kind = models.CharField("loại đơn vị", max_length=16, choices=Kind, default=Kind.DEPARTMENT)
    is_active = models.BooleanField("đang hoạt động", default=True)
    closed_on = models.DateField("ngày giải thể/sáp nhập", null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name="đơn vị kế thừa",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )
    order = models.PositiveIntegerField("thứ tự", default=0)
    head_review = models.BooleanField(
        "lãnh đạo đơn vị duyệt trước",
        default=False,
        help_text=(
            "Báo cáo hoàn thành của chuyên viên được lãnh đạo đơn vị xem trước, "
            "rồi mới chuyển Văn phòng xác nhận."
        ),
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = "đơn vị"
        verbose_name_plural = "đơn vị"
        ordering = ["order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(successor=models.F("pk")),
                name="unit_successor_not_self",
                violation_error_message="Đơn vị kế thừa không thể là chính đơn vị này.",
            ),
            models.CheckConstraint(
                condition=Q(is_active=True, closed_on__isnull=True, successor__isnull=True)
                | Q(is_active=False, closed_on__isnull=False),
                name="unit_closed_iff_inactive",
                violation_error_message=(
                    "Đơn vị ngừng hoạt động phải có ngày giải thể/sáp "
                    "nhập; đơn vị đang hoạt động thì không."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def all_names(self) -> Iterable[str]:
        yield self.name
        if self.short_name:
            yield self.short_name
        yield from self.aliases or []

    def name_keys(self) -> set[str]:
        return {name_key(n) for n in self.all_names()}


class UnitGroupQuerySet(models.QuerySet["UnitGroup"]):
    def match(self, text: str) -> UnitGroup | None:
        """The group `text` names by its name or an alias (accents, case, spacing ignored)."""
        key = name_key(text)
        if not key:
            return None
        for group in self.prefetch_related("members"):
            if key in {name_key(n) for n in (group.name, *(group.aliases or []))}:
                return group
        return None


class UnitGroup(models.Model):
    """A named set of units a notice gives one task to ("UBND các xã, thị trấn"), kept by the
    office: the task becomes one task per member unit."""

    name = models.CharField("tên nhóm", max_length=255, unique=True)
    aliases = models.JSONField(
        "tên gọi khác",
        default=list,
        blank=True,
        help_text="Những cách văn bản hay viết, ví dụ “các xã, thị trấn”, “UBND các xã”.",
    )
    members = models.ManyToManyField(
        Unit, verbose_name="đơn vị thành viên", related_name="unit_groups", blank=True
    )
    order = models.PositiveIntegerField("thứ tự", default=0)

    objects = UnitGroupQuerySet.as_manager()

    class Meta:
        verbose_name = "nhóm đơn vị"
        verbose_name_plural = "nhóm đơn vị"
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """An account of Đôn đốc. Its role decides what it sees; staff and heads belong to a unit."""

    class Role(models.TextChoices):
        STAFF = "staff", "Chuyên viên đơn vị"
        HEAD = "head", "Lãnh đạo đơn vị"
        OFFICE = "office", "Văn phòng (theo dõi, đôn đốc)"
        LEADER = "leader", "Lãnh đạo UBND (Chủ tịch, Phó Chủ tịch)"

    full_name = models.CharField("họ và tên", max_length=150, blank=True)
    job_title = models.CharField("chức vụ", max_length=150, blank=True)
    phone = models.CharField("số điện thoại", max_length=20, blank=True)
    notify_by_email = models.BooleanField(
        "nhận nhắc việc qua thư điện tử", default=True, help_text="Cần có địa chỉ thư điện tử."
    )
    notify_by_sms = models.BooleanField(
        "nhận nhắc việc qua SMS", default=False, help_text="Cần có số điện thoại."
    )
    role = models.CharField("vai trò", max_length=16, choices=Role, default=Role.STAFF)
    unit = models.ForeignKey(
        Unit,
        verbose_name="đơn vị",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    assigns_work = models.BooleanField(
        "phân công thay lãnh đạo đơn vị",
        default=False,
        help_text="Chuyên viên được lãnh đạo đơn vị giao việc phân công người thực hiện.",
    )

    class Meta:
        verbose_name = "tài khoản"
        verbose_name_plural = "tài khoản"
        constraints = [
            models.CheckConstraint(
                condition=~Q(role__in=["staff", "head"]) | Q(unit__isnull=False),
                name="user_unit_member_has_unit",
                violation_error_message="Chuyên viên và lãnh đạo đơn vị phải thuộc một đơn vị.",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def sees_all_units(self) -> bool:
        """The office and the leadership follow every unit's tasks."""
        return self.is_superuser or self.role in (self.Role.OFFICE, self.Role.LEADER)

    @property
    def is_office(self) -> bool:
        return self.is_superuser or self.role == self.Role.OFFICE

    @property
    def is_leader(self) -> bool:
        return self.role == self.Role.LEADER

    @property
    def is_unit_member(self) -> bool:
        return self.role in (self.Role.STAFF, self.Role.HEAD) and self.unit_id is not None

    def divides_work_of(self, unit_id: int | None) -> bool:
        """The head of `unit_id`, or the member the head lets assign its tasks to people."""
        return (
            self.is_active
            and unit_id is not None
            and self.unit_id == unit_id
            and (
                self.role == self.Role.HEAD or (self.role == self.Role.STAFF and self.assigns_work)
            )
        )


class AuditEntry(models.Model):
    """Who changed which unit or account, when, from what to what."""

    actor = models.ForeignKey(
        User, verbose_name="người thực hiện", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("thời điểm", auto_now_add=True)
    object_type = models.CharField("đối tượng", max_length=32)
    object_id = models.PositiveBigIntegerField("mã đối tượng")
    object_repr = models.CharField("tên đối tượng", max_length=255)
    action = models.CharField("thao tác", max_length=32)
    changes = models.JSONField("thay đổi", default=dict)

    class Meta:
        verbose_name = "nhật ký thay đổi"
        verbose_name_plural = "nhật ký thay đổi"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.object_repr}: {self.action}"
