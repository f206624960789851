"""Side effects survive a broker outage (issue 10, item 3).

With the broker pointed at a closed port (nothing listens on 127.0.0.1:1, not eager), registering a
down payment and importing payments through the web answer normally — the agreement is active, the
payments are in — and the background work they ask for waits in the outbox, pending, with the
error. Draining the outbox once the broker works (here: the eager default) files the signed
agreement's PDF and refreshes the balances.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from celery import Celery, shared_task
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from cobranza.agreements import services as agreement_services
from cobranza.agreements.models import AgreementState
from cobranza.config.celery import app as main_app
from cobranza.ledger.models import BalanceSnapshot
from cobranza.outbox import services as outbox
from cobranza.outbox.models import OutboxMessage, OutboxState
from tests.agreements.conftest import load_examples
from tests.agreements.helpers import AS_OF, draft_e2, pay

CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"  # port 1: nothing listens, every connection is refused


@shared_task(name="pruebas.eco")
def echo(**kwargs):
    """A harmless task for the outbox's own tests."""
    return kwargs


@contextmanager
def broker_down():
    """The project's Celery configuration (its short timeouts included) with the broker and the
    result backend on a closed port, not eager: what a web process sees while Redis is down."""
    broken = Celery("cobranza-sin-intermediario", set_as_current=False)
    broken.config_from_object("django.conf:settings", namespace="CELERY")
    broken.conf.update(
        broker_url=CLOSED_PORT_BROKER, result_backend=CLOSED_PORT_BROKER, task_always_eager=False
    )
    broken.set_current()
    try:
        yield broken
    finally:
        main_app.set_current()
        main_app.set_default()
        broken.close()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def approved(world, settings):
    """The worked examples; 100000002 in gestor1's portfolio with an approved agreement drafted on
    30/06/2024 (down payment $286.98) and a payment DP-OK of that amount on 05/07/2024."""
    from cobranza.employers.models import Employer
    from cobranza.portfolio.models import Assignment

    load_examples()
    e2 = Employer.objects.get(employer_number="100000002")
    Assignment.objects.create(employer=e2, collector=world.users.gestor1, reason="prueba")
    agr = type("Agr", (), {"users": world.users, "e2": e2})()
    settings.COBRANZA_BUSINESS_DATE = AS_OF
    agreement = draft_e2(agr)
    agreement_services.agreement_approve(actor=world.users.jefe, agreement=agreement)
    pay(e2, "DP-OK", date(2024, 7, 5), "286.98")
    forget_setup_messages()
    return agreement


def forget_setup_messages() -> None:
    """The examples' imports asked for balance refreshes; in a test that never commits they were
    never sent. They are not what the test is about."""
    OutboxMessage.objects.all().delete()


@pytest.mark.django_db
def test_down_payment_with_the_broker_down_answers_normally_and_the_pdf_is_filed_later(
    client, world, approved, django_capture_on_commit_callbacks
):
    from cobranza.cases.models import CaseFile

    agreement = approved
    client.force_login(world.users.gestor1)
    payment_pk = agreement.employer.payments.get(payment_id="DP-OK").pk
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("agreements:down_payment", args=[agreement.pk]), {"payment": payment_pk}, follow=True
        )
    # The user's request: answered normally, the agreement active.
    assert response.status_code == 200
    html = response.content.decode()
    assert "Prima registrada con el pago DP-OK" in html and "Vigente" in html
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.ACTIVE
    # The PDF could not be sent to the workers: it waits in the outbox, nothing filed yet.
    message = OutboxMessage.objects.get(task="agreements.store_document")
    assert message.state == OutboxState.PENDING and message.attempts == 1
    assert message.kwargs == {"agreement_id": agreement.pk}
    assert agreement.number in message.description
    assert "127.0.0.1:1" in message.last_error or "OperationalError" in message.last_error
    case = CaseFile.objects.get(employer=agreement.employer)
    assert not case.documents.filter(doc_type="agreement").exists()

    # The broker works again (the eager default): the drain sends it, the PDF is filed once.
    result = outbox.outbox_drain(retry_after=0)
    assert (result.sent, result.failed, result.pending, result.broker_down) == (1, 0, 0, False)
    message.refresh_from_db()
    assert message.state == OutboxState.SENT and message.attempts == 2 and message.last_error == ""
    document = case.documents.get(doc_type="agreement")
    assert agreement.number in document.title and "05/07/2024" in document.title
    with document.file.open("rb") as fh:
        assert fh.read(4) == b"%PDF"
    assert outbox.outbox_drain(retry_after=0).sent == 0
    assert case.documents.filter(doc_type="agreement").count() == 1


PAYMENTS = "payment_id,employer_number,paid_on,amount,period,channel,reference\n"


@pytest.mark.django_db
def test_a_web_import_with_the_broker_down_keeps_its_balance_refresh_and_drains_later(
    client, world, django_capture_on_commit_callbacks
):
    """100000004 owes $89.99 at 30/06/2024 (tests/ledger/test_recompute.py); a payment of $50.00 on
    that day leaves $39.99 once its balance is refreshed."""
    from cobranza.ledger.services import balances_recompute

    load_examples()
    forget_setup_messages()
    balances_recompute(actor=None, as_of=date(2024, 6, 30))
    before = BalanceSnapshot.objects.get(employer__employer_number="100000004")
    assert before.outstanding == Decimal("89.99")
    client.force_login(world.users.admin)
    upload = SimpleUploadedFile(
        "pagos.csv",
        (PAYMENTS + "OUT-1,100000004,2024-06-30,50.00,,banco,\n").encode(),
        content_type="text/csv",
    )
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("employers:import"), {"kind": "payments", "file": upload})
    assert response.status_code == 200
    assert "Importación completada" in response.content.decode()
    pending = OutboxMessage.objects.filter(state=OutboxState.PENDING)
    assert set(pending.values_list("task", flat=True)) >= {"ledger.recompute_chunk"}
    refresh = pending.get(task="ledger.recompute_chunk")
    assert refresh.kwargs["employer_ids"] == [before.employer_id]
    assert BalanceSnapshot.objects.get(pk=before.pk).outstanding == Decimal("89.99")  # not refreshed yet

    # The refresh is dated by the business date; recompute it as of the worked example's day.
    refresh.kwargs["as_of"] = "2024-06-30"
    refresh.save(update_fields=["kwargs"])
    result = outbox.outbox_drain(retry_after=0)
    assert result.broker_down is False and result.pending == 0
    after = BalanceSnapshot.objects.get(pk=before.pk)
    assert after.outstanding == Decimal("39.99")
    assert after.last_payment_date == date(2024, 6, 30)


@pytest.mark.django_db
def test_a_drain_stops_at_the_first_broker_error_and_the_command_says_so(db):
    first = OutboxMessage.objects.create(task="pruebas.eco", description="Prueba pendiente 1")
    second = OutboxMessage.objects.create(task="pruebas.eco", description="Prueba pendiente 2")
    with broker_down():
        result = outbox.outbox_drain(retry_after=0)
        assert (result.sent, result.failed, result.pending, result.broker_down) == (0, 1, 2, True)
        assert "no responde" in result.summary
        out = StringIO()
        with pytest.raises(CommandError, match="No se pudo conectar con el intermediario"):
            call_command("outbox", "drain", stdout=out)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.attempts, second.attempts) == (2, 0)  # each drain stopped at its first failure
    out = StringIO()
    call_command("outbox", "status", stdout=out)
    assert re.search(
        r"2 tareas pendientes de enviar; la más antigua, «Prueba pendiente 1», del \d\d/\d\d/\d{4}",
        out.getvalue(),
    )
    assert "Último error:" in out.getvalue()
    out = StringIO()
    call_command("outbox", "drain", stdout=out)
    assert out.getvalue().strip() == "Tareas enviadas: 2; fallidas: 0; pendientes: 0."
    out = StringIO()
    call_command("outbox", "status", stdout=out)
    assert out.getvalue().strip() == "No hay tareas pendientes de enviar."


@pytest.mark.django_db
def test_two_senders_never_send_the_same_attempt(db):
    message = OutboxMessage.objects.create(task="pruebas.eco", description="Prueba")
    stale = OutboxMessage.objects.get(pk=message.pk)
    assert outbox.outbox_send(message=message) is True
    assert outbox.outbox_send(message=stale) is False  # its attempt count is out of date
    message.refresh_from_db()
    assert message.attempts == 1 and message.state == OutboxState.SENT


def test_enqueue_refuses_arguments_that_are_not_json():
    with pytest.raises(ValueError, match="deben ser JSON"):
        outbox.enqueue("pruebas.eco", description="Prueba", when=date(2024, 1, 1))


def test_the_broker_costs_a_request_about_a_second_and_the_beat_drains_every_minute():
    conf = main_app.conf
    assert conf.broker_connection_timeout <= 1
    assert conf.broker_transport_options["socket_connect_timeout"] <= 1
    assert conf.broker_transport_options["max_retries"] == 0
    assert conf.task_publish_retry is False
    entry = conf.beat_schedule["reenviar-tareas-pendientes"]
    assert entry["task"] == "outbox.drain" and entry["schedule"] == 60.0


def test_no_task_is_sent_except_through_the_outbox():
    """Every background task goes through `outbox.enqueue` (never `task.delay` after commit)."""
    src = Path(__file__).resolve().parents[2] / "src" / "cobranza"
    offenders = [
        f"{path.relative_to(src)}:{n}"
        for path in src.rglob("*.py")
        if "outbox" not in path.parts
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\.delay\(|\.apply_async\(|send_task\(", line)
        and "recompute_chunk.si" not in line
        and "pool.apply_async(" not in line  # a multiprocessing pool, not a Celery task
    ]
    assert offenders == []
