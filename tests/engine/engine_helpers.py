"""Shared helpers for the engine tests: the worked-example loader, batch frames and hypothesis
strategies (histories with corrections and worker shares, policy timelines with amnesties)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import polars as pl
from hypothesis import strategies as st

from cobranza.engine.calendar import due_date, period_from_index
from cobranza.engine.money import to_cents
from cobranza.engine.policy import COMPONENTS, Policy, default_policy
from cobranza.engine.statement import Correction, DeclarationIn, PaymentIn
from cobranza.engine.timeline import WAIVABLE, Amnesty, PolicyTimeline

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
        worker = to_cents(r["worker_contribution"])
        contribution = to_cents(r["employer_contribution"]) + worker
        filed = date.fromisoformat(r["filed_on"]) if r["filed_on"] else None
        d = DeclarationIn(r["period"], contribution, filed, r["origin"], worker_cents=worker)
        decls.setdefault(r["employer_number"], []).append(d)
        d_rows.append(decl_row(r["employer_number"], d))
    for r in _read_csv(EXAMPLES / "payments.csv"):
        p = PaymentIn(
            r["payment_id"], date.fromisoformat(r["paid_on"]), to_cents(r["amount"]), r["period"] or None
        )
        pays.setdefault(r["employer_number"], []).append(p)
        p_rows.append(pay_row(r["employer_number"], p))
    return ExampleData(decls, pays, d_rows, p_rows)


# ------------------------------------------------------------------ frames
DECLARATION_FRAME = {
    "employer_number": pl.String,
    "period": pl.String,
    "contribution_cents": pl.Int64,
    "filed_on": pl.Date,
    "origin": pl.String,
    "worker_cents": pl.Int64,
}
PAYMENT_FRAME = {
    "payment_id": pl.String,
    "employer_number": pl.String,
    "paid_on": pl.Date,
    "amount_cents": pl.Int64,
    "period": pl.String,
}
CORRECTION_FRAME = {
    "employer_number": pl.String,
    "period": pl.String,
    "filed_on": pl.Date,
    "contribution_cents": pl.Int64,
    "worker_cents": pl.Int64,
}


def declarations_frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    """Declarations (first filings); a row without ``worker_cents`` has a worker share of 0."""
    return pl.DataFrame([{"worker_cents": 0, **r} for r in rows], schema=DECLARATION_FRAME)


def payments_frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=PAYMENT_FRAME)


def corrections_frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=CORRECTION_FRAME)


def decl_row(emp: str, d: DeclarationIn) -> dict[str, object]:
    return {
        "employer_number": emp,
        "period": d.period,
        "contribution_cents": d.contribution_cents,
        "filed_on": d.filed_on,
        "origin": d.origin,
        "worker_cents": d.worker_cents,
    }


def correction_rows(emp: str, d: DeclarationIn) -> list[dict[str, object]]:
    """The declaration's corrections as rows of the batch's corrections frame, in filing order."""
    return [
        {
            "employer_number": emp,
            "period": d.period,
            "filed_on": c.filed_on,
            "contribution_cents": c.contribution_cents,
            "worker_cents": c.worker_cents,
        }
        for c in d.corrections
    ]


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
P = default_policy()


def _day(n: int) -> date:
    return DAY0 + timedelta(days=n)


@st.composite
def policy_versions(draw: st.DrawFn, name: str, effective_from: date, *, rich: bool = False) -> Policy:
    """One policy version: the default or a variation of it (surcharge rate and cap, fine,
    interest, due business day, allocation order, extra closed days); ``rich``: interest on."""
    changes: dict[str, object] = {"version": name, "effective_from": effective_from}
    if draw(st.booleans()):
        changes["surcharge_monthly_rate"] = draw(
            st.sampled_from(
                [Decimal("0.01"), Decimal("0.02"), Decimal("0.015"), Decimal("0"), Decimal("0.0333")]
            )
        )
    if draw(st.booleans()):
        changes["surcharge_max_months"] = draw(st.sampled_from([0, 1, 3, 6, 60]))
    if draw(st.booleans()):
        changes["fine_enabled"] = draw(st.booleans())
        changes["fine_rate"] = draw(st.sampled_from([Decimal("0.25"), Decimal("0.1"), Decimal("0.333")]))
    if rich or draw(st.booleans()):
        changes["interest_enabled"] = True
        changes["interest_annual_rate"] = draw(
            st.sampled_from([Decimal("0.06"), Decimal("0.125"), Decimal("0.2"), Decimal("0")])
        )
    if draw(st.booleans()):
        changes["due_business_day"] = draw(st.sampled_from([1, 5, 10, 12, 15]))
    if draw(st.booleans()):
        changes["allocation_order"] = tuple(draw(st.permutations(COMPONENTS)))
    if draw(st.integers(0, 3)) == 0:
        days = draw(st.lists(st.integers(0, SPAN_DAYS), max_size=6))
        changes["extra_closed_days"] = frozenset(_day(n) for n in days)
    return P.with_changes(**changes)


@st.composite
def amnesties(draw: st.DrawFn, *, rich: bool = False) -> tuple[Amnesty, ...]:
    """0–2 amnesty records with non-overlapping windows, random scopes and waived components
    (``rich``: 1–2, long windows, all of them for payments in full)."""
    out: list[Amnesty] = []
    start = draw(st.integers(0, SPAN_DAYS // 2 if rich else SPAN_DAYS))
    for k in range(draw(st.integers(1 if rich else 0, 2))):
        end = start + draw(st.integers(300, 700) if rich else st.integers(0, 500))
        scope = (True, False) if rich else draw(st.sampled_from([(True, False), (True, True), (False, True)]))
        waives = draw(st.sets(st.sampled_from(WAIVABLE), min_size=1))
        out.append(Amnesty(f"A{k}", _day(start), _day(end), scope[0], scope[1], frozenset(waives)))
        start = end + 1 + draw(st.integers(0, 400))
    return tuple(out)


@st.composite
def timelines(draw: st.DrawFn, *, rich: bool = False) -> PolicyTimeline:
    """1–3 versions effective around the histories' dates (the first one sometimes the default
    policy as is) and 0–2 amnesties; ``rich``: interest always on and 1–2 long amnesties, so
    that the rarer paths (interest, waivers) are exercised often."""
    n = draw(st.integers(1, 3))
    starts = sorted(draw(st.lists(st.integers(-400, SPAN_DAYS), min_size=n, max_size=n, unique=True)))
    found: list[Policy] = []
    for k, start in enumerate(starts):
        if k == 0 and not rich and draw(st.booleans()):
            found.append(P)
        else:
            found.append(draw(policy_versions(f"v{k}", _day(start), rich=rich)))
    return PolicyTimeline(versions=tuple(found), amnesties=draw(amnesties(rich=rich)))


@st.composite
def corrections(draw: st.DrawFn, due: date) -> tuple[Correction, ...]:
    """0–3 corrections, upward and downward, filed before the due date, after it, or late enough
    to be after most as-of dates; in filing order (same-day ties kept in drawing order)."""
    out: list[Correction] = []
    for _ in range(draw(st.integers(0, 3))):
        filed = due + timedelta(days=draw(st.sampled_from([-15, -3, 0, 1, 20, 90, 400, 900])))
        contribution = draw(st.one_of(st.just(0), st.integers(1, 400_000)))
        worker = draw(st.integers(0, contribution))
        out.append(Correction(filed, contribution, worker))
    return tuple(sorted(out, key=lambda c: c.filed_on))


@st.composite
def histories(
    draw: st.DrawFn,
    *,
    max_periods: int = 14,
    max_payments: int = 16,
    tag: str = "",
    with_corrections: bool = True,
) -> tuple[list[DeclarationIn], list[PaymentIn]]:
    """One employer's declarations and payments: gaps, de oficio and late filings, zero
    contributions, worker shares, corrections, payments before due dates, referenced (declared or
    not) periods, same-day payments, overpayments."""
    indices = draw(st.lists(st.integers(0, SPAN_MONTHS - 1), max_size=max_periods, unique=True))
    decls: list[DeclarationIn] = []
    for i in sorted(indices):
        period = period_from_index(BASE_INDEX + i)
        contribution = draw(
            st.one_of(st.just(0), st.integers(1, 300_000), st.sampled_from([11025, 45990, 8400]))
        )
        worker = draw(st.sampled_from([0, contribution * 2 // 7, contribution])) if contribution else 0
        kind = draw(st.sampled_from(["on_time", "on_time", "late", "oficio", "oficio_dated"]))
        due = due_date(period, P)
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
        fixes = draw(corrections(due)) if with_corrections else ()
        decls.append(DeclarationIn(period, contribution, filed, origin, worker, fixes))
    n_pay = draw(st.integers(0, max_payments))
    pays: list[PaymentIn] = []
    declared = [d.period for d in decls]
    for k in range(n_pay):
        if pays and draw(st.integers(0, 5)) == 0:
            paid_on = pays[-1].paid_on  # same-day tie, ordered by payment_id
        else:
            paid_on = _day(draw(st.integers(0, SPAN_DAYS)))
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
    return st.builds(_day, st.integers(0, SPAN_DAYS + 200))
