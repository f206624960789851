"""The policy timeline as integer arrays for the kernel, built once per batch from the same
:class:`~cobranza.engine.timeline.PolicyTimeline` methods the one-employer path uses.

* per period code (one per month of the declarations' range): first day, due date
  (``tl.due_date``), and the fine rate of the version deciding the period (``tl.for_period``);
* ``steps[code, m]``: the cumulative surcharge units of the first ``m`` months of delay
  (``tl.surcharge_steps``, each month at the rate in force when it begins, the cap inside), up to
  the months late the period reaches at the as-of date;
* per day from ``base`` (the earliest due date, or the as-of date) to the as-of date: month index,
  day of the month, month length and cumulative interest units (``tl.interest_cumulative``);
* the allocation order from each version's ``effective_from`` (consecutive versions with the same
  order merged) and the windows of the "paid in full" amnesties.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from cobranza.engine.batch.kernel import DAY_CI, DAY_DOM, DAY_MI, DAY_MLEN, I32, I64
from cobranza.engine.calendar import months_late, parse_period
from cobranza.engine.money import rate_fraction
from cobranza.engine.policy import COMPONENTS
from cobranza.engine.timeline import PolicyTimeline

__all__ = ["EPOCH", "PolicyTables", "build_tables", "check_magnitudes", "epoch"]

EPOCH = date(1970, 1, 1)
_INT64_SAFE = 2**62  # every intermediate stays below this (2·num + den of a rounding included)
_TOO_BIG = (
    "montos demasiado grandes para el cálculo por lotes (riesgo de desbordamiento); "
    "use compute_statement para estos patronos"
)


def epoch(d: date) -> int:
    return (d - EPOCH).days


@dataclass(frozen=True)
class PolicyTables:
    """The tables of one batch in the kernel's layout (``codes``, ``steps``, ``days``, ``v_from``,
    ``v_order``, ``amnesties``: see ``kernel``) and the fine rate of each period code
    (``fine_num/fine_den``, 0/1 when the fine is off)."""

    codes: I64
    steps: I64
    days: I64
    base: int
    unit: int
    interest_on: bool
    fine_num: I64
    fine_den: I64
    v_from: I64
    v_order: I64
    amnesties: I64


def build_tables(tl: PolicyTimeline, months: list[str], as_of: date) -> PolicyTables:
    """Tables for the period codes ``months`` (consecutive months, code = position) as of ``as_of``."""
    n = len(months)
    codes = np.zeros((4, n), np.int64)
    fine_num = np.zeros(n, np.int64)
    fine_den = np.ones(n, np.int64)
    dues: list[date] = []
    for c, period in enumerate(months):
        year, month = parse_period(period)
        p = tl.for_period(period)
        due = tl.due_date(period)
        dues.append(due)
        codes[:, c] = (epoch(date(year, month, 1)), epoch(due), due.year * 12 + due.month - 1, due.day)
        if p.fine_enabled:
            fine_num[c], fine_den[c] = rate_fraction(p.fine_rate)
    # steps: row c holds C(0 … m_c) with m_c the months late of code c at as_of (the most any of
    # its pieces can reach); later months are never read
    reach = [months_late(d, as_of) for d in dues]
    steps = np.zeros((n, max(reach, default=0) + 1), np.int64)
    for c, due in enumerate(dues):
        if reach[c]:
            steps[c, : reach[c] + 1] = tl.surcharge_steps(due, reach[c])
    base_day = min(dues[0], as_of) if dues else as_of
    base = epoch(base_day)
    days = _day_tables(base, epoch(as_of))
    interest_on = tl.interest_ever
    if interest_on:
        days[DAY_CI] = tl.interest_cumulative(base_day, as_of)
    # allocation order from each change date (the first version's also before its effective_from)
    v_from: list[int] = []
    v_order: list[tuple[int, ...]] = []
    for p in tl.versions:
        order = tuple(COMPONENTS.index(c) for c in p.allocation_order)
        if not v_order or order != v_order[-1]:
            v_from.append(epoch(p.effective_from))
            v_order.append(order)
    windows = [(epoch(a.start), epoch(a.end), a.mask) for a in tl.amnesties if a.paid_in_full]
    amnesties = np.array(windows, np.int64).T.copy() if windows else np.zeros((3, 0), np.int64)
    return PolicyTables(
        codes=codes,
        steps=steps,
        days=days,
        base=base,
        unit=tl.unit_den,
        interest_on=interest_on,
        fine_num=fine_num,
        fine_den=fine_den,
        v_from=np.array(v_from, np.int64),
        v_order=np.array(v_order, np.int64).reshape(-1, len(COMPONENTS)),
        amnesties=np.ascontiguousarray(amnesties),
    )


def _day_tables(first: int, last: int) -> I64:
    """``days`` for every epoch day in ``first … last``: month index (year × 12 + month − 1), day
    of the month and length of the month — so the kernel does no calendar arithmetic — and a zero
    interest row."""
    day = np.arange(first, last + 1, dtype=np.int64).astype("datetime64[D]")
    month = day.astype("datetime64[M]")
    month_start = month.astype("datetime64[D]")
    next_start = (month + 1).astype("datetime64[D]")
    out = np.zeros((4, len(day)), np.int64)
    out[DAY_MI] = month.astype(np.int64) + 1970 * 12
    out[DAY_DOM] = (day - month_start).astype(np.int64) + 1
    out[DAY_MLEN] = (next_start - month_start).astype(np.int64)
    return out


def fine_amounts(base: I64, codes: I32, t: PolicyTables) -> I64:
    """``round(base × fine rate)`` per declaration row (0 when the base is 0 or the fine off), the
    rate of the version deciding each row's period (``codes``)."""
    fine = np.zeros(len(base), np.int64)
    rows = np.flatnonzero(base)  # most periods are filed on time: no fine to compute
    num = t.fine_num[codes[rows]]
    den = t.fine_den[codes[rows]]
    fine[rows] = (2 * base[rows] * num + den) // (2 * den)
    return fine


def check_magnitudes(contrib_max: int, fine_base_max: int, payments_bound: int, t: PolicyTables) -> None:
    """Refuse inputs whose integer intermediates could overflow int64 (amounts beyond any payroll):
    contribution × cumulative surcharge units and × cumulative interest units (before dividing by
    ``unit_den`` and ``unit_den × 365``), the fine base × the fine rate, and the payments of one
    employer added up as credit."""
    unit = t.unit
    steps_max = int(t.steps.max()) if t.steps.size else 0
    ci = t.days[DAY_CI]
    ci_span = int(ci[-1] - ci[0]) if t.interest_on and ci.size else 0
    bounds = [
        contrib_max * steps_max * 2 + unit,
        contrib_max * ci_span * 2 + unit * 365,
        fine_base_max * int(t.fine_num.max(initial=0)) * 2 + int(t.fine_den.max(initial=1)),
        payments_bound,
    ]
    if max(bounds) >= _INT64_SAFE:
        raise ValueError(_TOO_BIG)
