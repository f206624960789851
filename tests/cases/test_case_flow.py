"""Issue 14: call center on its list, contacts, e-mailed letters, the follow-up date, double submits,
Spanish file names and dates in words, batch letters skipping employers with an agreement."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from cobranza.cases import services
from cobranza.cases.models import ActionOutcome, CaseFile, CollectionAction, LetterBatch, PaymentPromise
from cobranza.common.dates import date_in_words
from cobranza.common.errors import ApplicationError
from cobranza.common.models import AuditEvent
from cobranza.employers import services as employer_services
from cobranza.employers.models import Contact, FormSubmission

pytestmark = pytest.mark.django_db
REACHED = "Contactado, solicita estado de cuenta"


@pytest.fixture
def case(in_arrears, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return services.case_for_employer(employer=in_arrears.own, actor=in_arrears.users.gestor1)


def test_date_in_words():
    assert date_in_words(date(2026, 11, 29)) == "29 de noviembre de 2026"
    assert date_in_words(date(2024, 1, 1)) == "1 de enero de 2024"


def test_call_center_records_calls_only_on_its_list(in_arrears, case):
    world = in_arrears
    outcome = ActionOutcome.objects.get(name=REACHED)
    with pytest.raises(ApplicationError, match="no está en la lista del centro de llamadas"):
        services.action_record(actor=world.users.callcenter, case=case, kind="call", outcome=outcome)
    # A broken promise puts the case on the list: then calls (only calls) are accepted.
    action = CollectionAction.objects.create(case=case, kind="call", outcome=outcome)
    PaymentPromise.objects.create(
        action=action,
        case=case,
        amount=Decimal("10.00"),
        made_on=date(2024, 3, 1),
        promised_on=date(2024, 3, 5),
        status="broken",
    )
    with pytest.raises(ApplicationError, match="solo registra llamadas"):
        services.action_record(actor=world.users.callcenter, case=case, kind="visit", outcome=outcome)
    services.action_record(actor=world.users.callcenter, case=case, kind="call", outcome=outcome)
    with pytest.raises(ApplicationError, match="no permite generar cartas"):
        services.letter_generate(actor=world.users.callcenter, case=case, letter_type="first_notice")
    with pytest.raises(ApplicationError, match="no permite agregar documentos"):
        services.document_store(
            actor=world.users.callcenter,
            case=case,
            content=b"%PDF-1.4",
            filename="x.pdf",
            doc_type="other",
            title="x",
        )


def test_nobody_opens_a_case_for_an_employer_owing_nothing_overdue(world):
    with pytest.raises(ApplicationError, match="no tiene deuda vencida"):
        services.case_open(actor=world.users.gestor2, employer=world.colleague)
    assert not CaseFile.objects.exists()


def test_contacts_are_added_corrected_and_retired_with_audit(in_arrears):
    world = in_arrears
    contact = employer_services.contact_add(
        actor=world.users.gestor1,
        employer=world.own,
        name="  Ana   Pérez ",
        position="Contadora",
        phone="2222-3333",
        email="ANA@Panaderia.com.sv",
        is_primary=True,
    )
    assert (contact.name, contact.email) == ("Ana Pérez", "ana@panaderia.com.sv")
    employer_services.contact_update(
        actor=world.users.gestor1,
        contact=contact,
        name="Ana Pérez",
        position="Gerente financiera",
        phone="2222-3333",
        email="ana@panaderia.com.sv",
        is_primary=True,
        reason="ascendida",
    )
    event = AuditEvent.objects.get(action="employer.contact_updated")
    assert event.before == {"position": "Contadora"} and event.after == {"position": "Gerente financiera"}
    with pytest.raises(ApplicationError, match="por qué"):
        employer_services.contact_retire(actor=world.users.gestor1, contact=contact, reason=" ")
    employer_services.contact_retire(actor=world.users.gestor1, contact=contact, reason="Renunció")
    contact.refresh_from_db()
    assert not contact.active and contact.retired_reason == "Renunció"
    for who in (
        world.users.gestor2,
        world.users.callcenter,
        world.users.atencion,
    ):  # not theirs / not their job
        with pytest.raises(ApplicationError):
            employer_services.contact_add(actor=who, employer=world.own, name="X", phone="1")
    with pytest.raises(ApplicationError, match="al menos un teléfono o un correo"):
        employer_services.contact_add(actor=world.users.gestor1, employer=world.own, name="Sin datos")
    assert Contact.objects.count() == 1
    assert AuditEvent.objects.filter(action__startswith="employer.contact_").count() == 3


def test_letter_emailed_with_the_pdf_and_its_delivery_recorded(in_arrears, case):
    world = in_arrears
    contact = employer_services.contact_add(
        actor=world.users.gestor1, employer=world.own, name="Ana Pérez", email="ana@example.com"
    )
    action = services.letter_email(
        actor=world.users.gestor1, case=case, letter_type="first_notice", contact=contact
    )
    assert action.kind == "email" and action.delivery_status == "sent" and action.contact == contact
    assert action.email_to == "ana@example.com" and action.document is not None
    message = mail.outbox[0]
    assert message.to == ["ana@example.com"]
    ((name, content, mimetype),) = message.attachments
    assert name.startswith(f"aviso-primero-{world.own.employer_number}-") and name.endswith(".pdf")
    assert content.startswith(b"%PDF") and mimetype == "application/pdf"
    assert "Primer aviso" in message.body or "primer aviso" in message.body


def test_a_failed_email_is_recorded_with_its_reason(in_arrears, case, settings, monkeypatch):
    import smtplib

    def refuse(*args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({"x@example.com": (550, b"no such user")})

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    action = services.letter_email(
        actor=in_arrears.users.gestor1, case=case, letter_type="first_notice", email="x@example.com"
    )
    assert action.delivery_status == "failed" and "SMTPRecipientsRefused" in action.delivery_detail
    assert action.outcome.name == "Correo rebotado"


def test_follow_up_date_is_kept_unless_the_user_changes_it(in_arrears, case, settings):
    world = in_arrears
    outcome = ActionOutcome.objects.get(name=REACHED)
    typed = date.today() + timedelta(days=30)
    services.action_record(
        actor=world.users.gestor1, case=case, kind="call", outcome=outcome, next_action_on=typed
    )
    services.action_record(actor=world.users.gestor1, case=case, kind="call", outcome=outcome)  # no date
    case.refresh_from_db()
    assert case.next_action_on == typed
    action = services.letter_generate(actor=world.users.gestor1, case=case, letter_type="first_notice")
    case.refresh_from_db()
    assert case.next_action_on == typed  # the letter's deadline does not overwrite it
    assert action.next_action_on is not None and action.next_action_on != typed
    assert action.document.original_name.startswith(f"aviso-primero-{world.own.employer_number}-")


def test_double_submit_of_a_form_records_once(client, in_arrears, case):
    world = in_arrears
    client.force_login(world.users.gestor1)
    url = reverse("cases:action_create", args=[case.pk])
    data = {
        "kind": "call",
        "outcome": ActionOutcome.objects.get(name=REACHED).pk,
        "notes": "dos clics",
        "submission_token": "a" * 32,
    }
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302 and second["Location"] == first["Location"]
    assert CollectionAction.objects.filter(notes="dos clics").count() == 1
    assert FormSubmission.objects.filter(token="a" * 32).count() == 1
    # A refused form frees its token: the corrected form goes through with it.
    bad = {**data, "submission_token": "b" * 32, "next_action_on": "01/01/2000"}
    assert client.post(url, bad).status_code == 400
    assert not FormSubmission.objects.filter(token="b" * 32).exists()
    assert client.post(url, {**bad, "next_action_on": ""}).status_code == 302
    contacts = reverse("employers:contacts", args=[world.own.employer_number])
    for _ in range(2):
        client.post(contacts, {"name": "Luis", "phone": "7777-8888", "submission_token": "c" * 32})
    assert Contact.objects.filter(name="Luis").count() == 1


def test_case_page_offers_contacts_and_the_email_form(client, in_arrears, case):
    world = in_arrears
    employer_services.contact_add(
        actor=world.users.gestor1, employer=world.own, name="Ana Pérez", email="ana@example.com"
    )
    client.force_login(world.users.gestor1)
    content = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Enviar por correo" in content and "Ana Pérez" in content and 'name="submission_token"' in content
    client.force_login(world.users.callcenter)
    content = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Enviar por correo" not in content and "Generar carta" not in content
    assert "solo puede consultarse" in content


def test_batch_letters_skip_employers_with_an_agreement(in_arrears, monkeypatch):
    world = in_arrears
    from cobranza.cases.services import letters

    monkeypatch.setattr(letters, "employers_with_agreement_in_force", lambda ids: {world.own.pk} & set(ids))
    monkeypatch.setattr(letters, "employers_with_open_claim", lambda ids, as_of: set())
    batch = services.letter_batch_create(
        actor=world.users.jefe, employers=[world.own, world.colleague], letter_type="first_notice"
    )
    assert batch.employer_ids == [world.colleague.pk]
    assert batch.skipped == [{"employer_number": world.own.employer_number, "reason": letters.SKIP_AGREEMENT}]
    with pytest.raises(ApplicationError, match="Ninguno de los 1"):
        services.letter_batch_create(
            actor=world.users.jefe, employers=[world.own], letter_type="first_notice"
        )
    assert LetterBatch.objects.count() == 1


def test_notice_of_a_16_period_debt_keeps_the_signature_with_its_paragraph(in_arrears, case, settings):
    """16 overdue periods (2023-01 … 2024-04): the closing block (where to pay, «Atentamente», the
    signature) is on one page, and the date is written in words."""
    import shutil
    import subprocess
    from pathlib import Path

    from tests.factories import DeclarationFactory

    world = in_arrears
    for month in range(1, 13):
        DeclarationFactory(employer=world.own, period=f"2023-{month:02d}", filed_on=date(2024, 2, 1))
    for period in ("2024-03", "2024-04"):
        DeclarationFactory(employer=world.own, period=period, filed_on=date(2024, 5, 1))
    action = services.letter_generate(actor=world.users.gestor1, case=case, letter_type="first_notice")
    pdf = action.document.file.read()
    out = Path("test-results/pdf")
    out.mkdir(parents=True, exist_ok=True)
    (out / "aviso-16-periodos.pdf").write_bytes(pdf)
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) no está instalado")
    text = subprocess.run(
        ["pdftotext", "-layout", str(out / "aviso-16-periodos.pdf"), "-"], capture_output=True, check=True
    ).stdout.decode()
    pages = text.split("\f")
    signed = [p for p in pages if "Gestor de cobros" in p]
    assert len(signed) == 1 and "Atentamente" in signed[0] and "Dónde pagar" in signed[0]
    assert date_in_words(date.today()).split(" de ")[1] in text  # "… de noviembre de …"
