"""Agreement pages: what a collector, a head and the call center see and can do."""

from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cobranza.agreements import services
from cobranza.agreements.models import Agreement, AgreementState, CallRecord
from tests.agreements.helpers import AS_OF, active_e2, draft_e2, pay

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_employer_page_shows_agreements_section_with_options(client, agr):
    client.force_login(agr.users.gestor1)
    html = client.get(
        reverse("employers:detail", args=["100000002"]), {"as_of": "2024-06-30"}
    ).content.decode()
    assert 'data-testid="employer-agreements"' in html
    assert "Opciones al 30/06/2024" in html and "$1,434.90" in html
    assert "Pago de contado" in html and "12 cuotas" in html and "$286.98" in html
    assert reverse("agreements:options", args=["100000002"]) in html


def test_options_page_lists_each_allowed_term_and_simulates(client, agr, settings):
    settings.COBRANZA_BUSINESS_DATE = AS_OF  # drafts are dated today: the button shows on today's options
    client.force_login(agr.users.gestor1)
    url = reverse("agreements:options", args=["100000002"])
    html = client.get(url, {"as_of": "2024-06-30"}).content.decode()
    assert "$1,434.90" in html and "$286.98" in html
    for n in (3, 6, 9, 12):
        assert f'data-testid="option-{n}"' in html
    assert 'data-testid="option-18"' not in html  # band max for ≤ $10,000 is 12
    assert "1.26 %" in html
    html = client.get(
        url, {"as_of": "30/06/2024", "down_payment": "336.98", "installments": "3"}
    ).content.decode()
    assert "$375.23" in html and "$375.24" in html and "$1,462.68" in html and "30/07/2024" in html
    assert "Elaborar convenio con esta opción" in html
    html = client.get(
        url, {"as_of": "2024-06-30", "down_payment": "100", "installments": "3"}
    ).content.decode()
    assert "La prima mínima es $286.98" in html and "Elaborar convenio" not in html
    html = client.get(
        url, {"as_of": "2024-06-30", "down_payment": "336.98", "installments": "24"}
    ).content.decode()
    assert "plazo máximo" in html and "12 cuotas" in html


def test_options_page_hides_draft_button_from_roles_that_cannot_draft(client, agr):
    client.force_login(agr.users.atencion)
    url = reverse("agreements:options", args=["100000002"])
    html = client.get(
        url, {"as_of": "2024-06-30", "down_payment": "336.98", "installments": "3"}
    ).content.decode()
    assert "$375.23" in html and "Elaborar convenio" not in html
    response = client.post(
        reverse("agreements:draft", args=["100000002"]),
        {"as_of": "2024-06-30", "start": "2024-07-30", "down_payment": "336.98", "installments": "3"},
    )
    assert response.status_code == 403 and Agreement.objects.count() == 0


def test_draft_approve_and_down_payment_through_the_pages(client, agr, settings):
    settings.COBRANZA_BUSINESS_DATE = AS_OF
    client.force_login(agr.users.gestor1)
    response = client.post(
        reverse("agreements:draft", args=["100000002"]),
        {"as_of": "2024-06-30", "start": "2024-07-30", "down_payment": "286.98", "installments": "6"},
        follow=True,
    )
    agreement = Agreement.objects.get()
    assert response.redirect_chain[-1][0] == reverse("agreements:detail", args=[agreement.pk])
    html = response.content.decode()
    assert "queda en borrador" in html and "Borrador" in html and "$199.85" in html
    assert "Aprobar convenio" not in html
    # The drafter, even a head, is told to get another head's approval.
    client.force_login(agr.users.jefe)
    html = client.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
    assert "Aprobar convenio" in html
    response = client.post(reverse("agreements:approve", args=[agreement.pk]), follow=True)
    assert "aprobado" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.APPROVED and agreement.approved_by == agr.users.jefe
    # Down payment: only suitable payments are offered.
    client.force_login(agr.users.gestor1)
    html = client.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
    assert 'data-testid="no-down-payment"' in html
    pay(agr.e2, "DP-OK", date(2024, 7, 5), "286.98")
    pay(agr.e2, "DP-SHORT", date(2024, 7, 6), "10.00")
    html = client.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
    assert "DP-OK" in html and "DP-SHORT" not in html
    payment_pk = agreement.employer.payments.get(payment_id="DP-OK").pk
    response = client.post(
        reverse("agreements:down_payment", args=[agreement.pk]), {"payment": payment_pk}, follow=True
    )
    html = response.content.decode()
    assert "Prima registrada con el pago DP-OK" in html and "Vigente" in html and "05/07/2024" in html
    # A short payment posted by hand is refused with the reason.
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.ACTIVE


def test_refusals_are_shown_in_spanish_and_save_nothing(client, agr, settings):
    settings.COBRANZA_BUSINESS_DATE = AS_OF
    client.force_login(agr.users.gestor1)
    response = client.post(
        reverse("agreements:draft", args=["100000002"]),
        {"as_of": "2024-06-30", "start": "2024-07-30", "down_payment": "100.00", "installments": "6"},
        follow=True,
    )
    assert any("La prima mínima es $286.98" in m for m in messages_of(response))
    assert Agreement.objects.count() == 0
    agreement = draft_e2(agr, actor=agr.users.jefe)
    client.force_login(agr.users.jefe)
    response = client.post(reverse("agreements:approve", args=[agreement.pk]), follow=True)
    assert "Quien elaboró el convenio no puede aprobarlo" in " ".join(messages_of(response))
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.DRAFT


def test_agreement_pdf_has_parties_schedule_and_lapse_clause(client, agr):
    agreement = active_e2(agr)
    client.force_login(agr.users.gestor1)
    response = client.get(reverse("agreements:pdf", args=[agreement.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    from django.template.loader import render_to_string

    from cobranza.agreements.documents import agreement_context

    html = render_to_string("agreements/agreement_pdf.html", agreement_context(agreement))
    for text in (
        "Textiles del Pacífico",
        "100000002",
        "01/2024",
        "$1,434.90",
        "$286.98",
        "$199.85",
        "30/12/2024",
        "Incumplimiento",
        "3 cuotas vencidas",
        "Jefatura",
    ):
        assert text in html, text


def test_check_from_the_list_page(client, agr):
    agreement = active_e2(agr)
    client.force_login(agr.users.jefe)
    response = client.post(reverse("agreements:check_all"), {"as_of": "2024-11-10"}, follow=True)
    assert "incumplidos" in " ".join(messages_of(response))
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.LAPSED
    client.force_login(agr.users.gestor1)
    assert client.post(reverse("agreements:check_all"), {"as_of": "2024-11-10"}).status_code == 403


def test_call_list_excel_round_trip_records_calls(client, agr):
    agreement = active_e2(agr)
    services.agreements_check(actor=None, as_of=date(2024, 9, 10))
    client.force_login(agr.users.callcenter)
    html = client.get(reverse("agreements:call_list")).content.decode()
    assert agreement.number in html and "2222-1002" in html and "gestor1" in html
    response = client.get(reverse("agreements:call_list"), {"formato": "xlsx"})
    wb = load_workbook(BytesIO(response.content))
    ws = wb["Convenios en mora"]
    header_row = next(r for r in range(1, 10) if ws.cell(r, 1).value == "Convenio")
    row = header_row + 1
    assert ws.cell(row, 1).value == agreement.number
    assert (ws.cell(row, 7).value, ws.cell(row, 8).value) == (2, 399.7)  # installments 1 and 2 overdue
    ws.cell(row, 13).value = "15/09/2024"
    ws.cell(row, 14).value = "Promesa de pago"
    ws.cell(row, 15).value = "199.85"
    ws.cell(row, 16).value = "20/09/2024"
    ws.cell(row, 17).value = "Pagará el viernes"
    out = BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "resultados.xlsx"
    response = client.post(reverse("agreements:call_import"), {"file": out}, follow=True)
    assert "1 llamada(s) registrada(s)" in " ".join(messages_of(response))
    call = CallRecord.objects.get()
    assert (call.called_on, call.outcome, str(call.promised_amount), call.promised_on) == (
        date(2024, 9, 15),
        "promesa",
        "199.85",
        date(2024, 9, 20),
    )
    # Re-importing the same file records nothing twice; a bad row saves nothing.
    out.seek(0)
    client.post(reverse("agreements:call_import"), {"file": out})
    assert CallRecord.objects.count() == 1
    ws.cell(row, 14).value = "Quizás"
    bad = BytesIO()
    wb.save(bad)
    bad.seek(0)
    bad.name = "malo.xlsx"
    response = client.post(reverse("agreements:call_import"), {"file": bad}, follow=True)
    text = " ".join(messages_of(response))
    assert "no se registró ninguna llamada" in text and "Quizás" in text
    assert CallRecord.objects.count() == 1


def test_reports_in_html_excel_and_pdf(client, agr):
    agreement = active_e2(agr)
    pay(agr.e2, "C1", date(2024, 7, 29), "199.85")
    services.agreements_check(actor=None, as_of=date(2024, 11, 10))
    client.force_login(agr.users.jefe)
    html = client.get(reverse("agreements:reports")).content.decode()
    assert agreement.number in html and "05/11/2024" in html
    xlsx = client.get(reverse("agreements:reports"), {"formato": "xlsx"})
    wb = load_workbook(BytesIO(xlsx.content))
    assert wb.sheetnames == ["Incumplidos", "Cumplidos", "Vigentes por cobrar", "Vigentes"]
    assert wb["Incumplidos"].cell(2, 1).value == agreement.number
    pdf = client.get(reverse("agreements:reports"), {"formato": "pdf"})
    assert pdf.content.startswith(b"%PDF")


def test_agreement_of_invisible_employer_is_404(client, agr):
    agreement = draft_e2(agr)
    client.force_login(agr.users.gestor2)
    assert client.get(reverse("agreements:detail", args=[agreement.pk])).status_code == 404
    assert client.get(reverse("agreements:pdf", args=[agreement.pk])).status_code == 404
    assert client.post(reverse("agreements:approve", args=[agreement.pk])).status_code == 404
    assert client.get(reverse("agreements:options", args=["100000002"])).status_code == 404
    assert AS_OF  # the agreement was drafted at the examples' date
