"""core.db.stream_values_list: the rows `iterator()` gives, in the same order and types, read
as the database produces them on PostgreSQL; nothing else may query the connection meanwhile."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, F

from core.db import QueryDuringStream, stream_values_list
from directives.models import Task
from reports.exports.data import Scope, annex_rows
from tests.conftest import on_day

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
