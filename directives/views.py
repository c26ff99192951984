from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property, partial
from typing import Any, overload

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from core import seams
from core.cache import KeptInProcess
from core.db import estimated_rows, limited, sample, within
from units.models import User

from . import caching, services
from .deadlines import DeadlineError, parse_deadline
from .filters import TaskFilter, applied_filters
from .forms import (
    AcceptForm,
    AssignPersonForm,
    CommentForm,
    CompletionForm,
    ContributionForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    PeriodReportForm,
    ProgressForm,
    ReasonForm,
    ReturnForm,
    StartForm,
    SupportRequestForm,
)
from .forms_notice import (
    HandBackForm,
    InsistForm,
    ReassignForm,
    TaskEditForm,
    unit_names_text,
)
from .models import (
    Attachment,
    ExtensionRequest,
    Notification,
    PeriodReport,
    SavedFilter,
    SupportRequest,
    Task,
    TaskEvent,
    TaskQuerySet,
    urgency_key,
    urgency_rank,
)
from .permissions import available_actions, reasons_not_offered
from .rows import list_rows, timeline
from .timeliness import (
    OPEN_BUCKETS,
    Timeliness,
    bucket_of,
    bucket_q,
    buckets_from,
    buckets_q,
    timeliness_counts,
)

PAGE_SIZE = 25


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Leadership starts on the dashboard; staff who hold open tasks on them ("Việc của
    tôi"); everyone else on the whole list they follow (a unit that does not divide its work
    among people keeps seeing all of it)."""
    user: User = request.user  # type: ignore[assignment]
    if user.is_leader:
        return redirect("dashboard")
    if user.role == User.Role.STAFF and Task.objects.open().held_by(user).exists():
        return redirect(f"{reverse('task_list')}?person=mine")
    return task_list(request)


# A walk that takes longer than this is stopped, and the page read through the text's index.
WALK_MILLISECONDS = 30


def _walks(matches: int, needed: int) -> bool:
    """Whether a text search's page of one bucket (its first `needed` rows; `matches` tasks
    match in the bucket) is better read by walking the bucket's deadline order and testing
    each row's text than through the trigram index, which reads and sorts every match.
    PostgreSQL's own guess cannot choose: it takes common words for rare ones (47 matches
    expected, 49,993 found at a million tasks). Matches spread over the bucket, the walk reads
    about needed × bucket / matches rows, fewer than needed × table / matches: walked when
    that is at most four rows per match (a row walked costs less than a match read through
    the index); matches bunched at the bucket's end are what `WALK_MILLISECONDS` is for."""
    rows = estimated_rows(Task)
    return rows is not None and needed * rows <= 4 * matches * matches


def _page_ids(
    tasks: TaskQuerySet,
    walking: Callable[[], TaskQuerySet] | None,
    matches: int,
    low: int,
    high: int,
) -> list[int]:
    """Rows `low:high` of one bucket's `tasks` (`matches` of them) in deadline order; walked
    through `walking()` (the same tasks, their text tested row by row) when the walk is the
    shorter way (`_walks`), unless it runs long."""
    if walking is not None and _walks(matches, high):
        walked = within(
            walking().by_deadline().values_list("pk", flat=True)[low:high], WALK_MILLISECONDS
        )
        if walked is not None:
            return walked
    return list(tasks.by_deadline().values_list("pk", flat=True)[low:high])


class _Walked:
    """The ids of one bucket's tasks in deadline order, sliced as the paginator asks, a page
    walked where the search matches many of them (`_page_ids`)."""

    def __init__(
        self, tasks: TaskQuerySet, walking: Callable[[], TaskQuerySet], matches: int
    ) -> None:
        self.tasks, self.walking, self.matches = tasks, walking, matches

    def __getitem__(self, part: slice) -> list[int]:
        return _page_ids(self.tasks, self.walking, self.matches, part.start or 0, part.stop)


def _segment(tasks: TaskQuerySet, bucket: Timeliness | None, today: date) -> TaskQuerySet:
    """`tasks` of one open bucket, or (None) every task outside the open buckets, as
    `TaskQuerySet.by_urgency` ranks them."""
    if bucket is None:
        return tasks.alias(rank=urgency_rank(today)).filter(rank=len(OPEN_BUCKETS))
    return tasks.filter(bucket_q(bucket, today))


def _segments(buckets: list[str]) -> list[Timeliness | None]:
    """The parts of a list of `buckets` (every bucket when none) in the urgency order: each
    open bucket, then the closed ones together (`_segment`)."""
    wanted = [Timeliness(b) for b in buckets] or list(Timeliness)
    if len(wanted) == 1:
        return [wanted[0]]
    found: list[Timeliness | None] = [b for b in OPEN_BUCKETS if b in wanted]
    if any(b not in OPEN_BUCKETS for b in wanted):
        found.append(None)
    return found


# A page across several buckets of a list of at most this many tasks is sorted at once: a
# query per bucket (`_UrgencyOrder`) costs more than sorting so few (a unit's search).
SORTED_AT_ONCE = 1_000


class _UrgencyOrder:
    """The ids of `tasks` in the urgency order (`TaskQuerySet.by_urgency`), sliced as the
    paginator asks: bucket by bucket, each by its deadline, skipping whole buckets by their
    counts. Sorting every task by its urgency rank read the whole list (the office's, a
    province's, at each change); each open bucket is a range of the open tasks' deadline
    index, where the database stops after one page. The closed tasks come last, as one.

    `walking`: gives the same tasks with a text search's words tested row by row
    (`TaskFilter.walking_qs`), for the buckets where the search matches many tasks."""

    def __init__(
        self,
        tasks: TaskQuerySet,
        today: date,
        counts: dict[Timeliness, int],
        buckets: list[str],
        walking: Callable[[], TaskQuerySet] | None = None,
    ) -> None:
        self.today = today
        self.tasks, self.walking = tasks, walking
        wanted = [Timeliness(b) for b in buckets] or list(Timeliness)
        closed = sum(counts[b] for b in wanted if b not in OPEN_BUCKETS)
        # (bucket, its size); None: every task outside the open buckets.
        self.segments: list[tuple[Timeliness | None, int]] = [
            (bucket, closed if bucket is None else counts[bucket]) for bucket in _segments(buckets)
        ]

    def _walking(self, bucket: Timeliness | None) -> TaskQuerySet:
        assert self.walking is not None
        return _segment(self.walking(), bucket, self.today)

    def __getitem__(self, part: slice) -> list[int]:
        start, stop = part.start or 0, part.stop
        # The buckets the slice reaches into: (bucket, its size, the slice's rows of it).
        spans: list[tuple[Timeliness | None, int, int, int]] = []
        offset = 0
        for bucket, size in self.segments:
            if stop is not None and stop <= offset:
                break
            low = max(start - offset, 0)
            high = size if stop is None else min(stop - offset, size)
            if high > low:
                spans.append((bucket, size, low, high))
            offset += size
        if len(spans) > 1 and sum(size for _, size in self.segments) <= SORTED_AT_ONCE:
            # A page across buckets of a short list: sorted at once, in one query.
            ordered = self.tasks.by_urgency(self.today).values_list("pk", flat=True)
            return list(ordered[start:stop])
        ids: list[int] = []
        for bucket, size, low, high in spans:
            walking = partial(self._walking, bucket) if self.walking is not None else None
            segment = _segment(self.tasks, bucket, self.today)
            ids += _page_ids(segment, walking, size, low, high)
        return ids


# A unit's list of at most this many tasks is read whole, in one query (`_Whole`).
READ_WHOLE = 1_000
# A unit seen to follow more is not tried again for this long, in this process.
LARGE_UNIT_SECONDS = 3_600
_large_units: KeptInProcess[int, bool] = KeptInProcess(LARGE_UNIT_SECONDS)


class _Whole:
    """A short list's tasks as read in one query (id, status, dates, place in the notice):
    its bucket counts and its pages in the urgency order, both from those rows
    (`bucket_of`, `urgency_key`: the rules of `bucket_q` and `by_urgency` in Python,
    tests hold them equal). A unit's list made afresh after a change to one of its tasks
    counted its buckets over its tasks, then read them again for a page."""

    FIELDS = ("pk", "status", "deadline", "completed_on", "notice_id", "order")

    def __init__(self, rows: list[tuple[Any, ...]], today: date) -> None:
        bucket = bucket_of(today)
        self.found = [
            (bucket(status, deadline, completed_on), deadline, notice, order, pk)
            for pk, status, deadline, completed_on, notice, order in rows
        ]

    @cached_property
    def counts(self) -> dict[Timeliness, int]:
        tally = Counter(bucket for bucket, *_ in self.found)
        return {bucket: tally[bucket] for bucket in Timeliness}

    def ids(self, buckets: list[str]) -> list[int]:
        """The ids of the tasks in `buckets` (every one when none), most urgent first."""
        wanted = {Timeliness(b) for b in buckets} or set(Timeliness)
        shown = sorted(urgency_key(*row) for row in self.found if row[0] in wanted)
        return [key[-1] for key in shown]


class _Lazy(Sequence[int]):
    """A list of ids made only when first asked for (the paginator's, where the page's ids
    may be found kept)."""

    def __init__(self, make: Callable[[], Sequence[int]]) -> None:
        self.make = make

    @cached_property
    def made(self) -> Sequence[int]:
        return self.make()

    @overload
    def __getitem__(self, part: int) -> int: ...

    @overload
    def __getitem__(self, part: slice) -> list[int]: ...

    def __getitem__(self, part: int | slice) -> int | list[int]:
        if isinstance(part, slice):
            return list(self.made[part])
        return self.made[part]

    def __len__(self) -> int:
        return len(self.made)


# A search of every task that is estimated to match at least this many tasks is shown before
# its tabs' counts, which the page then asks for (`task_list_counts`): counting ~50,000
# matches by bucket takes 130-300 ms at a million tasks, a page of them a few.
DEFERRED_COUNTS = 3_000


class _TaskListing:
    """What the task list shows, each part computed only when the page renders it: the filter
    form and the list itself are kept as HTML until a change (directives.caching), and a page
    found kept asks for none of what made it.

    `deferring`: a search that matches many tasks may show its first page before its counts
    (`deferred`)."""

    def __init__(self, request: HttpRequest, *, deferring: bool = True) -> None:
        self.request = request
        self.deferring = deferring

    @cached_property
    def filter(self) -> TaskFilter:
        scope = Task.objects.visible_to(self.request.user)  # type: ignore[arg-type]
        return TaskFilter(self.request.GET or None, queryset=scope, request=self.request)

    @cached_property
    def today(self) -> date:
        if not self.request.GET.get("as_of"):  # known without the filters (a page found kept)
            return timezone.localdate()
        return self.filter.reference_day

    def _key(self, part: str, *, without: str = "") -> str:
        return caching.list_key(
            self.request.user, self.today, self.request.GET, part, without=without
        )

    def _kept(self, part: str, compute: Callable[[], Any], *, without: str = "") -> Any:
        return caching.kept_list(self._key(part, without=without), compute)

    @cached_property
    def may_defer(self) -> bool:
        """Whether the page could be shown before its counts (`deferred`), from its address
        alone: the first page of a search by a person who follows every task."""
        user: User = self.request.user  # type: ignore[assignment]
        query = self.request.GET
        return (
            self.deferring
            and user.sees_all_units
            and query.get("page", "1") == "1"
            and bool(query.get("q", "").strip())
        )

    @cached_property
    def deferred(self) -> bool:
        """Whether the first page is shown before its tabs' counts, which the page asks for
        once shown (`task_list_counts`, which keeps them for the next pages): a search of every
        task by its text alone, estimated from a sample of the tasks' texts to match at least
        `DEFERRED_COUNTS` (PostgreSQL's own estimate takes common words that go together for
        rare ones), whose counts are not kept yet. The page is then walked (`page`)."""
        if not self.may_defer:
            return False
        if caching.kept_only(self.counts_key) is not None or not self.filter.searched_alone():
            return False
        words = self.filter.text_words
        texts = sample(Task, "search_text")
        return texts.estimate(lambda text: all(w in text for w in words)) >= DEFERRED_COUNTS

    def _walked_first_page(self) -> list[int] | None:
        """The first page's ids and the next one's first (to tell whether there is a next page),
        in the urgency order, read without the counts: each bucket walked in deadline order,
        the words tested on each row. None when that takes longer than `WALK_MILLISECONDS` (a
        bucket with few matches among many tasks): the page is then read with its counts."""
        walking = self.filter.walking_qs()
        assert walking is not None  # a search of the text alone
        if self.buckets:
            walking = walking.filter(buckets_q(self.buckets, self.today))
        today = self.today

        def read(limit: Callable[[], None]) -> list[int]:
            ids: list[int] = []
            for n, bucket in enumerate(_segments(self.buckets)):
                needed = PAGE_SIZE + 1 - len(ids)
                if needed <= 0:
                    break
                if n:
                    limit()  # the time left, for this part
                part = _segment(walking, bucket, today).by_deadline()
                ids += part.values_list("pk", flat=True)[:needed]
            return ids

        return limited(read, WALK_MILLISECONDS, walking.db)

    @cached_property
    def all_buckets(self) -> list[Timeliness]:
        return list(Timeliness)

    @cached_property
    def counts_by(self) -> dict[Timeliness, int]:
        """Each bucket's count under the other filters (the timeliness is applied after)."""
        task_filter, today = self.filter, self.today

        def count() -> dict[Timeliness, int]:
            if self.whole is not None:
                return self.whole.counts
            # Today's dashboard tally may answer (reports.tally, through the seam); else live.
            tallied = seams.task_counts.first(self.request.user, task_filter, today)
            if tallied is not None:
                return buckets_from(tallied)
            return timeliness_counts(task_filter.qs, today)

        counts: dict[Timeliness, int] = caching.kept_list(self.counts_key, count)
        return counts

    @cached_property
    def whole(self) -> _Whole | None:
        """A unit's list read whole (`_Whole`), its counts and pages from one query, when it
        holds at most `READ_WHOLE` tasks. None for the office's and the leadership's lists
        (every task: counted and paged through the indexes), a list in its own order, and a
        unit that follows more (remembered for `LARGE_UNIT_SECONDS`)."""
        user: User = self.request.user  # type: ignore[assignment]
        if user.sees_all_units or self.filter.own_order is not None:
            return None
        unit = user.unit_id or 0
        if _large_units.fresh(unit):
            return None
        tasks = self.filter.qs.order_by().values_list(*_Whole.FIELDS)
        rows = list(tasks[: READ_WHOLE + 1])
        if len(rows) > READ_WHOLE:
            _large_units.keep(unit, True)
            return None
        return _Whole(rows, self.today)

    @cached_property
    def asked_page_key(self) -> str:
        """The key of the ids of the page the address asks for (`page`)."""
        return self._key(f"page-{self.request.GET.get('page') or 1}")

    @cached_property
    def counts_key(self) -> str:
        # The counts are those of every bucket: the same whichever tab is shown.
        return self._key("counts", without="timeliness")

    @cached_property
    def buckets(self) -> list[str]:
        return self.filter.buckets

    @cached_property
    def bucket(self) -> str:
        return self.buckets[0] if len(self.buckets) == 1 else ""

    @cached_property
    def counts(self) -> list[tuple[Timeliness, int]]:
        return [(b, self.counts_by[b]) for b in Timeliness]

    @cached_property
    def total(self) -> int:
        return sum(self.counts_by.values())

    @cached_property
    def selected(self) -> str:
        """Several buckets at once (an official category, from the dashboard): the list's
        count is theirs, named by their labels."""
        if len(self.buckets) > 1:
            return " + ".join(Timeliness(b).label for b in self.buckets)
        return ""

    @cached_property
    def selected_count(self) -> int:
        if self.buckets:
            return sum(self.counts_by[Timeliness(b)] for b in self.buckets)
        return self.total

    @cached_property
    def page(self) -> Page[Any]:
        if self.deferred:
            walked = self._walked_first_page()
            if walked is not None:
                # Its number of pages unknown until counted: "Trang 1", and a next page if any.
                pages: Paginator[Any] = Paginator(walked, PAGE_SIZE)
                page = pages.page(1)
                ids = self._kept("page-1", lambda: walked[:PAGE_SIZE])
                page.object_list = list_rows(ids, self.today)
                page.uncounted = True  # type: ignore[attr-defined]
                return page
            self.deferred = False  # counted after all, before the page
        # The bucket counts already hold the size of the list: no second COUNT query.
        paginator: Paginator[Any] = Paginator(_Lazy(self._ordered), PAGE_SIZE)
        paginator.count = self.selected_count
        page = paginator.get_page(self.request.GET.get("page"))
        # The page's ids first, sorted on the task table alone (the database stops after one
        # page), then those rows with what they show: joining the notice, the units and the
        # people before sorting cost as much as the sort itself.
        ids = self._kept(f"page-{page.number}", lambda: list(page.object_list))
        page.object_list = list_rows(ids, self.today)
        return page

    def _ordered(self) -> Sequence[int]:
        """The list's ids in its order, to be sliced for a page: a short unit list's read
        whole, else read page by page through the indexes."""
        today, buckets = self.today, self.buckets
        if self.whole is not None:
            return self.whole.ids(buckets)
        filtered = self.filter.qs
        tasks = filtered.filter(buckets_q(buckets, today)) if buckets else filtered
        # Within one bucket the urgency rank is the same for every row: ordering by the
        # deadline alone lets the database walk an index and stop after one page.
        ordered: Any
        if self.filter.own_order:
            # The longest waiting first, through the list's own index.
            ordered = tasks.order_by(*self.filter.own_order).values_list("pk", flat=True)
        else:
            # A text search's words tested row by row, for a bucket where they match many.
            walking: Callable[[], TaskQuerySet] | None = None
            if self.filter.text_words:

                def walking() -> TaskQuerySet:
                    found = self.filter.walking_qs()
                    assert found is not None  # a search of the text alone
                    return found.filter(buckets_q(buckets, today)) if buckets else found

            if len(buckets) == 1 and walking is not None:
                ordered = _Walked(tasks, walking, self.counts_by[Timeliness(buckets[0])])
            elif len(buckets) == 1:
                ordered = tasks.by_deadline().values_list("pk", flat=True)
            else:
                ordered = _UrgencyOrder(tasks, today, self.counts_by, buckets, walking)
        return ordered

    @cached_property
    def chips(self) -> list[tuple[str, str, str]]:
        return [
            (label, shown, _without(self.request, name))
            for name, label, shown in applied_filters(self.filter)
        ]

    @cached_property
    def filters_key(self) -> str | None:
        # The form and its chips show no task's data: kept across the tasks' changes.
        return caching.html_key(self.request, "task-list-filters", of_tasks=False)

    @cached_property
    def rows_html_key(self) -> str | None:
        return caching.html_key(self.request, "task-list-rows", shown=("page",))

    @cached_property
    def rows_key(self) -> str | None:
        """The key the tabs, rows and pages are kept under; None (not kept) when shown
        before their counts."""
        return None if self.deferred else self.rows_html_key


@login_required
@require_safe
def task_list(request: HttpRequest) -> HttpResponse:
    """The tasks this person follows, filtered, most urgent first, with each bucket's count."""
    listing = _TaskListing(request)
    # What the page may find kept, asked for at once: its two parts, its counts and the
    # header's counts.
    caching.prefetch(
        [
            listing.filters_key,
            listing.rows_html_key,
            # The counts (whether a search shows its first page before them: `deferred`) and
            # the page's ids: what the rows are made from when they are not kept.
            listing.counts_key,
            listing.asked_page_key,
            caching.inbox_key(request.user),
        ]
    )
    return render(
        request,
        "directives/task_list.html",
        {
            "listing": listing,
            "saved_filters": list(SavedFilter.objects.filter(owner_id=request.user.pk)),
        },
    )


@login_required
@require_safe
def task_list_counts(request: HttpRequest) -> HttpResponse:
    """The task list's tabs with each bucket's count, for a page shown before them
    (`_TaskListing.deferred`), which asks for them once shown; kept for its next pages."""
    listing = _TaskListing(request, deferring=False)
    return render(request, "directives/_task_tabs.html", {"listing": listing})


def _without(request: HttpRequest, name: str) -> str:
    """This list's address without one of its filters (and back on its first page)."""
    query = request.GET.copy()
    query.pop(name, None)
    query.pop("page", None)
    return f"?{query.urlencode()}" if query else "?"


# The task page shows the latest timeline rows; the whole timeline is one click away.
TIMELINE_LATEST = 50


def _visible_task(request: HttpRequest, pk: int, *, kept: bool = False) -> Task:
    """The task with everything its page shows, fresh; with `kept` (the page, not an action),
    as read under the lists' version (directives.caching): a task page asked again with
    nothing changed reads only what the apps above keep about it (the reminders sent)."""
    if kept and caching.list_seconds():
        whole = request.GET.get("dien-bien") == "tat-ca"
        key = caching.task_key(request.user, pk, whole)
        task: Task = caching.kept_list(key, lambda: _read_task(request, pk))
    else:
        task = _read_task(request, pk)
    # Kept by other apps, whose writes do not move the lists' version: read each time.
    prefetch_related_objects(
        [task], *(p for prefetches in seams.task_page_prefetches.call() for p in prefetches)
    )
    return task


# What the task's own query tells of it besides its columns: the timeline's length, and for
# each relation most tasks have none of, whether it has any. Built once: the query copies them.
_TASK_PAGE_ANNOTATIONS: dict[str, Any] = {
    "event_count": Subquery(
        TaskEvent.objects.filter(task=OuterRef("pk"))
        .order_by()
        .values("task")
        .annotate(n=Count("pk"))
        .values("n")
    ),
    **{
        f"has_{name}": Exists(model.objects.filter(task=OuterRef("pk")))
        for name, model in (
            ("support_units", Task.support_units.through),
            ("helpers", Task.helpers.through),
            ("support_requests", SupportRequest),
            ("period_reports", PeriodReport),
            ("extension_requests", ExtensionRequest),
        )
    },
    "has_attachments": Exists(Attachment.objects.filter(event__task=OuterRef("pk"))),
}


def _held_none(related: Any) -> QuerySet[Any]:
    """`related.none()` (a relation's manager) already holding its empty result, as a
    prefetch leaves a relation's cache: read, pickled with the kept task or shown, it asks
    nothing (`none()` alone is compiled each time, ~0.25 ms, only to find it has no rows)."""
    empty: QuerySet[Any] = related.none()
    empty._result_cache = []
    empty._prefetch_done = True  # type: ignore[attr-defined]
    return empty


def _read_task(request: HttpRequest, pk: int) -> Task:
    """The task with what its page shows of it. What it has none of (most tasks have no
    helpers, support requests, extension requests, periods or files) is known from the
    task's own query and not asked for: a query each, ~1 ms apiece of building and reading."""
    whole = request.GET.get("dien-bien") == "tat-ca"
    task: Task = get_object_or_404(
        Task.objects.visible_to(request.user)  # type: ignore[arg-type]
        # The section, the task given to several units and the proposed unit are often empty
        # and read only when set: three joins more cost PostgreSQL ~1 ms of planning.
        .select_related("notice", "lead_unit", "assignee")
        .annotate(**_TASK_PAGE_ANNOTATIONS),
        pk=pk,
    )
    # The timeline, newest first, as plain rows (rows.timeline); its files only when it has any.
    many = (task.event_count or 0) > TIMELINE_LATEST  # type: ignore[attr-defined]
    task.latest_events = timeline(  # type: ignore[attr-defined]
        task.pk,
        limit=TIMELINE_LATEST if many and not whole else None,
        with_files=task.has_attachments,  # type: ignore[attr-defined]
    )
    wanted: list[str | Prefetch[Any]] = []
    related: dict[str, str | Prefetch[Any]] = {
        "support_units": "support_units",
        "helpers": "helpers",
        "support_requests": Prefetch(
            "support_requests",
            queryset=SupportRequest.objects.select_related("unit").order_by("-asked_at"),
        ),
        "extension_requests": Prefetch(
            "extension_requests",
            queryset=ExtensionRequest.objects.select_related("requested_by", "decided_by"),
        ),
    }
    empty: dict[str, Any] = task.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, lookup in related.items():
        if getattr(task, f"has_{name}"):
            wanted.append(lookup)
        else:  # none: the relation answers from an empty cache, without a query
            empty[name] = _held_none(getattr(task, name))
    if task.has_period_reports:  # type: ignore[attr-defined]
        wanted.append(
            Prefetch(
                "period_reports",
                queryset=PeriodReport.objects.order_by("-period_start"),
                to_attr="recent_periods",
            )
        )
    else:
        task.recent_periods = []  # type: ignore[attr-defined]
    if wanted:
        prefetch_related_objects([task], *wanted)
    return task


# --- actions ------------------------------------------------------------------------------

Perform = Callable[[User, Task, dict[str, Any]], object]


@dataclass(frozen=True)
class Action:
    """One action of the task page: its URL slug, its name in the transition table
    (`directives.models.TRANSITIONS`, which says who may take it from which status), the
    form, the service call and the message once done."""

    slug: str
    name: str
    title: str
    form: type[forms.Form]
    perform: Perform
    done: str
    button: str = "btn-primary"


def _decide_extension(user: User, task: Task, data: dict[str, Any]) -> object:
    request = task.pending_extension
    if request is None or request.pk != data["request_id"]:
        raise services.TransitionError("Đề nghị gia hạn này đã được quyết định.", code="decided")
    if data["decision"] == "approve":
        return services.approve_extension(
            actor=user, request=request, note=data["note"], deadline=data["deadline"]
        )
    return services.refuse_extension(actor=user, request=request, note=data["note"])


def _edit_task(user: User, task: Task, data: dict[str, Any]) -> object:
    deadline_changes: dict[str, Any] = {}
    # The deadline as the form showed it (an extended one as its date): unchanged, it is
    # left alone, so an edit never undoes an extension nor rewrites the document's phrase.
    if data["deadline"].strip() != task.deadline_input:
        try:
            deadline = parse_deadline(data["deadline"], reference=task.notice.issued_on)
        except DeadlineError as error:
            raise ValidationError({"deadline": str(error)}) from None
        deadline_changes = {
            "deadline": deadline.day,
            "deadline_kind": deadline.kind,
            "deadline_text": deadline.text if deadline.day else "",
        }
    return services.edit_task(
        actor=user,
        task=task,
        expected_version=data["version"],
        note=data["note"],
        ref=data["ref"],
        text=data["text"],
        lead_unit=data["lead_unit"],
        support_units=data["support_units"],
        report_every=data["report_every"],
        report_day=data["report_day"],
        **deadline_changes,
    )


ACTIONS: dict[str, Action] = {
    action.slug: action
    for action in [
        Action(
            "tiep-nhan",
            "start",
            "Tiếp nhận nhiệm vụ",
            StartForm,
            lambda u, t, d: services.start_task(
                actor=u, task=t, note=d["note"], expected_version=d["version"]
            ),
            "Đã tiếp nhận nhiệm vụ.",
        ),
        Action(
            "tra-lai-nhiem-vu",
            "hand_back",
            "Trả lại nhiệm vụ (không đúng chức năng)",
            HandBackForm,
            lambda u, t, d: services.hand_back(
                actor=u,
                task=t,
                reason=d["reason"],
                proposed_unit=d["proposed_unit"],
                expected_version=d["version"],
            ),
            "Đã trả lại nhiệm vụ; Văn phòng sẽ xem xét, giao lại hoặc giữ nguyên.",
            "btn-outline-danger",
        ),
        Action(
            "bao-cao-dinh-ky",
            "report_period",
            "Báo cáo định kỳ",
            PeriodReportForm,
            lambda u, t, d: services.report_period(
                actor=u,
                task=t,
                note=d["note"],
                files=d["attachments"],
                expected_version=d["version"],
            ),
            "Đã gửi báo cáo định kỳ.",
        ),
        Action(
            "bao-cao-tien-do",
            "progress",
            "Báo cáo tiến độ",
            ProgressForm,
            lambda u, t, d: services.report_progress(
                actor=u,
                task=t,
                note=d["note"],
                progress=d["progress"],
                files=d["attachments"],
                expected_version=d["version"],
            ),
            "Đã gửi báo cáo tiến độ.",
        ),
        Action(
            "bao-cao-hoan-thanh",
            "complete",
            "Báo cáo hoàn thành",
            CompletionForm,
            lambda u, t, d: services.report_completion(
                actor=u,
                task=t,
                note=d["note"],
                completed_on=d["completed_on"],
                document_number=d["document_number"],
                document_date=d["document_date"],
                files=d["attachments"],
                expected_version=d["version"],
            ),
            "Đã báo cáo hoàn thành; nhiệm vụ chờ Văn phòng xác nhận.",
            "btn-success",
        ),
        Action(
            "de-nghi-gia-han",
            "extend",
            "Đề nghị gia hạn",
            ExtensionRequestForm,
            lambda u, t, d: services.request_extension(
                actor=u,
                task=t,
                reason=d["reason"],
                proposed_deadline=d["proposed_deadline"],
                files=d["attachments"],
                expected_version=d["version"],
            ),
            "Đã gửi đề nghị gia hạn.",
            "btn-outline-primary",
        ),
        Action(
            "phan-cong",
            "assign_person",
            "Phân công người thực hiện",
            AssignPersonForm,
            lambda u, t, d: services.assign_person(
                actor=u,
                task=t,
                assignee=d["assignee"],
                helpers=list(d["helpers"]),
                reason=d["reason"],
                expected_version=d["version"],
            ),
            "Đã phân công người thực hiện.",
            "btn-outline-primary",
        ),
        Action(
            "chuyen-van-phong",
            "forward",
            "Đồng ý, chuyển Văn phòng xác nhận",
            StartForm,
            lambda u, t, d: services.forward_completion(
                actor=u, task=t, note=d["note"], expected_version=d["version"]
            ),
            "Đã chuyển báo cáo hoàn thành đến Văn phòng.",
            "btn-success",
        ),
        Action(
            "tra-lai-chuyen-vien",
            "head_return",
            "Trả lại chuyên viên",
            ReturnForm,
            lambda u, t, d: services.return_to_person(
                actor=u, task=t, reason=d["reason"], expected_version=d["version"]
            ),
            "Đã trả lại báo cáo cho người thực hiện.",
            "btn-outline-danger",
        ),
        Action(
            "de-nghi-phoi-hop",
            "ask_support",
            "Đề nghị đơn vị phối hợp",
            SupportRequestForm,
            lambda u, t, d: services.ask_support(
                actor=u,
                task=t,
                unit=d["unit"],
                due_on=d["due_on"],
                note=d["note"],
                expected_version=d["version"],
            ),
            "Đã gửi đề nghị đến đơn vị phối hợp.",
            "btn-outline-primary",
        ),
        Action(
            "phoi-hop",
            "contribute",
            "Cập nhật phần phối hợp",
            ContributionForm,
            lambda u, t, d: services.add_contribution(
                actor=u, task=t, note=d["note"], files=d["attachments"]
            ),
            "Đã cập nhật phần phối hợp.",
        ),
        Action(
            "giao-lai",
            "reassign",
            "Giao cho đơn vị khác",
            ReassignForm,
            lambda u, t, d: services.reassign_lead(
                actor=u,
                task=t,
                lead_unit=d["lead_unit"],
                note=d["note"],
                expected_version=d["version"],
            ),
            "Đã giao nhiệm vụ cho đơn vị khác.",
        ),
        Action(
            "giu-nguyen",
            "insist",
            "Giữ nguyên việc giao",
            InsistForm,
            lambda u, t, d: services.insist_on_lead(
                actor=u, task=t, note=d["note"], expected_version=d["version"]
            ),
            "Đã giữ nguyên việc giao; đơn vị đã nhận được tin.",
            "btn-outline-primary",
        ),
        Action(
            "xac-nhan",
            "accept",
            "Xác nhận hoàn thành",
            AcceptForm,
            lambda u, t, d: services.accept_completion(
                actor=u,
                task=t,
                completed_on=d["completed_on"],
                note=d["note"],
                expected_version=d["version"],
            ),
            "Đã xác nhận hoàn thành.",
            "btn-success",
        ),
        Action(
            "tra-lai",
            "return",
            "Trả lại, yêu cầu thực hiện lại",
            ReturnForm,
            lambda u, t, d: services.return_completion(
                actor=u, task=t, reason=d["reason"], expected_version=d["version"]
            ),
            "Đã trả lại báo cáo; đơn vị đã nhận được tin.",
            "btn-outline-danger",
        ),
        Action(
            "quyet-dinh-gia-han",
            "decide_extension",
            "Quyết định gia hạn",
            ExtensionDecisionForm,
            _decide_extension,
            "Đã ghi nhận quyết định gia hạn.",
        ),
        Action(
            "y-kien",
            "comment",
            "Cho ý kiến chỉ đạo",
            CommentForm,
            lambda u, t, d: services.add_comment(actor=u, task=t, note=d["note"]),
            "Đã ghi ý kiến.",
            "btn-outline-primary",
        ),
        Action(
            "tam-dung",
            "pause",
            "Tạm dừng",
            ReasonForm,
            lambda u, t, d: services.pause_task(
                actor=u, task=t, reason=d["reason"], expected_version=d["version"]
            ),
            "Đã tạm dừng nhiệm vụ.",
            "btn-outline-secondary",
        ),
        Action(
            "tiep-tuc",
            "resume",
            "Cho tiếp tục thực hiện",
            StartForm,
            lambda u, t, d: services.resume_task(
                actor=u, task=t, note=d["note"], expected_version=d["version"]
            ),
            "Nhiệm vụ được tiếp tục thực hiện.",
        ),
        Action(
            "sua",
            "edit",
            "Sửa nhiệm vụ",
            TaskEditForm,
            _edit_task,
            "Đã lưu thay đổi; diễn biến ghi lại nội dung cũ và mới.",
            "btn-outline-primary",
        ),
        Action(
            "huy",
            "cancel",
            "Hủy nhiệm vụ",
            ReasonForm,
            lambda u, t, d: services.cancel_task(
                actor=u, task=t, reason=d["reason"], expected_version=d["version"]
            ),
            "Đã hủy nhiệm vụ.",
            "btn-outline-danger",
        ),
    ]
}


def _form(
    action: Action,
    task: Task,
    data: Any = None,
    files: Any = None,
    initial: dict[str, Any] | None = None,
) -> forms.Form:
    # Several action forms share a page: each gets its own element ids, so labels stay right.
    form = action.form(data, files, auto_id=f"{action.slug}-%s", initial=initial)
    use_task = getattr(form, "use_task", None)
    if use_task is not None:  # choices that depend on the task (its unit's people)
        use_task(task)
    return form


def _initial(task: Task) -> dict[str, Any]:
    pending = task.pending_extension
    return {
        "version": task.version,
        "request_id": pending.pk if pending else None,
        # The edit form starts from the task as it is.
        "ref": task.ref,
        "text": task.text,
        "lead_unit": task.lead_unit.name,
        "support_units": unit_names_text(list(task.support_units.all())),
        "deadline": task.deadline_input,
        "report_every": task.report_every,
        "report_day": task.report_day,
    }


def _render_task(
    request: HttpRequest, task: Task, bound: dict[str, forms.Form] | None = None
) -> HttpResponse:
    today = timezone.localdate()
    user: User = request.user  # type: ignore[assignment]
    allowed = available_actions(user, task, today)
    # In the order of ACTIONS: the unit's actions, then the office's and the leadership's.
    action_forms = [
        (action, (bound or {}).get(action.slug) or _form(action, task, initial=_initial(task)))
        for action in ACTIONS.values()
        if action.name in allowed or action.slug in (bound or {})
    ]
    services.mark_notifications_read(user=user, task=task)
    return render(
        request,
        "directives/task_detail.html",
        {
            "task": task,
            "today": today,
            "timeliness": task.timeliness_on(today),
            "days_overdue": task.days_overdue(today),
            "not_received": task.not_received_on(today),
            "support_requests": [
                (request, request.state_on(today)) for request in task.support_requests.all()
            ],
            "periods": [
                (period, period.state_on(today))
                for period in task.recent_periods[:12]  # type: ignore[attr-defined]
            ],
            "action_forms": action_forms,
            "not_offered": reasons_not_offered(user, task, today),
            # Returns and a late completion's acceptance: the office may record an objective
            # cause (Nghị định 335 then deducts nothing for them).
            "objective_kinds": ("returned", "head_returned", "accepted"),
            "late_done": task.timeliness_on(today) == Timeliness.DONE_LATE,
            # "Nhắc ngay": the office, on a task someone is working on.
            "can_remind": user.is_office
            and task.status in (Task.Status.ASSIGNED, Task.Status.IN_PROGRESS),
            "open_action": next(iter(bound or {}), ""),
        },
    )


@login_required
@require_safe
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A task with its notice, units, both status axes, its timeline and the allowed actions."""
    return _render_task(request, _visible_task(request, pk, kept=True))


@login_required
@require_POST
def task_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Run one action on a task: scoped lookup, form, one service, message, redirect."""
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404("Không có thao tác này.")
    task = _visible_task(request, pk)
    form = _form(spec, task, request.POST, request.FILES)
    if form.is_valid():
        try:
            spec.perform(request.user, task, form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            # Keep what the person wrote; point the form at the task as it is now, so that
            # sending it again after reading the timeline goes through.
            task = _visible_task(request, pk)
            data = request.POST.copy()
            data.update({"version": str(task.version)})
            if task.pending_extension and "request_id" in data:
                data["request_id"] = str(task.pending_extension.pk)
            form = _form(spec, task, data, request.FILES)
            form.is_valid()
            form.add_error(None, error)
        else:
            messages.success(request, spec.done)
            return redirect(task)
    return _render_task(request, task, bound={action: form})


@login_required
@require_safe
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """Send an attached file to a person who may see its task; never from a public URL."""
    visible = Task.objects.visible_to(request.user)  # type: ignore[arg-type]
    attachment = get_object_or_404(
        Attachment.objects.filter(event__task__in=visible.values("pk")), pk=pk
    )
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("Tệp không còn trên hệ thống lưu trữ.") from None
    response = FileResponse(handle, as_attachment=True, filename=attachment.name)
    response["Content-Type"] = attachment.content_type
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def notification_list(request: HttpRequest) -> HttpResponse:
    """This person's latest in-app notifications, unread first."""
    notifications = (
        Notification.objects.filter(recipient=request.user)  # type: ignore[misc]
        .select_related("task__notice", "event__actor")
        .order_by("read_at", "-created_at")[:100]
    )
    return render(request, "directives/notification_list.html", {"notifications": notifications})


@login_required
@require_POST
def notifications_mark_read(request: HttpRequest) -> HttpResponse:
    """Mark all of this person's notifications as read."""
    count = services.mark_notifications_read(user=request.user)  # type: ignore[arg-type]
    messages.success(request, f"Đã đánh dấu {count} tin là đã đọc.")
    return redirect("notification_list")


@login_required
@require_POST
def objective_cause(request: HttpRequest, pk: int, event_pk: int) -> HttpResponse:
    """The office records an objective cause for a return or a late completion."""
    task = get_object_or_404(Task.objects.visible_to(request.user), pk=pk)  # type: ignore[arg-type]
    event = get_object_or_404(TaskEvent.objects.select_related("task"), pk=event_pk, task=task)
    try:
        services.mark_objective_cause(
            actor=request.user,  # type: ignore[arg-type]
            event=event,
            note=request.POST.get("note", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, "Đã ghi nhận nguyên nhân khách quan; đánh giá không trừ điểm cho lần này."
        )
    return redirect(task)
