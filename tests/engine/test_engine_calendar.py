from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cobranza.engine.calendar import (
    add_business_days,
    add_months,
    business_days,
    due_date,
    is_business_day,
    months_late,
    next_period,
    parse_period,
    period_end,
    period_from_index,
    period_index,
    period_start,
)
from cobranza.engine.policy import default_policy

POLICY = default_policy()


@pytest.mark.parametrize(
    ("d", "k", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year clamp
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 1, 31), 2, date(2024, 3, 31)),
        (date(2024, 3, 31), 1, date(2024, 4, 30)),
        (date(2023, 12, 15), 1, date(2024, 1, 15)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2024, 7, 30), 0, date(2024, 7, 30)),
    ],
)
def test_add_months(d: date, k: int, expected: date) -> None:
    assert add_months(d, k) == expected


@pytest.mark.parametrize(
    ("due", "t", "expected"),
    [
        (date(2024, 2, 14), date(2024, 2, 14), 0),  # t == D
        (date(2024, 2, 14), date(2024, 2, 1), 0),  # before D
        (date(2024, 2, 14), date(2024, 2, 15), 1),  # one day is a month ("or fraction")
        (date(2024, 2, 14), date(2024, 3, 14), 1),  # D + 1 month exactly
        (date(2024, 2, 14), date(2024, 3, 15), 2),
        (date(2024, 2, 14), date(2024, 6, 30), 5),  # example 100000002
        (date(2024, 1, 31), date(2024, 2, 29), 1),  # Jan 31 + 1 month = Feb 29 (clamped) >= t
        (date(2024, 1, 31), date(2024, 3, 1), 2),
        (date(2023, 1, 31), date(2023, 2, 28), 1),
        (date(2023, 1, 31), date(2023, 3, 1), 2),
        (date(2024, 1, 31), date(2024, 3, 31), 2),
        (date(2024, 1, 31), date(2024, 4, 1), 3),
        (date(2023, 12, 15), date(2024, 1, 15), 1),  # across the year
        (date(2023, 12, 15), date(2024, 1, 16), 2),
        (date(2024, 3, 31), date(2024, 4, 30), 1),  # Mar 31 + 1 = Apr 30
        (date(2024, 3, 31), date(2024, 5, 1), 2),
        (date(2023, 4, 18), date(2024, 1, 15), 9),  # example 100000003
    ],
)
def test_months_late(due: date, t: date, expected: int) -> None:
    assert months_late(due, t) == expected


def _months_late_by_definition(due: date, t: date) -> int:
    if t <= due:
        return 0
    k = 1
    while add_months(due, k) < t:
        k += 1
    return k


@settings(max_examples=150, deadline=None)
@given(
    due=st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)),
    delta=st.integers(-40, 3000),
)
def test_months_late_matches_definition(due: date, delta: int) -> None:
    t = due + timedelta(days=delta)
    assert months_late(due, t) == _months_late_by_definition(due, t)


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("2023-03", date(2023, 4, 18)),  # Holy Thursday/Friday 6-7 Apr 2023
        ("2024-04", date(2024, 5, 16)),  # 1 May (Labour day) and 10 May (Mother's day)
        ("2023-10", date(2023, 11, 15)),  # 2 Nov (All Souls)
        ("2023-08", date(2023, 9, 14)),  # the 10th business day falls before 15 Sep
        ("2023-12", date(2024, 1, 15)),  # 1 Jan; December's payroll is due next year
        ("2024-01", date(2024, 2, 14)),
        ("2024-02", date(2024, 3, 14)),
        ("2024-03", date(2024, 4, 12)),  # Holy Week 2024 was in March
        ("2024-05", date(2024, 6, 14)),
        ("2024-06", date(2024, 7, 12)),
        ("2023-07", date(2023, 8, 14)),
        ("2023-09", date(2023, 10, 13)),
    ],
)
def test_due_dates_around_sv_holidays(period: str, expected: date) -> None:
    assert due_date(period, POLICY) == expected


def test_due_date_honours_extra_closed_days_and_business_day_number() -> None:
    closed = dataclasses.replace(POLICY, extra_closed_days=frozenset({date(2024, 2, 14), date(2024, 2, 5)}))
    assert due_date("2024-01", closed) == date(2024, 2, 16)
    fifth = dataclasses.replace(POLICY, due_business_day=5)
    assert due_date("2024-01", fifth) == date(2024, 2, 7)


def test_business_days() -> None:
    days = business_days(2024, 5, POLICY)
    assert date(2024, 5, 1) not in days and date(2024, 5, 10) not in days
    assert all(d.weekday() < 5 for d in days)
    assert len(days) == 21
    assert not is_business_day(date(2024, 9, 15))  # a Sunday (and Independence day)
    assert not is_business_day(date(2023, 9, 15))  # Independence day (Friday)
    assert is_business_day(date(2023, 9, 14))
    assert add_business_days(date(2023, 9, 14), 1) == date(2023, 9, 18)
    assert add_business_days(date(2023, 9, 14), 0) == date(2023, 9, 14)


def test_periods() -> None:
    assert parse_period("2024-03") == (2024, 3)
    assert period_start("2024-02") == date(2024, 2, 1)
    assert period_end("2024-02") == date(2024, 2, 29)
    assert next_period("2024-12") == "2025-01"
    assert period_from_index(period_index("1954-01")) == "1954-01"
    for bad in ["2024-13", "2024-00", "2024-3", "24-03", "2024/03", "", "abcd-ef", "2024-03-01"]:
        with pytest.raises(ValueError, match="período inválido"):
            parse_period(bad)
