"""The filters of the task list; they live in the URL so that a filtered list can be shared."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from functools import cached_property
from typing import Any

import django_filters
import django_filters.fields
from django import forms
from django.core.cache import cache
from django.db import connections
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import StrIndex
from django.db.models.lookups import GreaterThan
from django.http import HttpRequest
from django.utils import timezone

from core.cache import KeptInProcess
from core.filters import date_filter
from core.text import fold
from core.widgets import FastSelect, NamedModelChoiceFilter
from units.models import Unit, User

from . import caching
from .models import GroupTask, Notice, Task, TaskQuerySet
from .timeliness import AGEING, Timeliness, ageing_q, buckets_q, stale_q

NOTICE_CHOICES = 200
# Notices matched by number beyond this many are looked up by the database, not listed.
MAX_MATCHED_NOTICES = 500
# A unit with at most this many tasks has its search's words tested on each of its tasks.
ROW_TESTED_SCOPE = 20_000
# Whether a unit's tasks are that few (`TaskFilter._small_scope`), known in the process this long.
SCOPE_SECONDS = 600
_small_scopes: KeptInProcess[tuple[str, int], bool] = KeptInProcess(SCOPE_SECONDS)


def _followed(request: HttpRequest) -> QuerySet[Notice]:
    user = request.user
    if getattr(user, "sees_all_units", False):
        # The office and the leadership follow every notice: no need to ask the tasks.
        return Notice.objects.all()
    return Notice.objects.filter(
        pk__in=Task.objects.visible_to(user).values("notice_id")  # type: ignore[arg-type]
    )


def _label(number: str, issued_on: date) -> str:
    return f"{number} ngày {issued_on:%d/%m/%Y}"


def _recent(request: HttpRequest) -> list[tuple[int, str, str]]:
    """(id, chair, label) of the most recent notices this person follows; read once per
    request, kept across requests until a task is given or a notice saved (directives.caching)."""
    cached: list[tuple[int, str, str]] | None = getattr(request, "_dondoc_recent_notices", None)
    if cached is None:
        kept = caching.key(request.user)
        cached = cache.get(kept)
        if cached is None:
            cached = [
                (pk, chair, _label(number, issued_on))
                for pk, chair, number, issued_on in _followed(request)
                .order_by("-issued_on", "-pk")
                .values_list("pk", "chair", "number", "issued_on")[:NOTICE_CHOICES]
            ]
            cache.set(kept, cached, caching.TIMEOUT)
        request._dondoc_recent_notices = cached  # type: ignore[attr-defined]
    return cached


def _older_chosen(request: HttpRequest) -> int | None:
    """The notice chosen in the address when it is not among the recent ones."""
    chosen = request.GET.get("notice", "")
    if chosen.isdigit() and int(chosen) not in {pk for pk, _, _ in _recent(request)}:
        return int(chosen)
    return None


def _notices(request: HttpRequest | None) -> QuerySet[Notice]:
    """The notices to pick from: the most recent ones this person follows, and the chosen one.

    Older notices are found with the search box, which matches notice numbers.
    """
    if request is None:
        return Notice.objects.none()
    ids = [pk for pk, _, _ in _recent(request)]
    older = _older_chosen(request)
    if older is not None:
        # An older notice picked from a link: offered only if this person follows it, since
        # the filter's queryset is also what it accepts.
        ids.extend(_followed(request).filter(pk=older).values_list("pk", flat=True))
    return Notice.objects.filter(pk__in=ids).order_by("-issued_on", "-pk")


def _chairs(request: HttpRequest | None) -> list[tuple[str, str]]:
    if request is None:
        return []
    return [(c, c) for c in sorted({chair for _, chair, _ in _recent(request) if chair})]


class NoticeChoiceIterator(django_filters.fields.ModelChoiceIterator):
    """(id, "number ngày dd/mm/yyyy"): the recent notices' labels as kept with them (no query),
    else read as plain values (no model instance per option)."""

    def __iter__(self) -> Iterator[tuple[Any, str]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        offered: list[tuple[int, str]] | None = getattr(self.field, "offered", None)
        if offered is not None:
            yield from offered
            return
        for pk, number, issued_on in self.queryset.values_list("pk", "number", "issued_on"):
            yield (pk, _label(number, issued_on))


class NoticeChoiceField(django_filters.fields.ModelChoiceField):
    iterator = NoticeChoiceIterator


class NoticeChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = NoticeChoiceField

    @property
    def field(self) -> forms.Field:
        field = super().field
        request = self.get_request()
        # The options are the kept recent notices unless an older one was chosen (then the
        # queryset, which holds it too, is read).
        field.offered = (
            [(pk, label) for pk, _, label in _recent(request)]
            if request is not None and _older_chosen(request) is None
            else None
        )
        return field


class UnitChoiceFilter(NamedModelChoiceFilter):
    """The unit picker of the office and the leadership (every unit of a province, thousands):
    its options written once and kept until a unit is saved (core.widgets.select_options)."""

    @property
    def field(self) -> forms.Field:
        field = super().field
        field.widget.options_key = f"units:{caching.units_version()}:{self.field_name}"
        return field


def _group_tasks_of(request: HttpRequest) -> QuerySet[GroupTask]:
    """The tasks given to several units that the person's unit has a part in."""
    tasks = Task.objects.visible_to(request.user)  # type: ignore[arg-type]
    return GroupTask.objects.filter(pk__in=tasks.values("group_task_id"))


class TaskFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Tìm kiếm",
        method="search",
        widget=forms.TextInput(
            attrs={"placeholder": "Nội dung, số thông báo… (gõ có dấu hoặc không)"}
        ),
    )
    # distinct=False: a task's own columns cannot repeat a row, and DISTINCT would make the
    # database sort every matching task before it could stop at one page.
    timeliness = django_filters.MultipleChoiceFilter(
        label="Thời hạn", choices=Timeliness.choices, method="filter_timeliness", distinct=False
    )
    status = django_filters.MultipleChoiceFilter(
        label="Trạng thái",
        choices=Task.Status.choices,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    notice = NoticeChoiceFilter(
        label="Thông báo kết luận",
        queryset=_notices,
        empty_label="Tất cả thông báo kết luận",
        widget=FastSelect,
    )
    unit = UnitChoiceFilter(
        label="Đơn vị",
        queryset=Unit.objects.order_by("order", "name"),
        method="filter_unit",
        empty_label="Tất cả đơn vị",
        widget=FastSelect,
    )
    role = django_filters.ChoiceFilter(
        label="Vai trò của đơn vị",
        choices=[("lead", "Chủ trì"), ("support", "Phối hợp")],
        method="filter_role",
        empty_label="Chủ trì hoặc phối hợp",
    )
    person = django_filters.ChoiceFilter(
        label="Người thực hiện",
        choices=[("mine", "Việc của tôi"), ("none", "Đang mở, chưa phân công")],
        method="filter_person",
        empty_label="Tất cả",
    )
    receipt = django_filters.ChoiceFilter(
        label="Tiếp nhận",
        choices=[
            ("late", "Chưa tiếp nhận, quá thời hạn tiếp nhận"),
            ("returned", "Đơn vị trả lại, chờ Văn phòng xử lý"),
        ],
        method="filter_receipt",
        empty_label="Tất cả",
    )
    period = django_filters.ChoiceFilter(
        label="Báo cáo định kỳ",
        choices=[
            ("missed", "Có kỳ báo cáo quá hạn chưa nộp"),
            ("recurring", "Mọi nhiệm vụ báo cáo định kỳ"),
        ],
        method="filter_period",
        empty_label="Tất cả",
    )
    group_task = django_filters.ModelChoiceFilter(
        label="Giao nhiều đơn vị",
        queryset=GroupTask.objects.all(),
        widget=forms.HiddenInput,
    )
    # From the evaluation page (Nghị định 335): one person's tasks, one figure of a period.
    holder = django_filters.ModelChoiceFilter(
        label="Người thực hiện",
        queryset=User.objects.all(),
        field_name="assignee",
        widget=forms.HiddenInput,
    )
    danh_gia = django_filters.CharFilter(
        label="Đánh giá", method="filter_evaluation", widget=forms.HiddenInput
    )
    deadline_from = date_filter("Hạn từ ngày", "deadline", "gte")
    deadline_to = date_filter("đến ngày", "deadline", "lte")

    assigned_from = date_filter("Giao từ ngày", "assigned_on", "gte")
    assigned_to = date_filter("đến ngày", "assigned_on", "lte")
    chair = django_filters.ChoiceFilter(
        label="Lãnh đạo chủ trì họp",
        field_name="notice__chair",
        empty_label="Tất cả",
        widget=FastSelect,
    )
    ageing = django_filters.ChoiceFilter(
        label="Số ngày quá hạn",
        choices=[(f"{low}-{high or ''}", label) for label, low, high in AGEING],
        method="filter_ageing",
        empty_label="Tất cả",
    )
    stale = django_filters.NumberFilter(
        label="Không cập nhật quá (ngày)", method="filter_stale", min_value=1, max_value=3650
    )
    as_of = date_filter("Tính đến ngày", "", "exact", method="keep")

    class Meta:
        model = Task
        fields: list[str] = []

    # A text search's words when the search is of the text alone (`walking_qs`).
    text_words: tuple[str, ...] = ()
    _walking = False
    _walked: TaskQuerySet | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.request
        # A plain function: form fields deep-copy their choices, and a bound method would
        # drag the whole filterset and request along.
        self.filters["chair"].extra["choices"] = lambda: _chairs(request)
        user = getattr(self.request, "user", None)
        if user is None or not user.sees_all_units:
            # Staff filter by their own unit's role; the unit picker is for the office.
            del self.filters["unit"]
            # A unit names only its own people.
            self.filters["holder"].queryset = User.objects.filter(
                unit_id=getattr(user, "unit_id", None) or 0
            )
            # A unit knows only the tasks given to several units that it has a part in (made
            # when the form is: a list without filters has none).
            self.filters["group_task"].queryset = _group_tasks_of

    def search(self, queryset: TaskQuerySet, name: str, value: str) -> TaskQuerySet:
        """Every word in the task's text, or the phrase in a unit's name or the notice number.

        Accents are optional: "qua han" finds "quá hạn", "son tay" the tasks of xã Sơn Tây.
        """
        phrase = fold(value)
        if not phrase:
            return queryset
        words = phrase.split()

        def in_text(by_row: bool) -> Any:  # a Q, or a lookup used as a condition
            found: Any = Q()
            for word in words:
                if by_row:
                    # Tested on each row the database reads: no index answers it, so the
                    # planner cannot trade the rows it reads for the trigram index.
                    found &= GreaterThan(StrIndex("search_text", Value(word)), 0)
                else:
                    found &= Q(search_text__contains=word)
            return found

        # Each way of matching is its own indexed lookup (the text through its trigram index
        # on PostgreSQL, the notices' numbers through theirs, the units' tasks through theirs),
        # and the list takes their union: written as one OR across the tables, the database
        # would read every task. Most searches match no notice number and no unit name: the
        # text alone then filters the list.
        if self._walking:
            # The filters applied a second time (`walking_qs`), for a search the first time
            # found to be of the text alone (no notice number, no unit's name matched).
            return queryset.filter(in_text(True))
        numbered = Notice.objects.filter(number__icontains=value.strip()).order_by().values("pk")
        notice_ids: list[int] | QuerySet[Any, Any]
        notice_ids = list(numbered.values_list("pk", flat=True)[: MAX_MATCHED_NOTICES + 1])
        if len(notice_ids) > MAX_MATCHED_NOTICES:  # a part of every number ("TB-UBND")
            notice_ids = numbered
        unit_ids = [
            pk for pk, names in caching.unit_names() if any(phrase in name for name in names)
        ]
        if not notice_ids and not unit_ids:
            self.text_words = tuple(words)
            return queryset.filter(in_text(self._small_scope(queryset)))
        matched = Task.objects.filter(in_text(False)).order_by().values("pk")
        if notice_ids:
            matched = matched.union(
                Task.objects.filter(notice_id__in=notice_ids).order_by().values("pk")
            )
        if unit_ids:
            matched = matched.union(
                Task.objects.filter(lead_unit_id__in=unit_ids).order_by().values("pk"),
                Task.support_units.through.objects.filter(unit_id__in=unit_ids)
                .order_by()
                .values("task_id"),
            )
        return queryset.filter(pk__in=matched)

    def _small_scope(self, scope: TaskQuerySet) -> bool:
        """Whether a unit's own tasks are few enough (`ROW_TESTED_SCOPE`) for its search to
        test each of them (read through the unit's indexes) rather than go through the
        trigram index of every task: at a million tasks a common word matches ~50,000, which
        PostgreSQL, taking them for a few dozen, read and checked against the unit one by one
        (2 s for a unit's search). The office and the leadership search every task."""
        user = getattr(self.request, "user", None)
        if user is None or user.sees_all_units or connections[scope.db].vendor != "postgresql":
            return False
        # Known for a while in the process: a unit's tasks grow slowly, and counting up to
        # ROW_TESTED_SCOPE of them cost a unit's first search as much as reading its page.
        return _small_scopes.kept(
            (scope.db, user.unit_id or 0),
            lambda: scope.order_by()[: ROW_TESTED_SCOPE + 1].count() <= ROW_TESTED_SCOPE,
        )

    @property
    def form(self) -> forms.Form:
        """The form that reads the filters: only the fields of those in the address (the
        whole form's twenty fields, each built and deep-copied, cost more than a list made
        afresh spends on its rows; a field absent from the address filters nothing either
        way). `shown_form` is the whole form, as the pages show it."""
        if not hasattr(self, "_form"):
            asked = [name for name in self.filters if self._asked(name)]
            self._form = self._form_of(asked)
        return self._form

    @cached_property
    def shown_form(self) -> forms.Form:
        """Every filter's field, with the values and errors of those asked for."""
        return self._form_of(list(self.filters))

    def _asked(self, name: str) -> bool:
        """Whether the address gives filter `name` a value (a widget of several inputs names
        them `name_…`)."""
        if not self.is_bound:
            return False
        return any(key == name or key.startswith(f"{name}_") for key in self.data)

    def _form_of(self, names: list[str]) -> forms.Form:
        fields = {name: self.filters[name].field for name in names}
        form_class = type(f"{type(self).__name__}Form", (self._meta.form,), fields)
        if self.is_bound:
            return form_class(self.data, prefix=self.form_prefix)
        return form_class(prefix=self.form_prefix)

    def searched_alone(self) -> bool:
        """Whether the list is filtered by a search of the text alone (its buckets aside)."""
        self.qs  # noqa: B018 - the filters applied once, which tells the search's words
        if not self.text_words:
            return False
        data = getattr(self.form, "cleaned_data", {})
        return not any(value for name, value in data.items() if name not in ("q", "timeliness"))

    def walking_qs(self) -> TaskQuerySet | None:
        """`qs` with a text search's words tested row by row, for a page of a search that
        matches many tasks: the database then walks the list's deadline order and stops after
        the page, where through the trigram index it would read and sort every match (its
        estimate of how many match is far too low for common words). None when the list is
        not searched by its text alone."""
        self.qs  # noqa: B018 - the filters applied once, which tells the search's words
        if not self.text_words:
            return None
        if self._walked is None:
            self._walking = True
            try:
                self._walked = self.filter_queryset(self.queryset.all())
            finally:
                self._walking = False
        return self._walked

    @property
    def reference_day(self) -> date:
        """The reference day of every date rule: `as_of` when given and valid, else today."""
        if self.is_bound and self.form.is_valid() and self.form.cleaned_data.get("as_of"):
            day: date = self.form.cleaned_data["as_of"]
            return day
        return timezone.localdate()

    @property
    def own_order(self) -> tuple[str, ...] | None:
        """The order of a list that has one of its own, read through its index: duties with
        a missed period by the cut-off they missed, tasks not received by the day they were
        given, returned tasks by the day they came back; None for the urgency order."""
        if not (self.is_bound and self.form.is_valid()):
            return None
        data = self.form.cleaned_data
        if data.get("period") == "missed":
            return ("report_due", "pk")
        if data.get("receipt") == "late":
            return ("assigned_on", "pk")
        if data.get("receipt") == "returned":
            return ("returned_at", "pk")
        return None

    @property
    def buckets(self) -> list[str]:
        if self.is_bound and self.form.is_valid():
            return list(self.form.cleaned_data.get("timeliness") or [])
        return []

    def keep(self, queryset: TaskQuerySet, name: str, value: Any) -> TaskQuerySet:
        return queryset

    def listed(self) -> TaskQuerySet:
        """Every task the list shows under these filters, its timeliness tabs included (the
        list, its export and its "Nhắc ngay" act on the same tasks)."""
        tasks: TaskQuerySet = self.qs
        if self.buckets:
            tasks = tasks.filter(buckets_q(self.buckets, self.reference_day))
        return tasks

    def filter_timeliness(self, queryset: TaskQuerySet, name: str, value: Any) -> TaskQuerySet:
        # Validated here, applied by the view after it has counted every bucket under the
        # other filters (the tabs show those counts).
        return queryset

    def filter_ageing(self, queryset: TaskQuerySet, name: str, value: str) -> TaskQuerySet:
        low, _, high = value.partition("-")
        return queryset.filter(ageing_q(int(low), int(high) if high else None, self.reference_day))

    def filter_stale(self, queryset: TaskQuerySet, name: str, value: Any) -> TaskQuerySet:
        return queryset.filter(stale_q(self.reference_day, int(value)))

    def filter_unit(self, queryset: TaskQuerySet, name: str, value: Unit) -> TaskQuerySet:
        role = self.data.get("role") or None
        return queryset.for_unit(value, role=role if role in ("lead", "support") else "lead")

    def filter_period(self, queryset: TaskQuerySet, name: str, value: str) -> TaskQuerySet:
        if value == "recurring":
            return queryset.exclude(report_every="")
        return queryset.missing_period_report(self.reference_day)

    def filter_receipt(self, queryset: TaskQuerySet, name: str, value: str) -> TaskQuerySet:
        if value == "returned":
            return queryset.handed_back()
        return queryset.not_received(self.reference_day)

    def filter_evaluation(self, queryset: TaskQuerySet, name: str, value: str) -> TaskQuerySet:
        """ "2026-11:late": the tasks one figure of the evaluation counts (evaluation.part_q)."""
        from .evaluation import PARTS, Period, part_q

        key, _, part = value.partition(":")
        period = Period.parse(key)
        if period is None or part not in PARTS:
            return queryset.none()
        return queryset.filter(part_q(part, period, self.reference_day))

    def filter_person(self, queryset: TaskQuerySet, name: str, value: str) -> TaskQuerySet:
        if value == "none":  # running tasks nobody holds yet (the head's to-do)
            return queryset.unassigned()
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            return queryset.none()
        return queryset.held_by(user)

    def filter_role(self, queryset: TaskQuerySet, name: str, value: str) -> TaskQuerySet:
        user = getattr(self.request, "user", None)
        if user is not None and user.is_unit_member:
            return queryset.for_unit(user.unit_id, role=value)
        return queryset  # with a unit picked, `filter_unit` applies the role


# How a filter's value is named on the list's chips, when its label alone would be unclear.
_CHIP_LABELS = {
    "danh_gia": "Đánh giá",
    "deadline_from": "Hạn từ ngày",
    "deadline_to": "Hạn đến ngày",
    "assigned_from": "Giao từ ngày",
    "assigned_to": "Giao đến ngày",
}


def _evaluation_chip(value: str) -> str:
    from .evaluation import PARTS, Period

    key, _, part = value.partition(":")
    period = Period.parse(key)
    return f"{PARTS.get(part, part)}, {period.label}" if period else value


def applied_filters(task_filter: TaskFilter) -> list[tuple[str, str, str]]:
    """Every filter a list is under, as (parameter, label, value shown): the list names what
    it holds, so a figure's link says which tasks it opened (each chip removes its filter)."""
    if not task_filter.is_bound or not task_filter.form.is_valid():
        return []
    chips: list[tuple[str, str, str]] = []
    for name, value in task_filter.form.cleaned_data.items():
        if value in (None, "", [], ()):
            continue
        field = task_filter.form.fields[name]
        label = _CHIP_LABELS.get(name, str(field.label))
        if isinstance(value, date):
            shown = f"{value:%d/%m/%Y}"
        elif isinstance(value, (list, tuple)):
            choices = dict(getattr(field, "choices", []))
            shown = " + ".join(str(choices.get(v, v)) for v in value)
        elif name == "danh_gia":
            shown = _evaluation_chip(value)
        elif hasattr(field, "choices") and not hasattr(value, "pk"):
            shown = str(dict(field.choices).get(value, value))
        else:
            shown = str(value)
        chips.append((name, label, shown))
    return chips
