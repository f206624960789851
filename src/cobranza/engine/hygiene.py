"""Account hygiene (SPEC §8): discrepancies found from the data, over the whole portfolio at once.

Pure Polars over integer cents, no Django, no Python loop per employer or per row: the app loads
the frames (``cobranza.hygiene.services``), this module says what is wrong, the app stores it.

What is detected (one row per finding, :data:`FINDING_SCHEMA`):

* ``rate_mismatch`` — a declaration whose contribution differs from the rates × the capped salary
  base by more than one cent per worker, or whose salary base exceeds workers × ceiling: the rule of
  :func:`cobranza.engine.statement.check_declaration_amounts`, vectorized (each period under the
  version that decides it, :meth:`PolicyTimeline.for_period`: the version in force on the first day
  of the month after the period). ``amount`` = |declared − expected| of each share, added, with the
  expected share = rate × the salary base capped at workers × ceiling (rounded half-up); ``base`` =
  the expected contribution, ``declared`` = the declared contribution.
* ``undeclared_payment`` — a payment naming a closed period of the employer's life for which the
  employer has no declaration. ``amount`` = the payment.
* ``out_of_life_payment`` — a payment naming a period before the employer's registration month, or
  after the last declared period of an employer that is not active (its closure). ``amount`` = the
  payment.
* ``duplicate_payment`` — two or more payments of one employer with the same amount and date and
  different ids. ``amount`` = the probable excess (amount × (n − 1)), ``base`` = one payment.
* ``stale_credit`` — a credit balance older than ``credit_months`` months: the part of the credit
  that the payments of the last ``credit_months`` months cannot explain (credit is used oldest
  first, so what remains of it is the newest money: credit − recent payments, when positive).
  ``amount`` = that part, ``base`` = the whole credit.
* ``stopped_filer`` — an active employer whose declarations stop before the last closed period, or
  have gaps between its first declaration and that period. One finding per run of missing periods;
  ``base`` = the contribution of the declaration before the gap, ``amount`` = ``base`` × the
  missing months: an **estimate**, never part of the debt (inspection issues the de-oficio payroll).
* ``closed_with_debt`` — an employer registered as closed that still owes an overdue balance.
  ``amount`` = the overdue balance.

Every finding has a **stable key** (type + employer + what identifies it: the period, the payment
id, the first missing period…), so storing the findings of a re-scan updates rather than repeats
them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import polars as pl

from cobranza.engine.money import rate_fraction

__all__ = [
    "CLOSED_WITH_DEBT",
    "DUPLICATE_PAYMENT",
    "FINDING_SCHEMA",
    "FINDING_TYPES",
    "OUT_OF_LIFE_PAYMENT",
    "RATE_MISMATCH",
    "STALE_CREDIT",
    "STOPPED_FILER",
    "UNDECLARED_PAYMENT",
    "HygieneInput",
    "RateVersion",
    "detect",
    "period_index",
    "period_of_index",
]

RATE_MISMATCH = "rate_mismatch"
UNDECLARED_PAYMENT = "undeclared_payment"
OUT_OF_LIFE_PAYMENT = "out_of_life_payment"
DUPLICATE_PAYMENT = "duplicate_payment"
STALE_CREDIT = "stale_credit"
STOPPED_FILER = "stopped_filer"
CLOSED_WITH_DEBT = "closed_with_debt"
FINDING_TYPES: tuple[str, ...] = (
    RATE_MISMATCH,
    UNDECLARED_PAYMENT,
    OUT_OF_LIFE_PAYMENT,
    DUPLICATE_PAYMENT,
    STALE_CREDIT,
    STOPPED_FILER,
    CLOSED_WITH_DEBT,
)

#: One row per finding. ``periods`` and ``payment_ids`` may be empty lists; ``base_cents`` and
#: ``declared_cents`` are null where the type has no such figure.
FINDING_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "key": pl.String,
    "finding_type": pl.String,
    "employer_id": pl.Int64,
    "periods": pl.List(pl.String),
    "payment_ids": pl.List(pl.String),
    "amount_cents": pl.Int64,
    "base_cents": pl.Int64,
    "declared_cents": pl.Int64,
}

#: Input frames and their columns (integer cents; periods "YYYY-MM").
EMPLOYERS_SCHEMA = {"employer_id": pl.Int64, "status": pl.String, "registered_on": pl.Date}
DECLARATIONS_SCHEMA = {
    "employer_id": pl.Int64,
    "period": pl.String,
    "workers": pl.Int64,
    "salary_base_cents": pl.Int64,
    "employer_cents": pl.Int64,
    "worker_cents": pl.Int64,
}
PAYMENTS_SCHEMA = {
    "payment_id": pl.String,
    "employer_id": pl.Int64,
    "paid_on": pl.Date,
    "amount_cents": pl.Int64,
    "period": pl.String,
}
BALANCES_SCHEMA = {"employer_id": pl.Int64, "credit_cents": pl.Int64, "overdue_cents": pl.Int64}


@dataclass(frozen=True)
class RateVersion:
    """What the rate check needs of one policy version."""

    effective_from: date
    employer_rate: Decimal
    worker_rate: Decimal
    salary_ceiling_cents: int


@dataclass(frozen=True)
class HygieneInput:
    """The frames of one scan (all employers or one chunk of them) and its parameters.

    ``last_closed_period`` is the latest period whose payroll was due by the scan's date (the app
    computes it with the policy's calendar); ``credit_since`` is the first day of the credit window
    (the scan's date minus ``credit_months`` months).
    """

    employers: pl.DataFrame
    declarations: pl.DataFrame
    payments: pl.DataFrame
    balances: pl.DataFrame
    rates: Sequence[RateVersion]
    last_closed_period: str
    credit_since: date


def period_index(col: str) -> pl.Expr:
    """``"YYYY-MM"`` → year × 12 + month − 1 (null stays null)."""
    return pl.col(col).str.slice(0, 4).cast(pl.Int64) * 12 + pl.col(col).str.slice(5, 2).cast(pl.Int64) - 1


def period_of_index(expr: pl.Expr) -> pl.Expr:
    """year × 12 + month − 1 → ``"YYYY-MM"``."""
    return pl.concat_str(
        (expr // 12).cast(pl.String).str.zfill(4),
        pl.lit("-"),
        (expr % 12 + 1).cast(pl.String).str.zfill(2),
    )


def _index_of(period: str) -> int:
    return int(period[:4]) * 12 + int(period[5:7]) - 1


def _finish(frame: pl.DataFrame) -> pl.DataFrame:
    """Fill the columns a type does not produce and put them in :data:`FINDING_SCHEMA`'s order."""
    for name, dtype in FINDING_SCHEMA.items():
        if name not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=dtype).alias(name))
    frame = frame.with_columns(
        pl.col("periods").fill_null(pl.lit([], dtype=pl.List(pl.String))),
        pl.col("payment_ids").fill_null(pl.lit([], dtype=pl.List(pl.String))),
    )
    return frame.select([pl.col(n).cast(t) for n, t in FINDING_SCHEMA.items()])


def _key(kind: str, *parts: pl.Expr) -> pl.Expr:
    return pl.concat_str([pl.lit(kind), *[p.cast(pl.String) for p in parts]], separator=":").alias("key")


# ------------------------------------------------------------------------------ detections
def rate_mismatches(declarations: pl.DataFrame, rates: Sequence[RateVersion]) -> pl.DataFrame:
    """Declarations whose amounts disagree with rates × capped salary base (see module docstring)."""
    if declarations.is_empty() or not rates:
        return _finish(pl.DataFrame(schema={"key": pl.String}))
    versions = sorted(rates, key=lambda r: r.effective_from)
    table = pl.DataFrame(
        {
            "effective_from": [v.effective_from for v in versions],
            "er_num": [rate_fraction(v.employer_rate)[0] for v in versions],
            "er_den": [rate_fraction(v.employer_rate)[1] for v in versions],
            "wr_num": [rate_fraction(v.worker_rate)[0] for v in versions],
            "wr_den": [rate_fraction(v.worker_rate)[1] for v in versions],
            "ceiling": [v.salary_ceiling_cents for v in versions],
        },
        schema={
            "effective_from": pl.Date,
            "er_num": pl.Int64,
            "er_den": pl.Int64,
            "wr_num": pl.Int64,
            "wr_den": pl.Int64,
            "ceiling": pl.Int64,
        },
    )
    first = versions[0].effective_from
    idx = period_index("period") + 1  # the month after the period decides it
    frame = (
        declarations.with_columns(
            pl.date(idx // 12, idx % 12 + 1, 1).alias("decides_on"),
        )
        .with_columns(
            # Periods before the first version use the first version (PolicyTimeline.at).
            pl.max_horizontal(pl.col("decides_on"), pl.lit(first)).alias("decides_on")
        )
        .sort("decides_on")
        .join_asof(table, left_on="decides_on", right_on="effective_from", strategy="backward")
    )

    def expected(base: pl.Expr, num: str, den: str) -> pl.Expr:
        # round_half_up_ratio(base × num, den) for a base ≥ 0
        return (2 * base * pl.col(num) + pl.col(den)) // (2 * pl.col(den))

    tolerance = pl.max_horizontal(pl.col("workers"), pl.lit(1))
    declared_base = pl.col("salary_base_cents")
    capped_base = pl.min_horizontal(declared_base, pl.col("workers") * pl.col("ceiling"))
    frame = frame.with_columns(
        # the rule of check_declaration_amounts: rate × the declared base, one cent per worker
        expected(declared_base, "er_num", "er_den").alias("exp_employer"),
        expected(declared_base, "wr_num", "wr_den").alias("exp_worker"),
        # the figures shown: rate × the capped base
        expected(capped_base, "er_num", "er_den").alias("cap_employer"),
        expected(capped_base, "wr_num", "wr_den").alias("cap_worker"),
    )
    bad = frame.filter(
        (pl.col("salary_base_cents") > pl.col("workers") * pl.col("ceiling"))
        | ((pl.col("employer_cents") - pl.col("exp_employer")).abs() > tolerance)
        | ((pl.col("worker_cents") - pl.col("exp_worker")).abs() > tolerance)
    )
    out = bad.select(
        _key(RATE_MISMATCH, pl.col("employer_id"), pl.col("period")),
        pl.lit(RATE_MISMATCH).alias("finding_type"),
        "employer_id",
        pl.concat_list(pl.col("period")).alias("periods"),
        (
            (pl.col("employer_cents") - pl.col("cap_employer")).abs()
            + (pl.col("worker_cents") - pl.col("cap_worker")).abs()
        ).alias("amount_cents"),
        (pl.col("cap_employer") + pl.col("cap_worker")).alias("base_cents"),
        (pl.col("employer_cents") + pl.col("worker_cents")).alias("declared_cents"),
    )
    return _finish(out)


def _life(employers: pl.DataFrame, declarations: pl.DataFrame) -> pl.DataFrame:
    """Per employer: first period of its life (registration month) and last (the last declared
    period when it is not active; open-ended when active)."""
    last_declared = declarations.group_by("employer_id").agg(
        period_index("period").max().alias("last_declared_idx")
    )
    return employers.join(last_declared, on="employer_id", how="left").select(
        "employer_id",
        (pl.col("registered_on").dt.year().cast(pl.Int64) * 12 + pl.col("registered_on").dt.month() - 1)
        .cast(pl.Int64)
        .alias("life_first_idx"),
        pl.when(pl.col("status") != "active")
        .then(pl.col("last_declared_idx"))
        .otherwise(None)
        .alias("life_last_idx"),
    )


def payment_period_findings(inp: HygieneInput) -> pl.DataFrame:
    """Payments naming a period outside the employer's life, or a closed period it never declared."""
    named = inp.payments.filter(pl.col("period").is_not_null() & (pl.col("period") != ""))
    if named.is_empty():
        return _finish(pl.DataFrame(schema={"key": pl.String}))
    life = _life(inp.employers, inp.declarations)
    declared = inp.declarations.select("employer_id", "period").with_columns(pl.lit(True).alias("declared"))
    frame = (
        named.with_columns(period_index("period").alias("idx"))
        .join(life, on="employer_id", how="left")
        .join(declared, on=["employer_id", "period"], how="left")
    )
    outside = (pl.col("life_first_idx").is_not_null() & (pl.col("idx") < pl.col("life_first_idx"))) | (
        pl.col("life_last_idx").is_not_null() & (pl.col("idx") > pl.col("life_last_idx"))
    )
    last_closed = _index_of(inp.last_closed_period)
    frame = frame.with_columns(
        pl.when(outside)
        .then(pl.lit(OUT_OF_LIFE_PAYMENT))
        .when(pl.col("declared").is_null() & (pl.col("idx") <= last_closed))
        .then(pl.lit(UNDECLARED_PAYMENT))
        .otherwise(None)
        .alias("finding_type")
    ).filter(pl.col("finding_type").is_not_null())
    out = frame.select(
        pl.concat_str([pl.col("finding_type"), pl.col("payment_id")], separator=":").alias("key"),
        "finding_type",
        "employer_id",
        pl.concat_list(pl.col("period")).alias("periods"),
        pl.concat_list(pl.col("payment_id")).alias("payment_ids"),
        "amount_cents",
    )
    return _finish(out)


def duplicate_payments(payments: pl.DataFrame) -> pl.DataFrame:
    """Groups of payments of one employer with the same amount and date (different ids)."""
    if payments.is_empty():
        return _finish(pl.DataFrame(schema={"key": pl.String}))
    groups = (
        payments.group_by("employer_id", "paid_on", "amount_cents")
        .agg(pl.col("payment_id").sort().alias("payment_ids"), pl.len().alias("n"))
        .filter(pl.col("n") > 1)
    )
    out = groups.select(
        _key(DUPLICATE_PAYMENT, pl.col("employer_id"), pl.col("paid_on"), pl.col("amount_cents")),
        pl.lit(DUPLICATE_PAYMENT).alias("finding_type"),
        "employer_id",
        "payment_ids",
        (pl.col("amount_cents") * (pl.col("n") - 1)).alias("amount_cents"),
        pl.col("amount_cents").alias("base_cents"),
    )
    return _finish(out)


def stale_credits(inp: HygieneInput) -> pl.DataFrame:
    """Credit balances older than the window (see module docstring)."""
    credit = inp.balances.filter(pl.col("credit_cents") > 0)
    if credit.is_empty():
        return _finish(pl.DataFrame(schema={"key": pl.String}))
    recent = (
        inp.payments.filter(pl.col("paid_on") >= inp.credit_since)
        .group_by("employer_id")
        .agg(pl.col("amount_cents").sum().alias("recent_cents"))
    )
    frame = (
        credit.join(recent, on="employer_id", how="left")
        .with_columns((pl.col("credit_cents") - pl.col("recent_cents").fill_null(0)).alias("stale"))
        .filter(pl.col("stale") > 0)
    )
    out = frame.select(
        _key(STALE_CREDIT, pl.col("employer_id")),
        pl.lit(STALE_CREDIT).alias("finding_type"),
        "employer_id",
        pl.col("stale").alias("amount_cents"),
        pl.col("credit_cents").alias("base_cents"),
    )
    return _finish(out)


def stopped_filers(inp: HygieneInput) -> pl.DataFrame:
    """Runs of missing periods of active employers, each estimated from the declaration before it."""
    last_closed = _index_of(inp.last_closed_period)
    active = inp.employers.filter(pl.col("status") == "active").select("employer_id")
    decl = (
        inp.declarations.join(active, on="employer_id", how="semi")
        .select(
            "employer_id",
            period_index("period").alias("idx"),
            (pl.col("employer_cents") + pl.col("worker_cents")).alias("contribution"),
        )
        .filter(pl.col("idx") <= last_closed)
        .sort("employer_id", "idx")
    )
    if decl.is_empty():
        return _finish(pl.DataFrame(schema={"key": pl.String}))
    gaps = (
        decl.with_columns(
            pl.col("idx").shift(-1).over("employer_id").fill_null(last_closed + 1).alias("next_idx")
        )
        .filter(pl.col("next_idx") - pl.col("idx") > 1)
        .select(
            "employer_id",
            (pl.col("idx") + 1).alias("gap_first"),
            (pl.col("next_idx") - 1).alias("gap_last"),
            pl.col("contribution").alias("base_cents"),
        )
    )
    months = pl.col("gap_last") - pl.col("gap_first") + 1
    out = gaps.select(
        _key(STOPPED_FILER, pl.col("employer_id"), period_of_index(pl.col("gap_first"))),
        pl.lit(STOPPED_FILER).alias("finding_type"),
        "employer_id",
        pl.int_ranges(pl.col("gap_first"), pl.col("gap_last") + 1)
        .list.eval(period_of_index(pl.element()))
        .alias("periods"),
        (pl.col("base_cents") * months).alias("amount_cents"),
        "base_cents",
    )
    return _finish(out)


def closed_with_debt(inp: HygieneInput) -> pl.DataFrame:
    """Employers registered as closed that still owe an overdue balance."""
    frame = inp.employers.filter(pl.col("status") == "closed").join(
        inp.balances.filter(pl.col("overdue_cents") > 0), on="employer_id", how="inner"
    )
    out = frame.select(
        _key(CLOSED_WITH_DEBT, pl.col("employer_id")),
        pl.lit(CLOSED_WITH_DEBT).alias("finding_type"),
        "employer_id",
        pl.col("overdue_cents").alias("amount_cents"),
    )
    return _finish(out)


def detect(inp: HygieneInput) -> pl.DataFrame:
    """Every finding of the input, in :data:`FINDING_SCHEMA`, ordered by employer, type and key."""
    parts = [
        rate_mismatches(inp.declarations, inp.rates),
        payment_period_findings(inp),
        duplicate_payments(inp.payments),
        stale_credits(inp),
        stopped_filers(inp),
        closed_with_debt(inp),
    ]
    return pl.concat(parts, how="vertical").sort("employer_id", "finding_type", "key")
