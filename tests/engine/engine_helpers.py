"""Shared helpers for the engine tests: the worked-example loader and hypothesis strategies."""

from __future__ import annotations

import csv
import dataclasses
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import polars as pl
from hypothesis import strategies as st

from cobranza.engine.calendar import add_months, due_date, period_from_index
from cobranza.engine.money import to_cents
from cobranza.engine.policy import COMPONENTS, Policy, default_policy
from cobranza.engine.statement import DeclarationIn, PaymentIn

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "examples"
EXPECTED = EXAMPLES / "expected"


# ------------------------------------------------------------------ worked examples
@dataclass
class ExampleData:
    declarations: dict[str, list[DeclarationIn]]
    payments: dict[str, list[PaymentIn]]
    declaration_rows: list[dict[str, object]]
    payment_rows: list[dict[str, object]]


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def load_examples() -> ExampleData:
    decls: dict[str, list[DeclarationIn]] = {}
    pays: dict[str, list[PaymentIn]] = {}
    d_rows: list[dict[str, object]] = []
    p_rows: list[dict[str, object]] = []
    for r in _read_csv(EXAMPLES / "declarations.csv"):
        contribution = to_cents(r["employer_contribution"]) + to_cents(r["worker_contribution"])
        filed = date.fromisoformat(r["filed_on"]) if r["filed_on"] else None
        decls.setdefault(r["employer_number"], []).append(
            DeclarationIn(r["period"], contribution, filed, r["origin"])
        )
        d_rows.append(
            {
                "employer_number": r["employer_number"],
                "period": r["period"],
                "contribution_cents": contribution,
                "filed_on": filed,
                "origin": r["origin"],
            }
        )
    for r in _read_csv(EXAMPLES / "payments.csv"):
        paid_on = date.fromisoformat(r["paid_on"])
        amount = to_cents(r["amount"])
        period = r["period"] or None
        pays.setdefault(r["employer_number"], []).append(PaymentIn(r["payment_id"], paid_on, amount, period))
        p_rows.append(
            {
                "payment_id": r["payment_id"],
                "employer_number": r["employer_number"],
                "paid_on": paid_on,
                "amount_cents": amount,
                "period": period,
            }
        )
    return ExampleData(decls, pays, d_rows, p_rows)


# ------------------------------------------------------------------ frames
def declarations_frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "employer_number": pl.String,
            "period": pl.String,
            "contribution_cents": pl.Int64,
            "filed_on": pl.Date,
            "origin": pl.String,
        },
    )


def payments_frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "payment_id": pl.String,
            "employer_number": pl.String,
            "paid_on": pl.Date,
            "amount_cents": pl.Int64,
            "period": pl.String,
        },
    )


def decl_row(emp: str, d: DeclarationIn) -> dict[str, object]:
    return {
        "employer_number": emp,
        "period": d.period,
        "contribution_cents": d.contribution_cents,
        "filed_on": d.filed_on,
        "origin": d.origin,
    }


def pay_row(emp: str, p: PaymentIn) -> dict[str, object]:
    return {
        "payment_id": p.payment_id,
        "employer_number": emp,
        "paid_on": p.paid_on,
        "amount_cents": p.amount_cents,
        "period": p.period,
    }


# ------------------------------------------------------------------ hypothesis strategies
BASE_INDEX = 2021 * 12  # 2021-01
SPAN_MONTHS = 36
DAY0 = date(2021, 1, 1)
SPAN_DAYS = 4 * 365


@st.composite
def policies(draw: st.DrawFn) -> Policy:
    """The default policy or a variation of it (fine off, interest on, small cap, another order,
    amnesty window)."""
    base = default_policy()
    changes: dict[str, object] = {}
    if draw(st.booleans()):
        return base
    if draw(st.booleans()):
        changes["fine_enabled"] = False
    if draw(st.booleans()):
        changes["interest_enabled"] = True
        changes["interest_annual_rate"] = draw(
            st.sampled_from([Decimal("0.06"), Decimal("0.125"), Decimal("0.2")])
        )
    if draw(st.booleans()):
        changes["surcharge_max_months"] = draw(st.integers(0, 6))
    if draw(st.booleans()):
        changes["surcharge_monthly_rate"] = draw(st.sampled_from([Decimal("0.015"), Decimal("0.0333")]))
    if draw(st.booleans()):
        changes["allocation_order"] = tuple(draw(st.permutations(COMPONENTS)))
    if draw(st.booleans()):
        start = DAY0 + timedelta(days=draw(st.integers(0, SPAN_DAYS)))
        changes["amnesty_enabled"] = True
        changes["amnesty_start"] = start
        changes["amnesty_end"] = start + timedelta(days=draw(st.integers(0, 200)))
    return dataclasses.replace(base, version="test", **changes)  # type: ignore[arg-type]


@st.composite
def histories(
    draw: st.DrawFn, *, max_periods: int = 14, max_payments: int = 16, tag: str = ""
) -> tuple[list[DeclarationIn], list[PaymentIn]]:
    """One employer's declarations and payments: gaps, de oficio and late filings, zero
    contributions, payments before due dates, referenced (declared or not) periods, same-day
    payments, overpayments."""
    indices = draw(st.lists(st.integers(0, SPAN_MONTHS - 1), max_size=max_periods, unique=True))
    decls: list[DeclarationIn] = []
    for i in sorted(indices):
        period = period_from_index(BASE_INDEX + i)
        contribution = draw(
            st.one_of(st.just(0), st.integers(1, 300_000), st.sampled_from([11025, 45990, 8400]))
        )
        kind = draw(st.sampled_from(["on_time", "on_time", "late", "oficio", "oficio_dated"]))
        due = due_date(period, default_policy())
        filed: date | None
        origin = "employer"
        if kind == "on_time":
            filed = due - timedelta(days=draw(st.integers(0, 20)))
        elif kind == "late":
            filed = due + timedelta(days=draw(st.integers(1, 90)))
        elif kind == "oficio":
            filed, origin = None, "de_oficio"
        else:
            filed, origin = due + timedelta(days=draw(st.integers(-5, 200))), "de_oficio"
        decls.append(DeclarationIn(period, contribution, filed, origin))
    n_pay = draw(st.integers(0, max_payments))
    pays: list[PaymentIn] = []
    declared = [d.period for d in decls]
    for k in range(n_pay):
        if pays and draw(st.integers(0, 5)) == 0:
            paid_on = pays[-1].paid_on  # same-day tie, ordered by payment_id
        else:
            paid_on = DAY0 + timedelta(days=draw(st.integers(0, SPAN_DAYS)))
        amount = draw(
            st.one_of(st.integers(1, 400_000), st.integers(1, 500), st.sampled_from([11025, 20475]))
        )
        ref_kind = draw(st.sampled_from(["none", "declared", "declared", "other"]))
        ref: str | None
        if ref_kind == "declared" and declared:
            ref = draw(st.sampled_from(declared))
        elif ref_kind == "other":
            ref = period_from_index(BASE_INDEX + draw(st.integers(0, SPAN_MONTHS + 6)))
        else:
            ref = None
        pid = f"{tag}P{draw(st.integers(0, 99)):02d}-{k:03d}"
        pays.append(PaymentIn(pid, paid_on, amount, ref))
    return decls, pays


def as_of_dates() -> st.SearchStrategy[date]:
    return st.builds(lambda n: DAY0 + timedelta(days=n), st.integers(0, SPAN_DAYS + 200))


def start_after(as_of: date) -> date:
    return add_months(as_of, 1)
