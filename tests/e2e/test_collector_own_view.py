"""Journey (issue 9, items 5, 7, 8): a collector works its own defaulted agreement.

Textiles del Pacífico (100000002, gestor1's portfolio) signed a 6-installment agreement, paid the first
installment and not the second. On 10/09/2024 gestor1 opens «Convenios en mora» (its portfolio only),
goes to the case file (state «En convenio de pago», set by the agreement, with no manual state change
offered), and with one click reaches the payment options, where the minimum down payment is shown.
"""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.agreements.helpers import AS_OF, active_e2, pay
from tests.e2e.conftest import screenshot


@pytest.fixture
def own_world(world, settings):
    from types import SimpleNamespace

    from cobranza.employers.models import Employer
    from cobranza.portfolio.models import Assignment
    from tests.agreements.conftest import load_examples

    load_examples()
    e2 = Employer.objects.get(employer_number="100000002")
    Assignment.objects.create(employer=e2, collector=world.users.gestor1, reason="prueba")
    settings.COBRANZA_BUSINESS_DATE = AS_OF
    agr = SimpleNamespace(users=world.users, e2=e2)
    agreement = active_e2(agr, paid_on=date(2024, 7, 5))
    pay(e2, "CUOTA-1", date(2024, 7, 29), "199.85")
    settings.COBRANZA_BUSINESS_DATE = date(2024, 9, 10)
    call_command("agreements", "check", "--as-of", "2024-09-10", stdout=StringIO())
    return agreement


@pytest.mark.django_db(transaction=True)
def test_collector_from_its_defaulted_list_to_the_payment_options(own_world, login, live_server):
    page = login("gestor1")
    page.get_by_test_id("nav-agreements").click()
    page.get_by_role("link", name="Convenios en mora").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Convenios con cuotas vencidas de su cartera"
    )
    table = page.get_by_test_id("call-list")
    expect(table).to_contain_text(own_world.number)
    expect(table).to_contain_text("$199.85")
    expect(page.get_by_text("Registrar los resultados de las llamadas")).to_have_count(0)
    screenshot(page, "collector-defaulted-list")

    page.goto(f"{live_server.url}/expedientes/patrono/100000002/")
    expect(page.get_by_test_id("case-state")).to_have_text("En convenio de pago")
    expect(page.get_by_test_id("transition-form")).to_have_count(0)
    screenshot(page, "collector-case-under-agreement")
    page.get_by_test_id("case-payment-options").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Opciones de pago · Textiles del Pacífico")
    expect(page.get_by_text("Prima mínima (20 % de la deuda)")).to_be_visible()
    screenshot(page, "collector-payment-options")
