"""A collector's own view (issue 9, item 8): the defaulted agreements and broken promises of its own
portfolio, its agreement reports, and from the case file one click to the payment options.

Textiles del Pacífico (100000002) is in gestor1's portfolio: it signs a 6-installment agreement
(down payment $286.98 on 05/07/2024), pays the first installment and not the second (due 30/08/2024),
so on 10/09/2024 one installment is overdue ($199.85, 11 days).
"""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.agreements.helpers import AS_OF, active_e2, pay

pytestmark = pytest.mark.django_db

CHECKED = date(2024, 9, 10)


@pytest.fixture
def defaulted(agr, settings):
    settings.COBRANZA_BUSINESS_DATE = AS_OF
    agreement = active_e2(agr, paid_on=date(2024, 7, 5))
    pay(agr.e2, "CUOTA-1", date(2024, 7, 29), "199.85")
    settings.COBRANZA_BUSINESS_DATE = CHECKED
    call_command("agreements", "check", "--as-of", CHECKED.isoformat(), stdout=StringIO())
    agreement.refresh_from_db()
    return agreement


def broken_promise(agr):
    from cobranza.cases.models import ActionOutcome, CaseFile, CollectionAction, PaymentPromise

    case = CaseFile.objects.filter(employer=agr.e2).exclude(state="closed").first()
    action = CollectionAction.objects.create(
        case=case, kind="call", outcome=ActionOutcome.objects.first(), contact_person="Ana María López"
    )
    return PaymentPromise.objects.create(
        action=action,
        case=case,
        amount=Decimal("123.45"),
        made_on=date(2024, 8, 20),
        promised_on=date(2024, 8, 30),
        status="broken",
    )


def test_collector_sees_the_defaulted_agreements_of_its_portfolio(client, agr, defaulted):
    broken_promise(agr)
    client.force_login(agr.users.gestor1)
    response = client.get(reverse("agreements:call_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Convenios con cuotas vencidas de su cartera" in html and "al 10/09/2024" in html
    table = html.split('data-testid="call-list"')[1].split("</table>")[0]
    assert defaulted.number in table and "Textiles del Pacífico" in table
    assert "$199.85" in table and "2222-1002" in table and ">11<" in table
    promises = html.split('data-testid="broken-promises"')[1]
    assert "Promesas de pago incumplidas de su cartera" in promises
    assert "$123.45" in promises and "30/08/2024" in promises
    # the call center's re-import is not a collector's task
    assert "Registrar los resultados de las llamadas" not in html
    assert client.post(reverse("agreements:call_import")).status_code == 403
    # the Excel list holds its portfolio too
    xlsx = client.get(reverse("agreements:call_list"), {"formato": "xlsx"})
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    # and the menu offers both pages
    assert 'href="/convenios/centro-de-llamadas/"' in html and "Reportes de convenios" in html


def test_another_collector_sees_none_of_it(client, agr, defaulted):
    broken_promise(agr)
    client.force_login(agr.users.gestor2)
    html = client.get(reverse("agreements:call_list")).content.decode()
    assert defaulted.number not in html and "Textiles del Pacífico" not in html and "$123.45" not in html
    assert "Ningún convenio tiene cuotas vencidas según la última revisión." in html
    assert "No hay promesas de pago incumplidas." in html
    report = client.get(reverse("agreements:reports")).content.decode()
    assert "Reportes de convenios de su cartera" in report and defaulted.number not in report


def test_the_call_center_keeps_its_whole_list_and_the_import(client, agr, defaulted):
    client.force_login(agr.users.callcenter)
    html = client.get(reverse("agreements:call_list")).content.decode()
    assert "Convenios con cuotas vencidas <span" in html and "de su cartera" not in html
    assert defaulted.number in html and "Registrar los resultados de las llamadas" in html


def test_collector_reports_cover_its_portfolio(client, agr, defaulted):
    client.force_login(agr.users.gestor1)
    html = client.get(reverse("agreements:reports")).content.decode()
    assert "Reportes de convenios de su cartera" in html
    assert defaulted.number in html and "Textiles del Pacífico" in html
    pdf = client.get(reverse("agreements:reports"), {"formato": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_case_file_has_one_click_to_the_payment_options(client, agr, defaulted):
    from cobranza.cases.models import CaseFile

    case = CaseFile.objects.filter(employer=agr.e2).exclude(state="closed").get()
    assert case.state == "agreement"  # set by the agreement's signing, not by hand
    client.force_login(agr.users.gestor1)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    options = reverse("agreements:options", args=["100000002"])
    assert f'href="{options}" data-testid="case-payment-options"' in html and "Opciones de pago" in html
    # a case under agreement offers no manual state change: it follows its agreement
    assert 'data-testid="transition-form"' not in html
    page = client.get(options).content.decode()
    assert "Opciones de pago · Textiles del Pacífico" in page
