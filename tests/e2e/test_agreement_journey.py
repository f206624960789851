"""Journey: an employer in arrears signs a payment agreement, then defaults on it.

gestor1 opens Textiles del Pacífico (owes $1,434.90 at 30/06/2024), compares the options and drafts
a 6-installment agreement; the department head approves it; a payments import brings the down
payment and the daily check signs the agreement; the employer pays one installment and stops; a
later check lapses the agreement and the call center finds it on its list.
"""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.agreements.conftest import load_examples
from tests.e2e.conftest import logout, screenshot


@pytest.fixture
def journey_world(world):
    from cobranza.employers.models import Employer
    from cobranza.portfolio.models import Assignment

    load_examples()
    employer = Employer.objects.get(employer_number="100000002")
    Assignment.objects.create(employer=employer, collector=world.users.gestor1, reason="prueba")
    return world


def import_payments(tmp_path, rows: list[str]) -> None:
    from cobranza.employers.imports import run_import

    path = tmp_path / "pagos.csv"
    path.write_text(
        "payment_id,employer_number,paid_on,amount,period,channel,reference\n" + "\n".join(rows) + "\n"
    )
    run_import(kind="payments", source=path, filename=path.name, actor=None, today=date(2026, 11, 24))


def run_check(page, live_server, as_of: str) -> None:
    page.goto(f"{live_server.url}/convenios/")
    page.get_by_label("Revisar todos los convenios al").fill(as_of)
    page.get_by_role("button", name="Revisar").click()
    page.wait_for_load_state("networkidle")


def draft_approve_and_sign(login, live_server, tmp_path, settings):
    """Steps 1–3 of both journeys: options, draft, four-eyes approval, down payment, signing.
    Returns the head's page (on the agreement) and the agreement's number."""
    # 1. The collector compares the options and drafts an agreement (drafts are dated on the business
    # date, never back-dated: the journey runs on 30/06/2024).
    settings.COBRANZA_BUSINESS_DATE = date(2024, 6, 30)
    page = login("gestor1")
    page.goto(f"{live_server.url}/patronos/100000002/?as_of=2024-06-30")
    section = page.get_by_test_id("employer-agreements")
    expect(section).to_contain_text("Opciones al 30/06/2024")
    expect(section).to_contain_text("$1,434.90")
    section.scroll_into_view_if_needed()
    screenshot(page, "convenio-patrono")
    section.get_by_role("link", name=re.compile("Opciones de pago")).click()
    expect(page.get_by_role("heading", name=re.compile("Opciones de pago"))).to_be_visible()
    expect(page.get_by_test_id("options-debt")).to_have_text("$1,434.90")
    for n in (3, 6, 9, 12):
        expect(page.get_by_test_id(f"option-{n}")).to_be_visible()
    expect(page.get_by_test_id("option-18")).to_have_count(0)
    screenshot(page, "convenio-opciones")

    page.get_by_label("Prima ($)").fill("100")
    page.get_by_label(re.compile(r"Cuotas \(máx")).fill("6")
    page.get_by_role("button", name="Calcular", exact=True).click()
    expect(page.get_by_test_id("simulation-error")).to_contain_text("La prima mínima es $286.98")

    page.get_by_label("Prima ($)").fill("286.98")
    page.get_by_label(re.compile(r"Cuotas \(máx")).fill("6")
    page.get_by_role("button", name="Calcular", exact=True).click()
    schedule = page.get_by_test_id("schedule")
    expect(schedule).to_contain_text("30/07/2024")
    expect(schedule).to_contain_text("$199.85")
    expect(schedule).to_contain_text("$199.82")
    screenshot(page, "convenio-calendario")
    page.get_by_role("button", name="Elaborar convenio con esta opción").click()
    expect(page.get_by_text("queda en borrador")).to_be_visible()
    expect(page.get_by_test_id("agreement-state")).to_have_text("Borrador")
    number = page.get_by_role("heading", name=re.compile("Convenio de pago CP-")).inner_text().split()[3]
    screenshot(page, "convenio-borrador")
    logout(page)

    # 2. The head approves it (four eyes).
    page = login("jefe")
    page.goto(f"{live_server.url}/convenios/")
    page.get_by_test_id("pending-approval").get_by_role("link", name=number).click()
    page.get_by_role("button", name="Aprobar convenio").click()
    expect(page.get_by_test_id("agreement-state")).to_have_text("Aprobado")

    # 3. The payments import brings the down payment; the daily check signs the agreement. The
    # business date moves on to November, so the checks below are not in the future.
    settings.COBRANZA_BUSINESS_DATE = date(2024, 11, 10)
    import_payments(tmp_path, ["DP-1,100000002,2024-07-05,286.98,,banco,prima convenio"])
    run_check(page, live_server, "2024-07-10")
    expect(page.get_by_text(f"prima recibida en {number}")).to_be_visible()
    page.get_by_test_id("agreements-table").get_by_role("link", name=number).click()
    expect(page.get_by_test_id("agreement-state")).to_have_text("Vigente")
    expect(page.get_by_test_id("agreement-workflow")).to_contain_text("firmado el 05/07/2024")
    screenshot(page, "convenio-vigente")

    return page, number


@pytest.mark.django_db(transaction=True)
def test_agreement_from_options_to_lapse(journey_world, login, live_server, tmp_path, settings):
    page, number = draft_approve_and_sign(login, live_server, tmp_path, settings)

    # 4. One installment paid, then nothing: by 10/11/2024 three are overdue and it lapses.
    import_payments(tmp_path, ["C-1,100000002,2024-07-29,199.85,,banco,cuota 1"])
    run_check(page, live_server, "2024-11-10")
    expect(page.get_by_text(f"incumplidos {number}")).to_be_visible()
    page.get_by_test_id("agreements-table").get_by_role("link", name=number).click()
    expect(page.get_by_test_id("agreement-state")).to_have_text("Incumplido")
    expect(page.get_by_test_id("installment-1")).to_contain_text("Pagada")
    expect(page.get_by_test_id("installment-4")).to_contain_text("Vencida")
    screenshot(page, "convenio-incumplido")
    logout(page)

    # 5. The call center finds it on its list, with the phone and the collector.
    page = login("callcenter")
    page.goto(f"{live_server.url}/convenios/")
    page.get_by_test_id("nav-agreements").click()
    page.get_by_role("link", name="Convenios en mora").click()
    row = page.get_by_test_id("call-list").get_by_role("row", name=re.compile(number))
    expect(row).to_contain_text("2222-1002")
    expect(row).to_contain_text("gestor1")
    expect(row).to_contain_text("Incumplido")
    screenshot(page, "convenios-en-mora")


@pytest.mark.django_db(transaction=True)
def test_agreement_from_options_to_fulfilled(journey_world, login, live_server, tmp_path, settings):
    """The same start; then the six installments are paid naming the agreement (5 × $199.85 and
    $199.82). The check marks it fulfilled and the statement ends at $0.00 with $0.00 of credit: the
    agreement's interest is its own line, paid, never the employer's money."""
    page, number = draft_approve_and_sign(login, live_server, tmp_path, settings)
    settings.COBRANZA_BUSINESS_DATE = date(2025, 1, 10)
    dues = ["2024-07-30", "2024-08-30", "2024-09-30", "2024-10-30", "2024-11-29", "2024-12-30"]
    amounts = ["199.85"] * 5 + ["199.82"]
    import_payments(
        tmp_path,
        [
            f"C-{k},100000002,{day},{amount},,banco,cuota {k} {number}"
            for k, (day, amount) in enumerate(zip(dues, amounts, strict=True), 1)
        ],
    )
    run_check(page, live_server, "2025-01-10")
    expect(page.get_by_text(f"cumplidos {number}")).to_be_visible()
    page.get_by_test_id("agreements-table").get_by_role("link", name=number).click()
    expect(page.get_by_test_id("agreement-state")).to_have_text("Cumplido")
    screenshot(page, "convenio-cumplido")
    page.goto(f"{live_server.url}/patronos/100000002/?as_of=10/01/2025")
    expect(page.get_by_test_id("total-outstanding")).to_have_text("$0.00")
    totals = page.get_by_test_id("statement-totals")
    expect(totals).to_contain_text("Saldo a favor")
    expect(totals.locator(".money").last).to_have_text("$0.00")
    expect(page.get_by_test_id("agreement-interest-row")).to_contain_text(f"Interés de convenio {number}")
    screenshot(page, "convenio-cumplido-estado-de-cuenta")


@pytest.mark.django_db(transaction=True)
def test_head_restructures_an_agreement_from_its_page(journey_world, login, live_server, settings):
    """An active agreement (down payment and installment 1 paid) is restructured by the department
    head on 15/08/2024: the page takes the new draft's down payment and term and shows the new draft
    linked to the old one ($736.52 still owed: 1,097.92 − 361.40)."""
    from cobranza.agreements import services
    from cobranza.employers.models import Employer
    from tests.agreements.helpers import AS_OF, business_day, pay

    users = journey_world.users
    e2 = Employer.objects.get(employer_number="100000002")
    with business_day(AS_OF):
        agreement = services.agreement_draft(
            actor=users.gestor1, employer=e2, down_payment="336.98", installments=3
        )
        services.agreement_approve(actor=users.jefe, agreement=agreement)
    down = pay(e2, "PRIMA-1", date(2024, 7, 5), "336.98")
    services.agreement_register_down_payment(actor=users.gestor1, agreement=agreement, payment=down)
    pay(e2, "C1", date(2024, 7, 30), "375.23", reference=agreement.number)
    settings.COBRANZA_BUSINESS_DATE = date(2024, 8, 15)
    page = login("jefe")
    page.goto(f"{live_server.url}/convenios/{agreement.pk}/")
    form = page.get_by_test_id("restructure-form")
    form.get_by_label("Prima del convenio nuevo ($)").fill("147.31")
    form.get_by_label("Cuotas").fill("3")
    form.get_by_role("button", name="Reestructurar").click()
    expect(page.get_by_text("reestructurado: su saldo pasa al borrador")).to_be_visible()
    expect(page.get_by_test_id("agreement-state")).to_have_text("Borrador")
    expect(page.get_by_test_id("restructures")).to_contain_text(agreement.number)
    expect(page.locator("body")).to_contain_text("$736.52")
    screenshot(page, "convenio-reestructurado")
