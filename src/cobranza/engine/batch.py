"""Every employer's statement at once (the portfolio recompute), same rules as ``statement.py``.

Polars does the columnar work over integer cents: type checks, period codes, the period → due-date
table (computed once per month of the range with the policy's calendar, then gathered), group
boundaries and, when the input is not already ordered, the sort. A day → (month index, day, month
length) table lets the kernel count months late without calendar arithmetic. The payment allocation is sequential per employer, so it runs as one
numba ``@njit`` kernel over the sorted arrays of all employers (no Python loop per employer or per
row). Arithmetic is exact integers: surcharges accumulate in cent-months and are multiplied by the
rate's integer numerator (``1 % = 1/100``), interest in cent-days over ``denominator × 365``; each
component is rounded half-up once with integer division.

Fast path: declarations ordered by ``(employer_number, period)`` and payments by
``(employer_number, paid_on, payment_id)`` — the order a database query with that ``ORDER BY`` gives.
Other orders are detected and sorted first (slower, same result). Freezes (agreements) are not
handled here: employers with frozen periods go through :func:`compute_statement`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt
import polars as pl

from cobranza.engine.calendar import due_date as _due_date
from cobranza.engine.calendar import parse_period, period_from_index
from cobranza.engine.money import fmt_cents
from cobranza.engine.policy import Policy
from cobranza.engine.statement import STATUSES
from cobranza.engine.money import rate_fraction
from functools import lru_cache
_COMPONENT_CODES = {"contribution": 0, "surcharge": 1, "fine": 2, "interest": 3}


@dataclass(frozen=True, slots=True)
class EngineRates:
    """The policy's rates as exact integer fractions, shared by the single and batch paths.

    surcharge = round(cent_months × surcharge_num / surcharge_den);
    fine = round(cents × fine_num / fine_den);
    interest = round(cent_days × interest_num / interest_den) (``interest_den`` includes the 365).
    """

    surcharge_num: int
    surcharge_den: int
    surcharge_cap: int
    fine_enabled: bool
    fine_num: int
    fine_den: int
    interest_enabled: bool
    interest_num: int
    interest_den: int
    order: tuple[int, ...]
    amnesty_start: date | None
    amnesty_end: date | None


@lru_cache(maxsize=64)
def engine_rates(policy: Policy) -> EngineRates:
    s_num, s_den = rate_fraction(policy.surcharge_monthly_rate)
    f_num, f_den = rate_fraction(policy.fine_rate)
    i_num, i_den = rate_fraction(policy.interest_annual_rate)
    interest_on = policy.interest_enabled and i_num != 0
    return EngineRates(
        surcharge_num=s_num,
        surcharge_den=s_den,
        surcharge_cap=policy.surcharge_max_months,
        fine_enabled=policy.fine_enabled,
        fine_num=f_num,
        fine_den=f_den,
        interest_enabled=interest_on,
        interest_num=i_num if interest_on else 0,
        interest_den=i_den * 365,
        order=tuple(_COMPONENT_CODES[c] for c in policy.allocation_order),
        amnesty_start=None,
        amnesty_end=None,
    )



__all__ = [
    "DECLARATION_SCHEMA",
    "EMPLOYER_COLUMNS",
    "PAYMENT_SCHEMA",
    "PERIOD_COLUMNS",
    "BatchResult",
    "compute_batch",
]

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
I8 = npt.NDArray[np.int8]
U8 = npt.NDArray[np.uint8]

_F = TypeVar("_F", bound=Callable[..., Any])


def _jit(fn: _F) -> _F:
    """``numba.njit(cache=True)`` with the function's type kept for mypy."""
    return cast(_F, numba.njit(cache=True, nogil=True)(fn))


DECLARATION_SCHEMA: dict[str, pl.DataType] = {
    "employer_number": pl.String(),
    "period": pl.String(),
    "contribution_cents": pl.Int64(),
    "filed_on": pl.Date(),
    "origin": pl.String(),
}
PAYMENT_SCHEMA: dict[str, pl.DataType] = {
    "payment_id": pl.String(),
    "employer_number": pl.String(),
    "paid_on": pl.Date(),
    "amount_cents": pl.Int64(),
    "period": pl.String(),
}
STATUS_ENUM = pl.Enum(list(STATUSES))  # physical codes: paid 0, partial 1, unpaid 2, not_due 3
_EPOCH = date(1970, 1, 1)
_INT64_SAFE = 2**62

PERIOD_COLUMNS = (
    "employer_number",
    "period",
    "due_date",
    "months_late",
    "status",
    "contribution_cents",
    "contribution_paid_cents",
    "contribution_outstanding_cents",
    "surcharge_cents",
    "surcharge_paid_cents",
    "surcharge_outstanding_cents",
    "fine_cents",
    "fine_paid_cents",
    "fine_outstanding_cents",
    "interest_cents",
    "interest_paid_cents",
    "interest_outstanding_cents",
    "outstanding_cents",
    "worker_share_cents",
    "worker_share_outstanding_cents",
)
EMPLOYER_COLUMNS = (
    "employer_number",
    "contribution_outstanding_cents",
    "surcharge_outstanding_cents",
    "fine_outstanding_cents",
    "interest_outstanding_cents",
    "outstanding_cents",
    "credit_cents",
    "overdue_periods",
    "months_in_arrears",
    "oldest_unpaid_period",
    "last_payment_date",
    "overdue_outstanding_cents",
    "current_outstanding_cents",
    "worker_share_outstanding_cents",
)


@dataclass(frozen=True)
class BatchResult:
    """``periods``: one row per (employer, period begun by ``as_of``), ordered by employer number and
    period, every amount in cents, ``status`` an Enum of paid/partial/unpaid/not_due.
    ``employers``: one row per employer present in either input, ordered by employer number."""

    as_of: date
    policy_version: str
    periods: pl.DataFrame
    employers: pl.DataFrame

    def employer_periods(self, employer_number: str) -> pl.DataFrame:
        return self.periods.filter(pl.col("employer_number") == employer_number)

    def to_json_dict(self, employer_number: str) -> dict[str, Any]:
        """The SPEC §5 statement JSON of one employer, built from the batch rows."""
        rows = self.employer_periods(employer_number).to_dicts()
        summary = self.employers.filter(pl.col("employer_number") == employer_number).to_dicts()
        if not summary:
            raise KeyError(employer_number)
        s = summary[0]
        periods = []
        for r in rows:
            item: dict[str, Any] = {
                "period": r["period"],
                "due_date": r["due_date"].isoformat(),
                "months_late": r["months_late"],
                "status": r["status"],
            }
            for comp in ("contribution", "surcharge", "fine", "interest"):
                item[comp] = fmt_cents(r[f"{comp}_cents"])
                item[f"{comp}_paid"] = fmt_cents(r[f"{comp}_paid_cents"])
                item[f"{comp}_outstanding"] = fmt_cents(r[f"{comp}_outstanding_cents"])
            item["outstanding"] = fmt_cents(r["outstanding_cents"])
            item["worker_share"] = fmt_cents(r["worker_share_cents"])
            item["worker_share_outstanding"] = fmt_cents(r["worker_share_outstanding_cents"])
            periods.append(item)
        return {
            "employer_number": employer_number,
            "as_of": self.as_of.isoformat(),
            "policy_version": self.policy_version,
            "periods": periods,
            "totals": {
                "contribution_outstanding": fmt_cents(s["contribution_outstanding_cents"]),
                "surcharge_outstanding": fmt_cents(s["surcharge_outstanding_cents"]),
                "fine_outstanding": fmt_cents(s["fine_outstanding_cents"]),
                "interest_outstanding": fmt_cents(s["interest_outstanding_cents"]),
                "outstanding": fmt_cents(s["outstanding_cents"]),
                "credit": fmt_cents(s["credit_cents"]),
                "worker_share_outstanding": fmt_cents(s["worker_share_outstanding_cents"]),
                "overdue": fmt_cents(s["overdue_outstanding_cents"]),
                "current": fmt_cents(s["current_outstanding_cents"]),
            },
        }


# ============================================================================ numba kernel
@_jit
def _months_late(due: int, due_mi: int, due_day: int, t: int, t_mi: int, t_day: int, t_mlen: int) -> int:
    """SPEC §5 months late of epoch day ``t`` after the due date ``due``.

    ``*_mi`` are month indices (year × 12 + month − 1), ``*_day`` days of the month and ``t_mlen``
    the length of ``t``'s month: ``due + k months`` falls in ``t``'s month for ``k = t_mi − due_mi``
    and is on or after ``t`` iff its (clamped) day is, otherwise one more month is needed."""
    if t <= due:
        return 0
    k = t_mi - due_mi
    c = due_day if due_day < t_mlen else t_mlen
    if c < t_day:
        k += 1
    return k if k >= 1 else 1


@_jit
def _rhu(num: int, den: int) -> int:
    """Round half up of a non-negative ``num / den``."""
    return (2 * num + den) // (2 * den)


@_jit
def _check_order(
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


@_jit
def _kernel(
    emp_d_off: I64,
    emp_p_off: I64,
    d_code: I32,
    first_pidx: int,
    tab_start: I32,
    tab_due_mi: I32,
    tab_due_day: I32,
    d_due: I32,
    d_contrib: I64,
    d_filed: I32,
    d_oficio: U8,
    fine_on: bool,
    p_day: I32,
    p_amount: I64,
    p_ref: I32,
    ref_shift: int,
    as_of: int,
    s_num: int,
    s_den: int,
    cap: int,
    f_num: int,
    f_den: int,
    i_on: bool,
    i_num: int,
    i_den: int,
    order: I64,
    am_on: bool,
    am_start: int,
    am_end: int,
    day0: int,
    day_mi: I32,
    day_dom: I32,
    day_mlen: I32,
    out: I64,
    o_months: I32,
    o_status: I8,
    o_valid: U8,
    emp_out: I64,
) -> None:
    """Allocate every employer's payments and compute its periods as of ``as_of``.

    ``out`` has one row per declaration and the columns contribution_paid, surcharge,
    surcharge_paid, fine, fine_paid, interest, interest_paid, and the five outstanding figures
    (contribution, surcharge, fine, interest, total). ``emp_out`` has one row per employer: the four
    outstanding components, credit, overdue periods, months in arrears, oldest unpaid period index
    (-1 if none), last payment day (-1 if none).
    """
    n_emp = emp_d_off.shape[0] - 1
    width = 0
    for e in range(n_emp):
        if emp_d_off[e + 1] - emp_d_off[e] > width:
            width = emp_d_off[e + 1] - emp_d_off[e]
    # per-employer scratch (small, stays in cache)
    paid_c = np.zeros(width, np.int64)
    s_paid = np.zeros(width, np.int64)
    f_paid = np.zeros(width, np.int64)
    i_paid = np.zeros(width, np.int64)
    ws = np.zeros(width, np.int64)  # Σ paid pieces × min(months late, cap): cent-months
    wi = np.zeros(width, np.int64)  # Σ paid pieces × days late: cent-days
    last_ml = np.zeros(width, np.int64)  # months late of the last contribution piece
    fine_amt = np.zeros(width, np.int64)
    waived = np.zeros(width, np.uint8)
    done = np.zeros(width, np.uint8)
    fine_flag = np.zeros(width, np.uint8)
    a_i = as_of - day0
    a_mi = day_mi[a_i]
    a_dom = day_dom[a_i]
    a_mlen = day_mlen[a_i]
    for e in range(n_emp):
        d0 = emp_d_off[e]
        d1 = emp_d_off[e + 1]
        # periods begun by as_of are a prefix of the (sorted) group
        n = 0
        while d0 + n < d1 and tab_start[d_code[d0 + n]] <= as_of:
            n += 1
        for jj in range(n):
            j = d0 + jj
            paid_c[jj] = 0
            s_paid[jj] = 0
            f_paid[jj] = 0
            i_paid[jj] = 0
            ws[jj] = 0
            wi[jj] = 0
            last_ml[jj] = 0
            waived[jj] = 0
            # fine: filed after the due date, or de oficio (no filing date counts as de oficio)
            applies = fine_on and (d_oficio[j] != 0 or d_filed[j] > d_due[j])
            fine_flag[jj] = 1 if applies else 0
            fine_amt[jj] = _rhu(d_contrib[j] * f_num, f_den) if applies else 0
            done[jj] = 1 if (d_contrib[j] == 0 and fine_amt[jj] == 0) else 0
        first_open = 0
        while first_open < n and done[first_open] != 0:
            first_open += 1
        first_code = d_code[d0] if n > 0 else 0
        credit = 0
        last_pay = -1
        for k in range(emp_p_off[e], emp_p_off[e + 1]):
            s = p_day[k]
            if s > as_of:
                break  # payments are ordered by day inside the group
            last_pay = s
            s_i = s - day0  # valid whenever s > some due date (table covers due+1 … as_of)
            rem = p_amount[k]
            in_win = am_on and am_start <= s <= am_end
            ref = -1
            if p_ref[k] >= 0 and n > 0:
                target = p_ref[k] + ref_shift  # the referenced period as a declaration code
                guess = target - first_code  # periods are usually consecutive months
                if 0 <= guess < n and d_code[d0 + guess] == target:
                    ref = guess
                else:
                    lo = 0
                    hi = n
                    while lo < hi:
                        mid = (lo + hi) // 2
                        if d_code[d0 + mid] < target:
                            lo = mid + 1
                        else:
                            hi = mid
                    if lo < n and d_code[d0 + lo] == target:
                        ref = lo
            phase = 0 if ref >= 0 else 1
            pos = first_open
            while rem > 0:
                if phase == 0:
                    jj = ref
                    phase = 1
                else:
                    if pos >= n:
                        break
                    jj = pos
                    pos += 1
                    if tab_start[d_code[d0 + jj]] > s:
                        break
                    if jj == ref or done[jj] != 0:
                        continue
                j = d0 + jj
                due = d_due[j]
                due_mi = tab_due_mi[d_code[j]]
                due_day = tab_due_day[d_code[j]]
                contrib = d_contrib[j]
                ml = -1
                for ci in range(4):
                    if rem == 0:
                        break
                    comp = order[ci]
                    if comp == 0:  # contribution
                        owed = contrib - paid_c[jj]
                        if owed <= 0:
                            continue
                        x = owed if owed < rem else rem
                        if ml < 0:
                            if s <= due:
                                ml = 0
                            else:
                                ml = _months_late(
                                    due,
                                    due_mi,
                                    due_day,
                                    s,
                                    day_mi[s_i],
                                    day_dom[s_i],
                                    day_mlen[s_i],
                                )
                        ws[jj] += x * (ml if ml < cap else cap)
                        if i_on and s > due:
                            wi[jj] += x * (s - due)
                        paid_c[jj] += x
                        last_ml[jj] = ml
                        rem -= x
                        if in_win and paid_c[jj] == contrib:
                            waived[jj] = 1
                    elif comp == 1:  # surcharge
                        if in_win or waived[jj] != 0 or s <= due:
                            continue  # nothing accrues until the day after the due date
                        if ml < 0:
                            ml = _months_late(
                                due, due_mi, due_day, s, day_mi[s_i], day_dom[s_i], day_mlen[s_i]
                            )
                        unpaid = contrib - paid_c[jj]
                        owed = _rhu((ws[jj] + unpaid * (ml if ml < cap else cap)) * s_num, s_den) - s_paid[jj]
                        if owed <= 0:
                            continue
                        x = owed if owed < rem else rem
                        s_paid[jj] += x
                        rem -= x
                    elif comp == 2:  # fine
                        if fine_flag[jj] == 0 or in_win or waived[jj] != 0 or s <= due:
                            continue
                        owed = fine_amt[jj] - f_paid[jj]
                        if owed <= 0:
                            continue
                        x = owed if owed < rem else rem
                        f_paid[jj] += x
                        rem -= x
                    else:  # interest
                        if not i_on or s <= due:
                            continue
                        unpaid = contrib - paid_c[jj]
                        owed = _rhu((wi[jj] + unpaid * (s - due)) * i_num, i_den) - i_paid[jj]
                        if owed <= 0:
                            continue
                        x = owed if owed < rem else rem
                        i_paid[jj] += x
                        rem -= x
                if paid_c[jj] == contrib:
                    ok = waived[jj] != 0 or s_paid[jj] == _rhu(ws[jj] * s_num, s_den)
                    ok = ok and (waived[jj] != 0 or f_paid[jj] == fine_amt[jj])
                    ok = ok and ((not i_on) or i_paid[jj] == _rhu(wi[jj] * i_num, i_den))
                    done[jj] = 1 if ok else 0
            while first_open < n and done[first_open] != 0:
                first_open += 1
            credit += rem
        # final figures as of the statement date
        tc = 0
        ts = 0
        tf = 0
        ti = 0
        overdue = 0
        worst = 0
        oldest = -1
        for jj in range(n):
            j = d0 + jj
            due = d_due[j]
            due_mi = tab_due_mi[d_code[j]]
            due_day = tab_due_day[d_code[j]]
            contrib = d_contrib[j]
            unpaid = contrib - paid_c[jj]
            surch = 0
            fine = 0
            interest = 0
            ml_a = 0
            if as_of > due:
                ml_a = _months_late(due, due_mi, due_day, as_of, a_mi, a_dom, a_mlen)
                surch = _rhu((ws[jj] + unpaid * (ml_a if ml_a < cap else cap)) * s_num, s_den)
                fine = fine_amt[jj]
                if i_on:
                    interest = _rhu((wi[jj] + unpaid * (as_of - due)) * i_num, i_den)
            else:
                surch = _rhu(ws[jj] * s_num, s_den)
                if i_on:
                    interest = _rhu(wi[jj] * i_num, i_den)
            if waived[jj] != 0:
                surch = s_paid[jj]
                fine = f_paid[jj]
            months = ml_a if unpaid > 0 else last_ml[jj]
            s_out = surch - s_paid[jj]
            f_out = fine - f_paid[jj]
            i_out = interest - i_paid[jj]
            outstanding = unpaid + s_out + f_out + i_out
            if outstanding == 0:
                st = 0
            elif due >= as_of:
                st = 3
            elif paid_c[jj] == 0 and s_paid[jj] == 0 and f_paid[jj] == 0 and i_paid[jj] == 0:
                st = 2
            else:
                st = 1
            out[j, 0] = paid_c[jj]
            out[j, 1] = surch
            out[j, 2] = s_paid[jj]
            out[j, 3] = fine
            out[j, 4] = f_paid[jj]
            out[j, 5] = interest
            out[j, 6] = i_paid[jj]
            out[j, 7] = unpaid
            out[j, 8] = s_out
            out[j, 9] = f_out
            out[j, 10] = i_out
            out[j, 11] = outstanding
            o_months[j] = months
            o_status[j] = st
            o_valid[j] = 1
            tc += unpaid
            ts += s_out
            tf += f_out
            ti += i_out
            if st == 1 or st == 2:
                overdue += 1
                if months > worst:
                    worst = months
                if oldest < 0:
                    oldest = first_pidx + d_code[j]
        for j in range(d0 + n, d1):  # periods not begun by as_of: left out afterwards
            o_valid[j] = 0
            o_status[j] = 0
            o_months[j] = 0
            for c in range(12):
                out[j, c] = 0
        emp_out[e, 0] = tc
        emp_out[e, 1] = ts
        emp_out[e, 2] = tf
        emp_out[e, 3] = ti
        emp_out[e, 4] = credit
        emp_out[e, 5] = overdue
        emp_out[e, 6] = worst
        emp_out[e, 7] = oldest
        emp_out[e, 8] = last_pay


# ============================================================================ Polars side
def _epoch(d: date) -> int:
    return (d - _EPOCH).days


def _day_tables(first: int, last: int) -> tuple[I32, I32, I32]:
    """For each epoch day in ``first … last``: month index (year × 12 + month − 1), day of the month
    and length of the month — so the kernel does no calendar arithmetic."""
    days = np.arange(first, last + 1, dtype=np.int64).astype("datetime64[D]")
    month = days.astype("datetime64[M]")
    month_start = month.astype("datetime64[D]")
    next_start = (month + 1).astype("datetime64[D]")
    mi = month.astype(np.int64) + 1970 * 12
    dom = (days - month_start).astype(np.int64) + 1
    mlen = (next_start - month_start).astype(np.int64)
    return mi.astype(np.int32), dom.astype(np.int32), mlen.astype(np.int32)


def _pidx(period: str) -> int:
    year, month = parse_period(period)
    return year * 12 + month - 1


def _prepare(df: pl.DataFrame, schema: dict[str, pl.DataType], what: str) -> pl.DataFrame:
    missing = [c for c in schema if c not in df.columns]
    if missing:
        raise ValueError(f"{what}: faltan las columnas {', '.join(missing)}")
    casts = [pl.col(c).cast(t) for c, t in schema.items() if df.schema[c] != t]
    out = df.select(list(schema))
    return out.with_columns(casts) if casts else out


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
    first, last = _pidx(lo), _pidx(hi)
    months = [period_from_index(i) for i in range(first, last + 1)]
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
        first, last = _pidx(lo), _pidx(hi)
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


def _ref_codes(col: pl.Series, months: list[str]) -> tuple[I32, int]:
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
    return np.ascontiguousarray(arr, dtype=np.int32), _pidx(months[0])


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


def _group_offsets(n_rows: int, starts: I64, keys: pl.Series, all_emps: pl.Series) -> I64:
    """Offsets per employer of ``all_emps`` (sorted) into a frame grouped by employer."""
    n_emp = len(all_emps)
    off = np.zeros(n_emp + 1, np.int64)
    if n_rows == 0:
        return off
    codes = all_emps.search_sorted(keys).to_numpy().astype(np.int64)
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


def compute_batch(
    declarations: pl.DataFrame, payments: pl.DataFrame, as_of: date, policy: Policy
) -> BatchResult:
    """All employers' statements as of ``as_of`` — equal, row by row, to :func:`compute_statement`.

    ``declarations``: employer_number str, period str (YYYY-MM), contribution_cents i64,
    filed_on date (nullable), origin str (employer|de_oficio).
    ``payments``: payment_id str, employer_number str, paid_on date, amount_cents i64,
    period str (nullable).
    Fastest when already ordered by (employer_number, period) and (employer_number, paid_on,
    payment_id); otherwise sorted here first. ``payment_id`` is assumed unique (a database
    constraint); only repeats within the same employer and day are detected here.
    """
    if "worker_cents" not in declarations.columns:
        declarations = declarations.with_columns(pl.lit(0, dtype=pl.Int64).alias("worker_cents"))
    rates = engine_rates(policy)
    decl = _prepare(declarations, {**DECLARATION_SCHEMA, "worker_cents": pl.Int64()}, "planillas")
    pay = _prepare(payments, PAYMENT_SCHEMA, "pagos")
    if decl["employer_number"].null_count() or decl["period"].null_count():
        raise ValueError("planillas: employer_number y period son obligatorios")
    if pay["employer_number"].null_count() or pay["paid_on"].null_count() or pay["payment_id"].null_count():
        raise ValueError("pagos: payment_id, employer_number y paid_on son obligatorios")
    if decl["contribution_cents"].null_count() or pay["amount_cents"].null_count():
        raise ValueError("los montos son obligatorios")
    d_contrib_s = decl["contribution_cents"]
    if len(decl) and d_contrib_s.min() < 0:  # type: ignore[operator]
        raise ValueError("planillas: una cotización no puede ser negativa")
    if len(pay) and pay["amount_cents"].min() <= 0:  # type: ignore[operator]
        raise ValueError("pagos: un monto debe ser positivo")
    origin = decl["origin"]
    oficio = origin == "de_oficio"
    if origin.null_count() or not (oficio | (origin == "employer")).all():
        bad = origin.filter(~origin.is_in(["employer", "de_oficio"]) | origin.is_null())
        raise ValueError(f"planillas: origen desconocido {bad[0]!r} (employer|de_oficio)")

    # ---- order: (employer, period) and (employer, paid_on, payment_id); sort only when needed
    sort_decl = not decl["employer_number"].is_sorted()
    sort_pay = not pay["employer_number"].is_sorted()
    decl_reordered = sort_decl
    if sort_decl or sort_pay:
        decl, pay = _sort_frames(decl, pay, sort_decl=sort_decl, sort_pay=sort_pay)
    for attempt in range(2):
        d_starts, d_keys = _group_starts(decl["employer_number"])
        p_starts, p_keys = _group_starts(pay["employer_number"])
        all_emps = pl.concat([d_keys, p_keys]).unique().sort() if len(p_keys) else d_keys
        d_off = _group_offsets(len(decl), d_starts, d_keys, all_emps)
        p_off = _group_offsets(len(pay), p_starts, p_keys, all_emps)
        d_codes, periods = _grouped_period_codes(decl["period"], d_starts, "planillas")
        first_pidx = _pidx(periods[0]) if periods else 0
        p_day = np.ascontiguousarray(pay["paid_on"].cast(pl.Int32).to_numpy(), dtype=np.int32)
        ds, dr, ps, pr = _check_order(
            d_off, d_codes, p_off, p_day, _tie_order(pay["payment_id"], p_day, p_off)
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
        decl_reordered = decl_reordered or ds != 0
    n_emp = len(all_emps)

    # ---- period -> start / due-date tables (one entry per month of the range), gathered by code
    dues = [_due_date(p, policy) for p in periods]
    start_tab = np.array([_epoch(date(*parse_period(p), 1)) for p in periods], dtype=np.int32)
    due_tab = np.array([_epoch(d) for d in dues], dtype=np.int32)
    due_mi_tab = np.array([d.year * 12 + d.month - 1 for d in dues], dtype=np.int32)
    due_day_tab = np.array([d.day for d in dues], dtype=np.int32)
    d_due = due_tab[d_codes]
    d_contrib = np.ascontiguousarray(decl["contribution_cents"].to_numpy(), dtype=np.int64)
    if decl_reordered:
        oficio = decl["origin"] == "de_oficio"
    d_oficio = np.ascontiguousarray(oficio.to_numpy(), dtype=np.uint8)
    d_filed = np.ascontiguousarray(
        decl["filed_on"].cast(pl.Int32).fill_null(np.iinfo(np.int32).max).to_numpy(), dtype=np.int32
    )

    p_amount = np.ascontiguousarray(pay["amount_cents"].to_numpy(), dtype=np.int64)
    p_ref, ref_first = _ref_codes(pay["period"], periods)

    as_of_day = _epoch(as_of)
    _check_magnitudes(d_contrib, d_due, as_of_day, rates)

    day0 = min(int(due_tab.min()) + 1, as_of_day) if len(due_tab) else as_of_day
    day_mi, day_dom, day_mlen = _day_tables(day0, as_of_day)

    n_d = len(decl)
    out = np.empty((n_d, 12), dtype=np.int64, order="F")
    o_months = np.empty(n_d, np.int32)
    o_status = np.empty(n_d, np.int8)
    o_valid = np.empty(n_d, np.uint8)
    emp_out = np.empty((n_emp, 9), dtype=np.int64, order="F")
    _kernel(
        d_off,
        p_off,
        d_codes,
        first_pidx,
        start_tab,
        due_mi_tab,
        due_day_tab,
        d_due,
        d_contrib,
        d_filed,
        d_oficio,
        rates.fine_enabled,
        p_day,
        p_amount,
        p_ref,
        ref_first - first_pidx,
        as_of_day,
        rates.surcharge_num,
        rates.surcharge_den,
        rates.surcharge_cap,
        rates.fine_num,
        rates.fine_den,
        rates.interest_enabled,
        rates.interest_num,
        rates.interest_den,
        np.array(rates.order, dtype=np.int64),
        rates.amnesty_start is not None and rates.amnesty_end is not None,
        _epoch(rates.amnesty_start) if rates.amnesty_start is not None else 0,
        _epoch(rates.amnesty_end) if rates.amnesty_end is not None else 0,
        day0,
        day_mi,
        day_dom,
        day_mlen,
        out,
        o_months,
        o_status,
        o_valid,
        emp_out,
    )

    periods_df = pl.DataFrame(
        [
            decl["employer_number"],
            decl["period"],
            pl.Series("due_date", d_due, dtype=pl.Int32).cast(pl.Date),
            pl.Series("months_late", o_months),
            pl.Series("status", o_status.view(np.uint8)).cast(STATUS_ENUM),
            pl.Series("contribution_cents", d_contrib),
            pl.Series("contribution_paid_cents", out[:, 0]),
            pl.Series("contribution_outstanding_cents", out[:, 7]),
            pl.Series("surcharge_cents", out[:, 1]),
            pl.Series("surcharge_paid_cents", out[:, 2]),
            pl.Series("surcharge_outstanding_cents", out[:, 8]),
            pl.Series("fine_cents", out[:, 3]),
            pl.Series("fine_paid_cents", out[:, 4]),
            pl.Series("fine_outstanding_cents", out[:, 9]),
            pl.Series("interest_cents", out[:, 5]),
            pl.Series("interest_paid_cents", out[:, 6]),
            pl.Series("interest_outstanding_cents", out[:, 10]),
            pl.Series("outstanding_cents", out[:, 11]),
            decl["worker_cents"].alias("worker_share_cents"),
        ]
    ).with_columns(
        (
            pl.col("worker_share_cents")
            - pl.min_horizontal(pl.col("contribution_paid_cents"), pl.col("worker_share_cents"))
        ).alias("worker_share_outstanding_cents")
    )
    if n_d and not o_valid.all():
        periods_df = periods_df.filter(pl.Series(o_valid.view(np.bool_)))

    oldest = pl.Series("oldest", emp_out[:, 7])
    last_pay = pl.Series("last", emp_out[:, 8])
    employers_df = pl.DataFrame(
        [
            all_emps.alias("employer_number"),
            pl.Series("contribution_outstanding_cents", emp_out[:, 0]),
            pl.Series("surcharge_outstanding_cents", emp_out[:, 1]),
            pl.Series("fine_outstanding_cents", emp_out[:, 2]),
            pl.Series("interest_outstanding_cents", emp_out[:, 3]),
            pl.Series("outstanding_cents", emp_out[:, 0] + emp_out[:, 1] + emp_out[:, 2] + emp_out[:, 3]),
            pl.Series("credit_cents", emp_out[:, 4]),
            pl.Series("overdue_periods", emp_out[:, 5]).cast(pl.Int32),
            pl.Series("months_in_arrears", emp_out[:, 6]).cast(pl.Int32),
        ]
    ).with_columns(
        # the oldest unpaid period is a declared one: look it up in the declarations' month list
        pl.when(oldest >= 0)
        .then(
            pl.Series(periods, dtype=pl.String).gather(
                np.where(emp_out[:, 7] >= 0, emp_out[:, 7] - first_pidx, 0)
            )
            if periods
            else pl.lit(None, dtype=pl.String)
        )
        .otherwise(None)
        .alias("oldest_unpaid_period"),
        pl.when(last_pay >= 0)
        .then(last_pay)
        .otherwise(None)
        .cast(pl.Int32)
        .cast(pl.Date)
        .alias("last_payment_date"),
    )
    per_employer = periods_df.group_by("employer_number").agg(
        pl.col("outstanding_cents")
        .filter(pl.col("status").is_in(["unpaid", "partial"]))
        .sum()
        .alias("overdue_outstanding_cents"),
        pl.col("worker_share_outstanding_cents").sum(),
    )
    employers_df = (
        employers_df.join(per_employer, on="employer_number", how="left", maintain_order="left")
        .with_columns(
            pl.col("overdue_outstanding_cents").fill_null(0).cast(pl.Int64),
            pl.col("worker_share_outstanding_cents").fill_null(0).cast(pl.Int64),
        )
        .with_columns(
            (pl.col("outstanding_cents") - pl.col("overdue_outstanding_cents")).alias("current_outstanding_cents")
        )
        .select(EMPLOYER_COLUMNS)
    )
    return BatchResult(as_of=as_of, policy_version=policy.version, periods=periods_df, employers=employers_df)


def _check_magnitudes(d_contrib: I64, d_due: I32, as_of_day: int, rates: EngineRates) -> None:
    """Refuse inputs whose integer intermediates could overflow int64 (amounts beyond any payroll)."""
    if len(d_contrib) == 0:
        return
    c_max = int(d_contrib.max())
    worst_days = max(as_of_day - int(d_due.min()), 0)
    bounds = [
        c_max * max(rates.surcharge_cap, 1) * rates.surcharge_num * 2 + rates.surcharge_den,
        c_max * rates.fine_num * 2 + rates.fine_den,
        c_max * worst_days * rates.interest_num * 2 + rates.interest_den,
    ]
    if max(bounds) >= _INT64_SAFE:
        raise ValueError(
            "montos demasiado grandes para el cálculo por lotes (riesgo de desbordamiento); "
            "use compute_statement para estos patronos"
        )
