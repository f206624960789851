"""A collector works its top case: call with a promise to pay, a PDF uploaded, a first notice
generated and downloaded; the head reassigns the employer, and the case changes hands."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cobranza.cases.services import case_for_employer
from tests.e2e.conftest import logout, screenshot
from tests.factories import DeclarationFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.django_db(transaction=True)
def test_collector_journey_and_reassignment(world, login, live_server, tmp_path):
    for period in ("2024-01", "2024-02", "2024-03"):
        DeclarationFactory(employer=world.own, period=period, filed_on=date(2024, 4, 1))
    case = case_for_employer(employer=world.own)
    case_url = f"{live_server.url}/expedientes/{case.pk}/"

    # gestor1 lands on its worklist and opens the top case
    page = login("gestor1")
    expect(page.get_by_role("heading", name="Mi trabajo")).to_be_visible()
    first_row = page.get_by_test_id("worklist").locator("tbody tr").first
    expect(first_row).to_contain_text(world.own.legal_name)
    expect(first_row).to_contain_text("Expediente nuevo")
    screenshot(page, "mi-trabajo-gestor1")
    first_row.get_by_role("link", name="Abrir expediente").click()
    expect(page.get_by_role("heading", name=world.own.legal_name)).to_be_visible()
    expect(page.get_by_test_id("case-state")).to_have_text("Abierto")

    # a call with a promise to pay
    form = page.get_by_test_id("action-form")
    form.get_by_label("Tipo de gestión").select_option(label="Llamada")
    form.get_by_label("Persona contactada").fill("Sra. Marta Pérez, contadora")
    form.get_by_label("Resultado").select_option(label="Contactado, promete pagar")
    form.get_by_label("Notas").fill("Pagará la cotización de enero la próxima semana.")
    form.get_by_label("Promesa de pago: monto ($)").fill("100.00")
    promised = timezone.localdate() + timedelta(days=7)
    form.get_by_label("Promesa de pago: fecha").fill(promised.strftime("%d/%m/%Y"))
    form.get_by_role("button", name="Guardar gestión").click()
    expect(page.get_by_text("Gestión registrada.")).to_be_visible()
    expect(page.get_by_test_id("case-state")).to_have_text("En gestión de cobro")
    expect(page.get_by_test_id("chronology")).to_contain_text(
        "Promesa de pago: $100.00 al " + promised.strftime("%d/%m/%Y")
    )

    # a PDF uploaded
    upload = page.get_by_test_id("document-form")
    upload.get_by_label("Archivo").set_input_files(
        {"name": "acuse-recibo.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    upload.get_by_label("Tipo de documento").select_option(label="Constancia de entrega")
    upload.get_by_label("Título").fill("Acuse de recibo del aviso")
    upload.get_by_role("button", name="Subir documento").click()
    expect(page.get_by_text("Documento «Acuse de recibo del aviso» agregado al expediente.")).to_be_visible()

    # a first notice generated and downloaded
    letter = page.get_by_test_id("letter-form")
    letter.get_by_label("Carta").select_option(label="Primer aviso de cobro")
    letter.get_by_role("button", name="Generar carta").click()
    expect(page.get_by_text("generado y guardado en el expediente")).to_be_visible()
    page.get_by_role("tab", name="Documentos").click()
    documents = page.get_by_test_id("documents")
    expect(documents).to_contain_text("Acuse de recibo del aviso")
    expect(documents).to_contain_text("Aviso de cobro")
    screenshot(page, "expediente-gestor1")
    with page.expect_download() as download_info:
        documents.get_by_role("link", name="Descargar Primer aviso de cobro").click()
    downloaded = download_info.value
    target = tmp_path / downloaded.suggested_filename
    downloaded.save_as(target)
    assert target.read_bytes().startswith(b"%PDF")
    assert downloaded.suggested_filename.startswith("aviso-primero-" + world.own.employer_number)
    logout(page)

    # the head reassigns the employer to gestor2
    page = login("jefe")
    page.get_by_test_id("nav-management").click()
    page.get_by_role("link", name="Cartera", exact=True).click()
    expect(page.get_by_role("heading", name="Cartera")).to_be_visible()
    page.get_by_label(f"Seleccionar {world.own.employer_number}").check()
    reassign = page.get_by_test_id("reassign-form")
    reassign.get_by_label("Nuevo gestor").select_option(label="gestor2")
    reassign.get_by_label("Motivo").fill("Redistribución de cartera por incapacidad")
    reassign.get_by_role("button", name="Reasignar seleccionados").click()
    expect(page.get_by_text("1 patrono asignado a gestor2.")).to_be_visible()
    screenshot(page, "cartera-jefe")
    page.get_by_role("link", name="Revisión de gestiones").click()
    expect(page.get_by_test_id("review-queue")).to_contain_text("Sra. Marta Pérez, contadora")
    screenshot(page, "revision-jefe")
    page.goto(f"{live_server.url}/expedientes/informe/")
    expect(page.get_by_test_id("report-actions")).to_contain_text("Contactado, promete pagar")
    page.wait_for_timeout(500)  # the chart's animation
    screenshot(page, "informe-jefe")
    logout(page)

    # gestor2 now works the case; gestor1 no longer sees it
    page = login("gestor2")
    page.get_by_label("Mostrar").select_option(label="Toda la cartera")  # its next action is next week
    page.get_by_role("button", name="Filtrar").click()
    expect(page.get_by_test_id("worklist")).to_contain_text(world.own.legal_name)
    page.goto(case_url)
    expect(page.get_by_test_id("case-collector")).to_have_text("gestor2")
    expect(page.get_by_test_id("chronology")).to_contain_text("gestor1 → gestor2")
    logout(page)
    page = login("gestor1")
    response = page.goto(case_url)
    assert response.status == 404
    expect(page.get_by_text("Página no encontrada")).to_be_visible()
