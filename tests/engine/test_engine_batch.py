"""compute_batch (Polars + numba) must equal compute_statement on every employer."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cobranza.engine.batch import EMPLOYER_COLUMNS, PERIOD_COLUMNS, compute_batch
from cobranza.engine.policy import Policy, default_policy
from cobranza.engine.statement import DeclarationIn, PaymentIn, Statement, compute_statement
from tests.engine.engine_helpers import (
    as_of_dates,
    decl_row,
    declarations_frame,
    histories,
    pay_row,
    payments_frame,
    policies,
)

P = default_policy()
EMPLOYER_NUMBERS = st.lists(
    st.text(alphabet="0123456789AÑz-", min_size=1, max_size=6), min_size=1, max_size=5, unique=True
)


def _frames(
    book: dict[str, tuple[list[DeclarationIn], list[PaymentIn]]],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    d_rows = [decl_row(emp, d) for emp, (decls, _) in book.items() for d in decls]
    p_rows = [pay_row(emp, p) for emp, (_, pays) in book.items() for p in pays]
    return declarations_frame(d_rows), payments_frame(p_rows)


def _single(
    emp: str, decls: list[DeclarationIn], pays: list[PaymentIn], as_of: date, policy: Policy
) -> Statement:
    return compute_statement(
        employer_number=emp, declarations=decls, payments=pays, as_of=as_of, policy=policy
    )


def _assert_same(
    book: dict[str, tuple[list[DeclarationIn], list[PaymentIn]]],
    d: pl.DataFrame,
    p: pl.DataFrame,
    as_of: date,
    policy: Policy,
) -> None:
    result = compute_batch(d, p, as_of, policy)
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
        rows = rows_by_emp.get(emp, [])
        assert [r["period"] for r in rows] == [ln.period for ln in stmt.periods]
        for r, ln in zip(rows, stmt.periods, strict=True):
            expected = {c: getattr(ln, c) for c in PERIOD_COLUMNS if c not in ("employer_number",)}
            got = {c: r[c] for c in PERIOD_COLUMNS if c not in ("employer_number",)}
            assert got == expected, ln.period
        assert summaries[emp] == dataclasses.asdict(stmt.summary())
        assert result.to_json_dict(emp) == stmt.to_json_dict()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_batch_equals_single_on_random_histories(data: st.DataObject) -> None:
    policy = data.draw(policies(), label="policy")
    emps = data.draw(EMPLOYER_NUMBERS, label="employers")
    book = {emp: data.draw(histories(tag=f"{i}-"), label=f"history {emp}") for i, emp in enumerate(emps)}
    as_of = data.draw(as_of_dates(), label="as_of")
    d, p = _frames(book)
    if data.draw(st.booleans(), label="shuffle"):
        d = d.sample(fraction=1.0, shuffle=True, seed=data.draw(st.integers(0, 1000)))
        p = p.sample(fraction=1.0, shuffle=True, seed=data.draw(st.integers(0, 1000)))
    else:
        d = d.sort(["employer_number", "period"])
        p = p.sort(["employer_number", "paid_on", "payment_id"])
    _assert_same(book, d, p, as_of, policy)


def test_employer_order_within_sorted_groups_and_partial_sorts() -> None:
    book = {
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
    d, p = _frames(book)  # employers in input order 200, 100, 300; rows unsorted inside groups
    _assert_same(book, d, p, date(2024, 6, 30), P)
    result = compute_batch(d, p, date(2024, 6, 30), P)
    credit_only = result.employers.filter(pl.col("employer_number") == "300").to_dicts()[0]
    assert credit_only["credit_cents"] == 999 and credit_only["outstanding_cents"] == 0
    assert credit_only["last_payment_date"] == date(2024, 1, 5)
    assert credit_only["oldest_unpaid_period"] is None


def test_rows_after_as_of_are_left_out() -> None:
    book = {
        "1": (
            [DeclarationIn("2024-01", 10000, date(2024, 2, 1)), DeclarationIn("2024-07", 10000)],
            [PaymentIn("A", date(2024, 3, 1), 5000), PaymentIn("B", date(2024, 7, 1), 5000)],
        )
    }
    d, p = _frames(book)
    result = compute_batch(d, p, date(2024, 6, 30), P)
    assert result.periods["period"].to_list() == ["2024-01"]
    assert result.employers["last_payment_date"].to_list() == [date(2024, 3, 1)]
    _assert_same(book, d, p, date(2024, 6, 30), P)


def test_empty_inputs() -> None:
    d, p = _frames({})
    result = compute_batch(d, p, date(2024, 6, 30), P)
    assert result.periods.height == 0 and result.employers.height == 0
    assert tuple(result.periods.columns) == PERIOD_COLUMNS


def test_invalid_inputs_are_refused() -> None:
    d, p = _frames({"1": ([DeclarationIn("2024-01", 1), DeclarationIn("2024-02", 1)], [])})
    with pytest.raises(ValueError, match="repetida"):
        compute_batch(pl.concat([d, d]), p, date(2024, 6, 30), P)
    pay = _frames({"1": ([], [PaymentIn("A", date(2024, 1, 1), 1)])})[1]
    with pytest.raises(ValueError, match="repetido"):
        compute_batch(d, pl.concat([pay, pay]), date(2024, 6, 30), P)
    with pytest.raises(ValueError, match="faltan las columnas"):
        compute_batch(d.drop("origin"), p, date(2024, 6, 30), P)
    with pytest.raises(ValueError, match="origen"):
        compute_batch(d.with_columns(pl.lit("x").alias("origin")), p, date(2024, 6, 30), P)
    with pytest.raises(ValueError, match="período inválido"):
        compute_batch(d.with_columns(pl.lit("2024-13").alias("period")), p, date(2024, 6, 30), P)
    with pytest.raises(ValueError, match="negativa"):
        compute_batch(d.with_columns(pl.lit(-1).alias("contribution_cents")), p, date(2024, 6, 30), P)
    with pytest.raises(ValueError, match="desbordamiento"):
        compute_batch(d.with_columns(pl.lit(10**17).alias("contribution_cents")), p, date(2024, 6, 30), P)


def test_empty_reference_is_no_reference() -> None:
    book = {"1": ([DeclarationIn("2024-01", 10000)], [PaymentIn("A", date(2024, 3, 1), 5000, "")])}
    d, p = _frames(book)
    p = p.with_columns(pl.lit("").alias("period"))
    _assert_same(book, d, p, date(2024, 6, 30), P)
    with pytest.raises(ValueError, match="período inválido"):
        compute_batch(d, p.with_columns(pl.lit("2024-1").alias("period")), date(2024, 6, 30), P)


def test_accepts_other_integer_and_categorical_types() -> None:
    book = {
        "1": ([DeclarationIn("2024-01", 10000, None, "de_oficio")], [PaymentIn("A", date(2024, 3, 1), 5000)])
    }
    d, p = _frames(book)
    d = d.with_columns(
        pl.col("contribution_cents").cast(pl.Int32), pl.col("employer_number").cast(pl.Categorical)
    )
    _assert_same(book, d, p, date(2024, 6, 30), P)


def test_periods_out_of_order_inside_sorted_employers() -> None:
    book = {
        "1": (
            [DeclarationIn("2024-03", 100), DeclarationIn("2024-01", 200), DeclarationIn("2023-06", 300)],
            [PaymentIn("B", date(2024, 5, 1), 250, "2024-01"), PaymentIn("A", date(2024, 5, 1), 50)],
        ),
        "2": ([DeclarationIn("2022-01", 100), DeclarationIn("2024-06", 200)], []),
    }
    d, p = _frames(book)  # employer numbers sorted, periods and same-day payments not
    _assert_same(book, d, p, date(2024, 8, 31), P)
