"""Issue 9: the agreement and the employer's statement tell the same story, through the database.

Textiles del Pacífico (100000002) owes $1,434.90 at 30/06/2024, all overdue. A 3-installment
agreement: down payment $336.98, financed $1,097.92 at 1.26 % a month (the stored example
agreement_100000002_2024-06-30_336.98_3.json has the schedule: installments of $375.23, $375.23
and $375.24 → interest $13.83 + $9.28 + $4.67 = $27.78, principal $1,097.92).
"""

from datetime import date
from decimal import Decimal

import pytest

from cobranza.agreements import services
from cobranza.agreements.models import AgreementState
from cobranza.ledger.selectors import statement_for_employer
from tests.agreements.helpers import active_e2, pay

pytestmark = pytest.mark.django_db


def test_fulfilled_agreement_leaves_the_statement_at_zero_with_no_credit(agr):
    """Down payment 336.98 on 05/07/2024, then 375.23 + 375.23 + 375.24 naming the agreement. The
    covered periods end at exactly 0.00, the interest $27.78 is the agreement's own line (paid), and
    the credit is 0.00: the institute's interest never shows as the employer's money."""
    agreement = active_e2(agr, installments=3, down="336.98")
    for k, (day, amount) in enumerate(
        [(date(2024, 7, 30), "375.23"), (date(2024, 8, 30), "375.23"), (date(2024, 9, 30), "375.24")], 1
    ):
        pay(agr.e2, f"C{k}", day, amount, reference=agreement.number)
    services.agreements_check(actor=agr.users.jefe, as_of=date(2024, 10, 31))
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.FULFILLED
    s = statement_for_employer(agr.e2, date(2024, 10, 31))
    covered = [ln for ln in s.periods if ln.period in agreement.periods]
    assert covered and all(ln.outstanding_cents == 0 for ln in covered)
    [line] = s.agreements
    assert (line.interest_cents, line.interest_paid_cents, line.interest_outstanding_cents) == (2778, 2778, 0)
    assert s.credit_cents == 0


def test_while_it_runs_the_statement_owes_what_the_agreement_owes(agr):
    """After the down payment and the first installment (05/07 and 30/07/2024), as of 15/08/2024:
    principal unpaid 1,097.92 − (375.23 − 13.83 = 361.40) = 736.52; interest due (installment 1)
    13.83, paid. The covered periods owe exactly 736.52 and the agreement's balance is 736.52."""
    agreement = active_e2(agr, installments=3, down="336.98")
    pay(agr.e2, "C1", date(2024, 7, 30), "375.23", reference=agreement.number)
    s = statement_for_employer(agr.e2, date(2024, 8, 15))
    covered = sum(ln.outstanding_cents for ln in s.periods if ln.period in agreement.periods)
    [line] = s.agreements
    assert covered == line.balance_cents == 73652
    assert line.interest_cents == 1383 and line.interest_outstanding_cents == 0
    states = {st.number: st for st in services.installment_states(agreement, date(2024, 8, 15))}
    assert states[1].paid_cents == 37523 and states[1].paid_off_on == date(2024, 7, 30)
    assert states[2].paid_cents == 0


def test_the_agreement_interest_is_a_line_of_its_own_on_every_rendering(agr, client):
    """As of 15/09/2024 with the down payment and installment 1 paid: interest charged 13.83 + 9.28
    (installment 2 due 30/08) = 23.11, paid 13.83, outstanding 9.28 — shown as "Interés de convenio
    CP-…" on the page, in the PDF's text, in the Excel and in the command's table."""
    import io

    from django.core.management import call_command
    from django.urls import reverse
    from openpyxl import load_workbook

    agreement = active_e2(agr, installments=3, down="336.98")
    pay(agr.e2, "C1", date(2024, 7, 30), "375.23", reference=agreement.number)
    client.force_login(agr.users.gestor1)
    page = client.get(reverse("employers:detail", args=[agr.e2.employer_number]), {"as_of": "15/09/2024"})
    html = page.content.decode()
    assert f"Interés de convenio {agreement.number}" in html and "$9.28" in html and "$23.11" in html
    assert f"convenio {agreement.number}" in html  # the covered periods' badge
    xlsx = client.get(
        reverse("ledger:statement_xlsx", args=[agr.e2.employer_number]), {"as_of": "2024-09-15"}
    )
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    rows = [
        r for r in ws.iter_rows(values_only=True) if r and r[0] == f"Interés de convenio {agreement.number}"
    ]
    assert [tuple(str(v) for v in r[15:19]) for r in rows] == [("23.11", "13.83", "9.28", "9.28")]
    out = io.StringIO()
    call_command("statement", agr.e2.employer_number, "--as-of", "2024-09-15", stdout=out)
    assert (
        f"Interés de convenio {agreement.number}: cargado $23.11, pagado $13.83, pendiente $9.28."
        in out.getvalue()
    )


def test_agreement_signed_inside_an_amnesty_for_agreements_is_drafted_on_contributions_only(agr):
    """An amnesty "Amnistía convenios 2024" (01/06–31/07/2024, scope: agreements signed in the window,
    waives surcharge and fine). At 30/06/2024 Textiles del Pacífico owes 3 × $459.90 = $1,379.70 of
    contributions plus $55.20 of surcharge: the agreement drafted that day takes only the $1,379.70
    (not $1,434.90). Paid in full, it leaves the periods at 0.00 with no credit; had it lapsed, the
    waiver would be revoked (the surcharge comes back)."""
    from cobranza.ledger.models import Amnesty

    Amnesty.objects.create(
        name="Amnistía convenios 2024",
        start=date(2024, 6, 1),
        end=date(2024, 7, 31),
        paid_in_full=False,
        agreements=True,
        waives=["surcharge", "fine"],
    )
    agreement = active_e2(agr, installments=3, down="275.94")  # 20 % of 1,379.70 = 275.94
    assert agreement.debt == Decimal("1379.70")
    for k, inst in enumerate(agreement.installments.order_by("number"), 1):
        pay(agr.e2, f"C{k}", inst.due_date, f"{inst.amount:.2f}", reference=agreement.number)
    s = statement_for_employer(agr.e2, date(2024, 10, 31))
    assert s.totals.outstanding_cents == 0 and s.credit_cents == 0
    assert all(ln.surcharge_outstanding_cents == 0 for ln in s.periods)
    # had it lapsed (say on 01/10/2024), the waiver is revoked: the same payments are ordinary and
    # the surcharge of the periods (waived while the agreement counted) is owed again
    from cobranza.ledger.services import agreement_terms_lapse

    agreement_terms_lapse(actor=agr.users.jefe, number=agreement.number, lapsed_on=date(2024, 10, 1))
    revoked = statement_for_employer(agr.e2, date(2024, 10, 31))
    assert revoked.agreements == [] and revoked.totals.surcharge_outstanding_cents > 0
