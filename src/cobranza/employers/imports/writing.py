"""Inserting many rows at once, inside the import's single transaction; never validates.

New declarations and payments go in with PostgreSQL's COPY (psycopg 3 `cursor.copy`), which
measured ~5x faster than `bulk_create` for a million payments (bench/README.md); SQLite gets a
plain `executemany` (~3x faster than `bulk_create`, which builds a model instance per row).
Each kind's plan writes itself with `insert_rows` (payments, declarations) or `bulk_create` and
`bulk_update` (employers, corrections), with one audit event per correction or employer.
Rows derived from rows already in the database (the first version of each new declaration) are
copied inside it with `insert_selected` (one INSERT … SELECT, no round trip of the data).
"""

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from types import SimpleNamespace
from typing import Any

from django.db import connection, models
from django.utils import timezone

from cobranza.common.audit import snapshot

BATCH_SIZE = 5_000
USE_COPY = True  # the benchmark turns it off to measure bulk_create on PostgreSQL
PROGRESS_EVERY = 50_000
Progress = Callable[[int, int], None] | None


def as_json(values: dict[str, Any]) -> dict[str, Any]:
    """Before/after values of an audit event: Decimals as "0.00", dates ISO."""
    return snapshot(SimpleNamespace(**values), values)


def insert_selected(model: type[models.Model], values: dict[str, Any], queryset: models.QuerySet[Any]) -> int:
    """`INSERT INTO model (…) SELECT …`: one row of `model` per row of `queryset`, computed in the
    database. `values` maps attribute names of `model` (such as `declaration_id`) to expressions
    over the queryset's model (`F("id")`, `Value(1)`, …). Returns how many rows were inserted.
    """
    column_of = {f.attname: f.column for f in model._meta.concrete_fields}
    aliases = {f"insert_col_{i}": expression for i, expression in enumerate(values.values())}
    select = queryset.order_by().annotate(**aliases).values_list(*aliases)
    sql, params = select.query.sql_with_params()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column_of[name]) for name in values)
    with connection.cursor() as cursor:
        # Identifiers come from the model's metadata; values are the query's parameters.
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({columns}) {sql}", params)  # noqa: S608
        return max(int(cursor.rowcount), 0)


def audit_actor(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def insert_rows(
    model: type[models.Model],
    fields: list[str],
    rows: Iterable[tuple[Any, ...]],
    *,
    total: int,
    progress: Progress,
) -> int:
    """Insert new rows (`fields` are attribute names such as `employer_id`); returns how many.

    PostgreSQL: one COPY. SQLite: `executemany` of a plain INSERT in batches of 5,000 (the
    backend's adapters turn dates and Decimals into its text forms). Any other database:
    `bulk_create`. Created/updated timestamps are set here, as `auto_now` would.
    """
    now = timezone.now()
    stamped = [f.attname for f in model._meta.concrete_fields if f.attname in ("created_at", "updated_at")]
    column_of = {f.attname: f.column for f in model._meta.concrete_fields}
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(column_of[name]) for name in [*fields, *stamped])
    done = 0
    if connection.vendor == "postgresql" and USE_COPY:
        stamps: tuple[Any, ...] = (now,) * len(stamped)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            write = copy.write_row
            for row in rows:
                write(row + stamps)
                done += 1
                if progress and done % PROGRESS_EVERY == 0:
                    progress(done, total)
        if done >= 10_000:  # fresh statistics, or the next lookups plan for an empty table
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {table}")
    elif connection.vendor == "sqlite":
        stamps = (connection.ops.adapt_datetimefield_value(now),) * len(stamped)
        placeholders = ", ".join(["%s"] * (len(fields) + len(stamped)))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 - names from the model
        iterator: Iterator[tuple[Any, ...]] = iter(rows)
        with connection.cursor() as cursor:
            while batch := [row + stamps for row in islice(iterator, BATCH_SIZE)]:
                cursor.executemany(sql, batch)
                done += len(batch)
                if progress:
                    progress(done, total)
    else:
        iterator = iter(rows)
        while objects := [
            model(**dict(zip(fields, row, strict=True))) for row in islice(iterator, BATCH_SIZE)
        ]:
            model.objects.bulk_create(objects)
            done += len(objects)
            if progress:
                progress(done, total)
    if progress:
        progress(done, total)
    return done
