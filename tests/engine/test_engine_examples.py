"""The worked examples of SPEC §5/§6 (tests/data/examples, a verbatim copy of the shared folder)."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cobranza.engine.agreements import build_schedule
from cobranza.engine.batch import compute_batch
from cobranza.engine.calendar import add_months
from cobranza.engine.money import to_cents
from cobranza.engine.policy import default_policy
from cobranza.engine.statement import check_declaration_amounts, compute_statement
from tests.engine.engine_helpers import EXPECTED, declarations_frame, load_examples, payments_frame

DATA = load_examples()
STATEMENT_FILES = sorted(p for p in EXPECTED.glob("*.json") if not p.name.startswith("agreement_"))
AGREEMENT_FILES = sorted(EXPECTED.glob("agreement_*.json"))


def _load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def _statement(employer: str, as_of: date) -> Any:
    return compute_statement(
        employer_number=employer,
        declarations=DATA.declarations.get(employer, []),
        payments=DATA.payments.get(employer, []),
        as_of=as_of,
        policy=default_policy(),
    )


def _assert_matches(got: dict[str, Any], expected: dict[str, Any]) -> None:
    for key, value in expected.items():
        if key == "periods":
            assert [p["period"] for p in got["periods"]] == [p["period"] for p in value]
            for g, e in zip(got["periods"], value, strict=True):
                for k, v in e.items():
                    assert g[k] == v, f"{e['period']} {k}: {g[k]!r} != {v!r}"
        elif key == "totals":
            for k, v in value.items():
                assert got["totals"][k] == v, f"totals {k}: {got['totals'][k]!r} != {v!r}"
        else:
            assert got[key] == value, key


def test_examples_present() -> None:
    assert len(STATEMENT_FILES) == 8
    assert len(AGREEMENT_FILES) == 3


@pytest.mark.parametrize("path", STATEMENT_FILES, ids=lambda p: p.stem)
def test_statement_example(path: Path) -> None:
    employer, as_of = path.stem.split("_")
    expected = _load(path)
    got = _statement(employer, date.fromisoformat(as_of)).to_json_dict()
    _assert_matches(got, expected)
    # the spec's JSON: same keys in the same order, plus policy_version
    assert list(got)[:5] == ["employer_number", "as_of", "policy_version", "periods", "totals"]
    assert got["agreements"] == []  # no agreement in the examples
    assert got["policy_version"] == "2024.1"
    for g, e in zip(got["periods"], expected["periods"], strict=True):
        assert list(g)[: len(e)] == list(e)  # then worker_share, worker_share_outstanding
    assert list(got["totals"])[: len(expected["totals"])] == list(expected["totals"])


@pytest.mark.parametrize("path", STATEMENT_FILES, ids=lambda p: p.stem)
def test_statement_example_through_batch(path: Path) -> None:
    employer, as_of = path.stem.split("_")
    result = compute_batch(
        declarations_frame(DATA.declaration_rows),
        payments_frame(DATA.payment_rows),
        date.fromisoformat(as_of),
        default_policy(),
    )
    _assert_matches(result.to_json_dict(employer), _load(path))


@pytest.mark.parametrize("path", AGREEMENT_FILES, ids=lambda p: p.stem)
def test_agreement_example(path: Path) -> None:
    _, employer, as_of_text, down, installments = path.stem.split("_")
    as_of = date.fromisoformat(as_of_text)
    debt = _statement(employer, as_of).totals.outstanding_cents
    sim = build_schedule(
        debt_cents=debt,
        down_payment_cents=to_cents(down),
        installments=int(installments),
        start=add_months(as_of, 1),
        policy=default_policy(),
    )
    got = sim.to_json_dict(employer, as_of)
    expected = _load(path)
    assert got == expected
    assert list(got) == list(expected)


def test_example_explanation_mentions_rule_rate_and_payments() -> None:
    stmt = _statement("100000004", date(2024, 6, 30))
    text = stmt.explain("2023-12")
    assert "política 2024.1" in text
    assert "1 % por mes o fracción" in text
    assert "$83.64 pendientes al 30/06/2024 × 6 meses" in text
    assert "$26.61 pagados el 31/05/2024 × 5 meses" in text
    assert "$6.3489 → $6.35" in text
    assert "E4-4" in text
    fine = stmt.explain("2023-09")
    assert "25 % de $110.25 = $27.5625 → $27.56" in fine
    assert "presentada después del vencimiento" in fine
    assert set(stmt.explanations()) == {ln.period for ln in stmt.periods}


def test_example_credit_is_shown_not_applied() -> None:
    stmt = _statement("100000005", date(2024, 6, 30))
    assert stmt.credit_cents == 4832
    credit = [a for a in stmt.allocations if a.component == "credit"]
    assert [(a.payment_id, a.cents) for a in credit] == [("E5-1", 4832)]
    assert "$48.32" in stmt.explain_credit()


def test_example_declarations_reconcile_with_policy_rates() -> None:
    with (EXPECTED.parent / "declarations.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            problems = check_declaration_amounts(
                workers=int(row["workers"]),
                salary_base_cents=to_cents(row["salary_base"]),
                employer_contribution_cents=to_cents(row["employer_contribution"]),
                worker_contribution_cents=to_cents(row["worker_contribution"]),
                policy=default_policy(),
            )
            assert problems == [], (row["employer_number"], row["period"], problems)
