from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import ExtractYear, Lower
from django.urls import reverse
from django.utils import timezone

from units.models import Unit

from .timeliness import (
    OPEN_BUCKETS,
    DeadlineField,
    Timeliness,
    bucket_q,
    days_late,
    timeliness_case,
    timeliness_of,
)

if TYPE_CHECKING:
    from units.models import User


class NoticeQuerySet(models.QuerySet["Notice"]):
    def visible_to(self, user: User) -> NoticeQuerySet:
        """Every notice for the office and the leadership (one without tasks yet included:
        the office adds them there); for a unit, the notices that give it a task."""
        if user.is_active and user.sees_all_units:
            return self
        return self.filter(pk__in=Task.objects.visible_to(user).values("notice_id"))

    def duplicates_of(
        self, *, number: str, issuer: str, issued_on: date, exclude: int | None = None
    ) -> NoticeQuerySet:
        """Notices that `number` of `issuer` in `issued_on`'s year would repeat: an issuer
        numbers its notices anew each year (letter case and spaces around do not count).
        The database holds the same rule (`notice_unique_per_issuer_and_year`)."""
        found = self.filter(
            number__iexact=number.strip(),
            issuer__iexact=issuer.strip(),
            issued_on__year=issued_on.year,
        )
        return found.exclude(pk=exclude) if exclude is not None else found


class Notice(models.Model):
    """A conclusion notice (Thông báo kết luận) whose directions become tasks."""

    number = models.CharField("số, ký hiệu", max_length=64, help_text="Ví dụ: 194/TB-UBND")
    issuer = models.CharField("cơ quan ban hành", max_length=255)
    place = models.CharField("địa danh", max_length=100, blank=True)
    issued_on = models.DateField("ngày ban hành")
    title = models.TextField("trích yếu")
    meeting_on = models.DateField("ngày họp", null=True, blank=True)
    chair = models.CharField("người chủ trì", max_length=150, blank=True)
    chair_title = models.CharField("chức vụ người chủ trì", max_length=150, blank=True)
    signer = models.CharField("người ký", max_length=150, blank=True)
    signer_title = models.CharField(
        "chức vụ người ký",
        max_length=150,
        blank=True,
        help_text="Ví dụ: TL. CHỦ TỊCH / CHÁNH VĂN PHÒNG",
    )
    recipients = models.TextField("nơi nhận", blank=True)
    source_text = models.TextField("toàn văn", blank=True)
    source_file = models.FileField("tệp văn bản", upload_to="notices/%Y/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người nhập",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("ngày nhập", auto_now_add=True)
    updated_at = models.DateTimeField("cập nhật lần cuối", auto_now=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = "thông báo kết luận"
        verbose_name_plural = "thông báo kết luận"
        ordering = ["-issued_on", "-pk"]
        # Newest first, as every list and the dashboard's per-notice table read them.
        indexes = [models.Index(fields=["-issued_on", "-id"], name="notice_issued")]
        constraints = [
            models.UniqueConstraint(
                Lower("issuer"),
                Lower("number"),
                ExtractYear("issued_on"),
                name="notice_unique_per_issuer_and_year",
                violation_error_message=(
                    "Thông báo cùng số, cùng cơ quan ban hành trong cùng năm đã có trong hệ thống."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} ngày {self.issued_on:%d/%m/%Y}"


class NoticeRevision(models.Model):
    """A change to a notice's header: who, when, the old and new values."""

    notice = models.ForeignKey(
        Notice, verbose_name="thông báo", on_delete=models.CASCADE, related_name="revisions"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người sửa",
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("thời điểm", default=timezone.now)
    changes = models.JSONField("thay đổi", default=dict)

    class Meta:
        verbose_name = "lịch sử sửa thông báo"
        verbose_name_plural = "lịch sử sửa thông báo"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.notice} · {self.created_at:%d/%m/%Y %H:%M}"


class NoticeSection(models.Model):
    """A numbered part of a notice ("3.1. Đối với Phòng Nội vụ"), the context of its tasks."""

    notice = models.ForeignKey(
        Notice, verbose_name="thông báo", on_delete=models.CASCADE, related_name="sections"
    )
    ref = models.CharField("mục", max_length=32)
    heading = models.CharField("tiêu đề", max_length=500, blank=True)
    body = models.TextField("nội dung chung", blank=True)
    order = models.PositiveIntegerField("thứ tự", default=0)

    class Meta:
        verbose_name = "mục của thông báo"
        verbose_name_plural = "mục của thông báo"
        ordering = ["notice", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "ref"],
                name="section_unique_ref_per_notice",
                violation_error_message="Thông báo đã có mục này.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref}. {self.heading}".strip()


class GroupTask(models.Model):
    """One direction given to several units at once: to a group ("UBND các xã, thị trấn")
    or to co-leads ("Phòng A, Phòng B và UBND các xã"). Each member unit gets its own task
    (`Task.group_task`), a full task of that unit; this row holds the shared terms and is read
    as the roll-up of its children. It is never counted as a task itself."""

    notice = models.ForeignKey(
        Notice, verbose_name="thông báo", on_delete=models.CASCADE, related_name="group_tasks"
    )
    ref = models.CharField("điều khoản", max_length=32, blank=True)
    text = models.TextField("nội dung nhiệm vụ")
    group = models.ForeignKey(
        "units.UnitGroup",
        verbose_name="nhóm đơn vị",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    leads_text = models.CharField("giao cho (theo văn bản)", max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người giao",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("ngày tạo", auto_now_add=True)

    class Meta:
        verbose_name = "nhiệm vụ giao nhiều đơn vị"
        verbose_name_plural = "nhiệm vụ giao nhiều đơn vị"
        ordering = ["notice", "pk"]

    def __str__(self) -> str:
        ref = f"{self.ref} · " if self.ref else ""
        return f"{ref}{self.leads_text or self.text[:60]}"

    def get_absolute_url(self) -> str:
        return reverse("group_task_detail", args=[self.pk])


# The order of tasks of the same urgency; the partial index `task_open_deadline` follows it.
DEADLINE_ORDER = (models.F("deadline").asc(nulls_last=True), "notice_id", "order", "pk")


def urgency_rank(today: date) -> models.Case:
    """A task's place in the urgency order: its open bucket's position in OPEN_BUCKETS, or
    after them all (closed, or in no bucket)."""
    return models.Case(
        *(
            models.When(bucket_q(bucket, today), then=models.Value(position))
            for position, bucket in enumerate(OPEN_BUCKETS)
        ),
        default=models.Value(len(OPEN_BUCKETS)),
        output_field=models.IntegerField(),
    )


def urgency_key(
    bucket: Timeliness, deadline: date | None, notice_id: int, order: int, pk: int
) -> tuple[int, bool, date, int, int, int]:
    """`by_urgency`'s order in Python, for rows already read (`bucket` from `timeliness_of`;
    tests/directives/test_task_list.py holds the two equal): the open bucket's position in
    OPEN_BUCKETS or after them all, then `DEADLINE_ORDER`."""
    rank = OPEN_BUCKETS.index(bucket) if bucket in OPEN_BUCKETS else len(OPEN_BUCKETS)
    return (rank, deadline is None, deadline or date.min, notice_id, order, pk)


# The work model's conditions, shared by the lists' filters (TaskQuerySet) and the figures
# that count them (reports: the dashboard, and today's tally that answers for it).


def unassigned_q() -> Q:
    """Running tasks nobody holds yet: what the unit's head still has to give out."""
    return Q(assignee__isnull=True, status__in=Task.RUNNING_STATUSES)


def not_received_q(today: date) -> Q:
    """New tasks nobody acknowledged or returned within the days a unit has for it."""
    from core.workdays import latest_start_past

    limit = latest_start_past(today, settings.DONDOC_RECEIVE_WORKING_DAYS)
    return Q(status=Task.Status.ASSIGNED, returned_at__isnull=True, assigned_on__lte=limit)


def missed_period_q(today: date) -> Q:
    """Recurring duties with a period whose cut-off passed without a report: the earliest
    unreported cut-off (`report_due`, kept with the periods; cleared when the duty ends) is
    before `today`."""
    return Q(report_due__lt=today)


def handed_back_q() -> Q:
    """Tasks their lead unit returned as not its own, waiting for the office."""
    return Q(status=Task.Status.ASSIGNED, returned_at__isnull=False)


class TaskQuerySet(models.QuerySet["Task"]):
    def visible_to(self, user: User) -> TaskQuerySet:
        """The tasks `user` may see: all for the office and leadership, else their unit's."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_all_units:
            return self
        if user.is_unit_member and user.unit_id is not None:
            return self.for_unit(user.unit_id)
        return self.none()

    def for_unit(self, unit: Unit | int, role: str | None = None) -> TaskQuerySet:
        """Tasks the unit leads (`role="lead"`), supports (`"support"`) or either (default).

        "Either" is the union of two indexed lookups: written as `lead = X OR EXISTS(support)`
        the database cannot use an index and reads every task of the status asked for (at 1M
        tasks, 600 ms instead of 25 ms for one unit's list).
        """
        unit_id = unit.pk if isinstance(unit, Unit) else unit
        supported = (
            Task.support_units.through.objects.filter(unit_id=unit_id).order_by().values("task_id")
        )
        if role == "lead":
            return self.filter(lead_unit_id=unit_id)
        if role == "support":
            return self.filter(pk__in=supported)
        led = Task.objects.filter(lead_unit_id=unit_id).order_by().values("pk")
        return self.filter(pk__in=led.union(supported))

    def held_by(self, user: User | int) -> TaskQuerySet:
        """The tasks a person holds or helps with ("Việc của tôi"): two indexed lookups."""
        user_id = user if isinstance(user, int) else user.pk
        helped = Task.helpers.through.objects.filter(user_id=user_id).order_by().values("task_id")
        held = Task.objects.filter(assignee_id=user_id).order_by().values("pk")
        return self.filter(pk__in=held.union(helped))

    def unassigned(self) -> TaskQuerySet:
        """Running tasks nobody holds yet (`unassigned_q`)."""
        return self.filter(unassigned_q())

    def not_received(self, today: date) -> TaskQuerySet:
        """New tasks not acknowledged nor returned in time (`not_received_q`)."""
        return self.filter(not_received_q(today))

    def missing_period_report(self, today: date) -> TaskQuerySet:
        """Recurring duties with a missed period report (`missed_period_q`): an index-only
        count."""
        return self.filter(missed_period_q(today))

    def handed_back(self) -> TaskQuerySet:
        """Tasks returned by their lead unit, waiting for the office (`handed_back_q`)."""
        return self.filter(handed_back_q())

    def open(self) -> TaskQuerySet:
        return self.filter(status__in=Task.OPEN_STATUSES)

    def in_bucket(
        self,
        bucket: Timeliness | str,
        today: date,
        *,
        soon_days: int | None = None,
        against: DeadlineField = "deadline",
    ) -> TaskQuerySet:
        return self.filter(
            bucket_q(Timeliness(bucket), today, soon_days=soon_days, against=against)
        )

    def overdue(self, today: date) -> TaskQuerySet:
        return self.in_bucket(Timeliness.OVERDUE, today)

    def due_within(self, days: int, today: date) -> TaskQuerySet:
        """Open tasks, not yet reported done, whose deadline falls in [today, today + days]."""
        return self.in_bucket(Timeliness.DUE_SOON, today, soon_days=days)

    def with_timeliness(
        self,
        today: date,
        *,
        soon_days: int | None = None,
        against: DeadlineField = "deadline",
    ) -> TaskQuerySet:
        """Annotate `timeliness` (a `Timeliness` value) as of `today`."""
        return self.annotate(
            timeliness=timeliness_case(today, soon_days=soon_days, against=against)
        )

    def by_urgency(self, today: date) -> TaskQuerySet:
        """Overdue first (the longest late first), then due soon, in time, ongoing; closed last."""
        return self.order_by(urgency_rank(today), *DEADLINE_ORDER)

    def by_deadline(self) -> TaskQuerySet:
        """Earliest deadline first, then the notice's order: `by_urgency` within one bucket."""
        return self.order_by(*DEADLINE_ORDER)


class Task(models.Model):
    """One direction of a notice, assigned to exactly one lead unit."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", "Mới giao"
        IN_PROGRESS = "in_progress", "Đang thực hiện"
        AWAITING_ACCEPTANCE = "awaiting", "Chờ xác nhận"
        DONE = "done", "Hoàn thành"
        PAUSED = "paused", "Tạm dừng"
        CANCELLED = "cancelled", "Hủy"

    class ReportEvery(models.TextChoices):
        NONE = "", "Không báo cáo định kỳ"
        MONTH = "month", "Hằng tháng"
        QUARTER = "quarter", "Hằng quý"
        HALF = "half", "6 tháng"
        YEAR = "year", "Hằng năm"

    class DeadlineKind(models.TextChoices):
        ONGOING = "ongoing", "Thường xuyên, không có hạn"
        DATE = "date", "Ngày cụ thể"
        MONTH = "month", "Trong tháng"
        QUARTER = "quarter", "Trong quý"
        YEAR = "year", "Trong năm"
        WORKING_DAYS = "working_days", "Số ngày làm việc"

    OPEN_STATUSES: ClassVar[tuple[str, ...]] = (
        Status.ASSIGNED,
        Status.IN_PROGRESS,
        Status.AWAITING_ACCEPTANCE,
        Status.PAUSED,
    )
    # Still running: not yet reported done (the ageing and stale figures count these).
    RUNNING_STATUSES: ClassVar[tuple[str, ...]] = (
        Status.ASSIGNED,
        Status.IN_PROGRESS,
        Status.PAUSED,
    )

    notice = models.ForeignKey(
        Notice, verbose_name="thông báo", on_delete=models.CASCADE, related_name="tasks"
    )
    section = models.ForeignKey(
        NoticeSection,
        verbose_name="mục",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    ref = models.CharField("điều khoản", max_length=32, blank=True, help_text="Ví dụ: 3.1")
    order = models.PositiveIntegerField("thứ tự", default=0)
    text = models.TextField("nội dung nhiệm vụ")
    lead_unit = models.ForeignKey(
        Unit, verbose_name="đơn vị chủ trì", on_delete=models.PROTECT, related_name="led_tasks"
    )
    support_units = models.ManyToManyField(
        Unit, verbose_name="đơn vị phối hợp", blank=True, related_name="supported_tasks"
    )
    assigned_on = models.DateField("ngày giao")
    deadline_kind = models.CharField(
        "loại thời hạn", max_length=16, choices=DeadlineKind, default=DeadlineKind.ONGOING
    )
    deadline_text = models.CharField("thời hạn theo văn bản", max_length=255, blank=True)
    original_deadline = models.DateField("thời hạn ban đầu", null=True, blank=True)
    deadline = models.DateField(
        "thời hạn", null=True, blank=True, help_text="Thời hạn hiện hành, sau khi gia hạn (nếu có)."
    )
    report_every = models.CharField(
        "báo cáo định kỳ", max_length=8, choices=ReportEvery, default=ReportEvery.NONE, blank=True
    )
    report_day = models.PositiveSmallIntegerField(
        "hạn báo cáo (ngày)",
        null=True,
        blank=True,
        help_text="Ngày trong tháng cuối của kỳ; để trống: ngày cuối kỳ.",
    )
    report_due = models.DateField(
        "hạn báo cáo định kỳ chưa nộp",
        null=True,
        blank=True,
        editable=False,
        help_text="Hạn của kỳ báo cáo sớm nhất chưa nộp (giữ bởi services.periods).",
    )
    status = models.CharField("trạng thái", max_length=16, choices=Status, default=Status.ASSIGNED)
    progress = models.PositiveSmallIntegerField("tiến độ (%)", default=0)
    completed_on = models.DateField(
        "ngày hoàn thành",
        null=True,
        blank=True,
        help_text="Ngày đơn vị báo hoàn thành; Văn phòng xác nhận hoặc điều chỉnh khi nghiệm thu.",
    )
    cancel_reason = models.TextField("lý do hủy", blank=True)
    group_task = models.ForeignKey(
        GroupTask,
        verbose_name="giao chung",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="Nhiệm vụ giao cho nhiều đơn vị mà đây là phần của một đơn vị.",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người thực hiện",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="held_tasks",
        help_text="Chuyên viên của đơn vị chủ trì chịu trách nhiệm nhiệm vụ.",
    )
    helpers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="người cùng thực hiện",
        blank=True,
        related_name="helped_tasks",
    )
    returned_at = models.DateTimeField(
        "đơn vị trả lại lúc",
        null=True,
        blank=True,
        help_text="Đơn vị chủ trì trả lại nhiệm vụ (không đúng chức năng), chờ Văn phòng xử lý.",
    )
    return_reason = models.TextField("lý do trả lại nhiệm vụ", blank=True)
    proposed_unit = models.ForeignKey(
        Unit,
        verbose_name="đơn vị được đề xuất",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    awaiting_head = models.BooleanField(
        "chờ lãnh đạo đơn vị duyệt",
        default=False,
        help_text="Báo cáo hoàn thành đang chờ lãnh đạo đơn vị xem trước khi chuyển Văn phòng.",
    )
    version = models.PositiveIntegerField("phiên bản", default=1)
    last_activity_at = models.DateTimeField("cập nhật gần nhất", default=timezone.now)
    search_text = models.TextField(editable=False, blank=True, default="")
    created_at = models.DateTimeField("ngày tạo", auto_now_add=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = "nhiệm vụ"
        verbose_name_plural = "nhiệm vụ"
        ordering = ["notice", "order", "pk"]
        indexes = [
            models.Index(fields=["lead_unit", "status", "deadline"], name="task_unit_status_dl"),
            models.Index(fields=["status", "deadline"], name="task_status_deadline"),
            models.Index(fields=["notice", "order"], name="task_notice_order"),
            models.Index(fields=["assignee", "status", "deadline"], name="task_assignee_status_dl"),
            # The dashboard's work figures: open tasks nobody holds, new tasks not yet
            # received, tasks a unit returned.
            models.Index(
                fields=["lead_unit", "deadline"],
                name="task_open_unassigned",
                condition=Q(
                    assignee__isnull=True, status__in=["assigned", "in_progress", "paused"]
                ),
            ),
            models.Index(
                fields=["assigned_on"],
                name="task_awaiting_receipt",
                condition=Q(status="assigned", returned_at__isnull=True),
            ),
            models.Index(
                fields=["report_due"],
                name="task_report_due",
                condition=Q(report_due__isnull=False),
            ),
            # The evaluation's tasks finished in a period (Nghị định 335).
            models.Index(
                fields=["completed_on"],
                name="task_done_on",
                condition=Q(status="done"),
            ),
            # The evaluation's recurring duties and whom they count for (every unit's page).
            models.Index(
                fields=["id"],
                include=["lead_unit", "assignee"],
                name="task_duty_keys",
                condition=~Q(report_every=""),
            ),
            models.Index(
                fields=["returned_at"],
                name="task_handed_back",
                condition=Q(returned_at__isnull=False),
            ),
            # The inbox's counts on every page of the office and of the heads: reports waiting
            # for the office, and for each unit's head (index-only counts).
            models.Index(
                fields=["lead_unit"],
                name="task_awaiting_review",
                condition=Q(status="awaiting"),
                include=["awaiting_head"],
            ),
            # Lists of one bucket of open tasks (all overdue tasks, …), in deadline order.
            models.Index(
                fields=["deadline", "notice", "order", "id"],
                name="task_open_deadline",
                condition=Q(status__in=["assigned", "in_progress", "awaiting", "paused"]),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "assigned",
                        "in_progress",
                        "awaiting",
                        "done",
                        "paused",
                        "cancelled",
                    ]
                ),
                name="task_status_valid",
                violation_error_message="Trạng thái không hợp lệ.",
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100),
                name="task_progress_0_100",
                violation_error_message="Tiến độ phải từ 0 đến 100%%.",
            ),
            models.CheckConstraint(
                condition=Q(deadline__isnull=True, original_deadline__isnull=True)
                | Q(
                    deadline__isnull=False,
                    original_deadline__isnull=False,
                    deadline__gte=models.F("original_deadline"),
                ),
                name="task_deadline_not_before_original",
                violation_error_message="Thời hạn hiện hành không được trước thời hạn ban đầu.",
            ),
            models.CheckConstraint(
                condition=Q(deadline_kind="ongoing", deadline__isnull=True)
                | (~Q(deadline_kind="ongoing") & Q(deadline__isnull=False)),
                name="task_ongoing_iff_no_deadline",
                violation_error_message=(
                    "Nhiệm vụ thường xuyên không có thời hạn; nhiệm "
                    "vụ có loại thời hạn khác phải có ngày."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["awaiting", "done"], completed_on__isnull=False)
                | (~Q(status__in=["awaiting", "done"]) & Q(completed_on__isnull=True)),
                name="task_completed_on_iff_reported",
                violation_error_message=(
                    "Chỉ nhiệm vụ đã báo cáo hoặc đã xác nhận hoàn thành mới có ngày hoàn thành."
                ),
            ),
            models.CheckConstraint(
                condition=Q(report_day__isnull=True)
                | (Q(report_day__gte=1, report_day__lte=31) & ~Q(report_every="")),
                name="task_report_day_in_month",
                violation_error_message="Hạn báo cáo định kỳ phải là một ngày từ 1 đến 31.",
            ),
            models.CheckConstraint(
                condition=Q(returned_at__isnull=True) | Q(status="assigned"),
                name="task_handed_back_only_when_new",
                violation_error_message="Chỉ nhiệm vụ mới giao mới có thể chờ xử lý việc trả lại.",
            ),
            models.CheckConstraint(
                condition=Q(awaiting_head=False) | Q(status="awaiting"),
                name="task_head_review_only_when_reported",
                violation_error_message=(
                    "Chỉ báo cáo hoàn thành đang chờ xác nhận mới chờ lãnh đạo đơn vị duyệt."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(progress=100),
                name="task_done_is_100_percent",
                violation_error_message="Nhiệm vụ hoàn thành phải đạt 100%%.",
            ),
            models.CheckConstraint(
                condition=(Q(status="cancelled") & ~Q(cancel_reason=""))
                | (~Q(status="cancelled") & Q(cancel_reason="")),
                name="task_cancel_reason_iff_cancelled",
                violation_error_message="Nhiệm vụ bị hủy phải có lý do hủy.",
            ),
        ]

    def __str__(self) -> str:
        ref = f"{self.ref} " if self.ref else ""
        return f"{self.notice.number} · {ref}{self.text[:80]}"

    def get_absolute_url(self) -> str:
        return reverse("task_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def decided_extensions(self) -> list[ExtensionRequest]:
        """The requests already decided, from the prefetched `extension_requests`."""
        pending = ExtensionRequest.Status.PENDING
        return [r for r in self.extension_requests.all() if r.status != pending]

    @property
    def pending_extension(self) -> ExtensionRequest | None:
        """The request waiting for a decision, from the prefetched `extension_requests`."""
        for request in self.extension_requests.all():
            if request.status == ExtensionRequest.Status.PENDING:
                return request
        return None

    def receive_by(self) -> date:
        """The last day to acknowledge or return the task (`DONDOC_RECEIVE_WORKING_DAYS`)."""
        from core.workdays import add_working_days

        return add_working_days(self.assigned_on, settings.DONDOC_RECEIVE_WORKING_DAYS)

    def not_received_on(self, today: date) -> bool:
        """Still not acknowledged (nor returned) after the days a unit has for it."""
        return (
            self.status == self.Status.ASSIGNED
            and self.returned_at is None
            and self.receive_by() < today
        )

    @property
    def is_extended(self) -> bool:
        return self.deadline is not None and self.deadline != self.original_deadline

    @property
    def deadline_input(self) -> str:
        """The deadline as a form shows it for editing: the document's phrase while it still
        gives the deadline, the date itself once an extension moved it."""
        if self.deadline is None:
            return self.deadline_text
        if self.deadline_text and not self.is_extended:
            return self.deadline_text
        return f"{self.deadline:%d/%m/%Y}"

    def timeliness_on(self, today: date, *, against: DeadlineField = "deadline") -> Timeliness:
        """The same rule as `bucket_q`, for one task already in memory."""
        return timeliness_of(self.status, getattr(self, against), self.completed_on, today)

    def days_overdue(self, today: date) -> int:
        """Days past the current deadline (0 when not late), frozen once completion is reported."""
        return days_late(self.deadline, self.completed_on, today)


class PeriodReport(models.Model):
    """One period of a recurring duty: its report is due at the cut-off; reported on time,
    late, or (past the cut-off, not reported) missed."""

    task = models.ForeignKey(
        "Task", verbose_name="nhiệm vụ", on_delete=models.CASCADE, related_name="period_reports"
    )
    period_start = models.DateField("từ ngày")
    period_end = models.DateField("đến ngày")
    due_on = models.DateField("hạn báo cáo")
    reported_on = models.DateField("ngày báo cáo", null=True, blank=True)
    event = models.ForeignKey(
        "TaskEvent",
        verbose_name="báo cáo",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "kỳ báo cáo định kỳ"
        verbose_name_plural = "kỳ báo cáo định kỳ"
        ordering = ["task", "period_start"]
        indexes = [
            models.Index(
                fields=["due_on", "task"],
                name="period_unreported_due",
                condition=Q(reported_on__isnull=True),
            ),
            # The evaluation's report periods due in a month, a quarter or a year.
            models.Index(fields=["due_on", "task", "reported_on"], name="period_due"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "period_start"], name="period_report_once_per_period"
            ),
            models.CheckConstraint(
                condition=Q(reported_on__isnull=True, event__isnull=True)
                | Q(reported_on__isnull=False),
                name="period_report_event_only_when_reported",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} · {self.period_start:%m/%Y}"

    @property
    def label(self) -> str:
        from .periods import label

        return label(self.period_start, self.task.report_every or "month")

    def state_on(self, today: date) -> str:
        """on_time, late, missed (past the cut-off, nothing yet) or open."""
        if self.reported_on is not None:
            return "on_time" if self.reported_on <= self.due_on else "late"
        return "missed" if self.due_on < today else "open"


class SupportRequest(models.Model):
    """The lead unit asks a support unit for its part by a date; the support unit's next
    contribution answers it, on time or late."""

    task = models.ForeignKey(
        "Task", verbose_name="nhiệm vụ", on_delete=models.CASCADE, related_name="support_requests"
    )
    unit = models.ForeignKey(
        Unit, verbose_name="đơn vị phối hợp", on_delete=models.PROTECT, related_name="+"
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người đề nghị",
        on_delete=models.PROTECT,
        related_name="+",
    )
    asked_at = models.DateTimeField("thời điểm đề nghị", default=timezone.now)
    due_on = models.DateField("hạn gửi")
    note = models.TextField("nội dung đề nghị")
    answered_at = models.DateTimeField("thời điểm trả lời", null=True, blank=True)
    answer = models.ForeignKey(
        "TaskEvent",
        verbose_name="phần phối hợp",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "đề nghị phối hợp"
        verbose_name_plural = "đề nghị phối hợp"
        ordering = ["-asked_at", "-pk"]
        indexes = [
            models.Index(
                fields=["due_on", "unit"],
                name="support_open_due",
                condition=Q(answered_at__isnull=True),
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "unit"],
                condition=Q(answered_at__isnull=True),
                name="support_one_open_request_per_unit",
                violation_error_message="Đơn vị này đang có một đề nghị phối hợp chưa trả lời.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · hạn {self.due_on:%d/%m/%Y}"

    def state_on(self, today: date) -> str:
        """answered (on time), late (answered after the date), overdue (not yet, past) or open."""
        if self.answered_at is not None:
            answered = timezone.localdate(self.answered_at)
            return "answered" if answered <= self.due_on else "late"
        return "overdue" if self.due_on < today else "open"


@dataclass(frozen=True)
class Transition:
    """One action on a task: who may take it, from which statuses, and where it leads."""

    action: str
    verb: str  # completes "Không thể … khi nhiệm vụ đang ở trạng thái …"
    who: str  # a rule of directives.permissions.ALLOWED
    denied: str  # the message when `who` does not hold
    from_statuses: tuple[str, ...]
    to_status: str | None = None  # None: the status stays (or, for resume, is restored)
    # A completion report waiting for the unit head (True) or for the office (False); None:
    # either. Only units that want their head's review set `Unit.head_review`.
    at_head: bool | None = None
    # A lead unit's return of the task (not its function) waiting for the office: True, only
    # then; False, only without one; None, either.
    returned: bool | None = None


_S = Task.Status
_ANY_STATUS = tuple(_S.values)

# Which action is allowed from which status, and who takes it. The services check it
# (`directives.services.base.begin`), the task page offers what it allows
# (`directives.permissions.available_actions`); docs/domain.md describes it.
TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(
            "start",
            "tiếp nhận",
            "lead",
            "Chỉ đơn vị chủ trì được tiếp nhận nhiệm vụ.",
            (_S.ASSIGNED,),
            _S.IN_PROGRESS,
            returned=False,
        ),
        Transition(
            "hand_back",
            "trả lại nhiệm vụ",
            "lead",
            "Chỉ đơn vị chủ trì được trả lại nhiệm vụ không đúng chức năng.",
            (_S.ASSIGNED,),
            returned=False,
        ),
        Transition(
            "reassign",
            "giao lại đơn vị chủ trì",
            "office",
            "Chỉ Văn phòng được giao lại nhiệm vụ cho đơn vị khác.",
            (_S.ASSIGNED,),
            returned=True,
        ),
        Transition(
            "insist",
            "giữ nguyên giao",
            "office",
            "Chỉ Văn phòng được quyết định giữ nguyên việc giao nhiệm vụ.",
            (_S.ASSIGNED,),
            returned=True,
        ),
        Transition(
            "report_period",
            "báo cáo định kỳ",
            "lead",
            "Chỉ đơn vị chủ trì được báo cáo định kỳ.",
            (_S.ASSIGNED, _S.IN_PROGRESS),
            _S.IN_PROGRESS,
            returned=False,
        ),
        Transition(
            "progress",
            "báo cáo tiến độ",
            "lead",
            "Chỉ đơn vị chủ trì được báo cáo tiến độ.",
            (_S.ASSIGNED, _S.IN_PROGRESS),
            _S.IN_PROGRESS,
            returned=False,
        ),
        Transition(
            "complete",
            "báo cáo hoàn thành",
            "lead",
            "Chỉ đơn vị chủ trì được báo cáo hoàn thành.",
            (_S.ASSIGNED, _S.IN_PROGRESS),
            _S.AWAITING_ACCEPTANCE,
            returned=False,
        ),
        Transition(
            "extend",
            "đề nghị gia hạn",
            "lead",
            "Chỉ đơn vị chủ trì được đề nghị gia hạn.",
            (_S.ASSIGNED, _S.IN_PROGRESS, _S.PAUSED),
            returned=False,
        ),
        Transition(
            "ask_support",
            "đề nghị phối hợp",
            "lead",
            "Chỉ đơn vị chủ trì được đề nghị đơn vị phối hợp.",
            (_S.ASSIGNED, _S.IN_PROGRESS, _S.PAUSED),
            returned=False,
        ),
        Transition(
            "contribute",
            "cập nhật",
            "support",
            "Chỉ đơn vị phối hợp được cập nhật phần phối hợp.",
            Task.OPEN_STATUSES,
        ),
        Transition(
            "assign_person",
            "phân công người thực hiện",
            "divider",
            "Chỉ lãnh đạo đơn vị chủ trì (hoặc người được giao phân công) "
            "được phân công người thực hiện.",
            Task.OPEN_STATUSES,
        ),
        Transition(
            "forward",
            "chuyển Văn phòng",
            "head",
            "Chỉ lãnh đạo đơn vị chủ trì được duyệt báo cáo hoàn thành.",
            (_S.AWAITING_ACCEPTANCE,),
            at_head=True,
        ),
        Transition(
            "head_return",
            "trả lại chuyên viên",
            "head",
            "Chỉ lãnh đạo đơn vị chủ trì được trả lại báo cáo cho chuyên viên.",
            (_S.AWAITING_ACCEPTANCE,),
            _S.IN_PROGRESS,
            at_head=True,
        ),
        Transition(
            "accept",
            "xác nhận hoàn thành",
            "office",
            "Chỉ Văn phòng được xác nhận hoàn thành.",
            (_S.AWAITING_ACCEPTANCE,),
            _S.DONE,
            at_head=False,
        ),
        Transition(
            "return",
            "trả lại",
            "office",
            "Chỉ Văn phòng được trả lại báo cáo hoàn thành.",
            (_S.AWAITING_ACCEPTANCE,),
            _S.IN_PROGRESS,
            at_head=False,
        ),
        Transition(
            "decide_extension",
            "quyết định gia hạn",
            "office_or_leader",
            "Chỉ Văn phòng hoặc lãnh đạo UBND được quyết định gia hạn.",
            _ANY_STATUS,
        ),
        Transition(
            "comment",
            "cho ý kiến",
            "office_or_leader",
            "Chỉ Văn phòng hoặc lãnh đạo UBND được cho ý kiến.",
            _ANY_STATUS,
        ),
        Transition(
            "pause",
            "tạm dừng",
            "office",
            "Chỉ Văn phòng được tạm dừng nhiệm vụ.",
            (_S.ASSIGNED, _S.IN_PROGRESS),
            _S.PAUSED,
            returned=False,
        ),
        Transition(
            "resume",
            "tiếp tục",
            "office",
            "Chỉ Văn phòng được cho tiếp tục nhiệm vụ.",
            (_S.PAUSED,),
        ),
        Transition("edit", "sửa", "office", "Chỉ Văn phòng được sửa nhiệm vụ.", Task.OPEN_STATUSES),
        Transition(
            "cancel",
            "hủy",
            "office",
            "Chỉ Văn phòng được hủy nhiệm vụ.",
            Task.OPEN_STATUSES,
            _S.CANCELLED,
        ),
    )
}


# The timeline rows whose note says where a task's work stands: the latest of them is the
# unit's latest word (Annex I's last column). Values, for the index below (a model's Meta
# cannot see its choices); a test holds them to TaskEvent.Kind.
NOTED_KINDS = ("progress", "completion_reported", "extension_requested", "contribution", "started")


class TaskEvent(models.Model):
    """One row of a task's timeline. Append-only: services add rows and never change them."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", "Giao nhiệm vụ"
        STARTED = "started", "Tiếp nhận, bắt đầu thực hiện"
        PROGRESS = "progress", "Báo cáo tiến độ"
        CONTRIBUTION = "contribution", "Đơn vị phối hợp cập nhật"
        COMPLETION_REPORTED = "completion_reported", "Báo cáo hoàn thành"
        ACCEPTED = "accepted", "Xác nhận hoàn thành"
        RETURNED = "returned", "Trả lại, yêu cầu thực hiện lại"
        EXTENSION_REQUESTED = "extension_requested", "Đề nghị gia hạn"
        EXTENSION_APPROVED = "extension_approved", "Đồng ý gia hạn"
        EXTENSION_REFUSED = "extension_refused", "Không đồng ý gia hạn"
        PAUSED = "paused", "Tạm dừng"
        RESUMED = "resumed", "Tiếp tục thực hiện"
        CANCELLED = "cancelled", "Hủy nhiệm vụ"
        COMMENT = "comment", "Ý kiến chỉ đạo"
        EDITED = "edited", "Chỉnh sửa nhiệm vụ"
        PERSON_ASSIGNED = "person_assigned", "Phân công người thực hiện"
        FORWARDED = "forwarded", "Lãnh đạo đơn vị duyệt, chuyển Văn phòng"
        HEAD_RETURNED = "head_returned", "Lãnh đạo đơn vị trả lại chuyên viên"
        HANDED_BACK = "handed_back", "Đơn vị trả lại nhiệm vụ"
        REASSIGNED = "reassigned", "Giao lại cho đơn vị khác"
        INSISTED = "insisted", "Văn phòng giữ nguyên việc giao"
        PERIOD_REPORTED = "period_reported", "Báo cáo định kỳ"
        SUPPORT_ASKED = "support_asked", "Đề nghị đơn vị phối hợp"
        REMINDED = "reminded", "Nhắc ngay"

    task = models.ForeignKey(
        Task, verbose_name="nhiệm vụ", on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField("loại", max_length=32, choices=Kind)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người thực hiện",
        on_delete=models.PROTECT,
        related_name="task_events",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name="thay mặt đơn vị",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("thời điểm", default=timezone.now)
    status_from = models.CharField("trạng thái trước", max_length=16, blank=True)
    status_to = models.CharField("trạng thái sau", max_length=16, blank=True)
    progress = models.PositiveSmallIntegerField("tiến độ (%)", null=True, blank=True)
    note = models.TextField("nội dung", blank=True)
    data = models.JSONField("chi tiết", default=dict, blank=True)

    class Meta:
        verbose_name = "diễn biến"
        verbose_name_plural = "diễn biến"
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["task", "created_at"], name="event_task_time"),
            # A task's latest word on its work and its latest completion report, one index
            # probe each for every row of a long export (reports/exports/data.py).
            models.Index(
                "task",
                F("created_at").desc(),
                F("id").desc(),
                name="event_task_latest_note",
                condition=Q(kind__in=NOTED_KINDS) & ~Q(note=""),
            ),
            models.Index(
                "task",
                F("created_at").desc(),
                F("id").desc(),
                name="event_task_latest_done",
                condition=Q(kind="completion_reported"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__isnull=True) | Q(progress__lte=100),
                name="event_progress_0_100",
                violation_error_message="Tiến độ phải từ 0 đến 100%%.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.created_at:%d/%m/%Y %H:%M}"

    @property
    def status_from_label(self) -> str:
        return Task.Status(self.status_from).label if self.status_from else ""

    @property
    def status_to_label(self) -> str:
        return Task.Status(self.status_to).label if self.status_to else ""


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name is random so that a guessed URL can never reach a file; the
    # original name is kept in `name` and given back on download.
    import uuid

    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{suffix[:10]}"


class Attachment(models.Model):
    """A file attached to a timeline row: evidence of progress or the output document."""

    event = models.ForeignKey(
        TaskEvent, verbose_name="diễn biến", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("tệp", upload_to=attachment_path, max_length=255)
    name = models.CharField("tên tệp", max_length=255)
    size = models.PositiveBigIntegerField("dung lượng (byte)")
    content_type = models.CharField("kiểu tệp", max_length=100)
    sha256 = models.CharField("SHA-256", max_length=64)
    created_at = models.DateTimeField("thời điểm", default=timezone.now)

    class Meta:
        verbose_name = "tệp đính kèm"
        verbose_name_plural = "tệp đính kèm"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class ExtensionRequest(models.Model):
    """A unit's request to move a deadline; the original deadline stays on the task."""

    class Status(models.TextChoices):
        PENDING = "pending", "Chờ quyết định"
        APPROVED = "approved", "Đồng ý"
        REFUSED = "refused", "Không đồng ý"

    task = models.ForeignKey(
        Task, verbose_name="nhiệm vụ", on_delete=models.CASCADE, related_name="extension_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người đề nghị",
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField("thời điểm đề nghị", default=timezone.now)
    reason = models.TextField("lý do")
    previous_deadline = models.DateField("thời hạn khi đề nghị")
    proposed_deadline = models.DateField("thời hạn đề nghị")
    # Asked once the deadline had passed: allowed, marked, and decided like any other.
    after_deadline = models.BooleanField("đề nghị sau thời hạn", default=False)
    status = models.CharField("kết quả", max_length=16, choices=Status, default=Status.PENDING)
    # The date the office or leadership agreed to: the one asked, or another.
    approved_deadline = models.DateField("thời hạn được đồng ý", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người quyết định",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("thời điểm quyết định", null=True, blank=True)
    decision_note = models.TextField("ý kiến", blank=True)

    class Meta:
        verbose_name = "đề nghị gia hạn"
        verbose_name_plural = "đề nghị gia hạn"
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["task"],
                condition=Q(status="pending"),
                name="extension_one_pending_per_task",
                violation_error_message="Nhiệm vụ đang có một đề nghị gia hạn chờ quyết định.",
            ),
            models.CheckConstraint(
                condition=Q(proposed_deadline__gt=models.F("previous_deadline")),
                name="extension_moves_deadline_later",
                violation_error_message="Thời hạn đề nghị phải sau thời hạn hiện tại.",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_by__isnull=True, decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_by__isnull=False, decided_at__isnull=False)),
                name="extension_decided_iff_not_pending",
                violation_error_message=(
                    "Đề nghị đã quyết định phải có người và thời điểm quyết định."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status="approved", approved_deadline__gt=models.F("previous_deadline"))
                | (~Q(status="approved") & Q(approved_deadline__isnull=True)),
                name="extension_approved_iff_new_deadline",
                violation_error_message=(
                    "Đề nghị được đồng ý phải có thời hạn mới sau thời hạn hiện tại."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"Gia hạn đến {self.proposed_deadline:%d/%m/%Y} ({self.get_status_display()})"

    @property
    def other_date(self) -> bool:
        """Approved to another date than the one asked."""
        return (
            self.approved_deadline is not None and self.approved_deadline != self.proposed_deadline
        )


class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app notice to one person: something happened to a task, or a reminder."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người nhận",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    task = models.ForeignKey(
        Task,
        verbose_name="nhiệm vụ",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    event = models.ForeignKey(
        TaskEvent,
        verbose_name="diễn biến",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    message = models.CharField("nội dung", max_length=300, blank=True)
    created_at = models.DateTimeField("thời điểm", default=timezone.now)
    read_at = models.DateTimeField("đã đọc lúc", null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = "thông báo trong ứng dụng"
        verbose_name_plural = "thông báo trong ứng dụng"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_inbox")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event"], name="notification_once_per_event"
            ),
            models.CheckConstraint(
                condition=Q(event__isnull=False) | ~Q(message=""),
                name="notification_has_event_or_message",
                violation_error_message="Thông báo phải gắn với một diễn biến hoặc có nội dung.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.event.get_kind_display() if self.event is not None else self.message


class ImportDraft(models.Model):
    """A notice read from a file or pasted text whose preview was not yet confirmed: it
    waits in the office's inbox until someone confirms it or sets it aside."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người nhập",
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField("thời điểm đọc", default=timezone.now)
    file_name = models.CharField("tên tệp", max_length=255, blank=True)
    # The uploaded file while the preview is open (importer.pending); "" for pasted text.
    pending = models.CharField("tệp chờ", max_length=500, blank=True)
    source_text = models.TextField("nội dung đã đọc")
    number = models.CharField("số hiệu đọc được", max_length=64, blank=True)
    title = models.CharField("trích yếu đọc được", max_length=500, blank=True)
    # Read from an edXML package (directives.edxml): the package kept until confirmed, the
    # header it gave (the preview's starting values) and what could not be read of it.
    package = models.CharField("gói edXML chờ", max_length=500, blank=True)
    header = models.JSONField("thông tin từ gói tin", default=dict, blank=True)
    problems = models.JSONField("điều chưa đọc được", default=list, blank=True)

    class Meta:
        verbose_name = "thông báo chờ xác nhận nhập"
        verbose_name_plural = "thông báo chờ xác nhận nhập"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.number or self.file_name or f"Bản đọc lúc {self.created_at:%d/%m/%Y %H:%M}"


class SavedFilter(models.Model):
    """A task list's filters kept under a name by one person; its link can be shared (each
    reader sees the tasks their own scope allows)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người lưu",
        on_delete=models.CASCADE,
        related_name="saved_filters",
    )
    name = models.CharField("tên bộ lọc", max_length=80)
    query = models.CharField("điều kiện lọc", max_length=2000, blank=True)
    created_at = models.DateTimeField("lưu lúc", default=timezone.now)

    class Meta:
        verbose_name = "bộ lọc đã lưu"
        verbose_name_plural = "bộ lọc đã lưu"
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name"],
                name="saved_filter_name_once_per_owner",
                violation_error_message="Bạn đã có một bộ lọc cùng tên.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ObjectiveCause(models.Model):
    """The office's finding that a return at review (quality) or a late completion
    (timeliness, recorded on its acceptance) had an objective cause: Nghị định 335 then does
    not deduct for it. The timeline row itself never changes."""

    event = models.OneToOneField(
        TaskEvent,
        verbose_name="diễn biến",
        on_delete=models.CASCADE,
        related_name="objective_cause",
    )
    note = models.TextField("nguyên nhân khách quan")
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người ghi nhận",
        on_delete=models.PROTECT,
        related_name="+",
    )
    marked_at = models.DateTimeField("thời điểm ghi nhận", default=timezone.now)

    class Meta:
        verbose_name = "nguyên nhân khách quan"
        verbose_name_plural = "nguyên nhân khách quan"

    def __str__(self) -> str:
        return self.note[:80]


from .models_exchange import ExchangePackage  # noqa: E402, F401 - one app, two files
