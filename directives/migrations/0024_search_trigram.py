"""Trigram indexes for the task list's search box (PostgreSQL only; SQLite scans, at its sizes).

`search_text LIKE '%word%'` (every word of a search) and the notice number's ILIKE are answered
from pg_trgm GIN indexes instead of reading every task. pg_trgm is a trusted extension: the
database's owner may create it.
"""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS task_search_trgm ON directives_task "
        "USING gin (search_text gin_trgm_ops)"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS notice_number_trgm ON directives_notice "
        "USING gin (upper(number) gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS task_search_trgm")
    schema_editor.execute("DROP INDEX IF EXISTS notice_number_trgm")


class Migration(migrations.Migration):
    dependencies = [("directives", "0023_edxml_exchange")]

    operations = [migrations.RunPython(create, drop)]
