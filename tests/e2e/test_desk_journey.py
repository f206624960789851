"""The desk registers a claim (its periods leave collection) and issues a solvency certificate;
an anonymous procurement officer verifies it on /verificar/ — by the QR's link and by typing it."""

import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cobranza.documents.models import IssuedDocument
from tests.e2e.conftest import SCREENSHOTS, screenshot
from tests.factories import DeclarationFactory, PaymentFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.django_db(transaction=True)
def test_desk_claim_certificate_and_public_verification(world, login, live_server, page, settings):
    settings.COBRANZA_BUSINESS_DATE = date(2024, 6, 30)
    settings.COBRANZA_PUBLIC_URL = live_server.url
    for period, filed in (
        ("2024-01", date(2024, 2, 5)),
        ("2024-02", date(2024, 3, 5)),
        ("2024-03", date(2024, 4, 5)),
    ):
        DeclarationFactory(employer=world.own, period=period, filed_on=filed)
    buyer = world.elsewhere
    buyer.address = "Av. Independencia 12, Santa Ana"
    buyer.legal_representative = "Rosa Aguilar de Menjívar"
    buyer.nit = "0210-150390-101-4"
    buyer.save()
    DeclarationFactory(employer=buyer, period="2024-05", filed_on=date(2024, 6, 3))
    PaymentFactory(
        employer=buyer,
        payment_id="SA-1",
        paid_on=date(2024, 6, 10),
        amount=Decimal("105.00"),
        period="2024-05",
    )

    # the desk registers a claim on two periods of world.own
    login("atencion")
    page.get_by_role("link", name="Atención").first.click()
    expect(page.get_by_role("heading", name="Atención a usuarios")).to_be_visible()
    page.get_by_role("link", name="Registrar consulta o reclamo").click()
    page.get_by_label("Tipo").select_option(label="Reclamo")
    page.get_by_label("Canal").select_option(label="Ventanilla")
    page.get_by_label("Asunto").select_option(label="Planilla o período no adeudado")
    page.get_by_label("Nombre de quien consulta").fill("María Pérez, contadora")
    page.get_by_label("Documento de identidad (DUI u otro)").fill("01234567-8")
    page.get_by_label("Número patronal").fill(world.own.employer_number)
    page.get_by_label("Períodos (AAAA-MM, separados por comas)").fill("2024-01, 2024-02")
    page.get_by_label("Detalle").fill("Los trabajadores de enero y febrero ya estaban dados de baja.")
    page.get_by_role("button", name="Registrar").click()
    expect(page.get_by_text("Reclamo RC-2024-000001 registrado.")).to_be_visible()
    expect(page.get_by_test_id("suspension-note")).to_contain_text("01/2024, 02/2024")
    screenshot(page, "atencion-reclamo-registrado")
    page.get_by_role("link", name="Atención").first.click()
    expect(page.get_by_test_id("pending")).to_contain_text("RC-2024-000001")
    screenshot(page, "atencion-trabajo")

    # the employer's statement marks them; a certificate is refused, listing the overdue periods
    page.get_by_role("link", name="RC-2024-000001").first.click()
    page.get_by_role("link", name=world.own.legal_name).first.click()
    expect(page.get_by_test_id("in-claim").first).to_contain_text("en reclamo RC-2024-000001")
    page.goto(f"{live_server.url}/atencion/solvencia/{world.own.employer_number}/")
    expect(page.get_by_test_id("solvency-result")).to_contain_text("No solvente")
    expect(page.get_by_test_id("overdue-periods")).to_contain_text("en reclamo RC-2024-000001")
    screenshot(page, "atencion-solvencia-denegada")

    # a solvent employer gets its certificate
    page.goto(f"{live_server.url}/patronos/{buyer.employer_number}/")
    page.get_by_role("link", name="Constancia de solvencia").click()
    expect(page.get_by_test_id("solvency-result")).to_contain_text("Solvente")
    page.get_by_role("button", name="Emitir constancia de solvencia").click()
    expect(
        page.get_by_text(
            "Constancia de solvencia CS-2024-000001 emitida (solvente), vigente hasta el 30/07/2024."
        )
    ).to_be_visible()
    code = page.get_by_test_id("verification-code").first.inner_text()
    screenshot(page, "atencion-solvencia-emitida")
    document = IssuedDocument.objects.get(number="CS-2024-000001")
    assert document.code_display == code

    # the PDF as a procurement officer sees it
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pdf_path = SCREENSHOTS / "constancia-solvencia.pdf"
    pdf = page.request.get(f"{live_server.url}/documentos/CS-2024-000001/archivo")
    assert pdf.ok
    pdf_path.write_bytes(pdf.body())
    assert pdf.body().startswith(b"%PDF")
    if shutil.which("pdftoppm"):  # poppler-utils: a picture of each page, to look at
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", str(pdf_path), str(SCREENSHOTS / "constancia-solvencia")],
            check=False,
        )
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(pdf_path), "-"], capture_output=True, text=True, check=False
        ).stdout
        assert "CONSTANCIA DE SOLVENCIA" in text and code in text and buyer.legal_name in text

    # anonymous: scans the QR (the page's URL with the code) …
    page.get_by_role("button", name="Salir").click()
    page.goto(f"{live_server.url}/verificar/?codigo={code}")
    result = page.get_by_test_id("verify-result")
    expect(result).to_contain_text("Documento auténtico y VIGENTE")
    expect(result).to_contain_text(buyer.legal_name)
    expect(result).to_contain_text("del 01/07/2024 al 30/07/2024")
    screenshot(page, "verificar-vigente")
    # … or types it; a wrong code says so
    page.goto(f"{live_server.url}/verificar/")
    page.get_by_label("Código de verificación").fill("ABCD-EFGH-JKMN")
    page.get_by_role("button", name="Verificar").click()
    expect(page.get_by_test_id("verify-error")).to_contain_text("No se encontró ningún documento")
    page.get_by_label("Código de verificación").fill(code.replace("-", " ").lower())
    page.get_by_role("button", name="Verificar").click()
    expect(page.get_by_test_id("verify-result")).to_contain_text("VIGENTE")
    assert Path(SCREENSHOTS / "verificar-vigente.png").exists()
