"""Issue 9, item 2: a draft is dated on the business date (no back-dating from any interface), covers
only the periods overdue at that date, and is valid 10 business days for its down payment; then it
expires, says so, and freezes nothing.

Worked figures. Ferretería La Exacta (100000461) declares January and February 2024, each with a
contribution of $456.89 (employer $319.89 + worker $137.00), filed on time:
- January falls due on 14/02/2024 (10th business day of February). On Friday 01/03/2024 it is in
  its first month of delay: 1 % of $456.89 = $4.5689 → $4.57 of surcharge; $461.46 owed.
- February falls due on 14/03/2024 (March 2024: 1, 4–8, 11–14 are its first ten business days), so
  on 01/03/2024 it is **not** overdue: it is paid normally and stays out of the agreement.
The draft of 01/03/2024 therefore covers January only, for $461.46. Its validity: ten business
days after Friday 01/03/2024 are 04–08 and 11–15 March, so the down payment must be paid by Friday
15/03/2024; a check on 16/03/2024 finds the draft expired (from that day).
"""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from cobranza.agreements import services
from cobranza.agreements.models import Agreement, AgreementState
from cobranza.agreements.selectors import freezes_for
from cobranza.common.errors import ApplicationError
from cobranza.common.models import AuditEvent
from tests.agreements.helpers import business_day, exacta, pay

pytestmark = pytest.mark.django_db

DRAFT_DAY = date(2024, 3, 1)
VALID_UNTIL = date(2024, 3, 15)
NUMBER = "100000461"


@pytest.fixture
def debtor(world):
    return exacta(world)


def draft(world, employer, **kwargs):
    return services.agreement_draft(
        actor=world.users.gestor1,
        employer=employer,
        down_payment=kwargs.pop("down_payment", "92.30"),
        installments=kwargs.pop("installments", 3),
        **kwargs,
    )


def test_draft_is_dated_today_and_covers_only_overdue_periods(world, debtor):
    from cobranza.agreements.selectors import employer_options

    # The options offered that day tell the same debt as the draft.
    opts = employer_options(employer=debtor, as_of=DRAFT_DAY)
    assert opts.debt_cents == 46146 and opts.periods == ["2024-01"]
    with business_day(DRAFT_DAY):
        agreement = draft(world, debtor)
    assert agreement.as_of == DRAFT_DAY
    assert agreement.periods == ["2024-01"]  # February is not due until 14/03/2024
    assert agreement.debt == Decimal("461.46")
    assert [row["period"] for row in agreement.periods_detail] == ["2024-01"]
    assert agreement.periods_detail[0]["surcharge"] == "4.57"
    assert agreement.valid_until == VALID_UNTIL


def test_no_back_dating_and_no_post_dating(world, debtor):
    with business_day(DRAFT_DAY):
        with pytest.raises(ApplicationError) as info:
            draft(world, debtor, as_of=date(2024, 2, 20))
        assert "no se puede antedatar" in info.value.message and "01/03/2024" in info.value.message
        with pytest.raises(ApplicationError, match="futura"):
            draft(world, debtor, as_of=date(2024, 3, 2))
        # Naming today is allowed (the same as omitting it).
        assert draft(world, debtor, as_of=DRAFT_DAY).as_of == DRAFT_DAY
    assert Agreement.objects.count() == 1


def test_pages_offer_drafting_only_on_todays_options_and_refuse_a_back_dated_post(client, world, debtor):
    client.force_login(world.users.gestor1)
    url = reverse("agreements:options", args=[NUMBER])
    typed = {"down_payment": "92.30", "installments": "3"}
    with business_day(DRAFT_DAY):
        today = client.get(url, {"as_of": "2024-03-01", **typed}).content.decode()
        earlier = client.get(url, {"as_of": "2024-02-20", **typed}).content.decode()
        assert "Elaborar convenio con esta opción" in today
        assert "Elaborar convenio" not in earlier  # another date's options are only a simulation
        response = client.post(
            reverse("agreements:draft", args=[NUMBER]),
            {"as_of": "2024-02-20", "start": "2024-03-20", **typed},
            follow=True,
        )
    assert "no se puede antedatar" in response.content.decode()
    assert not Agreement.objects.exists()


def test_a_draft_without_down_payment_expires_after_ten_business_days(world, debtor):
    with business_day(DRAFT_DAY):
        approved = draft(world, debtor)
        services.agreement_approve(actor=world.users.jefe, agreement=approved)
    # The last day of validity: still waiting for its down payment.
    with business_day(date(2024, 3, 20)):
        result = services.agreements_check(actor=None, as_of=VALID_UNTIL)
        assert result.expired == []
        approved.refresh_from_db()
        assert approved.state == AgreementState.APPROVED
        # The day after: expired (nightly task and command run the same check).
        out = StringIO()
        call_command("agreements", "check", "--as-of", "2024-03-16", stdout=out)
    approved.refresh_from_db()
    assert approved.state == AgreementState.EXPIRED and approved.expired_on == date(2024, 3, 16)
    assert f"vencidos sin prima {approved.number}" in out.getvalue()
    event = AuditEvent.objects.get(action="agreement.expired")
    assert event.before["state"] == "approved" and event.after["state"] == "expired"
    assert "15/03/2024" in event.reason and "sin congelar nada" in event.reason
    # It froze nothing and holds nothing: a payment now cannot be its down payment, and a new draft
    # may cover January again.
    assert freezes_for(debtor, date(2024, 4, 1)) == {}
    late = pay(debtor, "TARDE", date(2024, 3, 18), "92.30")
    with pytest.raises(ApplicationError, match="vencido"):
        services.agreement_register_down_payment(actor=world.users.gestor1, agreement=approved, payment=late)
    with business_day(date(2024, 3, 18)):
        again = draft(world, debtor, down_payment="200.00")
    assert again.periods[0] == "2024-01" and again.state == AgreementState.DRAFT


def test_an_unapproved_draft_expires_too_and_the_page_says_so(client, world, debtor):
    with business_day(DRAFT_DAY):
        pending = draft(world, debtor)
    client.force_login(world.users.gestor1)
    with business_day(date(2024, 3, 4)):
        html = client.get(reverse("agreements:detail", args=[pending.pk])).content.decode()
    assert "a más tardar el 15/03/2024" in html
    with business_day(date(2024, 3, 18)):
        services.agreements_check(actor=None)
        html = client.get(reverse("agreements:detail", args=[pending.pk])).content.decode()
    pending.refresh_from_db()
    assert pending.state == AgreementState.EXPIRED and pending.expired_on == date(2024, 3, 16)
    assert "Vencido" in html and "vencido el 16/03/2024" in html


def test_a_down_payment_within_validity_signs_even_when_the_check_runs_later(world, debtor):
    with business_day(DRAFT_DAY):
        agreement = draft(world, debtor)
        services.agreement_approve(actor=world.users.jefe, agreement=agreement)
    pay(debtor, "PRIMA", VALID_UNTIL, "92.30")
    with business_day(date(2024, 3, 20)):
        result = services.agreements_check(actor=None, as_of=date(2024, 3, 20))
    agreement.refresh_from_db()
    assert result.signed == [agreement.number] and result.expired == []
    assert agreement.state == AgreementState.ACTIVE and agreement.signed_on == VALID_UNTIL
