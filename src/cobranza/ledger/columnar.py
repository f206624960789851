"""Query results into Polars frames, column by column (issue 15, item 1).

PostgreSQL: through ADBC (`adbc-driver-postgresql`, libpq + the driver's own `COPY … (FORMAT
binary)` reader written in C): the rows arrive as Arrow record batches and become a Polars frame
without one Python object per row (the psycopg `COPY … TO STDOUT` loop it replaces ran one Python
iteration per row: ~0.5 M rows/s). ADBC uses a connection of its own (one per process, autocommit),
so it only sees **committed** rows: it is used when the caller says its reads need nothing
uncommitted (`committed_reads(True)`: the recompute's chunks, which read before they write) or when
Django's connection is not inside a transaction. Everywhere else (a caller's open transaction, a
test inside one) the rows come through Django's connection: `COPY (query) TO STDOUT` as CSV parsed
by Polars in one pass. `COBRANZA_ARROW=0` turns ADBC off.

SQLite: the driver's rows go straight into Polars, batch by batch (no model instances, no Django
converters).

Money is read as integer cents computed in SQL (`CAST(ROUND(x * 100) AS bigint)`), never floats.
"""

from __future__ import annotations

import atexit
import contextvars
import io
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote, urlencode

import polars as pl
from django.db import connection

logger = logging.getLogger(__name__)

#: Rows fetched from SQLite per round trip.
FETCH_ROWS = 50_000

_COMMITTED_READS: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "cobranza_committed_reads", default=False
)
_ADBC: dict[tuple[int, str], Any] = {}


@contextmanager
def committed_reads(enabled: bool = True) -> Iterator[None]:
    """Within this block the caller's reads need only committed rows (so ADBC may be used even
    inside the caller's transaction: it must not have written what it reads)."""
    token = _COMMITTED_READS.set(enabled)
    try:
        yield
    finally:
        _COMMITTED_READS.reset(token)


def arrow_enabled() -> bool:
    """Whether the ADBC path can be used by this process (PostgreSQL, the driver installed,
    not switched off with COBRANZA_ARROW=0)."""
    if connection.vendor != "postgresql" or os.environ.get("COBRANZA_ARROW", "1") == "0":
        return False
    try:
        import adbc_driver_postgresql.dbapi  # noqa: F401
    except ImportError:  # pragma: no cover - the dependency is declared
        return False
    return True


def _uri(settings: dict[str, Any]) -> str:
    """A libpq URI for Django's connection settings (name, user, password, host, port, and the
    libpq options Django passes on, e.g. sslmode)."""
    user = quote(str(settings.get("USER") or ""), safe="")
    password = quote(str(settings.get("PASSWORD") or ""), safe="")
    auth = f"{user}:{password}@" if user and password else (f"{user}@" if user else "")
    host = str(settings.get("HOST") or "")
    port = str(settings.get("PORT") or "")
    netloc = quote(host, safe="") if host and not host.startswith("/") else ""
    if port and netloc:
        netloc += f":{port}"
    query: dict[str, str] = {}
    if host.startswith("/"):  # a Unix socket folder
        query["host"] = host
        if port:
            query["port"] = port
    for key, value in (settings.get("OPTIONS") or {}).items():
        if isinstance(value, str | int) and key in {"sslmode", "sslrootcert", "sslcert", "sslkey", "options"}:
            query[key] = str(value)
    name = quote(str(settings.get("NAME") or ""), safe="")
    return f"postgresql://{auth}{netloc}/{name}" + (f"?{urlencode(query)}" if query else "")


def _adbc_connection(fresh: bool = False) -> Any:
    import adbc_driver_postgresql.dbapi as adbc

    uri = _uri(connection.settings_dict)
    key = (os.getpid(), uri)  # a forked process opens its own
    conn = _ADBC.get(key)
    if conn is not None and fresh:
        try:
            conn.close()
        except Exception:  # noqa: BLE001 - a broken connection is replaced
            pass
        conn = None
    if conn is None:
        if not _ADBC:
            # closed before the interpreter tears the driver down (else its __del__ prints a
            # traceback on the command line's stderr at exit)
            atexit.register(close_connections)
        conn = adbc.connect(uri, autocommit=True)
        _ADBC[key] = conn
    return conn


def close_connections() -> None:
    """Close this process's ADBC connections (tests, the end of a pool worker)."""
    for key in [k for k in _ADBC if k[0] == os.getpid()]:
        try:
            _ADBC.pop(key).close()
        except Exception:  # noqa: BLE001
            pass


def _shape(frame: pl.DataFrame, schema: dict[str, Any]) -> pl.DataFrame:
    frame = frame.rename(dict(zip(frame.columns, schema, strict=True)))
    return frame.cast(schema)  # type: ignore[arg-type]


def _read_arrow(sql: str) -> pl.DataFrame:
    for attempt in (0, 1):
        try:
            with _adbc_connection(fresh=attempt > 0).cursor() as cursor:
                cursor.execute(sql)
                return pl.DataFrame(cursor.fetch_arrow())
        except Exception:
            if attempt:
                raise
            logger.info("ADBC: reconnecting after an error", exc_info=True)
    raise AssertionError("unreachable")  # pragma: no cover


def read_frame(sql: str, params: Any, schema: dict[str, Any]) -> pl.DataFrame:
    """The rows of `sql` (Django's SQL and parameters) as a frame with `schema`'s names and types
    (by position)."""
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if connection.vendor == "postgresql" and hasattr(raw, "copy"):
            composed = connection.ops.compose_sql(sql, params)
            if (_COMMITTED_READS.get() or not connection.in_atomic_block) and arrow_enabled():
                return _shape(_read_arrow(composed), schema)
            buffer = io.BytesIO()
            with raw.copy(f"COPY ({composed}) TO STDOUT WITH (FORMAT csv)") as copy:
                for block in copy:
                    buffer.write(block)
            if buffer.tell() == 0:
                return pl.DataFrame(schema=schema)
            return pl.read_csv(
                buffer.getvalue(), has_header=False, new_columns=list(schema), schema_overrides=schema
            )
        cursor.execute(sql, params)
        frames: list[pl.DataFrame] = []
        while True:
            rows = cursor.fetchmany(FETCH_ROWS)
            if not rows:
                break
            frames.append(pl.DataFrame(rows, schema=schema, orient="row"))
    if not frames:
        return pl.DataFrame(schema=schema)
    return pl.concat(frames, rechunk=True) if len(frames) > 1 else frames[0]
