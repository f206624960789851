"""Covering indexes for the recompute's two big scans (PostgreSQL only; issue 15, item 3).

Payments arrive day by day for random employers, so in the heap they are in arrival order, not in
employer order: the recompute's scan of a range of employers (`ORDER BY employer, paid_on,
payment_id`) became random heap reads (100k × 60: 17–20 s → 29–44 s after 2 M payments were
added). With every column the loader reads in the index, PostgreSQL answers from the index alone,
in order (an index-only scan; the nightly run vacuums the two tables first so the visibility map
is current). Declarations likewise (their monthly files interleave employers too).

Built CONCURRENTLY (no lock on writers; the migration is not atomic). The models do not declare
them: SQLite has no INCLUDE, and they serve only the loader's SQL.

BRIN indexes (a few pages each, next to nothing to maintain) on when payments, declarations and
declaration versions were recorded: the incremental nightly run finds what arrived since the last
run without reading the tables.

Also: the staging table of a run (`BalanceSnapshotDraft`) becomes UNLOGGED — its rows are written
once and copied once, no WAL needed; a server crash empties it, which only abandons the run that
was building (the previous generation stays published, as after any interrupted run).
"""

from django.db import migrations

PAYMENT = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS ledger_payment_scan_idx ON ledger_payment "
    "(employer_id, paid_on, payment_id) INCLUDE (amount, period)"
)
DECLARATION = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS ledger_declaration_scan_idx ON ledger_declaration "
    "(employer_id, period) INCLUDE (employer_contribution, worker_contribution, filed_on, origin, latest_version)"
)

STAMPS = (
    ("ledger_payment", "updated_at"),
    ("ledger_declaration", "updated_at"),
    ("ledger_declarationversion", "created_at"),
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(PAYMENT)
        cursor.execute(DECLARATION)
        for table, column in STAMPS:
            cursor.execute(
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {table}_{column}_brin ON {table} USING brin ({column})"
            )
        cursor.execute("ALTER TABLE ledger_balancesnapshotdraft SET UNLOGGED")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP INDEX CONCURRENTLY IF EXISTS ledger_payment_scan_idx")
        cursor.execute("DROP INDEX CONCURRENTLY IF EXISTS ledger_declaration_scan_idx")
        for table, column in STAMPS:
            cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {table}_{column}_brin")
        cursor.execute("ALTER TABLE ledger_balancesnapshotdraft SET LOGGED")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("ledger", "0011_limitation")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
