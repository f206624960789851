"""Issue 9, item 4: an agreement lapses when min(3, installments still unpaid) installments are unpaid
5 days past their due date (policy `agreement_lapse_installments`, `agreement_grace_days`; SPEC §4).

Worked scenario (the issue's "still «vigente» 445 days later"). Textiles del Pacífico (100000002)
signs the 6-installment agreement of the worked examples on 05/07/2024: down payment $286.98,
installments 1–5 of $199.85 due on the 30th of July … November 2024, installment 6 of $199.82 due
30/12/2024. It pays installments 1–5 on their due dates, naming the agreement, and never pays the
sixth. One installment is still unpaid, so one overdue installment is enough: installment 6 is
within its grace until 04/01/2025 (30/12 + 5 days) and overdue from 05/01/2025, the day the
agreement lapses and its periods' freeze is lifted. Before the fix it stayed «vigente» forever
(445 days after signing is 23/09/2025).
"""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from cobranza.agreements.models import AgreementState
from cobranza.agreements.selectors import freezes_for
from cobranza.agreements.services import lapse_date
from cobranza.agreements.tasks import agreements_check_task
from cobranza.engine.agreements import InstallmentState
from cobranza.engine.policy import Policy
from tests.agreements.helpers import active_e2, business_day, pay

pytestmark = pytest.mark.django_db

SIGNED = date(2024, 7, 5)
DUE = [date(2024, 7, 30), date(2024, 8, 30), date(2024, 9, 30), date(2024, 10, 30), date(2024, 11, 30)]
COVERED = {"2024-01", "2024-02", "2024-03"}


def five_paid(agr):
    agreement = active_e2(agr, paid_on=SIGNED)
    for n, due in enumerate(DUE, start=1):
        pay(agr.e2, f"CUOTA-{n}", due, "199.85", reference=agreement.number)
    return agreement


def check(as_of: str) -> str:
    out = StringIO()
    call_command("agreements", "check", "--as-of", as_of, stdout=out)
    return out.getvalue()


def test_an_agreement_whose_last_installment_is_never_paid_lapses(agr):
    agreement = five_paid(agr)
    # 04/01/2025: the last day of grace of installment 6: still in force, still frozen.
    check("2025-01-04")
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.ACTIVE
    assert [i.status for i in agreement.installments.order_by("number")] == ["paid"] * 5 + ["pending"]
    assert set(freezes_for(agr.e2, date(2025, 1, 4))) == COVERED
    # 05/01/2025: installment 6 is overdue and it is the only one left: the agreement lapses.
    assert f"incumplidos {agreement.number}" in check("2025-01-05")
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.LAPSED and agreement.lapsed_on == date(2025, 1, 5)
    assert agreement.installments.get(number=6).status == "overdue"
    # The freeze is lifted from the lapse on; a statement dated before it keeps it (history holds).
    assert freezes_for(agr.e2, date(2025, 1, 5)) == {}
    assert set(freezes_for(agr.e2, date(2025, 1, 4))) == COVERED


def test_the_nightly_task_445_days_later_lapses_it_from_the_first_day(agr):
    agreement = five_paid(agr)
    with business_day(date(2025, 9, 23)):  # 445 days after the signing
        summary = agreements_check_task()
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.LAPSED and agreement.lapsed_on == date(2025, 1, 5)
    assert agreement.number in summary


def _inst(number: int, due: date, paid_off_on: date | None = None) -> InstallmentState:
    return InstallmentState(number, due, 10000, 10000 if paid_off_on else 0, paid_off_on)


def test_lapse_needs_min_of_three_and_the_installments_still_unpaid():
    policy = Policy()  # 3 installments, 5 days of grace
    dues = [date(2025, m, 10) for m in range(1, 7)]
    # Installments 1–3 paid on time, 4–6 never: three overdue on 16/06/2025 → lapses then
    # (4 overdue from 16/04 and 5 from 16/05 are only 1 and 2 of the 3 still unpaid).
    paid_three = [_inst(i + 1, d, d if i < 3 else None) for i, d in enumerate(dues)]
    assert lapse_date(paid_three, policy) == date(2025, 6, 16)
    # Installments 1–4 paid: 5 and 6 unpaid, two are enough: from 16/06/2025.
    paid_four = [_inst(i + 1, d, d if i < 4 else None) for i, d in enumerate(dues)]
    assert lapse_date(paid_four, policy) == date(2025, 6, 16)
    # Installments 1–4 paid, 5 paid late on 01/06/2025 (before 6 is overdue): only 6 left, from 16/06.
    late_five = [*paid_four[:4], _inst(5, dues[4], date(2025, 6, 1)), paid_four[5]]
    assert lapse_date(late_five, policy) == date(2025, 6, 16)
    # Nothing paid: three overdue from 16/03/2025 (installments 1, 2 and 3).
    assert lapse_date([_inst(i + 1, d) for i, d in enumerate(dues)], policy) == date(2025, 3, 16)
    # Everything paid on time: never.
    assert lapse_date([_inst(i + 1, d, d) for i, d in enumerate(dues)], policy) is None
