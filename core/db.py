"""Reading a long result as the database produces it.

Django's `iterator()` reads a long result through a server-side cursor, a chunk per round trip:
PostgreSQL computes the next chunk only when it is asked for, so the database and Python take
turns. Streamed (psycopg's `Cursor.stream`, rows sent as they are computed), the database works
on the next rows while Python handles these ones: the export of 100,000 tasks read its rows in
0.8 s instead of 1.3 s, and the Python work on them overlapped the reading.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import psycopg
from django.core.exceptions import EmptyResultSet
from django.db import OperationalError, connections, router, transaction
from django.db.models import Max, Min, Model, QuerySet
from django.db.models.sql.compiler import SQLCompiler

from .cache import KeptInProcess

T = TypeVar("T")

# psycopg sends rows in chunks from libpq 17 on; before, one at a time (still streamed).
CHUNKED = psycopg.pq.version() >= 170000


class QueryDuringStream(RuntimeError):
    """A query was sent on a connection that is streaming a result: it would wait forever
    for the stream to end (psycopg holds the connection's lock between rows)."""


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise QueryDuringStream(
        "Không thể truy vấn cơ sở dữ liệu khi đang đọc một kết quả dài trên cùng kết nối."
    )


def _compiled(queryset: QuerySet[Any, Any]) -> tuple[SQLCompiler, str, Any] | None:
    """The compiler of `queryset` and its SQL with parameters; None for a query that can
    match nothing (Django then sends none)."""
    compiler = queryset.query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None
    return compiler, sql, params


def stream_values_list(
    queryset: QuerySet[Any, Any], size: int = 2000, *, raw: bool = False
) -> Generator[tuple[Any, ...], None, None]:
    """The rows of a `values_list()` queryset, each a tuple in the fields' order, as
    `iterator()` gives them; streamed on PostgreSQL, through `iterator()` elsewhere.

    `raw`: on PostgreSQL, the values as psycopg reads them, without Django's converters (a
    JSON value as its text, a number as PostgreSQL's type: `int()`/`float()` on every row of
    an annotation cost a tenth of a long export); the caller converts what it reads.

    While the rows are being read, the connection can run nothing else: a query sent meanwhile
    raises `QueryDuringStream` rather than waiting forever.
    """
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        yield from queryset.iterator(chunk_size=size)
        return
    compiled = _compiled(queryset)
    if compiled is None:
        return
    compiler, sql, params = compiled
    # In the fields' order (Django 5.2 selects them so: ValuesListIterable takes the rows as
    # they come), with Django's converters for the types psycopg leaves to it.
    converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
    with connection.cursor() as cursor, connection.execute_wrapper(_refuse):
        rows: Iterator[Any] = cursor.cursor.stream(sql, params, size=size if CHUNKED else 1)
        if raw:
            yield from rows
            return
        if converters:
            rows = compiler.apply_converters(rows, converters)
        for row in rows:
            yield tuple(row)


def plain_rows(queryset: QuerySet[Any, Any]) -> list[tuple[Any, ...]]:
    """The rows of a `values_list()` queryset as the database driver reads them, each a tuple
    in the fields' order, without Django's converters: for many rows of values the driver
    already gives as Python wants them (integers, text), where a converter called per value
    costs more than the query (2,500 rows of 11 counts: 50,000 calls). Read at once, on every
    database (`stream_values_list` streams them, and converts them elsewhere than on
    PostgreSQL)."""
    compiled = _compiled(queryset)
    if compiled is None:
        return []
    _, sql, params = compiled
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


_ESTIMATES: dict[str, tuple[float, int | None]] = {}
ESTIMATE_SECONDS = 600.0


def estimated_rows(model: type[Model]) -> int | None:
    """How many rows `model`'s table holds, as PostgreSQL's statistics last counted them (kept
    in this process ten minutes); None elsewhere, or before the table was ever analysed."""
    connection = connections[router.db_for_read(model)]
    if connection.vendor != "postgresql":
        return None
    table = model._meta.db_table
    now = time.monotonic()
    kept = _ESTIMATES.get(table)
    if kept is not None and now - kept[0] < ESTIMATE_SECONDS:
        return kept[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        found = cursor.fetchone()
    rows = int(found[0]) if found and found[0] >= 0 else None
    _ESTIMATES[table] = (now, rows)
    return rows


class _Spent(Exception):
    """The time given to `limited` ran out between two statements."""


def limited(
    read: Callable[[Callable[[], None]], T], milliseconds: int, using: str = "default"
) -> T | None:
    """What `read(limit)` returns, or None when its statements take longer than `milliseconds`
    in all (each statement is cancelled when the time left runs out: a plan that was expected
    to be quick and is not, for the caller to ask another way). `read` calls `limit()` before
    each statement after the first, to give it only the time left. Elsewhere than on
    PostgreSQL, what `read` returns, however long it takes."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return read(lambda: None)
    deadline = time.monotonic() + milliseconds / 1000
    try:
        with transaction.atomic(using=using), connection.cursor() as cursor:

            def limit() -> None:
                left = round((deadline - time.monotonic()) * 1000)
                if left < 1:
                    raise _Spent
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(left)])

            limit()
            found = read(limit)
            # A savepoint inside a transaction, which keeps a setting made in it: set back.
            cursor.execute("SET LOCAL statement_timeout TO DEFAULT")
            return found
    except _Spent:
        return None
    except OperationalError as error:
        if isinstance(error.__cause__, psycopg.errors.QueryCanceled):
            return None
        raise


def within(queryset: QuerySet[Any, Any], milliseconds: int) -> list[Any] | None:
    """The rows of `queryset`, or None when PostgreSQL takes longer than `milliseconds` to
    find them (`limited`). Elsewhere the rows, however long they take."""
    return limited(lambda limit: list(queryset), milliseconds, queryset.db)


# --- a sample of a column, for what PostgreSQL cannot estimate -------------------------------

SAMPLE_SIZE = 1000


@dataclass(frozen=True)
class Sample:
    """The values of a column in rows drawn at random: `drawn` ids taken uniformly between the
    table's lowest and highest id (`span` of them), `values` those of the drawn ids found."""

    values: tuple[Any, ...]
    drawn: int
    span: int

    def estimate(self, test: Callable[[Any], bool]) -> int:
        """About how many rows of the table have a value that passes `test`."""
        if not self.drawn:
            return 0
        return round(self.span * sum(1 for v in self.values if test(v)) / self.drawn)


_SAMPLES: KeptInProcess[tuple[str, str, str], Sample] = KeptInProcess(ESTIMATE_SECONDS, 64)


def sample(model: type[Model], field: str, size: int = SAMPLE_SIZE) -> Sample:
    """A sample of `model`'s `field` (`Sample`), drawn again after `ESTIMATE_SECONDS` in this
    process: `size` ids drawn at random, read through the primary key (5 ms for a thousand at a
    million tasks). For words that occur together, which PostgreSQL takes for independent
    (common words then look rare), counting the sampled values that hold them all is right
    within a few tenths of a percent of the table."""
    using = router.db_for_read(model)
    return _SAMPLES.kept(
        (using, model._meta.db_table, field), lambda: _draw(model, field, size, using)
    )


def _draw(model: type[Model], field: str, size: int, using: str) -> Sample:
    manager = model._default_manager.using(using)
    bounds = manager.aggregate(low=Min("pk"), high=Max("pk"))
    low, high = bounds["low"], bounds["high"]
    if low is None:
        return Sample((), 0, 0)
    span = high - low + 1
    draw = random.Random()  # noqa: S311 - a statistical sample, not a secret
    ids = [low + draw.randrange(span) for _ in range(size)]
    values = dict(manager.filter(pk__in=set(ids)).values_list("pk", field))
    # An id drawn twice counts twice, as the draw was made.
    return Sample(tuple(values[i] for i in ids if i in values), size, span)
