"""`python -m bench --size N`: load N tasks into PostgreSQL, then time the pages that matter.

Each figure is the server-side time of the request in this process (Django's test client, no
network), after a warm-up: median and 95th percentile over the runs, the SQL queries it made,
and for database-bound pages the time of the same SQL replayed directly through psycopg, so
that the ratio page / bare SQL shows what Django, Python and the templates add.

Then the same pages over HTTP, as a browser gets them (bench/over_http.py): gunicorn with the
production settings on the same database, a client over loopback, the full exports of the task
list, and a unit's list under 8 connections. `--skip http` / `--skip inprocess` leave either out.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_bench")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench import over_http  # noqa: E402
from bench.generate import generate  # noqa: E402
from bench.over_http import percentile  # noqa: E402
from core.workdays import is_working_day  # noqa: E402
from directives import caching, services  # noqa: E402
from directives.models import GroupTask, Notice, Task  # noqa: E402
from reminders import services as reminders  # noqa: E402
from reminders.models import ReminderDigest  # noqa: E402
from reports import tally  # noqa: E402
from reports.exports import Scope, write_xlsx  # noqa: E402
from units.models import User  # noqa: E402

# The reference day of the exports and the reminder job; pages are measured at the real
# today, the only day today's tally (reports/tally.py) answers for.
TODAY = date(2026, 11, 20)


@dataclass
class Result:
    name: str
    median_ms: float
    p95_ms: float
    queries: int
    sql_median_ms: float | None = None
    ratio: float | None = None
    peak_mb: float | None = None
    note: str = ""


def measure(fn: Callable[[], object], runs: int, warmup: int = 3) -> tuple[list[float], list[dict]]:
    for _ in range(warmup):
        fn()
    with CaptureQueriesContext(connection) as captured:
        fn()
    # Copied now: the next request clears the connection's query log.
    queries = list(captured.captured_queries)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times, queries


APP_TABLES = ("directives_", "units_unit", "reminders_", "reports_")


def replay(queries: list[dict], runs: int) -> float:
    """The median time of the page's own data queries, run again directly through psycopg."""
    statements = [
        q["sql"]
        for q in queries
        if any(t in q["sql"] for t in APP_TABLES)
        and q["sql"].lstrip().upper().startswith("SELECT")
        and "django_session" not in q["sql"]
    ]
    raw = connection.connection  # the psycopg connection
    times = []
    for _ in range(runs + 2):
        start = time.perf_counter()
        with raw.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql.replace("%", "%%") if "%" in sql else sql)
                cursor.fetchall()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times[2:])


class Results(list[Result]):
    """Results printed as they are measured: a long run stopped early still reports."""

    def append(self, result: Result) -> None:
        super().append(result)
        print(f"  measured: {result.name}: median {result.median_ms:.1f} ms", flush=True)


def page(name: str, client: Client, url: str, runs: int) -> Result:
    def get() -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    times, queries = measure(get, runs)
    result = Result(name, statistics.median(times), percentile(times, 0.95), len(queries))
    result.sql_median_ms = replay(queries, runs)
    result.ratio = result.median_ms / result.sql_median_ms if result.sql_median_ms else None
    return result


def peak(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    fn()
    _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return top / (1024 * 1024)


def login(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="keep the data already loaded")
    parser.add_argument("--json", type=Path, help="write the results here too")
    parser.add_argument(
        "--export-runs", type=int, default=3, help="timed runs of the year's export (slow at 1M)"
    )
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=["exports", "delivery", "http", "inprocess"],
        help="leave out the exports, the delivery sample (both slow at 1M), the HTTP "
        "measurements or the in-process ones",
    )
    parser.add_argument(
        "--load-seconds", type=float, default=10, help="how long the throughput test runs"
    )
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    if args.reuse and Task.objects.count() == args.size:
        print(f"Reusing {args.size} tasks already loaded.")
    else:
        loaded = generate(args.size)
        print(
            f"Loaded {loaded.tasks} tasks, {loaded.events} timeline rows, {loaded.units} units, "
            f"{loaded.notices} notices in {time.perf_counter() - started:.1f} s."
        )

    leader, office = login("leader4"), login("office1")
    busiest_unit = (
        Task.objects.values("lead_unit_id")
        .order_by()
        .annotate(n=django.db.models.Count("pk"))
        .order_by("-n")
        .first()["lead_unit_id"]  # type: ignore[index]
    )
    staff = User.objects.filter(unit_id=busiest_unit, role="staff").first()
    assert staff is not None
    unit_client = login(staff.username)
    results = Results()
    http_results: list[over_http.HttpResult] = []
    load_results: list[over_http.LoadResult] = []
    if "http" not in args.skip:
        http_results, load_results = measure_http(
            args, leader=leader, office=office, unit_client=unit_client, busiest_unit=busiest_unit
        )
    if "inprocess" in args.skip:
        report(args, results, http_results, load_results)
        return
    # The nightly job (beat, 00:01): count every task once into today's tally.
    times, queries = measure(lambda: tally.build(timezone.localdate()), 3, warmup=1)
    results.append(
        Result(
            "tally build, all tasks (the nightly job)",
            statistics.median(times),
            percentile(times, 0.95),
            len(queries),
            peak_mb=peak(lambda: tally.build(timezone.localdate())),
        )
    )
    for measured in [
        page(
            "dashboard, leadership, all units",
            leader,
            reverse("dashboard"),
            args.runs,
        ),
        page(
            "a unit's task list, filtered (in progress)",
            unit_client,
            reverse("task_list") + "?status=in_progress",
            args.runs,
        ),
        page(
            "all units' overdue tasks",
            office,
            reverse("task_list") + "?timeliness=overdue",
            args.runs,
        ),
        page(
            f"task page, {Task.objects.get(pk=1).events.count()} timeline rows (latest 50 shown)",
            office,
            reverse("task_detail", args=[1]),
            args.runs,
        ),
    ]:
        results.append(measured)

    # The work model: a person's own tasks, the roll-up of the largest task given to many
    # units, the list behind it, the duties with a missed period.
    results.append(
        page(
            "Việc của tôi (a chuyên viên's own tasks)",
            unit_client,
            reverse("task_list") + "?person=mine",
            args.runs,
        )
    )
    largest = (
        GroupTask.objects.annotate(n=django.db.models.Count("children")).order_by("-n").first()
    )
    if largest is not None:
        results.append(
            page(
                f"roll-up of a task given to {largest.n} units",
                leader,
                reverse("group_task_detail", args=[largest.pk]),
                args.runs,
            )
        )
        results.append(
            page(
                "the list behind a roll-up (its members' tasks)",
                leader,
                reverse("task_list") + f"?group_task={largest.pk}",
                args.runs,
            )
        )
    results.append(
        page(
            "recurring duties with a missed period",
            office,
            reverse("task_list") + "?period=missed",
            args.runs,
        )
    )

    # Nghị định 335's evaluation: every unit for a month, the busiest unit's people for a
    # quarter, its export.
    results.append(
        page(
            "evaluation, every unit, one month",
            leader,
            reverse("evaluation") + "?ky=2026-10",
            args.runs,
        )
    )
    results.append(
        page(
            "evaluation, the busiest unit's people, one quarter",
            leader,
            reverse("evaluation") + f"?ky=2026-Q3&don_vi={busiest_unit}",
            args.runs,
        )
    )
    results.append(
        page(
            "evaluation export (XLSX), every unit, one month",
            leader,
            reverse("evaluation_export") + "?ky=2026-10",
            args.runs,
        )
    )

    task = Task.objects.filter(lead_unit_id=busiest_unit, status="in_progress").first()
    assert task is not None

    def post_progress() -> None:
        version = Task.objects.values_list("version", flat=True).get(pk=task.pk)
        response = unit_client.post(
            reverse("task_action", args=[task.pk, "bao-cao-tien-do"]),
            {"version": version, "note": "Báo cáo tiến độ (benchmark)", "progress": "50"},
        )
        assert response.status_code == 302, response.status_code

    times, queries = measure(post_progress, args.runs)
    results.append(
        Result(
            "progress report POST", statistics.median(times), percentile(times, 0.95), len(queries)
        )
    )

    notice = (
        Notice.objects.order_by().annotate(n=django.db.models.Count("tasks")).order_by("-n").first()
    )
    assert notice is not None
    year = Scope.build(date_from=date(2025, 1, 1), date_to=date(2025, 12, 31), today=TODAY)
    export_scopes: tuple[tuple[str, Scope], ...] = ()
    if "exports" not in args.skip:
        export_scopes = (
            (f"XLSX export, one notice ({notice.tasks.count()} tasks)", Scope.build(notice=notice)),
            (f"XLSX export, year 2025 ({year.tasks().count()} tasks)", year),
        )
    for label, scope in export_scopes:

        def export(scope: Scope = scope) -> None:
            with tempfile.TemporaryFile() as handle:
                write_xlsx(scope, handle)

        export_runs = args.export_runs if scope is year else args.runs
        times, queries = measure(export, export_runs, warmup=1 if scope is not year else 0)
        results.append(
            Result(
                label,
                statistics.median(times),
                percentile(times, 0.95),
                len(queries),
                peak_mb=peak(export),
            )
        )

    days = [d for d in (TODAY - timedelta(days=i) for i in range(1, 90)) if is_working_day(d)]
    day_iter = iter(days)
    planned_sizes: list[tuple[int, int]] = []

    def daily_task() -> None:
        # What beat's daily task does: plan and record, streamed chunk by chunk; one delivery
        # per digest is then queued.
        day = next(day_iter)
        recorded = reminders.record_chunks(day, reminders.plan_chunks(day))
        planned_sizes.append((recorded.items, recorded.recipients))

    times, queries = measure(daily_task, 3, warmup=1)
    items, people = planned_sizes[-1]
    results.append(
        Result(
            f"reminder job, one day: plan + record ({items} item rows, {people} people)",
            statistics.median(times),
            percentile(times, 0.95),
            len(queries),
            peak_mb=peak(daily_task),
        )
    )
    pending = list(
        ReminderDigest.objects.filter(status="pending").values_list("pk", flat=True)[:200]
    )
    if pending and "delivery" not in args.skip:
        pending_iter = iter(pending)

        def deliver_one() -> None:
            reminders.deliver(next(pending_iter))

        times, queries = measure(deliver_one, max(1, min(len(pending) - 4, 100)), warmup=2)
        results.append(
            Result(
                "reminder delivery, one digest (a worker's task)",
                statistics.median(times),
                percentile(times, 0.95),
                len(queries),
            )
        )

    report(args, results, http_results, load_results)


def report(
    args: argparse.Namespace,
    results: list[Result],
    http_results: list[over_http.HttpResult],
    load_results: list[over_http.LoadResult],
) -> None:
    columns = ("median", "p95", "queries", "bare SQL", "ratio", "peak MB")
    widths = (9, 9, 8, 9, 6, 8)
    header = " ".join([" " * 58, *(f"{c:>{w}}" for c, w in zip(columns, widths, strict=True))])
    postgres = connection.pg_version // 10000  # type: ignore[attr-defined]
    print(
        f"\nĐôn đốc at {args.size:,} tasks (PostgreSQL {postgres}, "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} cores)\n"
    )
    print(header)
    for r in results:
        sql = f"{r.sql_median_ms:9.1f}" if r.sql_median_ms is not None else f"{'':9}"
        ratio = f"{r.ratio:6.1f}" if r.ratio is not None else f"{'':6}"
        memory = f"{r.peak_mb:8.1f}" if r.peak_mb is not None else f"{'':8}"
        print(
            f"{r.name[:58]:58} {r.median_ms:7.1f}ms {r.p95_ms:7.1f}ms {r.queries:8d} "
            f"{sql} {ratio} {memory}"
        )
    if http_results:
        print("\nOver HTTP: gunicorn, 2 workers x 4 threads, one client over loopback\n")
        print(f"{'':58} {'median':>9} {'p95':>9} {'KB':>8}")
        for h in http_results:
            print(f"{h.name[:58]:58} {h.median_ms:7.1f}ms {h.p95_ms:7.1f}ms {h.bytes / 1024:8.0f}")
    for load in load_results:
        print(
            f"\nUnder load: {load.name}, {load.connections} connections, {load.seconds} s: "
            f"{load.requests} requests, {load.per_second:.1f}/s, p50 {load.p50_ms:.1f} ms, "
            f"p95 {load.p95_ms:.1f} ms, {load.errors} errors"
        )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "size": args.size,
                    "results": [asdict(r) for r in results],
                    "http": [asdict(h) for h in http_results],
                    "load": [asdict(load) for load in load_results],
                },
                indent=2,
            )
        )


def measure_http(
    args: argparse.Namespace,
    *,
    leader: Client,
    office: Client,
    unit_client: Client,
    busiest_unit: int,
) -> tuple[list[over_http.HttpResult], list[over_http.LoadResult]]:
    """The pages as a user gets them: gunicorn on the bench database, over loopback."""
    typical = (
        Task.objects.filter(lead_unit_id=busiest_unit, status="in_progress").order_by("pk").first()
    )
    assert typical is not None
    word = "giai phong mat bang"  # one subject: about one task in twenty
    tally.current(timezone.localdate())  # today's tally, as the nightly job leaves it
    server = over_http.Server()
    try:

        def browser(client: Client) -> over_http.Browser:
            return over_http.Browser(server.port, client.cookies["sessionid"].value)

        as_leader, as_office, as_unit = browser(leader), browser(office), browser(unit_client)
        list_url = reverse("task_list")
        overdue = f"{list_url}?timeliness=overdue"
        search = f"{list_url}?q={quote(word)}"
        # What a list found is kept until a change (directives.caching, with Redis): the same
        # lists are also timed right after a change, as the first person to ask gets them.
        # A change to a task (saved as any write saves it): the office's lists and those of the
        # units the task concerns are made afresh, other units' stay kept.
        elsewhere = (
            Task.objects.exclude(lead_unit_id=busiest_unit)
            .exclude(support_units=busiest_unit)
            .order_by("pk")
            .first()
        )
        assert elsewhere is not None

        def changed() -> None:  # one of the measured unit's tasks
            typical.save(update_fields=["progress"])

        def changed_elsewhere() -> None:
            elsewhere.save(update_fields=["progress"])

        # A change the figures count: the office moves a task's deadline (through the
        # services, as the page does), past and back, so that its unit's figures move.
        dated = (
            Task.objects.filter(lead_unit_id=busiest_unit, status="in_progress")
            .exclude(deadline=None)
            .order_by("pk")
            .first()
        )
        assert dated is not None
        office_user = User.objects.get(username="office1")
        today = timezone.localdate()
        deadlines = [today - timedelta(days=3), today + timedelta(days=30)]

        def deadline_moved() -> None:
            deadlines.reverse()
            task = Task.objects.get(pk=dated.pk)
            services.edit_task(actor=office_user, task=task, deadline=deadlines[0])

        # A unit, an account or a notice saved: every list is made afresh.
        changed_everywhere = caching.lists_changed

        pages: list[over_http.Page] = [
            ("all units' overdue tasks (office)", as_office, overdue),
            ("one unit's tasks (the staff's list)", as_unit, list_url),
            ("one unit's in-progress tasks", as_unit, f"{list_url}?status=in_progress"),
            ("Việc của tôi (a person's own tasks)", as_unit, f"{list_url}?person=mine"),
            ("leadership dashboard", as_leader, reverse("dashboard")),
            ("task page (typical)", as_office, reverse("task_detail", args=[typical.pk])),
            ("task page, the long timeline", as_office, reverse("task_detail", args=[1])),
            (f"search all tasks: “{word}”", as_office, search),
            ("search all tasks: a task number", as_office, f"{list_url}?q={quote('so 4711')}"),
            ("search all tasks: a notice number", as_office, f"{list_url}?q=412%2FTB"),
        ]
        measured = over_http.latencies(pages, args.runs)
        # Apart: right after a change to a task. Each page in turn, after its own change; a
        # unit's list after a change to another unit's task right after the same list was
        # made afresh (what it then finds kept is what is measured).
        measured += over_http.latencies(
            [
                (
                    "leadership dashboard, right after a change to a task",
                    as_leader,
                    reverse("dashboard"),
                    changed,
                ),
                (
                    "leadership dashboard, right after a task's deadline moved (figures move)",
                    as_leader,
                    reverse("dashboard"),
                    deadline_moved,
                ),
                (
                    "task page (typical), right after a change to it",
                    as_office,
                    reverse("task_detail", args=[typical.pk]),
                    changed,
                ),
                (
                    "all units' overdue tasks, right after a change to a task",
                    as_office,
                    overdue,
                    changed,
                ),
                (
                    "one unit's tasks, right after a change to one of its tasks",
                    as_unit,
                    list_url,
                    changed,
                ),
                (
                    "one unit's tasks, right after a change to another unit's task",
                    as_unit,
                    list_url,
                    changed_elsewhere,
                ),
                (
                    "search all tasks, a subject, right after a change to a task",
                    as_office,
                    search,
                    changed,
                ),
                # Shown before its tabs' counts (directives.views._TaskListing.deferred): the
                # counts the page then asks for, as the first to ask gets them.
                (
                    "search all tasks, a subject: its tabs' counts, after a change to a task",
                    as_office,
                    f"{reverse('task_list_counts')}?q={quote(word)}",
                    changed,
                ),
                (
                    "a unit's search, a subject, right after a change to one of its tasks",
                    as_unit,
                    search,
                    changed,
                ),
            ],
            args.runs,
        )
        # Alone: a change to a unit, an account or a notice makes every page afresh, the
        # filter forms too; taken in turn with the rows above, it would make theirs afresh.
        measured += over_http.latencies(
            [
                (
                    "one unit's tasks, right after a change to a unit, account or notice",
                    as_unit,
                    list_url,
                    changed_everywhere,
                ),
            ],
            args.runs,
        )
        for h in measured:
            print(f"  over HTTP: {h.name}: median {h.median_ms:.1f} ms", flush=True)
        if "exports" not in args.skip:
            for name, path in (
                ("export of every task, XLSX (office)", reverse("task_list_export")),
                ("export of every task, CSV (office)", reverse("task_list_csv")),
            ):
                measured += over_http.latencies([(name, as_office, path)], 2, warmup=1)
                print(f"  over HTTP: {name}: median {measured[-1].median_ms:.0f} ms", flush=True)
        loads = [
            over_http.load(
                name,
                server.port,
                unit_client.cookies["sessionid"].value,
                list_url,
                seconds=args.load_seconds,
                change=change,
            )
            for name, change in (
                ("one unit's tasks (the staff's list)", None),
                ("one unit's tasks, a change to one of its tasks every second", changed),
            )
        ]
    finally:
        server.stop()
    return measured, loads


if __name__ == "__main__":
    main()
