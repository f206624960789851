"""Judicial referral (issue 11): the collector checks the criteria and requests the referral from the
case file, the head approves it (the debt certificate and the package are issued), the legal unit
accepts it and records the lawsuit; the collector sees the progress on the case file.

The employer owes $247.80 on 01/08/2024 (tests/legal/test_services.py has the arithmetic) and was
sent two notices, on 02/05/2024 and 03/06/2024."""

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import logout, screenshot
from tests.legal.conftest import in_arrears, noticed, on  # noqa: F401 - fixtures


@pytest.mark.django_db(transaction=True)
def test_collector_requests_head_approves_legal_accepts_and_records_a_lawsuit(
    noticed,  # noqa: F811
    settings,
    login,
    live_server,
):
    world = noticed
    on(settings, date(2024, 8, 1))
    case_url = f"{live_server.url}/expedientes/{world.case.pk}/"

    page = login("gestor1")
    page.goto(case_url)
    page.get_by_test_id("legal-request-link").click()
    expect(page.get_by_test_id("criteria-ok")).to_be_visible()
    expect(page.get_by_test_id("notices")).to_contain_text("02/05/2024")
    expect(page.get_by_test_id("referral-total")).to_have_text("$247.80")
    expect(page.get_by_test_id("referral-checklist")).to_contain_text("Avisos de cobro entregados")
    screenshot(page, "remision-1-criterios-gestor")
    form = page.get_by_test_id("request-form")
    form.get_by_label("Observaciones para la jefatura").fill("El patrono no respondió a los avisos.")
    form.get_by_role("button", name="Solicitar remisión a cobro judicial").click()
    expect(page.get_by_text("queda pendiente de aprobación")).to_be_visible()
    code = page.get_by_test_id("referral-code").inner_text()
    expect(page.get_by_test_id("referral-state")).to_have_text("Solicitada (pendiente de aprobación)")
    logout(page)

    page = login("jefe")
    page.get_by_test_id("nav-legal").click()
    page.get_by_role("link", name="Remisiones").first.click()
    page.get_by_test_id("pending").get_by_role("link", name=code).click()
    # approving renders three PDFs (certificate, statement, chronology) and the ZIP: allow the time
    page.get_by_role("button", name="Aprobar y emitir la certificación").click(timeout=90_000)
    expect(page.get_by_text("se emitió la certificación de mora")).to_be_visible(timeout=90_000)
    expect(page.get_by_test_id("certificate-link")).to_contain_text("Certificación CM-2024-")
    expect(page.get_by_test_id("package-link")).to_be_visible()
    screenshot(page, "remision-2-aprobada-jefe")
    logout(page)

    page = login("juridico")  # the legal unit's home is its work page
    expect(page.get_by_role("heading", name="Cobro judicial")).to_be_visible()
    page.get_by_test_id("received").get_by_role("link", name=code).click()
    page.get_by_role("button", name="Aceptar la remisión").click()
    expect(page.get_by_test_id("referral-state")).to_have_text("Aceptada por la unidad jurídica")
    form = page.get_by_test_id("step-form")
    form.get_by_label("Paso", exact=True).select_option("lawsuit_filed")
    form.get_by_label("Fecha del paso").fill("01/08/2024")
    form.get_by_role("button", name="Registrar paso").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "indique el tribunal y el número de expediente judicial"
    )
    form = page.get_by_test_id("step-form")
    form.get_by_label("Tribunal").fill("Juzgado Primero de lo Civil y Mercantil de San Salvador")
    form.get_by_label("Número de expediente judicial").fill("123-EC-2024")
    form.get_by_label("Próximo paso", exact=True).fill("Audiencia preparatoria")
    form.get_by_label("Fecha del próximo paso").fill("10/09/2024")
    form.get_by_role("button", name="Registrar paso").click()
    expect(page.get_by_test_id("referral-state")).to_have_text("Demanda presentada")
    expect(page.get_by_test_id("steps")).to_contain_text("123-EC-2024")
    expect(page.get_by_test_id("next-step")).to_contain_text("10/09/2024")
    screenshot(page, "remision-3-demanda-juridico")
    page.goto(f"{live_server.url}/juridico/")
    expect(page.get_by_test_id("in-progress")).to_contain_text(code)
    screenshot(page, "remision-4-trabajo-juridico")
    logout(page)

    page = login("gestor1")
    page.goto(case_url)
    expect(page.get_by_test_id("case-state")).to_have_text("Remitido a cobro judicial")
    expect(page.get_by_test_id("legal-panel")).to_contain_text("Demanda presentada")
    expect(page.get_by_test_id("legal-panel-steps")).to_contain_text("01/08/2024")
    screenshot(page, "remision-5-expediente-gestor")
