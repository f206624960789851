"""The synthetic portfolio generator: deterministic, realistic, consistent with the default policy."""

import csv
import re
from collections import Counter, defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from cobranza.employers.synthetic import BRANCHES, generate_portfolio

TODAY = date(2025, 11, 20)
CENT = Decimal("0.01")
MONEY = re.compile(r"^\d+\.\d{2}$")


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory):
    folder = tmp_path_factory.mktemp("portfolio")
    summary = generate_portfolio(folder, employers=1500, years=3, seed=7, today=TODAY)
    files = summary.files
    return summary, read(files["employers"]), read(files["declarations"]), read(files["payments"])


def test_same_seed_gives_byte_identical_files_and_another_seed_does_not(tmp_path):
    first = generate_portfolio(tmp_path / "a", employers=120, years=2, seed=5, today=TODAY)
    second = generate_portfolio(tmp_path / "b", employers=120, years=2, seed=5, today=TODAY)
    other = generate_portfolio(tmp_path / "c", employers=120, years=2, seed=6, today=TODAY)
    for kind in ("employers", "declarations", "payments"):
        assert first.files[kind].read_bytes() == second.files[kind].read_bytes()
        assert first.files[kind].read_bytes() != other.files[kind].read_bytes()


def test_a_larger_portfolio_starts_with_the_smaller_one(tmp_path):
    small = generate_portfolio(tmp_path / "small", employers=40, years=1, seed=3, today=TODAY)
    large = generate_portfolio(tmp_path / "large", employers=80, years=1, seed=3, today=TODAY)
    small_rows = read(small.files["employers"])
    assert read(large.files["employers"])[: len(small_rows)] == small_rows


def test_files_have_the_spec_columns(portfolio):
    summary, employers, declarations, payments = portfolio
    assert (
        list(employers[0])
        == (
            "employer_number nit legal_name trade_name sector branch address phone email "
            "legal_representative status registered_on"
        ).split()
    )
    assert (
        list(declarations[0])
        == (
            "employer_number period workers salary_base employer_contribution worker_contribution filed_on origin"
        ).split()
    )
    assert list(payments[0]) == "payment_id employer_number paid_on amount period channel reference".split()
    assert (summary.employers, summary.declarations, summary.payments) == (
        len(employers),
        len(declarations),
        len(payments),
    )


def test_employers_look_salvadoran(portfolio):
    _, employers, _, _ = portfolio
    numbers = [e["employer_number"] for e in employers]
    assert len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"\d{9}", n) for n in numbers)
    for e in employers:
        nit = re.fullmatch(r"(\d{4})-(\d{2})(\d{2})(\d{2})-(\d{3})-(\d)", e["nit"])
        assert nit, e["nit"]
        date(2000 + int(nit[4]) if int(nit[4]) < 50 else 1900 + int(nit[4]), int(nit[3]), int(nit[2]))
        assert re.fullmatch(r"[267]\d{3}-\d{4}", e["phone"])
        assert e["email"].endswith(".example.com")
        assert e["status"] in {"active", "inactive", "closed"}
        assert date.fromisoformat(e["registered_on"]) < TODAY
        assert e["legal_name"] and e["trade_name"] and e["legal_representative"].count(" ") >= 2
        assert e["address"].endswith(e["branch"])
    assert sum(e["nit"].startswith("0614-") for e in employers) > len(employers) / 2

    branches = Counter(e["branch"] for e in employers)
    assert set(branches) == {b.name for b in BRANCHES} and len(branches) == 14
    assert [name for name, _ in branches.most_common(4)] == [
        "San Salvador",
        "La Libertad",
        "Santa Ana",
        "San Miguel",
    ]
    sectors = {e["sector"] for e in employers}
    assert {"Comercio", "Industria", "Servicios", "Construcción", "Agropecuario", "Transporte"} <= sectors
    assert {"Financiero", "Educación", "Salud"} <= sectors

    names = [e["legal_name"] for e in employers]
    assert len(set(names)) == len(names)
    assert any(n.endswith(", S.A. de C.V.") for n in names)
    assert any("Hermanos" in n for n in names)
    assert any(n.startswith("Asociación Cooperativa") for n in names)
    assert any(n.startswith("Fundación") for n in names)
    assert any(re.search(r"[áéíóúñÁÉÍÓÚÑ]", n) for n in names)
    assert Counter(e["status"] for e in employers)["active"] > 0.85 * len(employers)


def test_workforce_is_heavy_tailed(portfolio):
    _, employers, declarations, _ = portfolio
    latest: dict[str, int] = {}
    for d in declarations:
        latest[d["employer_number"]] = int(d["workers"])
    sizes = sorted(latest.values())
    assert sum(s <= 10 for s in sizes) / len(sizes) > 0.8
    assert sizes[len(sizes) // 2] <= 5
    assert sizes[-1] >= 100


def test_declarations_follow_the_default_policy(portfolio):
    _, employers, declarations, _ = portfolio
    first, last = "2022-11", "2025-10"
    seen = set()
    for d in declarations:
        key = (d["employer_number"], d["period"])
        assert key not in seen
        seen.add(key)
        assert first <= d["period"] <= last
        base = Decimal(d["salary_base"])
        workers = int(d["workers"])
        assert all(MONEY.match(d[c]) for c in ("salary_base", "employer_contribution", "worker_contribution"))
        # Σ min(salary, 1000) with salaries from the minimum wage up.
        assert Decimal("365.00") * workers <= base <= Decimal("1000.00") * workers
        assert Decimal(d["employer_contribution"]) == (base * Decimal("0.075")).quantize(CENT, ROUND_HALF_UP)
        assert Decimal(d["worker_contribution"]) == (base * Decimal("0.03")).quantize(CENT, ROUND_HALF_UP)
        if d["origin"] == "de_oficio":
            assert d["filed_on"] == ""
        else:
            assert d["origin"] == "employer"
            filed = date.fromisoformat(d["filed_on"])
            assert filed.strftime("%Y-%m") > d["period"] and filed <= TODAY
    origins = Counter(d["origin"] for d in declarations)
    assert 0 < origins["de_oficio"] < 0.05 * len(declarations)
    # Someone pays on time every month of the three years: 36 periods.
    per_employer = Counter(d["employer_number"] for d in declarations)
    assert max(per_employer.values()) == 36


def test_payments_are_plausible(portfolio):
    _, employers, declarations, payments = portfolio
    ids = [p["payment_id"] for p in payments]
    assert len(set(ids)) == len(ids)
    numbers = {e["employer_number"] for e in employers}
    for p in payments:
        assert re.fullmatch(rf"PG-{p['employer_number']}-\d{{4}}", p["payment_id"])
        assert p["employer_number"] in numbers
        assert date.fromisoformat(p["paid_on"]) <= TODAY
        assert MONEY.match(p["amount"]) and Decimal(p["amount"]) > 0
        assert p["channel"] in {"banco", "en línea", "ventanilla"}
        assert p["reference"].startswith("NPE " if p["channel"] != "ventanilla" else "REC-")
    without_period = sum(p["period"] == "" for p in payments)
    assert 0.01 * len(payments) < without_period < 0.15 * len(payments)
    assert Counter(p["channel"] for p in payments).most_common(1)[0][0] == "banco"


def contribution_debtors(declarations, payments, today: date) -> set[str]:
    """Employers owing contribution on a period surely past due at `today` (its due date taken as
    the 20th of the next month, later than any 10th business day), measured independently of the
    generator: a payment that names a declared period pays that period (beyond the contribution it
    pays surcharge, fine or credit: ignored); one that names none pays the oldest periods begun by
    its date."""
    owed: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for d in declarations:
        owed[d["employer_number"]][d["period"]] = Decimal(d["employer_contribution"]) + Decimal(
            d["worker_contribution"]
        )
    for p in sorted(payments, key=lambda p: (p["employer_number"], p["paid_on"], p["payment_id"])):
        periods = owed[p["employer_number"]]
        left = Decimal(p["amount"])
        begun = p["paid_on"][:7]
        order = [p["period"]] if p["period"] in periods else sorted(q for q in periods if q <= begun)
        for period in order:
            applied = min(left, periods[period])
            periods[period] -= applied
            left -= applied
    debtors = set()
    for number, periods in owed.items():
        for period, remaining in periods.items():
            year, month = map(int, period.split("-"))
            if remaining > 0 and date(year + month // 12, month % 12 + 1, 20) < today:
                debtors.add(number)
    return debtors


def test_about_nine_percent_of_employers_are_in_arrears(portfolio):
    summary, employers, declarations, payments = portfolio
    in_arrears = contribution_debtors(declarations, payments, TODAY)
    assert 0.08 <= len(in_arrears) / len(employers) <= 0.10
    # Exactly the employers the generator built as debtors; everyone else is up to date.
    assert in_arrears == set(summary.debtors)
    # Every branch of some size has debtors.
    branch_of = {e["employer_number"]: e["branch"] for e in employers}
    with_debtors = {branch_of[n] for n in in_arrears}
    assert {"San Salvador", "La Libertad", "Santa Ana", "San Miguel"} <= with_debtors


def test_every_kind_of_behaviour_appears(portfolio):
    summary, *_ = portfolio
    assert set(summary.behaviours) == {
        "al_dia",
        "atraso_ocasional",
        "sobrepago",
        "de_oficio_pagado",
        "atraso_cronico",
        "pago_parcial",
        "dejo_de_pagar",
        "de_oficio_pendiente",
    }
    assert summary.behaviours["al_dia"] > 0.6 * summary.employers


def test_nothing_is_dated_after_today_even_early_in_the_month(tmp_path):
    today = date(2025, 3, 2)
    summary = generate_portfolio(tmp_path, employers=200, years=1, seed=11, today=today)
    declarations = read(summary.files["declarations"])
    payments = read(summary.files["payments"])
    assert all(d["period"] <= "2025-02" for d in declarations)
    assert all(date.fromisoformat(d["filed_on"]) <= today for d in declarations if d["filed_on"])
    assert all(date.fromisoformat(p["paid_on"]) <= today for p in payments)
    assert summary.first_period == "2024-03" and summary.last_period == "2025-02"


def test_refuses_an_empty_portfolio(tmp_path):
    with pytest.raises(ValueError):
        generate_portfolio(tmp_path, employers=0, today=TODAY)
