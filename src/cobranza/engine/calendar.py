"""Periods, business days, due dates and months late (SPEC §4, §5).

Business days are Monday to Friday except El Salvador's national holidays (``holidays`` package,
country ``SV``) and the extra closed days the policy lists. Holidays are computed once per year and
cached; due dates are cached per (period, business-day rule, extra closed days).
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import re
from datetime import date, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

import holidays

if TYPE_CHECKING:
    from cobranza.engine.policy import Policy

__all__ = [
    "add_business_days",
    "add_months",
    "business_days",
    "days_in_month",
    "due_date",
    "is_business_day",
    "months_late",
    "next_period",
    "parse_period",
    "period_end",
    "period_index",
    "period_start",
    "period_from_index",
    "sv_holidays",
]

_PERIOD_RE = re.compile(r"^(\d{4})-(\d{2})$")
MIN_YEAR = 1900
MAX_YEAR = 9998


def parse_period(s: str) -> tuple[int, int]:
    """``"2024-03" -> (2024, 3)``; anything else (``"2024-3"``, ``"2024-13"``) raises ``ValueError``."""
    if not isinstance(s, str):
        raise ValueError(f"período inválido {s!r}: debe ser texto AAAA-MM")
    m = _PERIOD_RE.match(s)
    if m is None:
        raise ValueError(f"período inválido {s!r}: el formato es AAAA-MM")
    year, month = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12:
        raise ValueError(f"período inválido {s!r}: el mes debe estar entre 01 y 12")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"período inválido {s!r}: el año debe estar entre {MIN_YEAR} y {MAX_YEAR}")
    return year, month


@lru_cache(maxsize=65536)
def period_start(period: str) -> date:
    """First day of the period: ``"2024-02" -> 2024-02-01``."""
    year, month = parse_period(period)
    return date(year, month, 1)


def period_end(period: str) -> date:
    """Last day of the period: ``"2024-02" -> 2024-02-29``."""
    year, month = parse_period(period)
    return date(year, month, days_in_month(year, month))


def period_index(period: str) -> int:
    """Months since year 0: ``year * 12 + month - 1`` (order-preserving integer key)."""
    year, month = parse_period(period)
    return year * 12 + month - 1


def period_from_index(index: int) -> str:
    """Inverse of :func:`period_index`."""
    year, month0 = divmod(index, 12)
    return f"{year:04d}-{month0 + 1:02d}"


def next_period(period: str) -> str:
    """``"2024-12" -> "2025-01"``."""
    return period_from_index(period_index(period) + 1)


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def days_in_month(year: int, month: int) -> int:
    if month == 2 and _stdlib_calendar.isleap(year):
        return 29
    return _MONTH_DAYS[month - 1]


def add_months(d: date, k: int) -> date:
    """``d`` plus ``k`` months, the day clamped to the month's end (Jan 31 + 1 -> Feb 28/29)."""
    index = d.year * 12 + d.month - 1 + k
    year, month0 = divmod(index, 12)
    month = month0 + 1
    return date(year, month, min(d.day, days_in_month(year, month)))


def months_late(due: date, t: date) -> int:
    """SPEC §5: the least ``k >= 1`` such that ``due + k months >= t``; 0 when ``t <= due``.

    "Month or fraction": one day late is one month; ``due + 1 month`` exactly is still one month.
    """
    if t <= due:
        return 0
    k = (t.year - due.year) * 12 + (t.month - due.month)
    # due + k months lands in t's month; it is >= t iff the (clamped) day is >= t's day
    clamped = min(due.day, days_in_month(t.year, t.month))
    if clamped < t.day:
        k += 1
    return max(k, 1)


@lru_cache(maxsize=256)
def sv_holidays(year: int) -> frozenset[date]:
    """El Salvador's national holidays of one year (``holidays`` package, country SV), cached."""
    return frozenset(holidays.country_holidays("SV", years=year).keys())


def _closed_days(policy: Policy | None) -> frozenset[date]:
    return policy.extra_closed_days if policy is not None else frozenset()


def _is_business_day(d: date, extra_closed: frozenset[date]) -> bool:
    return d.weekday() < 5 and d not in sv_holidays(d.year) and d not in extra_closed


def is_business_day(d: date, policy: Policy | None = None) -> bool:
    """Mon–Fri, not an SV national holiday, not one of the policy's extra closed days."""
    return _is_business_day(d, _closed_days(policy))


@lru_cache(maxsize=4096)
def _business_days_of_month(year: int, month: int, extra_closed: frozenset[date]) -> tuple[date, ...]:
    first = date(year, month, 1)
    return tuple(
        d
        for d in (first + timedelta(days=i) for i in range(days_in_month(year, month)))
        if _is_business_day(d, extra_closed)
    )


def business_days(year: int, month: int, policy: Policy | None = None) -> tuple[date, ...]:
    """All business days of a calendar month, in order."""
    return _business_days_of_month(year, month, _closed_days(policy))


def add_business_days(d: date, n: int, policy: Policy | None = None) -> date:
    """The ``n``-th business day after ``d`` (``n >= 0``; ``n == 0`` returns ``d``)."""
    if n < 0:
        raise ValueError("n debe ser mayor o igual que cero")
    closed = _closed_days(policy)
    current = d
    while n > 0:
        current += timedelta(days=1)
        if _is_business_day(current, closed):
            n -= 1
    return current


@lru_cache(maxsize=65536)
def _due_date(period: str, nth: int, extra_closed: frozenset[date]) -> date:
    year, month = parse_period(period)
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    days = _business_days_of_month(year, month, extra_closed)
    if nth > len(days):
        raise ValueError(
            f"{year:04d}-{month:02d} tiene solo {len(days)} días hábiles; "
            f"no existe el día hábil {nth} para el vencimiento de {period}"
        )
    return days[nth - 1]


def due_date(period: str, policy: Policy) -> date:
    """Due date of period ``YYYY-MM``: the policy's N-th business day of the next month."""
    return _due_date(period, policy.due_business_day, policy.extra_closed_days)
