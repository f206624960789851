"""Pages of the judicial referral: the request from the case file, the head's decision, the legal
unit's work page (its home) and steps, who sees what (404) and who may do what (403)."""

from datetime import date

import pytest
from django.urls import reverse

from cobranza.legal.models import Referral, ReferralState
from tests.legal.conftest import on

pytestmark = pytest.mark.django_db

DAY = date(2024, 8, 1)


def test_collector_requests_head_approves_legal_accepts_and_records_a_lawsuit(noticed, settings, client):
    world = noticed
    on(settings, DAY)
    client.force_login(world.users.gestor1)
    case_page = client.get(reverse("cases:detail", args=[world.case.pk])).content.decode()
    assert "Revisar criterios y solicitar remisión" in case_page
    page = client.get(reverse("legal:request", args=[world.case.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and "Cumple los criterios" in text and "$247.80" in text
    assert "02/05/2024" in text and "Estado de cuenta" in text
    response = client.post(
        reverse("legal:request", args=[world.case.pk]), {"kind": "ordinary", "note": "Sin respuesta"}
    )
    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("legal:detail", args=[referral.pk])
    # the collector cannot approve its own request (403: not a head)
    assert client.post(reverse("legal:approve", args=[referral.pk])).status_code == 403

    client.force_login(world.users.jefe)
    index = client.get(reverse("legal:index")).content.decode()
    assert referral.code in index
    detail = client.get(reverse("legal:detail", args=[referral.pk])).content.decode()
    assert "Aprobar y emitir la certificación" in detail
    response = client.post(reverse("legal:approve", args=[referral.pk]), follow=True)
    assert "aprobada" in response.content.decode()
    referral.refresh_from_db()
    assert referral.state == ReferralState.APPROVED

    client.force_login(world.users.juridico)
    home = client.get(reverse("home"))
    assert home["Location"] == reverse("legal:index")
    index = client.get(reverse("legal:index")).content.decode()
    assert referral.code in index
    cert = client.get(reverse("documents:download", args=[referral.certificate.number]))
    assert cert.status_code == 200 and cert.content.startswith(b"%PDF")
    zip_file = client.get(reverse("documents:download", args=[referral.package.number]))
    assert zip_file.status_code == 200 and zip_file["Content-Type"] == "application/zip"
    client.post(reverse("legal:accept", args=[referral.pk]))
    on(settings, date(2024, 8, 5))
    response = client.post(
        reverse("legal:step", args=[referral.pk]),
        {"kind": "lawsuit_filed", "on": "05/08/2024", "court": "", "court_case_number": ""},
    )
    assert response.status_code == 400
    assert "indique el tribunal y el número de expediente judicial" in response.content.decode()
    response = client.post(
        reverse("legal:step", args=[referral.pk]),
        {
            "kind": "lawsuit_filed",
            "on": "05/08/2024",
            "court": "Juzgado Primero de lo Civil y Mercantil",
            "court_case_number": "123-EC-2024",
            "next_step": "Audiencia",
            "next_step_on": "10/09/2024",
        },
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.state == ReferralState.IN_COURT
    # the collector sees the progress on the case file
    client.force_login(world.users.gestor1)
    case_page = client.get(reverse("cases:detail", args=[world.case.pk])).content.decode()
    assert "Demanda presentada" in case_page and "123-EC-2024" in case_page
    assert "Remitido a cobro judicial" in case_page


def test_a_refused_request_names_what_is_missing_and_changes_nothing(in_arrears, settings, client):
    from cobranza.cases.models import CaseFile, CaseState

    world = in_arrears
    case = CaseFile.objects.create(employer=world.own, state=CaseState.IN_COLLECTION)
    on(settings, DAY)
    client.force_login(world.users.gestor1)
    response = client.post(reverse("legal:request", args=[case.pk]), {"kind": "ordinary"})
    text = response.content.decode()
    assert response.status_code == 400
    assert "faltan 2 avisos documentados (hay 0 de 2)" in text
    assert not Referral.objects.exists()


def test_visibility_and_roles(noticed, settings, client):
    world = noticed
    on(settings, DAY)
    from cobranza.legal import services

    referral = services.referral_request(actor=world.users.gestor1, case=world.case)
    # another collector and the service desk do not see it; legal does not see requests not approved
    for role, expected in (
        ("gestor2", 404),
        ("atencion", 404),
        ("callcenter", 404),
        ("juridico", 404),
        ("jefe", 200),
        ("jefe_sucursal", 200),
        ("gestor1", 200),
    ):
        client.force_login(getattr(world.users, role))
        assert client.get(reverse("legal:detail", args=[referral.pk])).status_code == expected, role
    client.force_login(world.users.gestor2)
    assert client.get(reverse("legal:request", args=[world.case.pk])).status_code == 404
    client.force_login(world.users.atencion)
    assert client.get(reverse("legal:request", args=[world.case.pk])).status_code == 403
    client.force_login(world.users.gestor1)
    assert client.get(reverse("legal:index")).status_code == 403


def test_reports_screen_excel_pdf(noticed, settings, client):
    world = noticed
    from cobranza.legal import services

    on(settings, DAY)
    referral = services.referral_request(actor=world.users.gestor1, case=world.case)
    services.referral_approve(actor=world.users.jefe, referral=referral)
    client.force_login(world.users.jefe)
    page = client.get(reverse("legal:reports"), {"desde": "01/01/2024", "hasta": "31/12/2024"})
    text = page.content.decode()
    assert page.status_code == 200 and "08/2024" in text and "$247.80" in text and "<svg" in text
    xlsx = client.get(reverse("legal:reports_xlsx"), {"desde": "01/01/2024", "hasta": "31/12/2024"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    pdf = client.get(reverse("legal:reports_pdf"), {"desde": "01/01/2024", "hasta": "31/12/2024"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    bad = client.get(reverse("legal:reports"), {"desde": "31/02/2024"})
    assert bad.status_code == 200 and "fecha desde" in bad.content.decode().lower()
