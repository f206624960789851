"""Trigram indexes for employer search on PostgreSQL (1M employers: `%text%` uses the GIN index).

SQLite has no trigram index; there the search falls back to a scan, fine at demo scale.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS employer_search_trgm ON employers_employer "
        "USING gin (search_text gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS employer_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("employers", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
