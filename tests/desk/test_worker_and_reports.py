"""The worker's question (no amounts, recorded) and the desk's reports (chart and Excel)."""

from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cobranza.desk import services
from cobranza.desk.models import Inquiry, InquiryStatus


@pytest.mark.django_db
def test_worker_is_told_since_when_payments_are_missing_without_amounts(client, three_periods):
    world = three_periods
    client.force_login(world.users.atencion)
    found = client.get(reverse("desk:worker"), {"q": "ñandu"}).content.decode()
    assert world.own.employer_number in found
    response = client.post(
        reverse("desk:worker"),
        {
            "employer_number": world.own.employer_number,
            "requester_name": "José Martínez",
            "requester_document": "04567890-1",
            "channel": "telefono",
        },
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert (
        "no está al día: faltan pagos de cotizaciones desde el período 01/2024 (3 períodos vencidos)" in text
    )
    assert "$" not in text.split('data-testid="coverage-answer"')[1].split("</div>")[0]
    inquiry = Inquiry.objects.get()
    assert inquiry.requester_type == "trabajador" and inquiry.status == InquiryStatus.ANSWERED
    assert inquiry.subject == "cobertura"


@pytest.mark.django_db
def test_reports_count_by_month_channel_subject_outcome_and_certificates(client, three_periods, settings):
    """June 2024: one consulta answered the same day (0 days), one reclamo rejected 2 days later
    (opened 30/06, resolved 02/07 → counted in June by opening date): average 1.0 day.
    Certificates: one refused (overdue periods)."""
    world = three_periods
    a = services.inquiry_register(
        actor=world.users.atencion,
        kind="consulta",
        channel="telefono",
        requester_type="patrono",
        requester_name="A",
        subject="saldo",
        description="x",
        employer=world.own,
    )
    services.inquiry_transition(actor=world.users.atencion, inquiry=a, to=InquiryStatus.ANSWERED, note="ok")
    b = services.inquiry_register(
        actor=world.users.atencion,
        kind="reclamo",
        channel="correo",
        requester_type="patrono",
        requester_name="B",
        subject="pago",
        description="x",
        employer=world.own,
        periods=["2024-01"],
    )
    services.solvency_issue(actor=world.users.atencion, employer=world.own)
    settings.COBRANZA_BUSINESS_DATE = date(2024, 7, 2)
    services.inquiry_transition(
        actor=world.users.atencion, inquiry=b, to=InquiryStatus.REJECTED, note="no procede"
    )

    client.force_login(world.users.jefe)
    response = client.get(reverse("desk:reports"), {"start": "01/06/2024", "end": "31/07/2024"})
    text = response.content.decode()
    assert "<svg" in text and "Consultas 06/2024: 1" in text
    assert "tiempo promedio de respuesta\n  1.0 días" in text
    assert "constancias emitidas 0, denegadas 1" in text
    xlsx = client.get(
        reverse("desk:reports"), {"start": "01/06/2024", "end": "31/07/2024", "formato": "xlsx"}
    )
    ws = load_workbook(BytesIO(xlsx.content))["Por mes"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4, max_row=4)]
    assert rows[0] == ["06/2024", 1, 1, 2, 1.0, 0, 1]
    bad = client.get(reverse("desk:reports"), {"start": "31/02/2024"})
    assert bad.status_code == 400
