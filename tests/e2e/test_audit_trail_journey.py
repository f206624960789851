"""Journey: the audit trail of an agreement reads as Spanish sentences (issue 14 item 2).

gestor1 (Luis Pérez) drafts an agreement for Textiles del Pacífico, the department head (Ana
Martínez) approves it, the down payment PRIMA-1 of $286.98 arrives on 05/07/2024 and signs it. The
head reads the agreement's history: labels, only the fields that changed, names, money and dates,
no code or id. The collector is renamed afterwards: the history still names who acted then. The
head filters the audit list by event type; the administrator alone opens the technical data.
"""

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot


@pytest.fixture
def audited_agreement(world):
    from cobranza.agreements import services
    from cobranza.employers.models import Employer
    from cobranza.portfolio.models import Assignment
    from tests.agreements.conftest import load_examples
    from tests.agreements.helpers import AS_OF, business_day, pay

    load_examples()
    employer = Employer.objects.get(employer_number="100000002")
    Assignment.objects.create(employer=employer, collector=world.users.gestor1, reason="prueba")
    users = world.users
    for user, first, last in ((users.gestor1, "Luis", "Pérez"), (users.jefe, "Ana", "Martínez")):
        user.first_name, user.last_name = first, last
        user.save()
    with business_day(AS_OF):
        agreement = services.agreement_draft(
            actor=users.gestor1, employer=employer, down_payment="286.98", installments=6
        )
        services.agreement_approve(actor=users.jefe, agreement=agreement)
    down = pay(employer, "PRIMA-1", date(2024, 7, 5), "286.98")
    services.agreement_register_down_payment(actor=users.gestor1, agreement=agreement, payment=down)
    # renamed later: the trail keeps "Luis Pérez" for what he did then
    users.gestor1.last_name = "Pérez Soto"
    users.gestor1.save()
    return agreement


@pytest.mark.django_db(transaction=True)
def test_the_agreement_history_reads_as_sentences(audited_agreement, login, live_server):
    number = audited_agreement.number
    page = login("jefe")
    page.goto(f"{live_server.url}/convenios/{audited_agreement.pk}/")
    history = page.get_by_test_id("agreement-history")
    expect(history).to_contain_text("Borrador de convenio elaborado")
    expect(history).to_contain_text(f"convenio {number}")
    expect(history).to_contain_text("Convenio aprobado")
    expect(history).to_contain_text("Estado: Borrador → Aprobado")
    expect(history).to_contain_text("Aprobado por: — → Ana Martínez")
    expect(history).to_contain_text("Convenio vigente (prima recibida)")
    expect(history).to_contain_text("Estado: Aprobado → Vigente")
    expect(history).to_contain_text("Pago de la prima: — → PRIMA-1 ($286.98 del 05/07/2024)")
    expect(history).to_contain_text("Deuda convenida: $1,434.90")
    expect(history).to_contain_text("Luis Pérez")
    expect(history).not_to_contain_text("Pérez Soto")  # renamed after the fact: history unchanged
    text = history.inner_text()
    for raw in ("agreement.", "approved", "{", "}", "_id", "None"):
        assert raw not in text, raw
    expect(history.get_by_test_id("audit-technical")).to_have_count(0)
    # the reason is read as prose: its box is wider than a word (issue 14: one word per line)
    reason = history.get_by_test_id("audit-reason").first
    assert reason.bounding_box()["width"] > 300
    history.scroll_into_view_if_needed()
    screenshot(page, "auditoria-historial-convenio")

    # the audit list, filtered by event type
    page.get_by_role("link", name="Auditoría").click()
    page.get_by_label("Tipo de evento").select_option(label="Convenio aprobado")
    page.get_by_role("button", name="Filtrar").click()
    trail = page.get_by_test_id("audit-trail")
    expect(trail.get_by_test_id("audit-event")).to_have_count(1)
    expect(trail).to_contain_text("Estado: Borrador → Aprobado")
    screenshot(page, "auditoria-lista-filtrada")
    page.get_by_role("button", name="Salir").click()

    # the administrator alone sees the raw event
    page = login("admin")
    page.goto(f"{live_server.url}/auditoria/?tipo=agreement.approved")
    details = page.get_by_test_id("audit-technical").first
    details.locator("summary").click()
    expect(details).to_contain_text('"acción": "agreement.approved"')
    screenshot(page, "auditoria-datos-tecnicos")
