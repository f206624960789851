"""Documents issued (SPEC §8): registered with number, author, hash and figures; downloaded again
exactly as issued even after the data changed; listed on the employer's page."""

import hashlib
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from cobranza.documents.models import DocumentKind, IssuedDocument
from tests.factories import PaymentFactory


@pytest.mark.django_db
def test_statement_pdf_issued_yesterday_downloads_identical_today(client, three_periods, settings):
    """Issued 30/06/2024 with 327.60 outstanding (see `three_periods`); on 01/07/2024 a payment of
    110.25 is imported: today's statement owes 218.25 (109.20 + 3 × 1.05… recomputed live), but the
    register gives back the very bytes issued yesterday, with yesterday's figures."""
    world = three_periods
    client.force_login(world.users.gestor1)
    first = client.get(reverse("ledger:statement_pdf", args=[world.own.employer_number]))
    assert first.status_code == 200 and first.content.startswith(b"%PDF")
    issued = IssuedDocument.objects.get()
    assert issued.kind == DocumentKind.STATEMENT
    assert issued.number == "EC-2024-000001"
    assert issued.issued_by == world.users.gestor1
    assert issued.issued_on == date(2024, 6, 30)
    assert issued.sha256 == hashlib.sha256(first.content).hexdigest()
    assert issued.figures["totals"]["outstanding"] == "327.60"

    settings.COBRANZA_BUSINESS_DATE = date(2024, 7, 1)
    PaymentFactory(
        employer=world.own,
        payment_id="P-NEW",
        paid_on=date(2024, 7, 1),
        amount=Decimal("110.25"),
        period="2024-01",
    )
    again = client.get(reverse("documents:download", args=[issued.number]))
    assert again.status_code == 200
    assert again.content == first.content
    assert again["X-Document-SHA256"] == issued.sha256

    today = client.get(reverse("ledger:statement_pdf", args=[world.own.employer_number]))
    assert today.content != first.content
    latest = IssuedDocument.objects.order_by("-id").first()
    assert latest.number == "EC-2024-000002"
    assert latest.figures["totals"]["outstanding"] != "327.60"

    page = client.get(reverse("employers:detail", args=[world.own.employer_number])).content.decode()
    assert "Documentos emitidos" in page
    assert "EC-2024-000001" in page and "EC-2024-000002" in page


@pytest.mark.django_db
def test_register_is_read_only_and_follows_visibility(client, three_periods):
    world = three_periods
    client.force_login(world.users.gestor1)
    client.get(reverse("ledger:statement_pdf", args=[world.own.employer_number]))
    issued = IssuedDocument.objects.get()
    from cobranza.common.errors import ApplicationError

    with pytest.raises(ApplicationError):
        issued.save()
    with pytest.raises(ApplicationError):
        IssuedDocument.objects.all().delete()
    client.force_login(world.users.gestor2)  # does not see world.own
    assert client.get(reverse("documents:download", args=[issued.number])).status_code == 404


@pytest.mark.django_db
def test_tampered_file_is_not_served(client, three_periods):
    world = three_periods
    client.force_login(world.users.gestor1)
    client.get(reverse("ledger:statement_pdf", args=[world.own.employer_number]))
    issued = IssuedDocument.objects.get()
    with open(issued.file.path, "ab") as handle:
        handle.write(b"x")
    response = client.get(reverse("documents:download", args=[issued.number]))
    assert response.status_code == 409
    assert "no coincide con su huella" in response.content.decode()
