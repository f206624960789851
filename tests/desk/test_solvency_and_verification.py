"""Worked scenario: a certificate is refused while a period is overdue, issued after it is paid,
verified as valid on the public page, and shown as expired 31 days after (SPEC §4, §8)."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from cobranza.api.models import ApiToken
from cobranza.desk import services
from cobranza.desk.models import SolvencyOutcome, SolvencyRequest
from cobranza.documents.codes import ALPHABET, normalize
from cobranza.documents.models import IssuedDocument
from cobranza.employers.models import EmployerStatus
from tests.factories import PaymentFactory


def _pay_first_two(world):
    """2024-01 and 2024-02 paid in full on 30/06/2024: 110.25 and 109.20 (see `three_periods`)."""
    PaymentFactory(
        employer=world.own,
        payment_id="P-01",
        paid_on=date(2024, 6, 30),
        amount=Decimal("110.25"),
        period="2024-01",
    )
    PaymentFactory(
        employer=world.own,
        payment_id="P-02",
        paid_on=date(2024, 6, 30),
        amount=Decimal("109.20"),
        period="2024-02",
    )


@pytest.mark.django_db
def test_refused_while_overdue_issued_after_paid_valid_then_expired(client, three_periods, settings):
    """At 30/06/2024 2024-03 owes 108.15 (105.00 + 3 months × 1.05): refused, listing 2024-03.
    Paid 108.15 on 01/07/2024 (still 3 months late: due 12/04 + 3 months = 12/07 ≥ 01/07): solvent.
    Issued 01/07/2024: valid from 02/07/2024 to 31/07/2024 (30 days from the day after issue);
    valid on 31/07/2024, expired on 01/08/2024 (31 days after)."""
    world = three_periods
    _pay_first_two(world)
    refused = services.solvency_issue(actor=world.users.atencion, employer=world.own)
    assert refused.outcome == SolvencyOutcome.REFUSED
    assert "1 período vencido sin pagar (03/2024) por $108.15" in refused.reason
    assert refused.overdue_periods == [{"period": "2024-03", "outstanding": "108.15", "note": ""}]
    assert refused.document is None

    client.force_login(world.users.atencion)
    page = client.get(reverse("desk:solvency", args=[world.own.employer_number])).content.decode()
    assert "No solvente." in page and "$108.15" in page
    assert "Imprimir el estado de cuenta en su lugar" in page

    settings.COBRANZA_BUSINESS_DATE = date(2024, 7, 1)
    PaymentFactory(
        employer=world.own,
        payment_id="P-03",
        paid_on=date(2024, 7, 1),
        amount=Decimal("108.15"),
        period="2024-03",
    )
    response = client.post(reverse("desk:solvency", args=[world.own.employer_number]))
    assert response.status_code == 302
    issued = SolvencyRequest.objects.filter(outcome=SolvencyOutcome.ISSUED).get()
    document = issued.document
    assert issued.standing == "solvente"
    assert document.number == "CS-2024-000001"
    assert document.issued_on == date(2024, 7, 1)
    assert document.valid_until == date(2024, 7, 31)
    assert len(document.verification_code) == 12 and set(document.verification_code) <= set(ALPHABET)
    pdf = client.get(reverse("documents:download", args=[document.number]))
    assert pdf.content.startswith(b"%PDF")

    client.logout()
    code = document.code_display  # e.g. K7QM-4XHT-9BWE: what the certificate and its QR carry
    verified = client.get(reverse("documents:verify"), {"codigo": code})
    text = verified.content.decode()
    assert verified.status_code == 200
    assert "Documento auténtico y VIGENTE" in text
    assert world.own.legal_name in text and world.own.employer_number in text
    assert "del 02/07/2024 al 31/07/2024" in text
    assert "$" not in text  # nothing else about the employer: no amounts
    assert world.own.nit not in text

    settings.COBRANZA_BUSINESS_DATE = date(2024, 7, 31)
    assert "VIGENTE" in client.get(reverse("documents:verify"), {"codigo": code.lower()}).content.decode()
    settings.COBRANZA_BUSINESS_DATE = date(2024, 8, 1)
    expired = client.get(reverse("documents:verify"), {"codigo": code}).content.decode()
    assert "Documento auténtico pero VENCIDO" in expired
    assert "Vencida" in expired


@pytest.mark.django_db
def test_closed_employer_is_refused_with_the_reason(three_periods):
    world = three_periods
    world.own.status = EmployerStatus.CLOSED
    world.own.save()
    refused = services.solvency_issue(actor=world.users.gestor1, employer=world.own)
    assert refused.outcome == SolvencyOutcome.REFUSED
    assert "figura como cerrado" in refused.reason
    assert not IssuedDocument.objects.exists()


@pytest.mark.django_db
def test_wrong_codes_say_so_and_are_throttled(client, three_periods, settings):
    settings.VERIFY_MAX_FAILURES = 3
    url = reverse("documents:verify")
    bad = client.get(url, {"codigo": "12"})
    assert bad.status_code == 400 and "Código no válido" in bad.content.decode()
    bad = client.get(url, {"codigo": "O0I1-ABCD-EFGH"})  # look-alikes are not in the alphabet
    assert bad.status_code == 400
    missing = client.get(url, {"codigo": "AAAA-BBBB-CCCC"})
    assert missing.status_code == 404
    assert "No se encontró ningún documento con ese código" in missing.content.decode()
    throttled = client.get(url, {"codigo": "AAAA-BBBB-CCCD"})
    assert throttled.status_code == 429
    assert "Demasiados intentos fallidos" in throttled.content.decode()
    # another address is not throttled
    other = client.get(url, {"codigo": "AAAA-BBBB-CCCD"}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 404


def test_code_normalization():
    assert normalize(" k7qm 4xht-9bwe ") == "K7QM4XHT9BWE"
    assert normalize("K7QM-4XHT-9BW") is None
    assert normalize("K7QM-4XHT-9BW!") is None


@pytest.mark.django_db
def test_api_and_command_issue_or_refuse(client, three_periods, settings, capsys):
    world = three_periods
    token = ApiToken.objects.create(user=world.users.gestor1).key
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    refused = client.post(f"/api/employers/{world.own.employer_number}/solvency", **auth)
    assert refused.status_code == 422
    body = refused.json()
    assert "3 períodos vencidos sin pagar (01/2024, 02/2024, 03/2024) por $327.60" in body["detail"]
    assert [p["period"] for p in body["overdue_periods"]] == ["2024-01", "2024-02", "2024-03"]
    # gestor1 does not see the colleague's employer: 404; the call center may not issue: 403
    assert (
        client.post(f"/api/employers/{world.colleague.employer_number}/solvency", **auth).status_code == 404
    )
    cc = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.objects.create(user=world.users.callcenter).key}"}
    assert client.post(f"/api/employers/{world.own.employer_number}/solvency", **cc).status_code == 403

    with pytest.raises(CommandError, match="Constancia denegada"):
        call_command("solvency", "issue", world.own.employer_number, "--user", "atencion")

    _pay_first_two(world)
    PaymentFactory(
        employer=world.own,
        payment_id="P-03",
        paid_on=date(2024, 6, 30),
        amount=Decimal("108.15"),
        period="2024-03",
    )
    issued = client.post(f"/api/employers/{world.own.employer_number}/solvency", **auth)
    assert issued.status_code == 201
    data = issued.json()
    assert data["standing"] == "solvente"
    assert data["valid_until"] == "2024-07-30"
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", data["verification_code"])
    assert data["verification_url"].endswith(f"/verificar/?codigo={data['verification_code']}")

    call_command("solvency", "issue", world.own.employer_number, "--user", "atencion")
    out = capsys.readouterr().out
    assert "Constancia de solvencia CS-2024-000002 (solvente)" in out
    assert "vigente hasta el 30/07/2024" in out


@pytest.mark.django_db
def test_a_double_click_on_issue_makes_one_certificate(client, three_periods, settings):
    """Both periods and 2024-03 paid: solvent. The same form sent twice (double click, reload)
    issues one certificate; the second answer goes where the first led."""
    world = three_periods
    _pay_first_two(world)
    settings.COBRANZA_BUSINESS_DATE = date(2024, 7, 1)
    PaymentFactory(
        employer=world.own,
        payment_id="P-03",
        paid_on=date(2024, 7, 1),
        amount=Decimal("108.15"),
        period="2024-03",
    )
    client.force_login(world.users.atencion)
    url = reverse("desk:solvency", args=[world.own.employer_number])
    assert 'name="submission_token"' in client.get(url).content.decode()
    first = client.post(url, {"submission_token": "d" * 32})
    second = client.post(url, {"submission_token": "d" * 32})
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert SolvencyRequest.objects.filter(outcome=SolvencyOutcome.ISSUED).count() == 1
