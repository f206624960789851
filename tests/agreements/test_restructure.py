"""Issue 9, item 6 — restructuring (SPEC §6 "Renegotiation"), with the figures computed by hand.

Textiles del Pacífico (100000002) owes $1,434.90 at 30/06/2024. A 3-installment agreement drafted
that day: down payment $336.98 (signed 05/07/2024), financed $1,097.92; installment 1 ($375.23 =
interest $13.83 + principal $361.40, due 30/07) is paid on 30/07. On 15/08/2024 a head restructures
it: the principal still owed, 1,097.92 − 361.40 = $736.52, becomes a new draft (the covered periods
stay frozen at 30/06/2024), whose minimum down payment is 20 % of 736.52 = 147.304 → $147.31.
"""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from cobranza.agreements import services
from cobranza.agreements.models import AgreementState
from cobranza.common.errors import ApplicationError
from cobranza.ledger.selectors import statement_for_employer
from tests.agreements.helpers import active_e2, pay

pytestmark = pytest.mark.django_db
TODAY = date(2024, 8, 15)


@pytest.fixture
def restructured(agr):
    old = active_e2(agr, installments=3, down="336.98")
    pay(agr.e2, "C1", date(2024, 7, 30), "375.23", reference=old.number)
    with override_settings(COBRANZA_BUSINESS_DATE=TODAY):
        new = services.agreement_restructure(
            actor=agr.users.jefe, agreement=old, down_payment="147.31", installments=3
        )
    old.refresh_from_db()
    return agr, old, new


def test_the_outstanding_balance_becomes_a_new_draft_linked_to_the_old(restructured):
    agr, old, new = restructured
    assert old.state == AgreementState.RESTRUCTURED and old.restructured_on == TODAY
    assert new.state == AgreementState.DRAFT and new.restructured_from == old
    assert new.debt == Decimal("736.52") and new.as_of == TODAY
    # January is already paid by the down payment and installment 1 (principal goes oldest first)
    assert new.periods == ["2024-02", "2024-03"] and set(new.periods) < set(old.periods)


def test_four_eyes_then_signing_hands_the_periods_to_the_new_agreement(restructured):
    """Approved by another head, down payment $147.31 paid on 20/08/2024. As of 25/08/2024 the
    covered periods owe 736.52 − 147.31 = $589.21 = the new agreement's principal unpaid; the old
    agreement keeps its line (interest $13.83, paid; installments 2 and 3 dropped)."""
    agr, old, new = restructured
    with override_settings(COBRANZA_BUSINESS_DATE=TODAY):
        with pytest.raises(ApplicationError, match="otra jefatura"):
            services.agreement_approve(actor=agr.users.jefe, agreement=new)
        services.agreement_approve(actor=agr.users.jefe_sucursal, agreement=new)
    payment = pay(agr.e2, "P-RE", date(2024, 8, 20), "147.31", reference=new.number)
    with override_settings(COBRANZA_BUSINESS_DATE=date(2024, 8, 25)):
        services.agreement_register_down_payment(actor=agr.users.jefe, agreement=new, payment=payment)
    s = statement_for_employer(agr.e2, date(2024, 8, 25))
    covered = [ln for ln in s.periods if ln.period in new.periods]
    assert {ln.agreement for ln in covered} == {new.number}
    assert {ln.frozen_on for ln in covered} == {date(2024, 6, 30)}
    assert sum(ln.outstanding_cents for ln in covered) == 58921
    lines = {a.number: a for a in s.agreements}
    assert lines[old.number].interest_cents == 1383 and lines[old.number].interest_outstanding_cents == 0
    assert lines[new.number].principal_cents - lines[new.number].principal_paid_cents == 58921
    assert s.totals.outstanding_cents == 58921 and s.credit_cents == 0


def test_refusals_name_the_reason(restructured):
    agr, old, new = restructured
    with override_settings(COBRANZA_BUSINESS_DATE=TODAY):
        with pytest.raises(ApplicationError, match="vigente o incumplido"):
            services.agreement_restructure(
                actor=agr.users.jefe, agreement=old, down_payment="100", installments=3
            )
        with pytest.raises(ApplicationError, match="Solo una jefatura"):
            services.agreement_restructure(
                actor=agr.users.gestor1, agreement=old, down_payment="100", installments=3
            )


def test_only_once_by_default(restructured):
    """The new agreement, once signed, cannot be restructured again (policy: once)."""
    agr, old, new = restructured
    with override_settings(COBRANZA_BUSINESS_DATE=TODAY):
        services.agreement_approve(actor=agr.users.jefe_sucursal, agreement=new)
    payment = pay(agr.e2, "P-RE", date(2024, 8, 20), "147.31", reference=new.number)
    with override_settings(COBRANZA_BUSINESS_DATE=date(2024, 8, 25)):
        services.agreement_register_down_payment(actor=agr.users.jefe, agreement=new, payment=payment)
        with pytest.raises(ApplicationError, match="permite 1 por convenio"):
            services.agreement_restructure(
                actor=agr.users.jefe, agreement=new, down_payment="200", installments=3
            )


def test_a_restructuring_that_expires_leaves_the_old_agreement_lapsed(restructured):
    """No down payment by the draft's validity (10 business days from 15/08/2024: 16, 19–23,
    26–29 August → 29/08/2024): the new draft expires on 30/08 and the old agreement is taken as
    lapsed from then on: its freeze lifted, its line gone."""
    agr, old, new = restructured
    with override_settings(COBRANZA_BUSINESS_DATE=date(2024, 9, 2)):
        services.agreements_check(actor=agr.users.jefe, as_of=date(2024, 9, 2))
    new.refresh_from_db()
    old.refresh_from_db()
    assert new.state == AgreementState.EXPIRED and old.lapsed_on == new.expired_on
    s = statement_for_employer(agr.e2, date(2024, 9, 2))
    assert s.agreements == [] and all(ln.frozen_on is None for ln in s.periods)


def test_api_and_command(agr, client):
    old = active_e2(agr, installments=3, down="336.98")
    pay(agr.e2, "C1", date(2024, 7, 30), "375.23", reference=old.number)
    key = client.post(
        "/api/auth/token", {"username": "gestor1", "password": "demo"}, content_type="application/json"
    ).json()["token"]
    with override_settings(COBRANZA_BUSINESS_DATE=TODAY):
        refused = client.post(
            f"/api/agreements/{old.pk}/restructure",
            {"down_payment": "147.31", "installments": 3},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
        assert refused.status_code == 403 and "jefatura" in refused.json()["detail"]
        out = StringIO()
        call_command(
            "agreement",
            "restructure",
            old.number,
            "--down-payment",
            "147.31",
            "--installments",
            "3",
            "--user",
            "jefe",
            stdout=out,
        )
    assert (
        '"debt": "736.52"' in out.getvalue() and '"restructured_from": "' + old.number + '"' in out.getvalue()
    )
    assert "/restructure" in client.get("/api/openapi.json").content.decode()


def test_the_case_chronology_links_both_agreements(restructured):
    from cobranza.cases.models import CaseFile
    from cobranza.cases.selectors import case_chronology

    agr, old, new = restructured
    case = CaseFile.objects.filter(employer=agr.e2).order_by("-opened_at").first()
    assert case is not None  # the signing opened (or moved) the employer's case
    items = [i for i in case_chronology(case=case) if i.title == "Convenio reestructurado"]
    assert len(items) == 1 and old.number in items[0].detail and new.number in items[0].detail


def test_only_heads_restructure_from_the_page(agr, client):
    """Every non-head role posts the restructure form of an active agreement: collectors, call
    center, legal, service desk, other areas and a user without a role are refused (nothing
    changes; 404 where the employer is not theirs); the department head's post creates the draft."""
    from django.urls import reverse

    from cobranza.agreements.models import Agreement

    old = active_e2(agr, installments=3, down="336.98")
    pay(agr.e2, "C1", date(2024, 7, 30), "375.23", reference=old.number)
    url = reverse("agreements:restructure", args=[old.pk])
    body = {"down_payment": "147.31", "installments": "3"}
    with override_settings(COBRANZA_BUSINESS_DATE=TODAY):
        for name in ("gestor1", "gestor2", "callcenter", "juridico", "atencion", "otras", "sin_rol"):
            client.force_login(getattr(agr.users, name))
            response = client.post(url, body)
            assert response.status_code in (302, 403, 404), name
            old.refresh_from_db()
            assert old.state == AgreementState.ACTIVE, name
        client.force_login(agr.users.jefe)
        response = client.post(url, body)
    old.refresh_from_db()
    new = Agreement.objects.get(restructured_from=old)
    assert old.state == AgreementState.RESTRUCTURED
    assert response.status_code == 302 and response["Location"].endswith(f"/convenios/{new.pk}/")
