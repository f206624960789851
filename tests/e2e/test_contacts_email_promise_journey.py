"""Issue 14 journeys: a collector adds a contact, e-mails a letter (the file backend writes the
message with the PDF attached) and records a promise; the call center records a call on its list and
is refused a state change; a 20,000-character word does not widen the case page."""

import email
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cobranza.cases.models import ActionOutcome, CollectionAction, PaymentPromise
from cobranza.cases.services import case_for_employer
from tests.e2e.conftest import screenshot
from tests.factories import DeclarationFactory


@pytest.fixture(autouse=True)
def media_and_mail(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "correo")
    return tmp_path / "correo"


@pytest.mark.django_db(transaction=True)
def test_collector_adds_a_contact_emails_a_letter_and_records_a_promise(
    world, login, live_server, media_and_mail
):
    for period in ("2024-01", "2024-02"):
        DeclarationFactory(employer=world.own, period=period, filed_on=date(2024, 2, 1))
    case = case_for_employer(employer=world.own)
    page = login("gestor1")
    page.goto(f"{live_server.url}/expedientes/{case.pk}/")
    page.get_by_test_id("manage-contacts").click()
    form = page.get_by_test_id("contact-form")
    form.get_by_label("Nombre").fill("Ana Pérez")
    form.get_by_label("Cargo").fill("Contadora")
    form.get_by_label("Teléfono").fill("2222-3333")
    form.get_by_label("Correo").fill("ana@panaderia.com.sv")
    form.get_by_role("button", name="Agregar contacto").click()
    expect(page.get_by_test_id("contacts")).to_contain_text("Ana Pérez")
    screenshot(page, "contactos-gestor1")

    page.goto(f"{live_server.url}/expedientes/{case.pk}/")
    email_form = page.get_by_test_id("email-form")
    email_form.get_by_label("Enviar a (contacto)").select_option(
        label="Ana Pérez (Contadora) — 2222-3333 · ana@panaderia.com.sv"
    )
    email_form.get_by_role("button", name="Enviar por correo").click()
    expect(page.locator(".alert-success")).to_contain_text("enviado por correo a ana@panaderia.com.sv")
    files = list(media_and_mail.glob("*.log"))
    assert len(files) == 1
    message = email.message_from_bytes(files[0].read_bytes())
    attachments = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
    assert attachments and attachments[0].get_filename().startswith("aviso-primero-300000001-")
    assert attachments[0].get_payload(decode=True).startswith(b"%PDF")

    promised = timezone.localdate() + timedelta(days=5)
    action_form = page.get_by_test_id("action-form")
    action_form.get_by_label("Tipo de gestión").select_option("call")
    action_form.get_by_label("Contacto", exact=True).select_option(index=1)
    action_form.get_by_label("Resultado").select_option(label="No contesta")
    action_form.get_by_label("Promesa de pago: monto ($)").fill("100.00")
    action_form.get_by_label("Promesa de pago: fecha").fill(promised.strftime("%d/%m/%Y"))
    action_form.get_by_role("button", name="Guardar gestión").click()
    expect(page.get_by_test_id("action-form")).to_contain_text("solo cuando se habló con el patrono")
    action_form = page.get_by_test_id("action-form")
    action_form.get_by_label("Resultado").select_option(label="Contactado, promete pagar")
    action_form.get_by_role("button", name="Guardar gestión").dblclick()
    expect(page.locator(".alert-success")).to_contain_text("Gestión registrada")
    assert PaymentPromise.objects.count() == 1
    assert CollectionAction.objects.filter(kind="call").count() == 1
    assert CollectionAction.objects.get(kind="call").contact.name == "Ana Pérez"
    page.get_by_role("tab", name="Gestiones").click()
    screenshot(page, "expediente-correo-y-promesa")


@pytest.mark.django_db(transaction=True)
def test_call_center_records_a_call_and_cannot_change_state(world, login, live_server):
    DeclarationFactory(employer=world.own, period="2024-01", filed_on=date(2024, 2, 1))
    case = case_for_employer(employer=world.own)
    action = CollectionAction.objects.create(case=case, kind="call", outcome=ActionOutcome.objects.first())
    PaymentPromise.objects.create(
        action=action,
        case=case,
        amount=Decimal("50.00"),
        made_on=date(2024, 3, 1),
        promised_on=date(2024, 3, 5),
        status="broken",
    )
    page = login("callcenter")
    page.goto(f"{live_server.url}/expedientes/{case.pk}/")
    expect(page.get_by_text("Registrar llamada")).to_be_visible()
    expect(page.get_by_test_id("transition-form")).to_have_count(0)
    expect(page.get_by_test_id("letter-form")).to_have_count(0)
    form = page.get_by_test_id("action-form")
    form.get_by_label("Resultado").select_option(label="Contactado, solicita estado de cuenta")
    form.get_by_label("Notas").fill("Llamada del centro de llamadas")
    form.get_by_role("button", name="Guardar gestión").click()
    expect(page.locator(".alert-success")).to_contain_text("Gestión registrada")
    screenshot(page, "centro-llamadas-llamada")
    # A state change posted anyway is refused (403) with a Spanish page.
    response = page.request.post(
        f"{live_server.url}/expedientes/{case.pk}/estado/",
        form={"estado-to_state": "closed", "estado-reason": "x"},
        headers={"X-CSRFToken": page.context.cookies()[0]["value"] if page.context.cookies() else ""},
    )
    assert response.status in (403,)


@pytest.mark.django_db(transaction=True)
def test_a_very_long_word_wraps(world, login, live_server, page):
    DeclarationFactory(employer=world.own, period="2024-01", filed_on=date(2024, 2, 1))
    case = case_for_employer(employer=world.own)
    CollectionAction.objects.create(
        case=case, kind="call", outcome=ActionOutcome.objects.first(), notes="x" * 20000
    )
    login("gestor1")
    page.goto(f"{live_server.url}/expedientes/{case.pk}/")
    for tab in ("Cronología", "Gestiones"):
        page.get_by_role("tab", name=tab).click()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.viewport_size["width"], (tab, width)
    screenshot(page, "expediente-palabra-larga")


@pytest.mark.django_db(transaction=True)
def test_promise_broken_by_a_current_month_payment_and_kept_by_an_arrears_payment(
    world, login, live_server, settings
):
    """The collector records both promises on the case page; the payments arrive by import.

    Same hand-worked figures as tests/cases/test_promise_rules.py: 2024-01 ($105.00) is due
    14/02/2024, 2024-02 ($105.00) 14/03/2024. On 01/03 only 2024-01 is overdue.
    - Promise A (01/03, $100.00 by 08/03): P1 of $105.00 on 05/03 pays 2024-02 (the current month,
      not yet due) → $0.00 to arrears → A «Incumplida» on 12/03.
    - Promise B (12/03, $100.00 by 20/03): P2 of $106.05 on 15/03 without period goes to 2024-01:
      contribution 105.00 first, then 1.05 of the surcharge, which on 15/03 is 2 months or fraction
      × 1.05 = 2.10 → all of P2 to arrears → B «Cumplida» with $100.00 counted, and $1.05 of
      surcharge still owed (the page's «Deuda exigible»).
    """
    from cobranza.cases.services import promises_evaluate
    from tests.factories import PaymentFactory

    DeclarationFactory(employer=world.own, period="2024-01", filed_on=date(2024, 2, 1))
    DeclarationFactory(employer=world.own, period="2024-02", filed_on=date(2024, 3, 1))
    settings.COBRANZA_BUSINESS_DATE = date(2024, 3, 1)
    case = case_for_employer(employer=world.own)
    page = login("gestor1")

    def record_promise(day: date, promised: date) -> None:
        settings.COBRANZA_BUSINESS_DATE = day
        page.goto(f"{live_server.url}/expedientes/{case.pk}/")
        form = page.get_by_test_id("action-form")
        form.get_by_label("Tipo de gestión").select_option("call")
        form.get_by_label("Resultado").select_option(label="Contactado, promete pagar")
        form.get_by_label("Promesa de pago: monto ($)").fill("100.00")
        form.get_by_label("Promesa de pago: fecha").fill(f"{promised:%d/%m/%Y}")
        form.get_by_role("button", name="Guardar gestión").click()
        expect(page.locator(".alert-success")).to_contain_text("Gestión registrada")

    record_promise(date(2024, 3, 1), date(2024, 3, 8))
    PaymentFactory(
        employer=world.own,
        payment_id="P1",
        paid_on=date(2024, 3, 5),
        amount=Decimal("105.00"),
        period="2024-02",
    )
    promises_evaluate(as_of=date(2024, 3, 12))
    record_promise(date(2024, 3, 12), date(2024, 3, 20))
    PaymentFactory(employer=world.own, payment_id="P2", paid_on=date(2024, 3, 15), amount=Decimal("106.05"))
    promises_evaluate(as_of=date(2024, 3, 25))

    settings.COBRANZA_BUSINESS_DATE = date(2024, 3, 25)
    page.goto(f"{live_server.url}/expedientes/{case.pk}/")
    page.get_by_role("tab", name="Promesas de pago").click()
    rows = page.get_by_test_id("promises").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="01/03/2024")).to_contain_text("Incumplida")
    expect(rows.filter(has_text="01/03/2024")).to_contain_text("$0.00")
    expect(rows.filter(has_text="12/03/2024")).to_contain_text("Cumplida")
    expect(rows.filter(has_text="12/03/2024")).to_contain_text("$100.00")
    screenshot(page, "promesas-incumplida-y-cumplida")
