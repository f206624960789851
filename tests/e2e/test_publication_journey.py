"""Publication list of resisting employers (issue 11 item 4): the branch head prepares a list from
the candidates, generates the prior-notification letters, records a reply inside the window; once
the window has elapsed the preparer's approval is refused (four eyes) and the department head
approves; the frozen, numbered list shows the employers and figures and exports PDF and CSV.

Data: the worked examples (tests/data/examples), through the real importer; the policy has no
interest, a surcharge of 1 % of the contribution per month (or part) late, and the minimums
≥ 3 months and ≥ $500.00 of collectible overdue debt.

* Friday 28/06/2024 (prepare and notify): the candidates are Textiles del Pacífico (100000002,
  $1,434.90, 5 months: see tests/agreements) and Constructora Hermanos Rivas (100000003, $539.58,
  15 months). The reply deadline is 10 business days later: 1–5 and 8–12 July → 12/07/2024.
* Constructora signs an agreement inside the window: drafted 01/07/2024, approved, down payment
  paid 03/07/2024 (signed that day); the head records the reply «Firmó convenio» on 05/07/2024.
* Monday 15/07/2024 (the first day after the deadline): Textiles owes three contributions of
  $459.90 = $1,379.70 plus surcharges 2024-01 (due 14/02, 6 months) 6 % = 27.594 → $27.59,
  2024-02 (due 14/03, 5) 5 % = 22.995 → $23.00, 2024-03 (due 12/04, 4) 4 % = 18.396 → $18.40:
  $68.99; 1,379.70 + 68.99 = $1,448.69, 6 months in arrears. Lista 2024-1 holds Textiles only,
  with $1,448.69; Constructora is left out («Firmó convenio de pago dentro del plazo de respuesta»).
"""

import csv
import io
import re
import shutil
import subprocess
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.agreements.conftest import load_examples
from tests.e2e.conftest import SCREENSHOTS, screenshot

PREPARED_ON = date(2024, 6, 28)  # Friday
SIGNED_ON = date(2024, 7, 3)
REPLIED_ON = date(2024, 7, 5)
APPROVED_ON = date(2024, 7, 15)  # Monday, the first day after the deadline 12/07/2024
TEXTILES = "Textiles del Pacífico, S.A. de C.V."
RIVAS = "Constructora Hermanos Rivas"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def examples_world(world):
    from cobranza.employers.models import Employer
    from cobranza.portfolio.models import Assignment

    load_examples()
    for number in ("100000002", "100000003"):
        Assignment.objects.create(
            employer=Employer.objects.get(employer_number=number),
            collector=world.users.gestor1,
            reason="prueba",
        )
    return world


def logout(page) -> None:
    page.get_by_role("button", name="Salir").click()
    page.wait_for_load_state("networkidle")


def sign_agreement_inside_the_window(world) -> str:
    """Constructora Hermanos Rivas signs a 3-installment agreement ($150.00 down, above the 20 %
    minimum of $107.92) through the agreements services: drafted by gestor1 on 01/07/2024,
    approved by the department head, down payment paid on 03/07/2024 (the signature date)."""
    from cobranza.agreements import services
    from cobranza.agreements.models import AgreementState
    from cobranza.employers.models import Employer
    from tests.agreements.helpers import business_day, pay

    rivas = Employer.objects.get(employer_number="100000003")
    with business_day(date(2024, 7, 1)):
        agreement = services.agreement_draft(
            actor=world.users.gestor1, employer=rivas, down_payment="150.00", installments=3
        )
        services.agreement_approve(actor=world.users.jefe, agreement=agreement)
    with business_day(SIGNED_ON):
        payment = pay(rivas, "PRIMA-RIVAS", SIGNED_ON, "150.00")
        agreement = services.agreement_register_down_payment(
            actor=world.users.gestor1, agreement=agreement, payment=payment
        )
    assert agreement.state == AgreementState.ACTIVE and agreement.signed_on == SIGNED_ON
    return agreement.number


def save_pdf(body: bytes, name: str) -> str:
    """Keep the PDF with the screenshots, a picture of each page to look at, and its text."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.pdf"
    path.write_bytes(body)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(SCREENSHOTS / name)], check=False)
    if shutil.which("pdftotext"):
        return subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=False
        ).stdout
    return ""


@pytest.mark.django_db(transaction=True)
def test_head_prepares_notifies_another_head_approves_and_exports(
    examples_world, login, live_server, settings
):
    world = examples_world

    # 1. Friday 28/06/2024: the branch head sees the candidates and prepares a list with both.
    settings.COBRANZA_BUSINESS_DATE = PREPARED_ON
    page = login("jefe_sucursal")
    page.get_by_test_id("nav-publications").click()
    page.get_by_role("link", name="Candidatos").click()
    candidates = page.get_by_test_id("candidates")
    expect(candidates.get_by_role("row", name=TEXTILES)).to_contain_text("$1,434.90")
    expect(candidates.get_by_role("row", name=RIVAS)).to_contain_text("$539.58")
    expect(page.get_by_test_id("criteria")).to_contain_text("$500.00")
    expect(page.get_by_label(f"Seleccionar {TEXTILES}")).to_be_checked()
    expect(page.get_by_label(f"Seleccionar {RIVAS}")).to_be_checked()
    screenshot(page, "publicacion-1-candidatos")
    page.get_by_label("Nota de la lista (opcional)").fill("Primer semestre 2024")
    page.get_by_test_id("prepare-list").click()
    expect(page.get_by_text("Lista preparada con 2 patronos")).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("list-state")).to_have_text("En preparación")
    list_url = page.url

    # 2. The prior-notification letters: one per employer, the batch as one PDF.
    page.get_by_test_id("notify").click(timeout=60_000)
    expect(
        page.get_by_text("2 avisos previos emitidos; plazo de respuesta hasta el 12/07/2024")
    ).to_be_visible(timeout=120_000)
    expect(page.get_by_test_id("deadline")).to_contain_text("hasta el 12/07/2024 (10 días hábiles)")
    expect(page.get_by_test_id("entry-100000002")).to_contain_text("28/06/2024 · plazo 12/07/2024")
    screenshot(page, "publicacion-2-avisos")
    notices = page.request.get(
        live_server.url + page.get_by_test_id("notices-pdf").get_attribute("href"), timeout=60_000
    )
    assert notices.ok and notices.headers["content-type"] == "application/pdf"
    assert notices.body().startswith(b"%PDF")
    text = save_pdf(notices.body(), "publicacion-avisos-previos")
    if text:
        assert TEXTILES in text and RIVAS in text and "12/07/2024" in text

    # 3. Inside the window Constructora signs an agreement and the head records its reply.
    sign_agreement_inside_the_window(world)
    settings.COBRANZA_BUSINESS_DATE = REPLIED_ON
    page.goto(list_url)
    row = page.get_by_test_id("entry-100000003")
    row.get_by_text("Registrar respuesta").click()
    row.get_by_label("Respuesta", exact=True).select_option(label="Firmó convenio de pago")
    row.get_by_label("Fecha de la respuesta").fill("05/07/2024")
    row.get_by_label("Nota", exact=True).fill("Convenio firmado el 03/07/2024")
    row.get_by_role("button", name="Guardar respuesta").click()
    expect(page.get_by_text(f"Respuesta de {RIVAS} registrada.")).to_be_visible()
    expect(page.get_by_test_id("entry-100000003")).to_contain_text("Firmó convenio de pago el 05/07/2024")

    # 4. Monday 15/07/2024, the window elapsed: the preparer's own approval is refused.
    settings.COBRANZA_BUSINESS_DATE = APPROVED_ON
    page.goto(list_url)
    expect(page.get_by_text("Usted preparó la lista: debe aprobarla otra jefatura.")).to_be_visible()
    page.get_by_test_id("approve").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Usted preparó esta lista: debe aprobarla otra jefatura (control de cuatro ojos)."
    )
    expect(page.get_by_test_id("list-state")).to_have_text("Avisos enviados")
    screenshot(page, "publicacion-3-cuatro-ojos")
    logout(page)

    # 5. The department head approves: the list is frozen and numbered with the figures of the day.
    page = login("jefe")
    page.get_by_test_id("nav-publications").click()
    page.get_by_role("link", name="Listas de publicación").click()
    page.get_by_role("link", name="Lista en preparación del 28/06/2024").click()
    page.get_by_test_id("approve").click(timeout=60_000)
    expect(page.get_by_text("Lista 2024-1 aprobada y congelada al 15/07/2024.")).to_be_visible(
        timeout=120_000
    )
    expect(page.get_by_role("heading", name="Lista 2024-1")).to_be_visible()
    expect(page.get_by_test_id("list-state")).to_have_text("Aprobada y congelada")
    published = page.get_by_test_id("entry-100000002")
    expect(published).to_contain_text("Publicado")
    expect(published).to_contain_text("$1,448.69")
    expect(published.locator("td").nth(8)).to_have_text("6")
    left_out = page.get_by_test_id("entry-100000003")
    expect(left_out).to_contain_text("No publicado")
    expect(left_out).to_contain_text("Firmó convenio de pago dentro del plazo de respuesta")
    expect(page.locator("body")).to_contain_text(re.compile(r"1 patronos? publicados? · \$1,448\.69"))
    screenshot(page, "publicacion-4-lista-congelada")

    # 6. The exports for the media: the PDF and the CSV hold the list's number and its employer only.
    pdf = page.request.get(
        live_server.url + page.get_by_test_id("list-pdf").get_attribute("href"), timeout=120_000
    )
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    text = save_pdf(pdf.body(), "publicacion-lista-2024-1")
    if text:
        assert "Lista 2024-1" in text and TEXTILES in text and "$1,448.69" in text
        assert RIVAS not in text
    with page.expect_download() as download_info:
        page.get_by_test_id("list-csv").click()
    download = download_info.value
    assert download.suggested_filename == "lista-2024-1.csv"
    rows = list(csv.reader(io.StringIO(open(download.path(), encoding="utf-8-sig").read())))
    assert rows == [
        ["lista", "fecha", "numero_patronal", "patrono", "meses_en_mora", "monto_adeudado"],
        ["2024-1", "2024-07-15", "100000002", TEXTILES, "6", "1448.69"],
    ]
