"""Account hygiene: a collector sends a clean-up request from a case file, afiliación resolves it,
and the collector sees the answer in the case chronology; the head reads the reports."""

import pytest
from playwright.sync_api import expect

from cobranza.cases.services import case_for_employer
from cobranza.hygiene.services import hygiene_scan
from tests.e2e.conftest import screenshot
from tests.hygiene.conftest import AS_OF, hyg  # noqa: F401 - the portfolio of the hygiene tests


def logout(page):
    page.get_by_role("button", name="Salir").click()
    page.wait_for_load_state("networkidle")


@pytest.mark.django_db(transaction=True)
def test_request_from_case_resolved_by_afiliacion(hyg, login, live_server):  # noqa: F811
    hygiene_scan(actor=None, as_of=AS_OF)
    case = case_for_employer(employer=hyg.e1, actor=hyg.world.users.gestor1, create=True)
    case_url = f"{live_server.url}/expedientes/{case.pk}/"

    # the collector sends the rate mismatch of March to afiliación
    page = login("gestor1")
    page.goto(case_url)
    panel = page.get_by_test_id("hygiene-panel")
    expect(panel).to_contain_text("Cotización distinta de tasa × salario afecto · 03/2024")
    form = page.get_by_test_id("hygiene-request-form")
    form.get_by_label("Hallazgo", exact=True).select_option(index=1)
    form.get_by_label("Nota para el área").fill("La cotización patronal de marzo está $5.00 abajo.")
    form.get_by_role("button", name="Enviar solicitud de depuración").click()
    expect(page.get_by_text("enviada a Afiliación; vence el 12/07/2024")).to_be_visible()
    expect(page.get_by_test_id("chronology")).to_contain_text("Solicitud de depuración enviada")
    screenshot(page, "depuracion-1-gestor-envia")
    logout(page)

    # afiliación finds it in its queue and resolves it
    login("afiliacion")
    page.get_by_test_id("nav-hygiene").click()
    page.get_by_role("link", name="Solicitudes de mi área").click()
    expect(page.get_by_role("heading", name="Solicitudes de depuración · Afiliación")).to_be_visible()
    table = page.get_by_test_id("requests-table")
    expect(table).to_contain_text(hyg.e1.legal_name)
    expect(table).not_to_contain_text("Dejó de presentar planillas")  # inspección's, not afiliación's
    screenshot(page, "depuracion-2-cola-afiliacion")
    table.locator("tr", has_text=hyg.e1.legal_name).get_by_role("link").first.click()
    expect(page.get_by_test_id("request-finding")).to_contain_text("esperado $105.00, declarado $100.00")
    page.get_by_label("Respuesta (qué se corrigió)").fill(
        "El patrono presentó la planilla corregida de marzo."
    )
    page.get_by_role("button", name="Marcar resuelta").click()
    expect(page.get_by_text("resuelta; el saldo del patrono se recalcula")).to_be_visible()
    expect(page.get_by_test_id("request-answer")).to_contain_text("El patrono presentó la planilla corregida")
    screenshot(page, "depuracion-3-afiliacion-resuelve")
    logout(page)

    # the collector sees the answer in the chronology
    page = login("gestor1")
    page.goto(case_url)
    chronology = page.get_by_test_id("chronology")
    expect(chronology).to_contain_text("Solicitud de depuración resuelta")
    expect(chronology).to_contain_text("El patrono presentó la planilla corregida de marzo.")
    expect(page.get_by_test_id("hygiene-requests")).to_contain_text("resuelta")
    screenshot(page, "depuracion-4-cronologia-gestor")
    logout(page)

    # the head: reports with the chart, and the overdue list
    page = login("jefe")
    page.goto(f"{live_server.url}/depuracion/reportes/")
    expect(page.get_by_test_id("hygiene-chart")).to_be_visible()
    expect(page.get_by_test_id("by-area")).to_contain_text("Inspección")
    screenshot(page, "depuracion-5-reportes-jefe")
    page.goto(f"{live_server.url}/depuracion/")
    screenshot(page, "depuracion-6-hallazgos-jefe")
