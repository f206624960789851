"""Worked scenarios of the detection (engine.hygiene, no database): one per finding type, figures
computed by hand in each docstring."""

from datetime import date
from decimal import Decimal

import polars as pl

from cobranza.engine import hygiene as h
from cobranza.engine.policy import default_policy
from cobranza.engine.statement import check_declaration_amounts

RATES = [h.RateVersion(date(2015, 8, 1), Decimal("0.075"), Decimal("0.03"), 100_000)]


def frames(
    *, employers, declarations=(), payments=(), balances=(), last_closed="2024-06", since=date(2024, 1, 1)
):
    return h.HygieneInput(
        employers=pl.DataFrame(list(employers), schema=h.EMPLOYERS_SCHEMA, orient="row"),
        declarations=pl.DataFrame(list(declarations), schema=h.DECLARATIONS_SCHEMA, orient="row"),
        payments=pl.DataFrame(list(payments), schema=h.PAYMENTS_SCHEMA, orient="row"),
        balances=pl.DataFrame(list(balances), schema=h.BALANCES_SCHEMA, orient="row"),
        rates=RATES,
        last_closed_period=last_closed,
        credit_since=since,
    )


def rows(found, kind):
    return found.filter(pl.col("finding_type") == kind).to_dicts()


def full(emp, period, workers, base, er, wr):
    return (emp, period, workers, base, er, wr)


def months(emp, first, last, workers=2, base=100_000, er=7_500, wr=3_000):
    y, m = int(first[:4]), int(first[5:])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(full(emp, f"{y:04d}-{m:02d}", workers, base, er, wr))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def test_rate_mismatch_beyond_one_cent_per_worker():
    """Two workers, salary base $1,000.00: expected 7.5 % = $75.00 and 3 % = $30.00.

    * 2024-01 declares $75.02 + $30.00: 2 cents off, within 1 cent × 2 workers → no finding.
    * 2024-02 declares $70.00 + $30.00: $5.00 off → finding, amount $5.00, expected $105.00,
      declared $100.00.
    * 2024-03: 1 worker with a base of $1,500.00 (above 1 × $1,000 ceiling), contributions on the
      whole base ($112.50 + $45.00): the base exceeds the ceiling → finding; against the capped
      base ($75.00 + $30.00 = $105.00) the declared $157.50 is $52.50 too much.
    The same rule as ``check_declaration_amounts`` (which flags exactly 2024-02 and 2024-03).
    """
    decl = [
        full(1, "2024-01", 2, 100_000, 7_502, 3_000),
        full(1, "2024-02", 2, 100_000, 7_000, 3_000),
        full(1, "2024-03", 1, 150_000, 11_250, 4_500),
    ]
    found = h.detect(frames(employers=[(1, "active", date(2010, 1, 1))], declarations=decl))
    got = {r["periods"][0]: r for r in rows(found, h.RATE_MISMATCH)}
    assert set(got) == {"2024-02", "2024-03"}
    assert (
        got["2024-02"]["amount_cents"],
        got["2024-02"]["base_cents"],
        got["2024-02"]["declared_cents"],
    ) == (
        500,
        10_500,
        10_000,
    )
    assert (got["2024-03"]["amount_cents"], got["2024-03"]["base_cents"]) == (5_250, 10_500)
    assert got["2024-02"]["key"] == "rate_mismatch:1:2024-02"
    policy = default_policy()
    flagged = [
        d[1]
        for d in decl
        if check_declaration_amounts(
            workers=d[2],
            salary_base_cents=d[3],
            employer_contribution_cents=d[4],
            worker_contribution_cents=d[5],
            policy=policy,
        )
    ]
    assert flagged == ["2024-02", "2024-03"]


def test_payment_periods_undeclared_and_outside_life():
    """Employer 1 (active, registered 15/03/2023) declared 2024-01 and 2024-02.

    * P1 names 2024-02: declared → nothing.
    * P2 names 2024-04 ($40.00): a closed period (≤ 2024-06) never declared → undeclared, $40.00.
    * P3 names 2023-01 ($25.00): before the registration month 2023-03 → outside its life.
    * P4 names 2024-08: not yet closed (after 2024-06) → nothing (it may still be filed).
    Employer 2 (closed, last declared 2023-12): P5 names 2024-03 → outside its life ($10.00).
    """
    found = h.detect(
        frames(
            employers=[(1, "active", date(2023, 3, 15)), (2, "closed", date(2020, 1, 1))],
            declarations=months(1, "2024-01", "2024-02") + months(2, "2023-12", "2023-12"),
            payments=[
                ("P1", 1, date(2024, 3, 5), 10_500, "2024-02"),
                ("P2", 1, date(2024, 5, 5), 4_000, "2024-04"),
                ("P3", 1, date(2024, 5, 6), 2_500, "2023-01"),
                ("P4", 1, date(2024, 5, 7), 1_000, "2024-08"),
                ("P5", 2, date(2024, 4, 7), 1_000, "2024-03"),
            ],
        )
    )
    undeclared = rows(found, h.UNDECLARED_PAYMENT)
    assert [(r["payment_ids"], r["periods"], r["amount_cents"]) for r in undeclared] == [
        (["P2"], ["2024-04"], 4_000)
    ]
    outside = sorted((r["payment_ids"][0], r["amount_cents"]) for r in rows(found, h.OUT_OF_LIFE_PAYMENT))
    assert outside == [("P3", 2_500), ("P5", 1_000)]


def test_duplicate_payments_same_employer_amount_and_date():
    """Employer 1 paid $105.00 three times on 10/02/2024 (A, B, C) and $105.00 once on 11/02/2024:
    one group of 3 → probable excess 2 × $105.00 = $210.00. Employer 2 paid $105.00 on 10/02/2024:
    another employer, not a duplicate."""
    same = date(2024, 2, 10)
    found = h.detect(
        frames(
            employers=[(1, "active", None), (2, "active", None)],
            payments=[
                ("C", 1, same, 10_500, None),
                ("A", 1, same, 10_500, "2024-01"),
                ("B", 1, same, 10_500, None),
                ("D", 1, date(2024, 2, 11), 10_500, None),
                ("E", 2, same, 10_500, None),
            ],
        )
    )
    dup = rows(found, h.DUPLICATE_PAYMENT)
    assert [(r["payment_ids"], r["amount_cents"], r["base_cents"]) for r in dup] == [
        (["A", "B", "C"], 21_000, 10_500)
    ]
    assert dup[0]["key"] == "duplicate_payment:1:2024-02-10:10500"


def test_stale_credit_older_than_the_window():
    """Window: payments since 01/01/2024.

    * Employer 1: credit $300.00, paid $120.00 in the window → $180.00 of the credit is older.
    * Employer 2: credit $50.00, paid $105.00 in the window → the credit is recent: nothing.
    * Employer 3: credit $80.00 and no payment since 2023 → all $80.00 is old.
    """
    found = h.detect(
        frames(
            employers=[(1, "active", None), (2, "active", None), (3, "closed", None)],
            payments=[
                ("P1", 1, date(2024, 3, 1), 12_000, None),
                ("P0", 1, date(2023, 6, 1), 50_000, None),
                ("P2", 2, date(2024, 2, 1), 10_500, None),
                ("P3", 3, date(2023, 2, 1), 8_000, None),
            ],
            balances=[(1, 30_000, 0), (2, 5_000, 0), (3, 8_000, 0)],
        )
    )
    got = sorted((r["employer_id"], r["amount_cents"], r["base_cents"]) for r in rows(found, h.STALE_CREDIT))
    assert got == [(1, 18_000, 30_000), (3, 8_000, 8_000)]


def test_stopped_filer_estimated_from_the_last_declaration():
    """The issue's example: an active employer with 3 workers whose last payroll, 2026-05, declared
    $104.45 + $41.78 = $146.23; the last closed period is 2026-10, so 2026-06 … 2026-10 (5 months)
    are missing: estimate 5 × $146.23 = $731.15 (not debt).

    A gap inside the history: employer 2 declared 2024-01, 2024-02 ($105.00) and 2024-05 … 2024-06:
    2024-03 and 2024-04 missing → 2 × $105.00 = $210.00. An inactive employer (3) that stopped is
    not a stopped filer."""
    decl = months(1, "2025-01", "2026-05", workers=3, base=139_262, er=10_445, wr=4_178)
    decl += months(2, "2024-01", "2024-02") + months(2, "2024-05", "2024-06")
    decl += months(3, "2024-01", "2024-02")
    found = h.detect(
        frames(
            employers=[(1, "active", date(2020, 3, 27)), (2, "active", None), (3, "inactive", None)],
            declarations=decl,
            last_closed="2026-10",
        )
    )
    stopped = {r["employer_id"]: r for r in rows(found, h.STOPPED_FILER)}
    one = stopped[1]
    assert one["periods"] == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    assert (one["amount_cents"], one["base_cents"]) == (73_115, 14_623)
    assert one["key"] == "stopped_filer:1:2026-06"
    gaps = [r for r in rows(found, h.STOPPED_FILER) if r["employer_id"] == 2]
    inner = [g for g in gaps if g["periods"][0] == "2024-03"][0]
    assert inner["periods"] == ["2024-03", "2024-04"] and inner["amount_cents"] == 21_000
    assert 3 not in stopped


def test_closed_with_debt():
    """Employer 1 is closed and owes $250.00 overdue → finding of $250.00. Employer 2 is closed with
    nothing overdue, employer 3 is active with debt: neither."""
    found = h.detect(
        frames(
            employers=[(1, "closed", None), (2, "closed", None), (3, "active", None)],
            balances=[(1, 0, 25_000), (2, 0, 0), (3, 0, 9_000)],
        )
    )
    assert [(r["employer_id"], r["amount_cents"]) for r in rows(found, h.CLOSED_WITH_DEBT)] == [(1, 25_000)]


def test_keys_are_stable_and_unique():
    """Detecting twice gives the same keys, never two rows with one key."""
    inp = frames(
        employers=[(1, "active", date(2023, 3, 15))],
        declarations=months(1, "2024-01", "2024-02"),
        payments=[("P2", 1, date(2024, 5, 5), 4_000, "2024-04")],
    )
    a, b = h.detect(inp), h.detect(inp)
    assert a["key"].to_list() == b["key"].to_list()
    assert a["key"].n_unique() == a.height
