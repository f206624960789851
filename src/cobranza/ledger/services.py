"""Writes of the ledger: policy versions and the balance recompute.

The recompute (`balances_recompute`) reads declarations and payments straight into Polars frames of
integer cents, one chunk of employers at a time (ids in ascending order, `CHUNK_SIZE` employers per
chunk, so memory stays bounded whatever the portfolio), runs the engine's batch computation
(`engine.batch.compute_batch`, the same rules as one statement; the few employers with periods
frozen by a payment agreement are computed one by one) and upserts one `BalanceSnapshot` per
employer (INSERT … ON CONFLICT DO UPDATE).

Measured (one core, PostgreSQL 15): 100,000 employers × 5 years (5.5 M declarations, 5.5 M payments)
in 42 s — loading 36 s, computing 2.6 s, writing 3.2 s — with 660 MB peak memory.

Each chunk is written in its own transaction: snapshots are derived data, every row carries its own
`as_of` and `computed_at`, and a portfolio-wide transaction would hold SQLite's single writer lock
(imports, case work) for the whole run. The run records one audit event at the end with its counts.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.db.models import BigIntegerField, F, QuerySet
from django.db.models.functions import Cast, Round
from django.utils import timezone

from cobranza.common import audit
from cobranza.common.errors import ApplicationError
from cobranza.employers.models import Employer
from cobranza.engine.policy import Policy
from cobranza.engine.statement import DeclarationIn, PaymentIn, compute_statement
from cobranza.ledger.models import BalanceSnapshot, Declaration, Payment, PolicyVersion
from cobranza.ledger.selectors import employers_with_agreements, freezes_of, policy_of, policy_version_for

#: Employers per chunk: one chunk's declarations and payments are in memory at a time.
CHUNK_SIZE = 20_000
#: Rows fetched from the database per round trip while a chunk loads.
FETCH_ROWS = 50_000
#: Explicit id lists are sent as `IN (…)` lists of at most this many ids (SQLite's variable limit).
ID_LIST_CHUNK = 5_000

Progress = Callable[[int, int], None]

SNAPSHOT_UPDATE_FIELDS = [
    "as_of",
    "policy_version",
    "contribution_outstanding",
    "surcharge_outstanding",
    "fine_outstanding",
    "interest_outstanding",
    "outstanding",
    "credit",
    "overdue_periods",
    "months_in_arrears",
    "oldest_unpaid_period",
    "last_payment_date",
    "computed_at",
]

_KEY_WIDTH = 19  # employer ids as zero-padded text sort like the numbers (the batch groups by text)


# ------------------------------------------------------------------------------ policy versions
@transaction.atomic
def policy_version_create(
    *,
    actor: Any,
    version: str,
    effective_from: date,
    parameters: dict[str, Any],
    note: str = "",
) -> PolicyVersion:
    """Add a policy version. Parameters missing from `parameters` take the SPEC §4 defaults; a
    malformed set is refused with the engine's Spanish message (ValidationError on `parameters`)."""
    row = PolicyVersion(
        version=(version or "").strip(),
        effective_from=effective_from,
        parameters=parameters,
        note=note,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    row.full_clean()
    row.save()
    audit.record(
        actor=actor,
        action="policy.version_created",
        obj=row,
        after={"version": row.version, "effective_from": row.effective_from, "parameters": row.parameters},
        reason=note,
    )
    return row


# ------------------------------------------------------------------------------ recompute
@dataclass(frozen=True)
class ChunkResult:
    """What one chunk wrote. Sums of cents are over the chunk's employers."""

    employers: int
    period_rows: int
    payments: int
    in_arrears: int
    outstanding_cents: int
    credit_cents: int
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "employers": self.employers,
            "period_rows": self.period_rows,
            "payments": self.payments,
            "in_arrears": self.in_arrears,
            "outstanding_cents": self.outstanding_cents,
            "credit_cents": self.credit_cents,
            "timings": dict(self.timings),
        }


@dataclass(frozen=True)
class RecomputeResult:
    as_of: date
    policy_version: str
    employers: int
    period_rows: int
    payments: int
    in_arrears: int
    outstanding_cents: int
    credit_cents: int
    chunks: int
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)

    @classmethod
    def combine(
        cls, *, as_of: date, policy_version: str, chunks: Sequence[ChunkResult], seconds: float
    ) -> RecomputeResult:
        timings: dict[str, float] = {}
        for c in chunks:
            for k, v in c.timings.items():
                timings[k] = timings.get(k, 0.0) + v
        return cls(
            as_of=as_of,
            policy_version=policy_version,
            employers=sum(c.employers for c in chunks),
            period_rows=sum(c.period_rows for c in chunks),
            payments=sum(c.payments for c in chunks),
            in_arrears=sum(c.in_arrears for c in chunks),
            outstanding_cents=sum(c.outstanding_cents for c in chunks),
            credit_cents=sum(c.credit_cents for c in chunks),
            chunks=len(chunks),
            seconds=seconds,
            timings={k: round(v, 3) for k, v in timings.items()},
        )

    @property
    def summary(self) -> str:
        """Spanish, for people: what was recomputed and how long it took."""
        return (
            f"Saldos recalculados al {self.as_of:%d/%m/%Y} con la política {self.policy_version}: "
            f"{self.employers:,} patronos, {self.period_rows:,} períodos, {self.payments:,} pagos; "
            f"{self.in_arrears:,} patronos en mora, saldo pendiente total ${_usd(self.outstanding_cents)}; "
            f"{self.seconds:.1f} s."
        )

    def audit_data(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of,
            "policy_version": self.policy_version,
            "employers": self.employers,
            "period_rows": self.period_rows,
            "payments": self.payments,
            "in_arrears": self.in_arrears,
            "outstanding": _usd(self.outstanding_cents),
            "credit": _usd(self.credit_cents),
            "chunks": self.chunks,
            "seconds": round(self.seconds, 2),
        }


def _usd(cents: int) -> str:
    return f"{cents // 100:,}.{cents % 100:02d}"


def balances_recompute(
    *,
    actor: Any,
    as_of: date,
    employer_ids: Sequence[int] | None = None,
    progress: Progress | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> RecomputeResult:
    """Recompute the balance snapshot of every employer (or of `employer_ids`) as of `as_of`, under
    the policy version in force at that date. Idempotent: running it twice gives the same rows.

    `progress(done_employers, total_employers)` is called after each chunk (and once at the start).
    One audit event `balances.recomputed` records the counts.
    """
    started = time.perf_counter()
    version = policy_version_for(as_of)
    if employer_ids is None:
        total = Employer.objects.count()
        chunks: Iterator[list[int]] = employer_id_chunks(chunk_size)
        contiguous = True
    else:
        ids = sorted(set(int(i) for i in employer_ids))
        total = len(ids)
        step = min(chunk_size, ID_LIST_CHUNK)
        chunks = iter([ids[i : i + step] for i in range(0, len(ids), step)])
        contiguous = False
    if progress is not None:
        progress(0, total)
    computed_at = timezone.now()
    results: list[ChunkResult] = []
    done = 0
    for ids_chunk in chunks:
        if contiguous:
            result = balances_recompute_chunk(
                as_of=as_of, version=version, id_range=(ids_chunk[0], ids_chunk[-1]), computed_at=computed_at
            )
        else:
            result = balances_recompute_chunk(
                as_of=as_of, version=version, employer_ids=ids_chunk, computed_at=computed_at
            )
        results.append(result)
        done += len(ids_chunk)
        if progress is not None:
            progress(done, max(total, done))
    outcome = RecomputeResult.combine(
        as_of=as_of, policy_version=version.version, chunks=results, seconds=time.perf_counter() - started
    )
    balances_recompute_record(actor=actor, result=outcome, employer_ids=employer_ids)
    return outcome


@transaction.atomic
def balances_recompute_record(
    *, actor: Any, result: RecomputeResult, employer_ids: Sequence[int] | None = None
) -> None:
    """The run's audit event (also called by the Celery chord once every chunk is written)."""
    after = result.audit_data()
    if employer_ids is not None:
        after["scope"] = "employer_ids"
    audit.record(
        actor=actor,
        action="balances.recomputed",
        object_type="ledger.balancesnapshot",
        object_id=result.as_of.isoformat(),
        after=after,
        reason=result.summary,
    )


def employer_id_chunks(chunk_size: int = CHUNK_SIZE) -> Iterator[list[int]]:
    """Every employer id in ascending order, `chunk_size` at a time (keyset paging: each page is
    exactly the employers between its first and last id)."""
    if chunk_size < 1:
        raise ApplicationError("El tamaño de lote debe ser al menos 1.")
    last = 0
    while True:
        ids = list(
            Employer.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:chunk_size]
        )
        if not ids:
            return
        yield ids
        last = ids[-1]


def balances_recompute_chunk(
    *,
    as_of: date,
    version: PolicyVersion,
    id_range: tuple[int, int] | None = None,
    employer_ids: Sequence[int] | None = None,
    computed_at: datetime | None = None,
) -> ChunkResult:
    """Recompute and upsert the snapshots of one chunk: the employers with ids in `id_range`
    (inclusive) or in `employer_ids`. One transaction; no audit event (the run records one)."""
    from cobranza.engine.batch import compute_batch  # loads numba: only the recompute needs it

    if (id_range is None) == (employer_ids is None):
        raise ValueError("indique id_range o employer_ids")
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    with transaction.atomic():
        employers = Employer.objects.all()
        if id_range is not None:
            employers = employers.filter(pk__gte=id_range[0], pk__lte=id_range[1])
            scope: dict[str, Any] = {"employer_id__gte": id_range[0], "employer_id__lte": id_range[1]}
        else:
            employers = employers.filter(pk__in=list(employer_ids or []))
            scope = {"employer_id__in": list(employer_ids or [])}
        ids = list(employers.order_by("pk").values_list("pk", flat=True))
        if not ids:
            return ChunkResult(0, 0, 0, 0, 0, 0, timings)
        declarations = load_declarations(as_of=as_of, **scope)
        payments = load_payments(as_of=as_of, **scope)
        t1 = time.perf_counter()
        timings["load"] = t1 - t0
        policy = policy_of(version)
        batch = compute_batch(declarations, payments, as_of, policy)
        frozen = _frozen_summaries(
            as_of=as_of,
            policy=policy,
            declarations=declarations,
            payments=payments,
            **_chunk_scope(id_range, employer_ids),
        )
        t2 = time.perf_counter()
        timings["compute"] = t2 - t1
        summary = (
            pl.DataFrame({"employer_id": ids}, schema={"employer_id": pl.Int64})
            .join(
                batch.employers.with_columns(pl.col("employer_number").cast(pl.Int64).alias("employer_id")),
                on="employer_id",
                how="left",
            )
            .with_columns(
                pl.col(
                    "contribution_outstanding_cents",
                    "surcharge_outstanding_cents",
                    "fine_outstanding_cents",
                    "interest_outstanding_cents",
                    "outstanding_cents",
                    "credit_cents",
                    "overdue_periods",
                    "months_in_arrears",
                ).fill_null(0)
            )
        )
        if frozen is not None:
            frozen = frozen.cast({c: summary.schema[c] for c in frozen.columns})
            summary = summary.update(frozen, on="employer_id", include_nulls=True)
        stamp = computed_at or timezone.now()
        _write_snapshots(summary, as_of=as_of, version=version, computed_at=stamp)
        timings["write"] = time.perf_counter() - t2
    return ChunkResult(
        employers=len(ids),
        period_rows=batch.periods.height,
        payments=payments.height,
        in_arrears=int(summary.filter(pl.col("overdue_periods") > 0).height),
        outstanding_cents=int(summary["outstanding_cents"].sum()),
        credit_cents=int(summary["credit_cents"].sum()),
        timings=timings,
    )


def _chunk_scope(id_range: tuple[int, int] | None, employer_ids: Sequence[int] | None) -> dict[str, Any]:
    return {"id_range": id_range} if id_range is not None else {"employer_ids": employer_ids}


def _frozen_summaries(
    *,
    as_of: date,
    policy: Policy,
    declarations: pl.DataFrame,
    payments: pl.DataFrame,
    id_range: tuple[int, int] | None = None,
    employer_ids: Sequence[int] | None = None,
) -> pl.DataFrame | None:
    """The summaries of the chunk's employers whose payment agreements froze periods (SPEC §6).

    The batch kernel has no freezes, so these few employers are computed again one by one with
    `compute_statement` (from the frames already loaded: one query per employer for its freezes),
    and their rows replace the batch's.
    """
    rows = []
    for employer_id in employers_with_agreements(as_of=as_of, id_range=id_range, employer_ids=employer_ids):
        freezes = freezes_of(employer_id, as_of)
        if not freezes:
            continue
        key = str(employer_id).zfill(_KEY_WIDTH)
        statement = compute_statement(
            employer_number=key,
            declarations=[
                DeclarationIn(period=p, contribution_cents=c, filed_on=f, origin=o)
                for _, p, c, f, o in declarations.filter(pl.col("employer_number") == key).iter_rows()
            ],
            payments=[
                PaymentIn(payment_id=i, paid_on=d, amount_cents=a, period=p)
                for i, _, d, a, p in payments.filter(pl.col("employer_number") == key).iter_rows()
            ],
            as_of=as_of,
            policy=policy,
            freezes=freezes,
        )
        s = statement.summary()
        rows.append(
            {
                "employer_id": employer_id,
                "contribution_outstanding_cents": s.contribution_outstanding_cents,
                "surcharge_outstanding_cents": s.surcharge_outstanding_cents,
                "fine_outstanding_cents": s.fine_outstanding_cents,
                "interest_outstanding_cents": s.interest_outstanding_cents,
                "outstanding_cents": s.outstanding_cents,
                "credit_cents": s.credit_cents,
                "overdue_periods": s.overdue_periods,
                "months_in_arrears": s.months_in_arrears,
                "oldest_unpaid_period": s.oldest_unpaid_period,
                "last_payment_date": s.last_payment_date,
            }
        )
    if not rows:
        return None
    return pl.DataFrame(rows)


# ------------------------------------------------------------------------------ writing
def _money_text(column: str) -> pl.Expr:
    """Integer cents → exact two-decimal text ("1234.50"), as Django sends decimals to SQLite."""
    cents = pl.col(column)
    whole = (cents.abs() // 100).cast(pl.String)
    part = (cents.abs() % 100).cast(pl.String).str.zfill(2)
    sign = pl.when(cents < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    return (sign + whole + pl.lit(".") + part).alias(column)


def _snapshot_columns() -> list[str]:
    meta = BalanceSnapshot._meta
    return [meta.get_field(name).column for name in ("employer", *SNAPSHOT_UPDATE_FIELDS)]


def _upsert_sql(source: str) -> str:
    """INSERT … ON CONFLICT (employer) DO UPDATE of every snapshot column, from the model's
    metadata: the statement bulk_create(update_conflicts=True) generates (PostgreSQL, SQLite ≥ 3.24).
    `source` is `VALUES (%s, …)` or a `SELECT`."""
    qn = connection.ops.quote_name
    columns = _snapshot_columns()
    updates = ", ".join(f"{qn(c)} = EXCLUDED.{qn(c)}" for c in columns[1:])
    return (
        f"INSERT INTO {qn(BalanceSnapshot._meta.db_table)} ({', '.join(qn(c) for c in columns)}) "
        f"{source} ON CONFLICT ({qn(columns[0])}) DO UPDATE SET {updates}"
    )


def _write_snapshots(
    summary: pl.DataFrame, *, as_of: date, version: PolicyVersion, computed_at: datetime
) -> None:
    """Upsert one snapshot per row of `summary`.

    The values are built column-wise by Polars (money as exact two-decimal text, dates as ISO text:
    what Django itself sends), never as model instances. PostgreSQL: the rows are COPied as CSV into
    a temporary table, then one INSERT … SELECT … ON CONFLICT. SQLite: one prepared single-row upsert
    run by `executemany` (a loop in C, no round trips). Measured on 20,000 employers: PostgreSQL
    0.3 s and SQLite 0.5 s, where bulk_create(update_conflicts=True) took 3–4 s and 6 s (its time
    goes to per-value preparation and, on PostgreSQL, client-side quoting of 280,000 parameters).
    """
    ops = connection.ops
    values = summary.select(
        pl.col("employer_id"),
        pl.lit(str(ops.adapt_datefield_value(as_of)), dtype=pl.String).alias("as_of"),
        pl.lit(version.pk, dtype=pl.Int64).alias("policy_version_id"),
        *(
            _money_text(f"{name}_cents")
            for name in (
                "contribution_outstanding",
                "surcharge_outstanding",
                "fine_outstanding",
                "interest_outstanding",
                "outstanding",
                "credit",
            )
        ),
        pl.col("overdue_periods"),
        pl.col("months_in_arrears"),
        pl.col("oldest_unpaid_period").fill_null(""),
        pl.col("last_payment_date").dt.strftime("%Y-%m-%d"),
        pl.lit(str(ops.adapt_datetimefield_value(computed_at)), dtype=pl.String).alias("computed_at"),
    )
    columns = _snapshot_columns()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if connection.vendor == "postgresql" and hasattr(raw, "copy"):
            qn = ops.quote_name
            names = ", ".join(qn(c) for c in columns)
            table = qn(BalanceSnapshot._meta.db_table)
            cursor.execute("DROP TABLE IF EXISTS pg_temp.cobranza_balance_upload")
            # Identifiers come from the model's metadata, quoted; no value is interpolated.
            create = f"CREATE TEMPORARY TABLE cobranza_balance_upload ON COMMIT DROP AS SELECT {names} FROM {table} WITH NO DATA"  # noqa: S608, E501
            cursor.execute(create)
            with raw.copy(
                f"COPY cobranza_balance_upload ({names}) FROM STDIN "
                f"WITH (FORMAT csv, FORCE_NOT_NULL ({qn('oldest_unpaid_period')}))"
            ) as copy:
                copy.write(values.write_csv(include_header=False))
            cursor.execute(_upsert_sql(f"SELECT {names} FROM cobranza_balance_upload"))  # noqa: S608
            cursor.execute("DROP TABLE pg_temp.cobranza_balance_upload")
            return
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(_upsert_sql(f"VALUES ({marks})"), values.rows())


# ------------------------------------------------------------------------------ loading
def _cents(*columns: str) -> Cast:
    """SQL: the sum of decimal columns in integer cents (exact on PostgreSQL's numeric; on SQLite
    the values are stored as doubles and ROUND gives back the exact cents, as Django's own reader)."""
    total: Any = F(columns[0])
    for name in columns[1:]:
        total = total + F(name)
    return Cast(Round(total * 100), output_field=BigIntegerField())


def load_declarations(*, as_of: date, **scope: Any) -> pl.DataFrame:
    """The declarations of periods begun by `as_of` of the employers in `scope` (ORM filter on
    `employer_id`), ordered by employer and period, as the engine's batch frame (integer cents)."""
    last_period = f"{as_of.year:04d}-{as_of.month:02d}"
    qs = (
        Declaration.objects.filter(period__lte=last_period, **scope)
        .order_by("employer_id", "period")
        .annotate(contribution_cents=_cents("employer_contribution", "worker_contribution"))
        .values_list("employer_id", "period", "contribution_cents", "filed_on", "origin")
    )
    frame = _read(
        qs,
        {
            "employer_id": pl.Int64,
            "period": pl.String,
            "contribution_cents": pl.Int64,
            "filed_on": pl.Date,
            "origin": pl.String,
        },
    )
    return frame.select(_employer_key(), pl.exclude("employer_id"))


def load_payments(*, as_of: date, **scope: Any) -> pl.DataFrame:
    """The payments made by `as_of` of the employers in `scope`, ordered by employer, date and id,
    as the engine's batch frame (integer cents; an empty period is null)."""
    qs = (
        Payment.objects.filter(paid_on__lte=as_of, **scope)
        .order_by("employer_id", "paid_on", "payment_id")
        .annotate(amount_cents=_cents("amount"))
        .values_list("payment_id", "employer_id", "paid_on", "amount_cents", "period")
    )
    frame = _read(
        qs,
        {
            "payment_id": pl.String,
            "employer_id": pl.Int64,
            "paid_on": pl.Date,
            "amount_cents": pl.Int64,
            "period": pl.String,
        },
    )
    return frame.select(
        "payment_id",
        _employer_key(),
        "paid_on",
        "amount_cents",
        pl.when(pl.col("period") == "").then(None).otherwise(pl.col("period")).alias("period"),
    )


def _employer_key() -> pl.Expr:
    return pl.col("employer_id").cast(pl.String).str.zfill(_KEY_WIDTH).alias("employer_number")


def _read(qs: QuerySet, schema: dict[str, Any]) -> pl.DataFrame:
    """Run the queryset's SQL on Django's connection and build the frame (integer cents, dates).

    PostgreSQL: `COPY (query) TO STDOUT` as CSV, parsed by Polars in one pass (about twice as fast
    as fetching rows: 1.1 M declaration rows in 2.2 s against 3.9 s). SQLite: the driver's rows go
    straight into Polars, batch by batch (no model instances, no Django converters).
    """
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if connection.vendor == "postgresql" and hasattr(raw, "copy"):
            buffer = io.BytesIO()
            with raw.copy(
                f"COPY ({connection.ops.compose_sql(sql, params)}) TO STDOUT WITH (FORMAT csv)"
            ) as copy:
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
