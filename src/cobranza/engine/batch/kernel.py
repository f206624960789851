"""The numba kernel: every employer's payments and credit allocated in one pass, then each
period's figures as of the date — rules 3, 4, 5, 7 and 9 of :mod:`cobranza.engine.statement.compute`,
as ``statement.allocation.Allocator`` and ``statement.compute._line`` do them for one employer
(agreements and freezes stay out of the batch).

Per employer it walks the payments in date order merged with the days the credit is carried
forward: each period's due date and the day after it. Those days increase with the period (a
period falls due in the month after it), so the two sorted sequences merge without sorting; the
credit days are only visited while there is credit, and a day that is both the day after one due
date and the next period's due date counts once. Each payment (or credit) costs O(1) per period
it touches: the walk starts at the oldest period not yet settled.

Everything the kernel compiles lives in this one file, the layout of its arrays included (the
Polars side imports it from here): numba's ``cache=True`` notices a change of the cached
function's own file only, not of functions or constants it imports from other files.

All arrays are integer ones: amounts in cents, days as epoch days (days since 1970-01-01), periods
as *codes* (the position of the month in the declarations' range of months).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt

__all__ = ["EMP_COLUMNS", "NO_DAY", "ROW_COLUMNS", "jit", "kernel", "months_late", "readonly", "rhu"]

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
I8 = npt.NDArray[np.int8]
U8 = npt.NDArray[np.uint8]

_F = TypeVar("_F", bound=Callable[..., Any])
_A = TypeVar("_A", bound=np.ndarray)

# ---- rows of the policy tables (built by ``tables.build_tables``)
#: ``codes[row, period code]``: first day, due date (epoch day), due date's month index
#: (year × 12 + month − 1) and day of the month.
CODE_START, CODE_DUE, CODE_DUE_MI, CODE_DUE_DAY = 0, 1, 2, 3
#: ``days[row, day − base]`` for every day from ``base`` to ``as_of``: month index, day of the
#: month, length of the month, cumulative interest units (``tl.interest_cumulative``).
DAY_MI, DAY_DOM, DAY_MLEN, DAY_CI = 0, 1, 2, 3
#: ``amnesties[row, k]``: first and last day of the window, waived components (surcharge 1,
#: fine 2, interest 4) of the "paid in full" amnesties.
AM_START, AM_END, AM_MASK = 0, 1, 2
#: ``scalars[i]``: as-of day, first day of the day tables, common rate denominator, interest on
#: (0/1), shift from a payment's reference code to a declaration code.
SCALAR_AS_OF, SCALAR_BASE, SCALAR_UNIT, SCALAR_INTEREST_ON, SCALAR_REF_SHIFT = 0, 1, 2, 3, 4
#: ``state[row, period]``: the running state of one employer's periods inside the kernel (the
#: fields of ``statement.periods.PeriodState``).
_PAID_C, _S_PAID, _F_PAID, _I_PAID = 0, 1, 2, 3  # paid to each component
_WS = 4  # Σ contribution pieces × C(months late at their date): cents × surcharge units
_WI = 5  # Σ contribution pieces × interest units of their days late
_CI_DUE = 6  # cumulative interest units at the due date
_LAST_ML = 7  # months late of the last contribution piece
_WAIVED = 8  # components waived by an amnesty: surcharge 1, fine 2, interest 4
_DONE = 9  # settled: owes nothing now and never will (1/0)
_STATE_ROWS = 10

#: "No day" (no payment yet): before any epoch day the engine can meet.
NO_DAY = -(2**40)

#: What the kernel writes per declaration row (``out[i, row]``: one contiguous column each).
ROW_COLUMNS = (
    "contribution_paid_cents",
    "surcharge_cents",
    "surcharge_paid_cents",
    "fine_cents",
    "fine_paid_cents",
    "interest_cents",
    "interest_paid_cents",
    "contribution_outstanding_cents",
    "surcharge_outstanding_cents",
    "fine_outstanding_cents",
    "interest_outstanding_cents",
    "outstanding_cents",
    "worker_share_outstanding_cents",
)
#: What the kernel writes per employer (``emp_out[i, employer]``).
EMP_COLUMNS = (
    "contribution_outstanding_cents",
    "surcharge_outstanding_cents",
    "fine_outstanding_cents",
    "interest_outstanding_cents",
    "credit_cents",
    "overdue_periods",
    "months_in_arrears",
    "oldest_unpaid_code",  # code of the oldest overdue period, -1 if none
    "last_payment_day",  # epoch day, NO_DAY if none
    "overdue_outstanding_cents",
    "worker_share_outstanding_cents",
)


def jit(fn: _F) -> _F:
    """``numba.njit(cache=True)`` with the function's type kept for mypy."""
    return cast(_F, numba.njit(cache=True, nogil=True)(fn))


def readonly(a: _A) -> _A:
    """A read-only view of ``a`` (no copy). The kernels get every input read-only and C-ordered,
    so they compile (and are cached) for one signature: numba types a read-only array (what
    Polars hands out without copying) apart from a writable one."""
    view = np.ascontiguousarray(a).view()
    view.flags.writeable = False
    return cast(_A, view)


@jit
def months_late(due: int, due_mi: int, due_day: int, t: int, t_mi: int, t_day: int, t_mlen: int) -> int:
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


@jit
def rhu(num: int, den: int) -> int:
    """Round half up of a non-negative ``num / den``."""
    return (2 * num + den) // (2 * den)


@jit
def kernel(
    emp_d_off: I64,
    emp_p_off: I64,
    d_code: I32,
    d_contrib: I64,
    d_worker: I64,
    d_fine: I64,
    p_day: I32,
    p_amount: I64,
    p_ref: I32,
    codes: I64,
    steps: I64,
    days: I64,
    v_from: I64,
    v_order: I64,
    amnesties: I64,
    scalars: I64,
    out: I64,
    o_months: I32,
    o_status: I8,
    o_valid: U8,
    emp_out: I64,
) -> None:
    """Allocate every employer's payments and credit and write its lines as of the as-of date.

    Declarations (``d_*``) are grouped by employer (``emp_d_off``) and ordered by period code
    inside a group; payments (``p_*``) likewise (``emp_p_off``), by day then id. ``d_contrib`` and
    ``d_worker`` are the versions in force at the as-of date, ``d_fine`` the fine amount;
    ``p_ref`` the code of the referenced period (plus the ``ref_shift`` scalar it is a
    declaration code), -1 for none. Tables (layout above): ``codes``, ``steps[code, months late]``
    (cumulative surcharge units), ``days``, ``v_from``/``v_order`` (the allocation order from each
    change date), ``amnesties`` and ``scalars``. Writes ``out`` (``ROW_COLUMNS``), months late,
    status (paid 0, partial 1, unpaid 2, not_due 3), ``o_valid`` (0 for periods not begun by the
    as-of date) and ``emp_out`` (``EMP_COLUMNS``).
    """
    as_of = scalars[SCALAR_AS_OF]
    base = scalars[SCALAR_BASE]
    unit = scalars[SCALAR_UNIT]
    i_on = scalars[SCALAR_INTEREST_ON] != 0
    ref_shift = scalars[SCALAR_REF_SHIFT]
    iden = unit * 365
    n_v = v_from.shape[0]
    n_am = amnesties.shape[1]
    n_emp = emp_d_off.shape[0] - 1
    width = 0
    for e in range(n_emp):
        width = max(width, emp_d_off[e + 1] - emp_d_off[e])
    state = np.zeros((_STATE_ROWS, width), np.int64)  # one employer's periods: small, stays in cache
    paid_c = state[_PAID_C]
    s_paid = state[_S_PAID]
    f_paid = state[_F_PAID]
    i_paid = state[_I_PAID]
    ws = state[_WS]
    wi = state[_WI]
    ci_due = state[_CI_DUE]
    last_ml = state[_LAST_ML]
    waived = state[_WAIVED]
    done = state[_DONE]
    start_of = codes[CODE_START]
    due_of = codes[CODE_DUE]
    due_mi_of = codes[CODE_DUE_MI]
    due_day_of = codes[CODE_DUE_DAY]
    day_mi = days[DAY_MI]
    day_dom = days[DAY_DOM]
    day_mlen = days[DAY_MLEN]
    ci = days[DAY_CI]
    for e in range(n_emp):
        d0 = emp_d_off[e]
        d1 = emp_d_off[e + 1]
        # periods begun by as_of are a prefix of the (sorted) group
        n = 0
        while d0 + n < d1 and start_of[d_code[d0 + n]] <= as_of:
            n += 1
        for jj in range(n):
            j = d0 + jj
            for r in range(_STATE_ROWS):
                state[r, jj] = 0
            due = due_of[d_code[j]]
            if i_on and due <= as_of:
                ci_due[jj] = ci[due - base]
            if d_contrib[j] == 0 and d_fine[j] == 0:
                done[jj] = 1
        first_open = 0
        while first_open < n and done[first_open] != 0:
            first_open += 1
        first_code = d_code[d0] if n > 0 else 0
        credit = 0
        last_pay = NO_DAY
        k = emp_p_off[e]
        k_end = emp_p_off[e + 1]
        ev = 0  # next credit event: 2·jj is the due date of period jj, 2·jj + 1 the day after
        cur = NO_DAY  # the day of the last item applied (a payment or the credit)
        cur_credit = False
        while True:
            # ---- next item: the credit on the next day something falls due, when that is before
            # the next payment's day; else the payment
            have_pay = k < k_end and p_day[k] <= as_of
            is_credit = False
            s = 0
            if credit > 0:
                # days passed while there was no credit change nothing; the credit is applied once
                # a day, after that day's payments
                while ev < 2 * n:
                    s = due_of[d_code[d0 + (ev >> 1)]] + (ev & 1)
                    if s > cur or (s == cur and not cur_credit):
                        break
                    ev += 1
                if ev < 2 * n and s <= as_of and (not have_pay or s < p_day[k]):
                    is_credit = True
                    ev += 1
            ref = -1
            if is_credit:
                rem = credit
            else:
                if not have_pay:
                    break
                s = p_day[k]
                rem = p_amount[k]
                last_pay = s
                if p_ref[k] >= 0 and n > 0:
                    target = p_ref[k] + ref_shift  # the referenced period as a declaration code
                    guess = target - first_code  # periods are usually consecutive months
                    if 0 <= guess < n and d_code[d0 + guess] == target:
                        ref = guess
                    else:
                        lo = np.searchsorted(d_code[d0 : d0 + n], target)
                        if lo < n and d_code[d0 + lo] == target:
                            ref = lo
                k += 1
            # ---- the allocation order (version in force) and the amnesty windows of the day
            vi = 0
            for v in range(1, n_v):
                if v_from[v] > s:
                    break
                vi = v
            mask = 0
            for a in range(n_am):
                if amnesties[AM_START, a] <= s <= amnesties[AM_END, a]:
                    mask |= amnesties[AM_MASK, a]
            s_i = s - base  # a valid day index whenever s is after some due date
            # ---- the referenced period first, then every period begun by s, oldest first
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
                    if start_of[d_code[d0 + jj]] > s:
                        break
                    if jj == ref or done[jj] != 0:
                        continue
                j = d0 + jj
                code = d_code[j]
                due = due_of[code]
                contrib = d_contrib[j]
                fine_amt = d_fine[j]
                late = s > due  # nothing but the contribution is owed until the day after the due date
                ml = 0
                if late:
                    ml = months_late(
                        due, due_mi_of[code], due_day_of[code], s, day_mi[s_i], day_dom[s_i], day_mlen[s_i]
                    )
                skip = mask | waived[jj]
                for c in range(4):
                    if rem == 0:
                        break
                    comp = v_order[vi, c]
                    if comp == 0:  # contribution
                        owed = contrib - paid_c[jj]
                        if owed <= 0:
                            continue
                        x = min(owed, rem)
                        ws[jj] += x * steps[code, ml]
                        if i_on and late:
                            wi[jj] += x * (ci[s_i] - ci_due[jj])
                        paid_c[jj] += x
                        last_ml[jj] = ml
                        rem -= x
                        if mask != 0 and paid_c[jj] == contrib:
                            waived[jj] |= mask  # completed inside an amnesty window
                            skip = mask | waived[jj]
                    elif not late or (skip & (1 << (comp - 1))) != 0:
                        continue
                    elif comp == 1:  # surcharge accrued by s
                        owed = rhu(ws[jj] + (contrib - paid_c[jj]) * steps[code, ml], unit) - s_paid[jj]
                        if owed > 0:
                            x = min(owed, rem)
                            s_paid[jj] += x
                            rem -= x
                    elif comp == 2:  # fine
                        owed = fine_amt - f_paid[jj]
                        if owed > 0:
                            x = min(owed, rem)
                            f_paid[jj] += x
                            rem -= x
                    elif i_on:  # interest accrued by s
                        accrued = rhu(wi[jj] + (contrib - paid_c[jj]) * (ci[s_i] - ci_due[jj]), iden)
                        owed = accrued - i_paid[jj]
                        if owed > 0:
                            x = min(owed, rem)
                            i_paid[jj] += x
                            rem -= x
                if paid_c[jj] == contrib:
                    w = waived[jj]
                    ok = (w & 1) != 0 or s_paid[jj] == rhu(ws[jj], unit)
                    ok = ok and ((w & 2) != 0 or f_paid[jj] == fine_amt)
                    ok = ok and ((not i_on) or (w & 4) != 0 or i_paid[jj] == rhu(wi[jj], iden))
                    done[jj] = 1 if ok else 0
            while first_open < n and done[first_open] != 0:
                first_open += 1
            if is_credit:
                credit = rem
            else:
                credit += rem
            cur = s
            cur_credit = is_credit
        # ---- the lines as of the as-of date (rule 9) and the employer's totals
        tc = ts = tf = ti = tw = 0
        overdue = overdue_cents = worst = 0
        oldest = -1
        a_i = as_of - base
        for jj in range(n):
            j = d0 + jj
            code = d_code[j]
            due = due_of[code]
            paid, sp, fp, ip = paid_c[jj], s_paid[jj], f_paid[jj], i_paid[jj]
            unpaid = d_contrib[j] - paid
            ml_a = 0
            fine = 0
            i_units = 0
            if as_of > due:
                ml_a = months_late(
                    due, due_mi_of[code], due_day_of[code], as_of, day_mi[a_i], day_dom[a_i], day_mlen[a_i]
                )
                fine = d_fine[j]
                if i_on:
                    i_units = ci[a_i] - ci_due[jj]
            surcharge = rhu(ws[jj] + unpaid * steps[code, ml_a], unit)
            interest = rhu(wi[jj] + unpaid * i_units, iden) if i_on else 0
            w = waived[jj]
            if w & 1:  # waived by an amnesty: what was paid before stays, nothing more is owed
                surcharge = sp
            if w & 2:
                fine = fp
            if w & 4:
                interest = ip
            months = ml_a if unpaid > 0 else last_ml[jj]
            outstanding = unpaid + (surcharge - sp) + (fine - fp) + (interest - ip)
            if outstanding == 0:
                status = 0  # paid
            elif due >= as_of:
                status = 3  # not_due
            elif paid == 0 and sp == 0 and fp == 0 and ip == 0:
                status = 2  # unpaid
            else:
                status = 1  # partial
            worker_out = d_worker[j] - min(paid, d_worker[j])  # the worker share is paid first
            out[0, j] = paid
            out[1, j] = surcharge
            out[2, j] = sp
            out[3, j] = fine
            out[4, j] = fp
            out[5, j] = interest
            out[6, j] = ip
            out[7, j] = unpaid
            out[8, j] = surcharge - sp
            out[9, j] = fine - fp
            out[10, j] = interest - ip
            out[11, j] = outstanding
            out[12, j] = worker_out
            o_months[j] = months
            o_status[j] = status
            o_valid[j] = 1
            tc += unpaid
            ts += surcharge - sp
            tf += fine - fp
            ti += interest - ip
            tw += worker_out
            if status == 1 or status == 2:  # overdue (exigible)
                overdue += 1
                overdue_cents += outstanding
                worst = max(worst, months)
                if oldest < 0:
                    oldest = code
        for j in range(d0 + n, d1):  # periods not begun by as_of: left out afterwards
            o_valid[j] = 0
            o_status[j] = 0
            o_months[j] = 0
            for c in range(out.shape[0]):
                out[c, j] = 0
        emp_out[0, e] = tc
        emp_out[1, e] = ts
        emp_out[2, e] = tf
        emp_out[3, e] = ti
        emp_out[4, e] = credit
        emp_out[5, e] = overdue
        emp_out[6, e] = worst
        emp_out[7, e] = oldest
        emp_out[8, e] = last_pay
        emp_out[9, e] = overdue_cents
        emp_out[10, e] = tw
