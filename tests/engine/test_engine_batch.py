"""compute_batch (Polars + numba) must equal compute_statement on every employer."""

from __future__ import annotations

import dataclasses
import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cobranza.engine.batch import EMPLOYER_COLUMNS, PERIOD_COLUMNS, compute_batch
from cobranza.engine.calendar import business_days, due_date
from cobranza.engine.policy import Policy, default_policy
from cobranza.engine.statement import (
    CREDIT_PAYMENT_ID,
    Correction,
    DeclarationIn,
    PaymentIn,
    Statement,
    compute_statement,
)
from cobranza.engine.timeline import Amnesty, PolicyTimeline
from tests.engine.engine_helpers import (
    as_of_dates,
    correction_rows,
    corrections_frame,
    decl_row,
    declarations_frame,
    histories,
    pay_row,
    payments_frame,
    timelines,
)

P = default_policy()
Book = dict[str, tuple[list[DeclarationIn], list[PaymentIn]]]
EMPLOYER_NUMBERS = st.lists(
    st.text(alphabet="0123456789AÑz-", min_size=1, max_size=6), min_size=1, max_size=5, unique=True
)
THREE_VERSIONS = PolicyTimeline(
    versions=(
        P,
        P.with_changes(
            version="2025.1", effective_from=date(2025, 1, 1), surcharge_monthly_rate=Decimal("0.02")
        ),
        P.with_changes(version="2026.1", effective_from=date(2026, 1, 1), due_business_day=5),
    )
)


def _frames(book: Book) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    d_rows = [decl_row(emp, d) for emp, (decls, _) in book.items() for d in decls]
    p_rows = [pay_row(emp, p) for emp, (_, pays) in book.items() for p in pays]
    c_rows = [row for emp, (decls, _) in book.items() for d in decls for row in correction_rows(emp, d)]
    return declarations_frame(d_rows), payments_frame(p_rows), corrections_frame(c_rows)


def _single(
    emp: str, decls: list[DeclarationIn], pays: list[PaymentIn], as_of: date, policy: Any
) -> Statement:
    return compute_statement(
        employer_number=emp, declarations=decls, payments=pays, as_of=as_of, policy=policy
    )


def _assert_same(
    book: Book,
    d: pl.DataFrame,
    p: pl.DataFrame,
    as_of: date,
    policy: Policy | PolicyTimeline,
    c: pl.DataFrame | None = None,
) -> None:
    result = compute_batch(d, p, as_of, policy, corrections=c)
    assert tuple(result.periods.columns) == PERIOD_COLUMNS
    assert tuple(result.employers.columns) == EMPLOYER_COLUMNS
    present = sorted(emp for emp, (decls, pays) in book.items() if decls or pays)
    assert result.employers["employer_number"].to_list() == present
    rows_by_emp: dict[str, list[dict[str, Any]]] = {}
    for row in result.periods.to_dicts():
        rows_by_emp.setdefault(row["employer_number"], []).append(row)
    summaries = {row["employer_number"]: row for row in result.employers.to_dicts()}
    for emp in present:
        decls, pays = book[emp]
        stmt = _single(emp, decls, pays, as_of, policy)
        assert result.policy_version == stmt.policy_version
        rows = rows_by_emp.get(emp, [])
        assert [r["period"] for r in rows] == [ln.period for ln in stmt.periods]
        for r, ln in zip(rows, stmt.periods, strict=True):
            expected = {col: getattr(ln, col) for col in PERIOD_COLUMNS if col != "employer_number"}
            got = {col: r[col] for col in PERIOD_COLUMNS if col != "employer_number"}
            assert got == expected, ln.period
        assert summaries[emp] == dataclasses.asdict(stmt.summary())
        assert result.to_json_dict(emp) == stmt.to_json_dict()


def _shuffle_keeping_filing_order(c: pl.DataFrame, seed: int) -> pl.DataFrame:
    """Rows shuffled, but the rows of one declaration still in their filing order."""
    rng = random.Random(seed)
    keys = list(zip(c["employer_number"].to_list(), c["period"].to_list(), strict=True))
    slots = list(range(len(keys)))
    rng.shuffle(slots)
    by_key: dict[tuple[str, str], list[int]] = {}
    for row, key in enumerate(keys):
        by_key.setdefault(key, []).append(row)
    taken: dict[tuple[str, str], int] = {}
    order = []
    for slot in slots:
        key = keys[slot]
        order.append(by_key[key][taken.get(key, 0)])
        taken[key] = taken.get(key, 0) + 1
    return c[order]


def _random_case(data: st.DataObject, *, rich: bool) -> None:
    tl = data.draw(timelines(rich=rich), label="timeline")
    emps = data.draw(EMPLOYER_NUMBERS, label="employers")
    book = {emp: data.draw(histories(tag=f"{i}-"), label=f"history {emp}") for i, emp in enumerate(emps)}
    as_of = data.draw(as_of_dates(), label="as_of")
    d, p, c = _frames(book)
    if data.draw(st.booleans(), label="shuffle"):
        d = d.sample(fraction=1.0, shuffle=True, seed=data.draw(st.integers(0, 1000)))
        p = p.sample(fraction=1.0, shuffle=True, seed=data.draw(st.integers(0, 1000)))
        c = _shuffle_keeping_filing_order(c, data.draw(st.integers(0, 1000)))
    else:
        d = d.sort(["employer_number", "period"])
        p = p.sort(["employer_number", "paid_on", "payment_id"])
    _assert_same(book, d, p, as_of, tl, c)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_batch_equals_single_on_random_histories(data: st.DataObject) -> None:
    """Random timelines (1–3 versions, 0–2 amnesties), histories with corrections and worker
    shares, several employers, input sorted or shuffled."""
    _random_case(data, rich=False)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_batch_equals_single_with_interest_and_amnesties(data: st.DataObject) -> None:
    """The same with interest always on and long amnesty windows (the rarer paths)."""
    _random_case(data, rich=True)


def test_employer_order_within_sorted_groups_and_partial_sorts() -> None:
    book: Book = {
        "200": ([DeclarationIn("2024-02", 5000), DeclarationIn("2024-01", 7000, None, "de_oficio")], []),
        "100": (
            [DeclarationIn("2024-01", 10000, date(2024, 2, 1))],
            [
                PaymentIn("B", date(2024, 3, 1), 3000),
                PaymentIn("A", date(2024, 3, 1), 3000),
                PaymentIn("C", date(2024, 2, 1), 3000, "2024-01"),
            ],
        ),
        "300": ([], [PaymentIn("Z", date(2024, 1, 5), 999)]),
    }
    d, p, _ = _frames(book)  # employers in input order 200, 100, 300; rows unsorted inside groups
    _assert_same(book, d, p, date(2024, 6, 30), P)
    result = compute_batch(d, p, date(2024, 6, 30), P)
    credit_only = result.employers.filter(pl.col("employer_number") == "300").to_dicts()[0]
    assert credit_only["credit_cents"] == 999 and credit_only["outstanding_cents"] == 0
    assert credit_only["last_payment_date"] == date(2024, 1, 5)
    assert credit_only["oldest_unpaid_period"] is None


def test_rows_after_as_of_are_left_out() -> None:
    book: Book = {
        "1": (
            [DeclarationIn("2024-01", 10000, date(2024, 2, 1)), DeclarationIn("2024-07", 10000)],
            [PaymentIn("A", date(2024, 3, 1), 5000), PaymentIn("B", date(2024, 7, 1), 5000)],
        )
    }
    d, p, _ = _frames(book)
    result = compute_batch(d, p, date(2024, 6, 30), P)
    assert result.periods["period"].to_list() == ["2024-01"]
    assert result.employers["last_payment_date"].to_list() == [date(2024, 3, 1)]
    _assert_same(book, d, p, date(2024, 6, 30), P)


def test_empty_inputs() -> None:
    d, p, c = _frames({})
    result = compute_batch(d, p, date(2024, 6, 30), P, corrections=c)
    assert result.periods.height == 0 and result.employers.height == 0
    assert tuple(result.periods.columns) == PERIOD_COLUMNS
    assert tuple(result.employers.columns) == EMPLOYER_COLUMNS


def test_invalid_inputs_are_refused() -> None:
    d, p, _ = _frames({"1": ([DeclarationIn("2024-01", 1), DeclarationIn("2024-02", 1)], [])})
    as_of = date(2024, 6, 30)
    with pytest.raises(ValueError, match="repetida"):
        compute_batch(pl.concat([d, d]), p, as_of, P)
    pay = _frames({"1": ([], [PaymentIn("A", date(2024, 1, 1), 1)])})[1]
    with pytest.raises(ValueError, match="repetido"):
        compute_batch(d, pl.concat([pay, pay]), as_of, P)
    with pytest.raises(ValueError, match="faltan las columnas"):
        compute_batch(d.drop("origin"), p, as_of, P)
    with pytest.raises(ValueError, match="origen"):
        compute_batch(d.with_columns(pl.lit("x").alias("origin")), p, as_of, P)
    with pytest.raises(ValueError, match="período inválido"):
        compute_batch(d.with_columns(pl.lit("2024-13").alias("period")), p, as_of, P)
    with pytest.raises(ValueError, match="negativa"):
        compute_batch(d.with_columns(pl.lit(-1).alias("contribution_cents")), p, as_of, P)
    with pytest.raises(ValueError, match="laboral no puede exceder"):
        compute_batch(d.with_columns(pl.lit(2).alias("worker_cents")), p, as_of, P)
    with pytest.raises(ValueError, match="desbordamiento"):
        compute_batch(d.with_columns(pl.lit(10**17).alias("contribution_cents")), p, as_of, P)
    credit_named = _frames({"1": ([], [PaymentIn(CREDIT_PAYMENT_ID, date(2024, 1, 1), 1)])})[1]
    with pytest.raises(ValueError, match="no es un identificador de pago"):
        compute_batch(d, credit_named, as_of, P)


def test_int64_safety_counts_the_timeline_units() -> None:
    """$10,000,000.00 late 5 years is safe at 1 % a month (cents × 65 months × 1 unit over 100);
    with interest at a rate of 8 decimals the units are over 10⁸ × 365 and cents × the cumulative
    daily units could overflow int64: refused with the Spanish message, never a wrong figure."""
    book: Book = {"1": ([DeclarationIn("2019-01", 10**9, None, "de_oficio")], [])}
    d, p, _ = _frames(book)
    _assert_same(book, d, p, date(2024, 6, 30), P)
    interest = P.with_changes(version="x", interest_enabled=True, interest_annual_rate=Decimal("0.12345678"))
    with pytest.raises(ValueError, match="desbordamiento"):
        compute_batch(d, p, date(2024, 6, 30), interest)


def test_empty_reference_is_no_reference() -> None:
    book: Book = {"1": ([DeclarationIn("2024-01", 10000)], [PaymentIn("A", date(2024, 3, 1), 5000, "")])}
    d, p, _ = _frames(book)
    p = p.with_columns(pl.lit("").alias("period"))
    _assert_same(book, d, p, date(2024, 6, 30), P)
    with pytest.raises(ValueError, match="período inválido"):
        compute_batch(d, p.with_columns(pl.lit("2024-1").alias("period")), date(2024, 6, 30), P)


def test_accepts_other_integer_and_categorical_types() -> None:
    book: Book = {
        "1": ([DeclarationIn("2024-01", 10000, None, "de_oficio")], [PaymentIn("A", date(2024, 3, 1), 5000)])
    }
    d, p, _ = _frames(book)
    d = d.with_columns(
        pl.col("contribution_cents").cast(pl.Int32), pl.col("employer_number").cast(pl.Categorical)
    )
    _assert_same(book, d, p, date(2024, 6, 30), P)


def test_worker_cents_column_is_optional() -> None:
    book: Book = {"1": ([DeclarationIn("2024-01", 10000)], [PaymentIn("A", date(2024, 3, 1), 5000)])}
    d, p, _ = _frames(book)
    _assert_same(book, d.drop("worker_cents"), p, date(2024, 6, 30), P)


def test_periods_out_of_order_inside_sorted_employers() -> None:
    book: Book = {
        "1": (
            [DeclarationIn("2024-03", 100), DeclarationIn("2024-01", 200), DeclarationIn("2023-06", 300)],
            [PaymentIn("B", date(2024, 5, 1), 250, "2024-01"), PaymentIn("A", date(2024, 5, 1), 50)],
        ),
        "2": ([DeclarationIn("2022-01", 100), DeclarationIn("2024-06", 200)], []),
    }
    d, p, _ = _frames(book)  # employer numbers sorted, periods and same-day payments not
    _assert_same(book, d, p, date(2024, 8, 31), P)


# ---------------------------------------------------------------------- the new rules, worked
def _on_time(period: str, cents: int, worker: int = 0, fixes: tuple[Correction, ...] = ()) -> DeclarationIn:
    return DeclarationIn(period, cents, due_date(period, P), "employer", worker, fixes)


def test_three_version_timeline() -> None:
    """2% surcharge from 2025 and due on the 5th business day from 2026: batch equals single on a
    history crossing both changes, and the version shown is the one in force at the as-of date."""
    book: Book = {
        "1": (
            [_on_time(f"{y}-{m:02d}", 10500, 3000) for y in (2024, 2025) for m in range(1, 13)],
            [PaymentIn(f"P{i:02d}", date(2024, 3, 1) + timedelta(days=45 * i), 15000) for i in range(16)],
        ),
        "2": ([_on_time("2025-12", 20000), _on_time("2026-01", 20000)], []),
    }
    d, p, _ = _frames(book)
    for as_of in (date(2024, 12, 31), date(2025, 6, 30), date(2026, 3, 31)):
        _assert_same(book, d, p, as_of, THREE_VERSIONS)
    result = compute_batch(d, p, date(2026, 3, 31), THREE_VERSIONS)
    assert result.policy_version == "2026.1"
    assert result.employer_periods("2")["due_date"].to_list() == [date(2026, 1, 8), date(2026, 2, 6)]


def test_credit_is_carried_forward_to_later_due_dates() -> None:
    """An overpayment pays the next periods on their due dates (no surcharge, no fine)."""
    book: Book = {
        "1": (
            [_on_time("2024-01", 10000), _on_time("2024-02", 10000), _on_time("2024-03", 10000)],
            [PaymentIn("A", date(2024, 2, 10), 25000, "2024-01")],
        )
    }
    d, p, _ = _frames(book)
    _assert_same(book, d, p, date(2024, 6, 30), P)
    result = compute_batch(d, p, date(2024, 6, 30), P)
    assert result.periods["status"].to_list() == ["paid", "paid", "partial"]
    assert result.periods["surcharge_cents"].to_list()[:2] == [0, 0]
    assert result.employers["credit_cents"].to_list() == [0]


def test_corrections_in_force_and_fine_base() -> None:
    """Upward after the due date (fined on the increase), downward (never fined), one filed after
    the as-of date (not yet in force), and a late first filing (fined on the whole version)."""
    jan, feb, mar = "2024-01", "2024-02", "2024-03"
    after = timedelta(days=20)
    book: Book = {
        "1": (
            [
                _on_time(jan, 10000, 3000, (Correction(due_date(jan, P) + after, 14000, 4000),)),
                _on_time(feb, 10000, 3000, (Correction(due_date(feb, P) + after, 6000, 2000),)),
                _on_time(mar, 10000, 3000, (Correction(date(2024, 12, 1), 50000, 9000),)),
                DeclarationIn(
                    "2024-04",
                    10000,
                    date(2024, 6, 1),
                    "employer",
                    0,
                    (Correction(date(2024, 6, 2), 12000, 0),),
                ),
            ],
            [PaymentIn("A", date(2024, 3, 1), 3500, jan)],
        )
    }
    d, p, c = _frames(book)
    as_of = date(2024, 6, 30)
    _assert_same(book, d, p, as_of, P, c)
    rows = compute_batch(d, p, as_of, P, corrections=c).periods
    assert rows["contribution_cents"].to_list() == [14000, 6000, 10000, 12000]
    assert rows["fine_cents"].to_list() == [1000, 0, 0, 3000]  # 25 % of +40.00; none; none; 25 % of 120.00
    assert rows["worker_share_cents"].to_list() == [4000, 2000, 3000, 0]
    assert rows["worker_share_outstanding_cents"].to_list() == [500, 2000, 3000, 0]
    # the same without the corrections frame: first filings only
    assert compute_batch(d, p, as_of, P).periods["contribution_cents"].to_list() == [10000] * 4


def test_corrections_without_declaration() -> None:
    d, p, _ = _frames({"1": ([_on_time("2024-01", 10000)], [])})
    orphan = corrections_frame(
        [
            {
                "employer_number": "1",
                "period": "2024-02",
                "filed_on": date(2024, 3, 1),
                "contribution_cents": 1,
                "worker_cents": 0,
            }
        ]
    )
    with pytest.raises(ValueError, match="necesita la primera presentación"):
        compute_batch(d, p, date(2024, 6, 30), P, corrections=orphan)
    compute_batch(d, p, date(2024, 1, 31), P, corrections=orphan)  # 2024-02 not begun: ignored
    with pytest.raises(ValueError, match="laboral no puede exceder"):
        compute_batch(
            d, p, date(2024, 6, 30), P, corrections=orphan.with_columns(pl.lit(2).alias("worker_cents"))
        )


def test_amnesty_window_and_credit_on_consecutive_due_days() -> None:
    """A period due on the last day of a month and the next one due the day after (a new version
    with the 1st business day): the credit is applied once that day; a payment inside an amnesty
    window completing a contribution waives its surcharge and fine."""
    month_days = business_days(2024, 1)  # 2023-12 is due in January 2024
    closed = frozenset(month_days[: len(month_days) - 15])
    first = P.with_changes(version="a", extra_closed_days=closed, due_business_day=15)
    second = P.with_changes(version="b", effective_from=date(2024, 2, 1), due_business_day=1)
    amnesty = Amnesty("A", date(2024, 3, 1), date(2024, 3, 31), waives=frozenset({"surcharge", "fine"}))
    tl = PolicyTimeline(versions=(first, second), amnesties=(amnesty,))
    assert tl.due_date("2023-12") == date(2024, 1, 31) and tl.due_date("2024-01") == date(2024, 2, 1)
    book: Book = {
        "1": (
            [
                DeclarationIn(p, 10000, None, "de_oficio")
                for p in ("2023-11", "2023-12", "2024-01", "2024-02")
            ],
            [
                PaymentIn("A", date(2023, 12, 2), 21000),
                PaymentIn("B", date(2024, 3, 15), 30000, "2023-11"),
                PaymentIn("C", date(2024, 5, 1), 99999),
            ],
        )
    }
    d, p, _ = _frames(book)
    for as_of in (date(2024, 1, 31), date(2024, 2, 1), date(2024, 3, 20), date(2024, 12, 31)):
        _assert_same(book, d, p, as_of, tl)


def test_dates_before_1970() -> None:
    """Epoch days are negative before 1970 (the institute's data starts in 1954)."""
    book: Book = {
        "1": (
            [DeclarationIn("1969-10", 10000, None, "de_oficio"), DeclarationIn("1969-11", 10000)],
            [PaymentIn("A", date(1969, 12, 31), 7000), PaymentIn("B", date(1969, 12, 31), 25000, "1969-11")],
        )
    }
    d, p, _ = _frames(book)
    _assert_same(book, d, p, date(1970, 3, 31), P)
    result = compute_batch(d, p, date(1970, 3, 31), P)
    assert result.employers["last_payment_date"].to_list() == [date(1969, 12, 31)]


def test_the_kernel_compiles_for_one_signature() -> None:
    """Empty, one-row, shuffled, Int32 and corrected inputs all reach the kernel with the same
    array types (read-only, C-ordered): one compilation, one entry in numba's cache."""
    from cobranza.engine.batch.kernel import kernel
    from cobranza.engine.batch.prepare import check_order

    book: Book = {"1": ([_on_time("2024-01", 10000, 3000, (Correction(date(2024, 3, 1), 9000, 0),))], [])}
    d, p, c = _frames(book)
    compute_batch(*_frames({})[:2], date(2024, 6, 30), P)
    compute_batch(d, p, date(2024, 6, 30), P, corrections=c)
    compute_batch(
        d.with_columns(pl.col("contribution_cents").cast(pl.Int32)), p, date(2024, 6, 30), THREE_VERSIONS
    )
    d2, p2, _ = _frames(
        {"2": ([_on_time("2024-02", 5), _on_time("2024-01", 5)], [PaymentIn("A", date(2024, 5, 1), 9)])}
    )
    compute_batch(pl.concat([d, d2]), p2, date(2024, 6, 30), P)
    assert len(kernel.signatures) == 1
    assert len(check_order.signatures) == 1
