"""core.db.stream_values_list: the rows `iterator()` gives, in the same order and types, read
as the database produces them on PostgreSQL; nothing else may query the connection meanwhile."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, F

from core.db import QueryDuringStream, plain_rows, stream_values_list
from directives.models import NOTED_KINDS, Task, TaskEvent
from reports.exports.data import Scope, annex_rows
from tests.conftest import MakeTask, on_day
from units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> None:
    call_command("seed_demo", stdout=StringIO())


def test_the_same_rows_as_the_iterator(demo: None) -> None:
    rows = (
        Task.objects.annotate(event_total=Count("events"), unit=F("lead_unit__name"))
        .order_by("-deadline", "pk")
        .values_list("pk", "unit", "text", "event_total", "deadline", "last_activity_at", "status")
    )
    expected = list(rows.iterator())
    assert len(expected) > 10
    assert list(stream_values_list(rows, size=3)) == expected
    assert list(stream_values_list(rows.none())) == []


def test_plain_rows_are_the_rows_of_integers_and_text(demo: None) -> None:
    """`plain_rows`: the rows of integers and text as `values_list()` reads them (its converters
    left out), in its order; none for a query that can match nothing."""
    rows = (
        Task.objects.annotate(event_total=Count("events"), unit=F("lead_unit__name"))
        .order_by("-pk")
        .values_list("pk", "unit", "text", "event_total", "order")
    )
    expected = list(rows)
    assert len(expected) > 10 and any(row[3] for row in expected)
    assert plain_rows(rows) == expected
    assert plain_rows(rows.filter(pk__in=[])) == []


def test_the_streamed_annex_is_the_annex(demo: None) -> None:
    """The task list's exports stream Annex I with the support units in the same query: the
    rows are those read chunk by chunk, support units (in the order given) included."""
    day = Task.objects.order_by("-assigned_on").values_list("assigned_on", flat=True)[0]
    with on_day(day):
        scope = Scope(as_of=day)
        chunked = list(annex_rows(scope, tasks=Task.objects.all(), chunk_size=4))
        streamed = list(annex_rows(scope, tasks=Task.objects.all(), chunk_size=4, stream=True))
    assert streamed == chunked
    assert any(row.support_units for row in streamed)
    # The completion's document (JSON, read raw when streamed) and the last update (read as
    # epoch seconds when streamed) are among what is compared.
    assert any(row.output for row in streamed) and all(row.updated_at for row in streamed)


def test_raw_rows_are_what_psycopg_reads(demo: None) -> None:
    """`raw`: no Django converter on PostgreSQL (a JSON value stays its text); elsewhere the
    rows `iterator()` gives."""
    from directives.models import TaskEvent

    rows = TaskEvent.objects.exclude(data={}).order_by("pk").values_list("pk", "data")
    converted = list(rows.iterator())
    raw = list(stream_values_list(rows, raw=True))
    assert [pk for pk, _ in raw] == [pk for pk, _ in converted] and converted
    if connection.vendor == "postgresql":
        assert all(isinstance(data, str) for _, data in raw)
        assert [json.loads(data) for _, data in raw] == [data for _, data in converted]
    else:
        assert raw == converted


def test_a_query_while_streaming_is_refused_not_left_waiting(demo: None) -> None:
    rows = Task.objects.order_by("pk").values_list("pk", "text")
    stream = stream_values_list(rows, size=2)
    first = next(stream)
    if connection.vendor == "postgresql":
        # psycopg holds the connection between rows: a query would wait forever.
        with pytest.raises(QueryDuringStream):
            Task.objects.count()
        stream.close()  # stopped half way: the rest is cancelled
    else:
        Task.objects.count()  # Django's iterator: nothing held
        stream.close()
    assert first == rows.first()
    assert Task.objects.count() > 10  # the connection serves queries again


@pytest.mark.django_db(transaction=True)
def test_the_streamed_annex_names_its_units_from_the_rows_snapshot(
    make_task: MakeTask, unit_support: Unit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The streamed annex reads the units' names, then the rows with support units as ids:
    outside a transaction both reads see one snapshot. A unit made and given as support by
    another session between the two reads is in neither (before: a row naming a unit the
    names did not hold); the row gets its name in the next export. And no transaction is
    left open, whether the rows were read to the end or not."""
    task = make_task(text="Việc có đơn vị phối hợp", support_units=[unit_support])
    scope = Scope(as_of=task.assigned_on)
    if connection.vendor != "postgresql":
        rows = list(annex_rows(scope, tasks=Task.objects.all(), stream=True))
        assert [row.support_units for row in rows] == [unit_support.name]
        return
    import psycopg

    from reports.exports import data

    settings = connection.settings_dict
    streamed = data.stream_values_list

    def after_another_session_wrote(*args: Any, **kwargs: Any) -> Any:
        with psycopg.connect(
            dbname=settings["NAME"],
            host=settings["HOST"] or None,
            port=settings["PORT"] or None,
            user=settings["USER"] or None,
            autocommit=True,
        ) as other:
            # A copy of the support unit under a new name, made as the office would.
            columns = [f'"{f.column}"' for f in Unit._meta.concrete_fields if not f.primary_key]
            copied = ", ".join("%s" if c == '"name"' else c for c in columns)
            made = other.execute(
                f"INSERT INTO units_unit ({', '.join(columns)}) SELECT {copied} "
                "FROM units_unit WHERE id = %s RETURNING id",
                ["Phòng mới lập", unit_support.pk],
            ).fetchone()
            assert made is not None
            other.execute(
                "INSERT INTO directives_task_support_units (task_id, unit_id) VALUES (%s, %s)",
                [task.pk, made[0]],
            )
        return streamed(*args, **kwargs)

    monkeypatch.setattr(data, "stream_values_list", after_another_session_wrote)
    rows = list(annex_rows(scope, tasks=Task.objects.all(), stream=True))
    assert [row.support_units for row in rows] == [unit_support.name]
    assert connection.get_autocommit() and not connection.in_atomic_block
    monkeypatch.undo()
    again = list(annex_rows(scope, tasks=Task.objects.all(), stream=True))
    assert [row.support_units for row in again] == [f"{unit_support.name}; Phòng mới lập"]
    # Stopped half way (a download cancelled): the transaction ends with it.
    make_task(text="Việc thứ hai")
    half = annex_rows(scope, tasks=Task.objects.all(), stream=True, chunk_size=1)
    next(half)
    half.close()
    assert connection.get_autocommit() and not connection.in_atomic_block
    assert Task.objects.count() == 2


def test_the_noted_kinds_are_kinds_of_the_timeline() -> None:
    """The latest-note index names its kinds as values (a model's Meta cannot see its
    choices): each must stay a kind of the timeline."""
    assert set(NOTED_KINDS) <= set(TaskEvent.Kind.values)
    assert TaskEvent.Kind.PROGRESS in NOTED_KINDS


def test_a_tables_rows_as_postgresql_last_counted_them(
    demo: None, django_assert_num_queries: Any
) -> None:
    """`estimated_rows`: PostgreSQL's count from its statistics, asked once in ten minutes;
    None elsewhere (where no plan depends on it)."""
    from core import db

    db._ESTIMATES.clear()
    if connection.vendor != "postgresql":
        assert db.estimated_rows(Task) is None
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE directives_task")
    assert db.estimated_rows(Task) == Task.objects.count() > 10
    counted = Task.objects.count()
    with django_assert_num_queries(0):
        assert db.estimated_rows(Task) == counted
    db._ESTIMATES.clear()


def test_rows_within_a_time_or_none(demo: None) -> None:
    """`within`: the rows, or None when PostgreSQL takes longer (the statement cancelled, the
    connection fit for the next query, the enclosing transaction intact)."""
    from django.db.models.expressions import RawSQL

    from core.db import within

    quick = Task.objects.order_by("pk").values_list("pk", flat=True)[:3]
    if connection.vendor != "postgresql":
        assert within(quick, 1000) == list(quick)
        return
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        before = cursor.fetchone()
    assert within(quick, 1000) == list(quick)
    slow = Task.objects.annotate(nap=RawSQL("pg_sleep(0.05)", [])).values_list("pk", "nap")
    assert within(slow[:5], 20) is None
    assert Task.objects.count() > 10
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == before  # the time limit was the walk's alone


def test_statements_within_a_time_in_all_or_none(demo: None) -> None:
    """`limited`: what `read` returns, or None when its statements take longer in all than
    the time given; each statement after the first gets only the time left (`limit()`)."""
    from core.db import limited

    def two_naps(limit: Any) -> list[Any]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_sleep(0.03)" if connection.vendor == "postgresql" else "SELECT 1"
            )
            first = cursor.fetchall()
            limit()
            cursor.execute(
                "SELECT pg_sleep(0.03)" if connection.vendor == "postgresql" else "SELECT 1"
            )
            return first + cursor.fetchall()

    if connection.vendor != "postgresql":
        assert len(limited(two_naps, 1) or []) == 2  # no limit elsewhere
        return
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        before = cursor.fetchone()
    assert limited(two_naps, 1000) is not None
    # Each nap alone is within 50 ms, both are not.
    assert limited(two_naps, 50) is None
    assert Task.objects.count() > 10  # the connection fit for the next query
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == before


def test_a_sample_of_a_column_estimates_how_many_rows_hold_a_value(
    demo: None, django_assert_num_queries: Any
) -> None:
    """`sample`: values of ids drawn at random, kept in the process; an estimate from them is
    near the true count (demo data: a few hundred tasks)."""
    from core import db

    db._SAMPLES.clear()
    texts = db.sample(Task, "search_text")
    assert texts.drawn == db.SAMPLE_SIZE and 0 < len(texts.values) <= db.SAMPLE_SIZE
    with django_assert_num_queries(0):
        assert db.sample(Task, "search_text") is texts
    every = Task.objects.count()
    assert texts.estimate(lambda text: True) == round(texts.span * len(texts.values) / texts.drawn)
    assert abs(texts.estimate(lambda text: True) - every) <= every * 0.1
    word = "bao cao"
    holding = Task.objects.filter(search_text__contains=word).count()
    assert 0 < holding < every
    assert abs(texts.estimate(lambda text: word in text) - holding) <= max(every * 0.06, 5)
    db._SAMPLES.clear()
    Task.objects.all().delete()
    assert db.sample(Task, "search_text").estimate(lambda text: True) == 0
