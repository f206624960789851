"""Worked scenarios through the database (SPEC §4): every figure uses the policy version in force
when it arises, and amnesties are records no later version erases.

Each scenario writes its declarations and payments, adds versions and amnesties through the
services, and reads the statement through the selector the pages, the API and the CLI use
(`statement_for_employer`, under `policy_timeline()`). The expected figures are worked out by
hand in each docstring. Due dates: the 10th business day (Mon–Fri, El Salvador's holidays) of the
month after the period under the first version.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from cobranza.ledger import services
from cobranza.ledger.models import BalanceSnapshot
from cobranza.ledger.selectors import policy_timeline, statement_for_employer
from tests.factories import DeclarationFactory, EmployerFactory, PaymentFactory

pytestmark = pytest.mark.django_db


def declare(employer, period: str, *, employer_part: str, worker_part: str, filed_on: date | None) -> None:
    DeclarationFactory(
        employer=employer,
        period=period,
        employer_contribution=Decimal(employer_part),
        worker_contribution=Decimal(worker_part),
        filed_on=filed_on,
        origin="employer" if filed_on else "de_oficio",
    )


def pay(employer, payment_id: str, paid_on: date, amount: str, period: str) -> None:
    PaymentFactory(
        employer=employer, payment_id=payment_id, paid_on=paid_on, amount=Decimal(amount), period=period
    )


def line(employer, as_of: date, period: str) -> dict[str, Any]:
    statement = statement_for_employer(employer, as_of).to_json_dict()
    (found,) = [p for p in statement["periods"] if p["period"] == period]
    return found


def test_a_surcharge_rate_change_charges_each_month_at_the_rate_in_force_when_it_began(
    default_policy_version, settings
):
    """2024-01: contribution $105.00 (75.00 + 30.00), filed on time, never paid. Version 2026.1
    raises the surcharge from 1 % to 2 % a month from 01/01/2026.

    Due date: 10th business day of February 2024 = Wed 14/02/2024 (1, 2, 5, 6, 7, 8, 9, 12, 13, 14).
    As of 31/01/2026: due + 23 months = 14/01/2026 < 31/01/2026 ≤ 14/02/2026 = due + 24 months, so
    24 months late. Month k runs from the day after due + (k−1) months: month 23 begins 15/12/2025
    (1 %), month 24 begins 15/01/2026 (2 %). Surcharge = 105.00 × (23 × 1 % + 1 × 2 %) =
    105.00 × 25 % = 26.25 (not 24 × 2 % = 50.40, the new rate on every month). No fine (on time).
    Outstanding 105.00 + 26.25 = 131.25.

    As of 31/12/2025 (before the version): 23 months, all begun in 2025 or earlier, at 1 % =
    105.00 × 23 % = 24.15.
    """
    settings.COBRANZA_BUSINESS_DATE = date(2025, 12, 1)
    employer = EmployerFactory()
    declare(employer, "2024-01", employer_part="75.00", worker_part="30.00", filed_on=date(2024, 2, 10))
    services.policy_version_create(
        actor=None,
        version="2026.1",
        effective_from=date(2026, 1, 1),
        parameters={"surcharge_monthly_rate": "0.02"},
        note="Recargo al 2 %",
    )

    january = line(employer, date(2026, 1, 31), "2024-01")
    assert january["due_date"] == "2024-02-14"
    assert january["months_late"] == 24
    assert january["status"] == "unpaid"
    assert january["contribution_outstanding"] == "105.00"
    assert january["surcharge"] == "26.25"
    assert january["fine"] == "0.00"
    assert january["outstanding"] == "131.25"
    assert statement_for_employer(employer, date(2026, 1, 31)).policy_version == "2026.1"

    december = line(employer, date(2025, 12, 31), "2024-01")
    assert december["months_late"] == 23
    assert december["surcharge"] == "24.15"

    # the recompute (batch, or statements when the batch cannot take the timeline) agrees, and the
    # snapshot names the version in force at its date
    services.balances_recompute(actor=None, as_of=date(2026, 1, 31), employer_ids=[employer.pk])
    snapshot = BalanceSnapshot.objects.get(employer=employer)
    assert snapshot.surcharge_outstanding == Decimal("26.25")
    assert snapshot.outstanding == Decimal("131.25")
    assert snapshot.policy_version.version == "2026.1"


def test_a_new_due_date_rule_leaves_a_period_paid_on_time_on_time(default_policy_version, settings):
    """Version 2026.1 moves the due date to the 5th business day from 01/01/2026.

    2024-03: $105.00 filed and paid on 10/04/2024. Its due date comes from the version in force on
    01/04/2024 (2024.1, the 10th business day): April 2024 = 1, 2, 3, 4, 5, 8, 9, 10, 11, 12 →
    12/04/2024. Paid on 10/04 ≤ 12/04: 0 months late, surcharge 0.00, fine 0.00, paid. (Under the
    new rule its due date would be 05/04/2024: one month late, 1.05 of surcharge and a fine of
    26.25 — a new version must not change that.)

    2026-01: $105.00 filed and paid on 10/02/2026. Its rule is the new one (in force on
    01/02/2026): 5th business day of February 2026 = 2, 3, 4, 5, 6 → 06/02/2026 (under the old rule
    it would have been 13/02). Paid 10/02 > 06/02: 1 month late (06/02 < 10/02 ≤ 06/03), surcharge
    105.00 × 1 % = 1.05; filed late, fine 105.00 × 25 % = 26.25. The $105.00 pays the contribution
    first, so 1.05 + 26.25 = 27.30 is outstanding at 30/06/2026.
    """
    settings.COBRANZA_BUSINESS_DATE = date(2025, 12, 1)
    employer = EmployerFactory()
    declare(employer, "2024-03", employer_part="75.00", worker_part="30.00", filed_on=date(2024, 4, 10))
    pay(employer, "B-1", date(2024, 4, 10), "105.00", "2024-03")
    declare(employer, "2026-01", employer_part="75.00", worker_part="30.00", filed_on=date(2026, 2, 10))
    pay(employer, "B-2", date(2026, 2, 10), "105.00", "2026-01")
    services.policy_version_create(
        actor=None,
        version="2026.1",
        effective_from=date(2026, 1, 1),
        parameters={"due_business_day": 5},
        note="Vencimiento el 5.º día hábil",
    )

    old = line(employer, date(2026, 6, 30), "2024-03")
    assert old["due_date"] == "2024-04-12"
    assert old["months_late"] == 0
    assert (old["surcharge"], old["fine"], old["outstanding"], old["status"]) == (
        "0.00",
        "0.00",
        "0.00",
        "paid",
    )

    new = line(employer, date(2026, 6, 30), "2026-01")
    assert new["due_date"] == "2026-02-06"
    assert new["months_late"] == 1
    assert new["contribution_outstanding"] == "0.00"
    assert (new["surcharge"], new["fine"], new["outstanding"]) == ("1.05", "26.25", "27.30")


def test_amnesties_granted_earlier_stay_applied_after_an_unrelated_version(default_policy_version, settings):
    """Two amnesty records, then version 2027.1 turning late interest on (6 % a year) from
    01/01/2027. Statement as of 31/03/2027.

    - «Amnistía 2025» (01/03/2025–31/05/2025, paid in full, waives surcharge and fine). 2024-01:
      $105.00 filed on time, due 14/02/2024, paid in full on 10/04/2025 (inside the window). Without
      the amnesty: 14 months late (14/03/2025 < 10/04/2025 ≤ 14/04/2025) → 14.70 of surcharge.
      With it: the payment goes to the contribution only and the surcharge is waived → 0.00, paid.
    - «Amnistía 2026» (01/02/2026–31/03/2026, paid in full, waives surcharge, fine and interest).
      2024-06: $210.00 declared de oficio (fine 25 % = 52.50), due 10th business day of July 2024 =
      12/07/2024 (1, 2, 3, 4, 5, 8, 9, 10, 11, 12), paid in full on 02/03/2026 (inside). Without
      it: 20 months (12/02/2026 < 02/03/2026 ≤ 12/03/2026) → 42.00 + 52.50. With it: 0.00, paid.
    - 2024-02: $100.00 filed on time, due 14/03/2024 (1, 4, 5, 6, 7, 8, 11, 12, 13, 14 March),
      never paid: no amnesty applies. At 31/03/2027: 37 months (14/03/2027 < 31/03/2027 ≤
      14/04/2027) × 1 % = 37.00 of surcharge; interest only from 01/01/2027: 90 days (31 + 28 +
      31) × 100.00 × 6 % / 365 = 1.4794… → 1.48. Outstanding 100.00 + 37.00 + 1.48 = 138.48.

    Total outstanding 138.48: the later version changed nothing of the amnesties.
    """
    employer = EmployerFactory()
    declare(employer, "2024-01", employer_part="75.00", worker_part="30.00", filed_on=date(2024, 2, 10))
    declare(employer, "2024-02", employer_part="70.00", worker_part="30.00", filed_on=date(2024, 3, 8))
    declare(employer, "2024-06", employer_part="150.00", worker_part="60.00", filed_on=None)
    pay(employer, "C-1", date(2025, 4, 10), "105.00", "2024-01")
    pay(employer, "C-2", date(2026, 3, 2), "210.00", "2024-06")

    settings.COBRANZA_BUSINESS_DATE = date(2025, 2, 1)
    services.amnesty_create(
        actor=None,
        name="Amnistía 2025",
        start=date(2025, 3, 1),
        end=date(2025, 5, 31),
        waives=["surcharge", "fine"],
    )
    settings.COBRANZA_BUSINESS_DATE = date(2026, 1, 15)
    services.amnesty_create(
        actor=None,
        name="Amnistía 2026",
        start=date(2026, 2, 1),
        end=date(2026, 3, 31),
        waives=["surcharge", "fine", "interest"],
    )
    settings.COBRANZA_BUSINESS_DATE = date(2026, 12, 1)
    services.policy_version_create(
        actor=None,
        version="2027.1",
        effective_from=date(2027, 1, 1),
        parameters={"interest_enabled": True, "interest_annual_rate": "0.06"},
        note="Interés moratorio",
    )
    assert [a.name for a in policy_timeline().amnesties] == ["Amnistía 2025", "Amnistía 2026"]

    as_of = date(2027, 3, 31)
    statement = statement_for_employer(employer, as_of).to_json_dict()
    periods = {p["period"]: p for p in statement["periods"]}
    first, second, june = periods["2024-01"], periods["2024-02"], periods["2024-06"]
    assert (first["surcharge"], first["fine"], first["outstanding"], first["status"]) == (
        "0.00",
        "0.00",
        "0.00",
        "paid",
    )
    assert (june["surcharge"], june["fine"], june["interest"], june["outstanding"], june["status"]) == (
        "0.00",
        "0.00",
        "0.00",
        "0.00",
        "paid",
    )
    assert second["months_late"] == 37
    assert (second["surcharge"], second["fine"], second["interest"], second["outstanding"]) == (
        "37.00",
        "0.00",
        "1.48",
        "138.48",
    )
    assert statement["totals"]["outstanding"] == "138.48"
    assert statement["policy_version"] == "2027.1"

    services.balances_recompute(actor=None, as_of=as_of, employer_ids=[employer.pk])
    snapshot = BalanceSnapshot.objects.get(employer=employer)
    assert (snapshot.surcharge_outstanding, snapshot.interest_outstanding, snapshot.outstanding) == (
        Decimal("37.00"),
        Decimal("1.48"),
        Decimal("138.48"),
    )


def test_without_the_amnesty_the_same_payments_owe_the_surcharge(default_policy_version):
    """Control for the scenario above: the same 2024-01 ($105.00, due 14/02/2024) paid in full on
    10/04/2025 with no amnesty owes 14 months × 1 % × 105.00 = 14.70 of surcharge at 31/03/2027."""
    employer = EmployerFactory()
    declare(employer, "2024-01", employer_part="75.00", worker_part="30.00", filed_on=date(2024, 2, 10))
    pay(employer, "D-1", date(2025, 4, 10), "105.00", "2024-01")
    found = line(employer, date(2027, 3, 31), "2024-01")
    assert (found["months_late"], found["surcharge"], found["outstanding"]) == (14, "14.70", "14.70")
