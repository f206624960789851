"""The Polars side before the kernel: check the frames, put them in order, find each employer's
rows and turn period strings into integer codes — all columnar, no Python loop per row.

Fast path: declarations ordered by ``(employer_number, period)`` and payments by
``(employer_number, paid_on, payment_id)``, the order a database query with that ``ORDER BY``
gives. Other orders are detected and sorted first (slower, same result).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from cobranza.engine.batch.kernel import I8, I32, I64, jit, readonly
from cobranza.engine.calendar import parse_period, period_from_index
from cobranza.engine.statement import CREDIT_PAYMENT_ID

__all__ = [
    "DECLARATION_SCHEMA",
    "OFICIO",
    "PAYMENT_SCHEMA",
    "Ordered",
    "cast_frame",
    "order_frames",
    "period_index",
    "reference_codes",
    "validate_frames",
]

#: Required columns of the declarations frame (the **first** filing of each period); an optional
#: ``worker_cents`` (Int64, the worker share inside the contribution) is 0 when missing.
DECLARATION_SCHEMA: dict[str, pl.DataType] = {
    "employer_number": pl.String(),
    "period": pl.String(),
    "contribution_cents": pl.Int64(),
    "filed_on": pl.Date(),
    "origin": pl.String(),
}
#: Column added to the checked declarations: the origin is de oficio (bool).
OFICIO = "__de_oficio"
PAYMENT_SCHEMA: dict[str, pl.DataType] = {
    "payment_id": pl.String(),
    "employer_number": pl.String(),
    "paid_on": pl.Date(),
    "amount_cents": pl.Int64(),
    "period": pl.String(),
}


def cast_frame(df: pl.DataFrame, schema: dict[str, pl.DataType], what: str) -> pl.DataFrame:
    """The frame's columns of ``schema``, cast to its types; missing columns are refused."""
    missing = [c for c in schema if c not in df.columns]
    if missing:
        raise ValueError(f"{what}: faltan las columnas {', '.join(missing)}")
    casts = [pl.col(c).cast(t) for c, t in schema.items() if df.schema[c] != t]
    out = df.select(list(schema))
    return out.with_columns(casts) if casts else out


def validate_frames(declarations: pl.DataFrame, payments: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The two frames with their schema's columns (plus ``worker_cents`` and the ``OFICIO`` flag of
    a de-oficio origin), checked: required values, signs, origins, worker share within the
    contribution, no payment named like the credit."""
    if "worker_cents" not in declarations.columns:
        declarations = declarations.with_columns(pl.lit(0, dtype=pl.Int64).alias("worker_cents"))
    decl = cast_frame(declarations, {**DECLARATION_SCHEMA, "worker_cents": pl.Int64()}, "planillas")
    pay = cast_frame(payments, PAYMENT_SCHEMA, "pagos")
    if decl["employer_number"].null_count() or decl["period"].null_count():
        raise ValueError("planillas: employer_number y period son obligatorios")
    if pay["employer_number"].null_count() or pay["paid_on"].null_count() or pay["payment_id"].null_count():
        raise ValueError("pagos: payment_id, employer_number y paid_on son obligatorios")
    if decl["contribution_cents"].null_count() or pay["amount_cents"].null_count():
        raise ValueError("los montos son obligatorios")
    if decl["worker_cents"].null_count():
        raise ValueError("planillas: worker_cents no puede estar vacío (0 si no se conoce)")
    if len(decl):
        if decl["contribution_cents"].min() < 0:  # type: ignore[operator]
            raise ValueError("planillas: una cotización no puede ser negativa")
        if decl["worker_cents"].min() < 0:  # type: ignore[operator]
            raise ValueError("planillas: una cotización laboral no puede ser negativa")
        if (decl["worker_cents"] > decl["contribution_cents"]).any():
            raise ValueError("planillas: la cotización laboral no puede exceder la cotización total")
    if len(pay):
        if pay["amount_cents"].min() <= 0:  # type: ignore[operator]
            raise ValueError("pagos: un monto debe ser positivo")
        if (pay["payment_id"] == CREDIT_PAYMENT_ID).any():
            raise ValueError(f"pagos: «{CREDIT_PAYMENT_ID}» no es un identificador de pago")
    origin = decl["origin"]
    oficio = origin == "de_oficio"
    if origin.null_count() or not (oficio | (origin == "employer")).all():
        bad = origin.filter(~origin.is_in(["employer", "de_oficio"]) | origin.is_null())
        raise ValueError(f"planillas: origen desconocido {bad[0]!r} (employer|de_oficio)")
    return decl.with_columns(oficio.alias(OFICIO)), pay


@dataclass(frozen=True)
class Ordered:
    """The frames in order, each employer's rows (``*_off[e] … *_off[e + 1]``, employers of
    ``employers`` sorted), the declarations' period codes into ``months`` (every month of their
    range) and the payment days (epoch days)."""

    decl: pl.DataFrame
    pay: pl.DataFrame
    employers: pl.Series
    d_off: I64
    p_off: I64
    d_code: I32
    months: list[str]
    p_day: I32


def order_frames(decl: pl.DataFrame, pay: pl.DataFrame) -> Ordered:
    """Check the order (periods and same-day payment ids within each employer) and sort only when
    needed; repeated periods or payments of one employer and day are refused."""
    sort_decl = not decl["employer_number"].is_sorted()
    sort_pay = not pay["employer_number"].is_sorted()
    if sort_decl or sort_pay:
        decl, pay = _sort_frames(decl, pay, sort_decl=sort_decl, sort_pay=sort_pay)
    for attempt in range(2):
        d_starts, d_keys = _group_starts(decl["employer_number"])
        p_starts, p_keys = _group_starts(pay["employer_number"])
        employers = pl.concat([d_keys, p_keys]).unique().sort() if len(p_keys) else d_keys
        d_off = _group_offsets(len(decl), d_starts, d_keys, employers)
        p_off = _group_offsets(len(pay), p_starts, p_keys, employers)
        d_code, months = _grouped_period_codes(decl["period"], d_starts, "planillas")
        p_day = np.ascontiguousarray(pay["paid_on"].cast(pl.Int32).to_numpy(), dtype=np.int32)
        ties = _tie_order(pay["payment_id"], p_day, p_off)
        ds, dr, ps, pr = check_order(
            readonly(d_off), readonly(d_code), readonly(p_off), readonly(p_day), readonly(ties)
        )
        if ds == 2:
            raise ValueError(
                f"planillas: la planilla {decl['period'][dr]} del patrono {decl['employer_number'][dr]} está repetida"
            )
        if ps == 2:
            raise ValueError(f"pagos: el pago {pay['payment_id'][pr]} está repetido")
        if ds == 0 and ps == 0:
            break
        if attempt == 1:  # pragma: no cover - sorting always yields the order
            raise AssertionError("no se pudo ordenar la entrada")
        decl, pay = _sort_frames(decl, pay, sort_decl=ds != 0, sort_pay=ps != 0)
    return Ordered(decl, pay, employers, d_off, p_off, d_code, months, p_day)


def period_index(period: str) -> int:
    """Months since year 0 of a period (refused with the Spanish message when malformed)."""
    year, month = parse_period(period)
    return year * 12 + month - 1


def reference_codes(col: pl.Series, months: list[str]) -> tuple[I32, int]:
    """Code of each payment's referenced period in ``months`` (the declarations' range: a reference
    outside it can match no declaration), -1 when none; and the period index of code 0.
    Malformed periods are refused; an empty string is no reference (as in ``PaymentIn``)."""
    n = len(col)
    if not months or col.null_count() == n:
        if col.null_count() != n:
            for p in col.drop_nulls().unique().to_list():
                if p != "":
                    parse_period(p)
        return np.full(n, -1, np.int32), 0
    codes = col.cast(pl.Enum(months), strict=False).to_physical()
    if codes.null_count() != col.null_count():  # references outside the range: validate them
        outside = col.filter(codes.is_null() & col.is_not_null()).unique().to_list()
        for p in outside:
            if p == "":
                continue
            try:
                parse_period(p)
            except ValueError as exc:
                raise ValueError(f"pagos: {exc}") from None
    if codes.null_count():
        arr = codes.cast(pl.Int32).fill_null(-1).to_numpy()
    else:
        arr = codes.to_numpy()
    return np.ascontiguousarray(arr, dtype=np.int32), period_index(months[0])


# ------------------------------------------------------------------------------------ helpers
def _period_codes(col: pl.Series, what: str) -> tuple[I32, list[str]]:
    """Codes of a period column into the list of every month between its min and max (-1 for
    null). The Enum cast rejects anything that is not a well-formed period of that range."""
    n = len(col)
    if n == 0 or col.null_count() == n:
        return np.full(n, -1, np.int32), []
    lo, hi = col.min(), col.max()
    assert isinstance(lo, str) and isinstance(hi, str)
    for p in (lo, hi):
        try:
            parse_period(p)
        except ValueError as exc:
            raise ValueError(f"{what}: {exc}") from None
    months = [period_from_index(i) for i in range(period_index(lo), period_index(hi) + 1)]
    try:
        codes = col.cast(pl.Enum(months)).to_physical()
    except pl.exceptions.InvalidOperationError:
        bad = col.filter(~col.is_in(months) & col.is_not_null())
        parse_period(bad[0])  # raises with the Spanish message
        raise ValueError(f"{what}: período inválido {bad[0]!r}") from None  # pragma: no cover
    if codes.null_count():
        return np.ascontiguousarray(codes.cast(pl.Int32).fill_null(-1).to_numpy(), dtype=np.int32), months
    return np.ascontiguousarray(codes.to_numpy(), dtype=np.int32), months


def _grouped_period_codes(col: pl.Series, starts: I64, what: str) -> tuple[I32, list[str]]:
    """:func:`_period_codes` for a column sorted within employer groups (``starts``), using the fact
    that an employer's periods are usually consecutive months: codes are guessed from each group's
    first period and checked against the strings (a cheap gather and compare); only the rows that
    do not match (gaps) go through the Enum cast. Falls back to :func:`_period_codes`."""
    n = len(col)
    if n == 0 or len(starts) == 0:
        return _period_codes(col, what)
    ends = np.append(starts[1:], n) - 1
    firsts = col.gather(starts)
    lo, hi = firsts.min(), col.gather(ends).max()
    if not isinstance(lo, str) or not isinstance(hi, str):
        return _period_codes(col, what)
    try:
        first, last = period_index(lo), period_index(hi)
    except ValueError:
        return _period_codes(col, what)
    if last < first:
        return _period_codes(col, what)
    months = [period_from_index(i) for i in range(first, last + 1)]
    enum = pl.Enum(months)
    try:
        first_codes = firsts.cast(enum).to_physical().to_numpy().astype(np.int64)
        lengths = np.diff(np.append(starts, n))
        codes = np.arange(n, dtype=np.int64) + np.repeat(first_codes - starts, lengths)
        in_range = codes < len(months)
        guessed = pl.Series(months).gather(np.where(in_range, codes, 0))
        match = (guessed == col).to_numpy() & in_range
        if not match.all():
            bad = np.nonzero(~match)[0]
            codes[bad] = col.gather(bad).cast(enum).to_physical().to_numpy()
    except pl.exceptions.InvalidOperationError:  # out of the groups' range: not sorted, or invalid
        return _period_codes(col, what)
    return np.ascontiguousarray(codes, dtype=np.int32), months


def _sort_frames(
    decl: pl.DataFrame, pay: pl.DataFrame, *, sort_decl: bool, sort_pay: bool
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Sort declarations by (employer_number, period) and payments by (employer_number, paid_on,
    payment_id) on integer keys (employer codes from an Enum of the sorted employer numbers), which is
    several times faster than Polars' multi-column string sort."""
    emps = pl.concat([decl["employer_number"].unique(), pay["employer_number"].unique()]).unique().sort()
    enum = pl.Enum(emps)
    if sort_decl and len(decl):
        codes, _ = _period_codes(decl["period"], "planillas")
        key = decl["employer_number"].cast(enum).to_physical().cast(pl.Int64) * (1 << 24) + pl.Series(codes)
        decl = decl[key.arg_sort()]
    if sort_pay and len(pay):
        days = pay["paid_on"].cast(pl.Int64)
        lo = days.min()
        assert isinstance(lo, int)
        key = pay["employer_number"].cast(enum).to_physical().cast(pl.Int64) * (1 << 30) + (days - lo)
        pay = pay.with_columns(key.alias("__key")).sort(["__key", "payment_id"]).drop("__key")
    return decl, pay


def _group_starts(col: pl.Series) -> tuple[I64, pl.Series]:
    """Start rows of the runs of equal values of a sorted column, and the run values."""
    if len(col) == 0:
        return np.zeros(0, np.int64), col
    starts = (col != col.shift(1)).fill_null(True).arg_true().to_numpy().astype(np.int64)
    return starts, col.gather(starts)


def _group_offsets(n_rows: int, starts: I64, keys: pl.Series, employers: pl.Series) -> I64:
    """Offsets per employer of ``employers`` (sorted) into a frame grouped by employer."""
    n_emp = len(employers)
    off = np.zeros(n_emp + 1, np.int64)
    if n_rows == 0:
        return off
    codes = employers.search_sorted(keys).to_numpy().astype(np.int64)
    counts = np.zeros(n_emp, np.int64)
    counts[codes] = np.diff(np.append(starts, n_rows))
    np.cumsum(counts, out=off[1:])
    return off


def _tie_order(pid: pl.Series, p_day: I32, p_off: I64) -> I8:
    """Per payment row: 1 if its id sorts after the previous row's, 0 if equal, -1 otherwise —
    compared only where it matters (same employer, same day)."""
    n = len(pid)
    out = np.ones(n, np.int8)
    if n < 2:
        return out
    tie = np.zeros(n, np.bool_)
    tie[1:] = p_day[1:] == p_day[:-1]
    starts = p_off[:-1][np.diff(p_off) > 0]
    tie[starts] = False  # first row of an employer group
    rows = np.nonzero(tie)[0]
    if len(rows):
        cur = pid.gather(rows)
        prev = pid.gather(rows - 1)
        gt = (cur > prev).to_numpy()
        eq = (cur == prev).to_numpy()
        out[rows] = np.where(gt, 1, np.where(eq, 0, -1))
    return out


@jit
def check_order(
    d_off: I64, d_code: I32, p_off: I64, p_day: I32, p_tie_order: I8
) -> tuple[int, int, int, int]:
    """Within each employer group: periods strictly increasing, payments by (day, id).

    Returns (decl_status, decl_row, pay_status, pay_row): status 0 ok, 1 out of order,
    2 duplicate."""
    ds, dr, ps, pr = 0, -1, 0, -1
    for g in range(d_off.shape[0] - 1):
        for j in range(d_off[g] + 1, d_off[g + 1]):
            if d_code[j] == d_code[j - 1]:
                return 2, j, 0, -1
            if d_code[j] < d_code[j - 1] and ds == 0:
                ds, dr = 1, j
    for g in range(p_off.shape[0] - 1):
        for k in range(p_off[g] + 1, p_off[g + 1]):
            if p_day[k] < p_day[k - 1]:
                if ps == 0:
                    ps, pr = 1, k
            elif p_day[k] == p_day[k - 1]:
                if p_tie_order[k] == 0:
                    return ds, dr, 2, k
                if p_tie_order[k] < 0 and ps == 0:
                    ps, pr = 1, k
    return ds, dr, ps, pr
