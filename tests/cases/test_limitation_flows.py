"""Worked scenarios of the limitation clock in the collection work (SPEC §8, issue 11 item 1): a
delivered notice and a signed agreement restart it; closing a case as prescribed; the worklist's
alert; the heads' «Próximas prescripciones»; the statement page; the command.

`world.own` declared 2019-01 on time (filed 05/02/2019, $105.00) and 2024-01 (filed 05/02/2024,
$105.00), and paid nothing. Due dates (10th business day of the next month): 2019-01 → 14/02/2019,
2024-01 → 14/02/2024. Five years from the due date: 2019-01 prescribes on 14/02/2024, 2024-01 on
14/02/2029. Business date 30/06/2024 unless a test says otherwise.
"""

from datetime import date
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from cobranza.cases import services
from cobranza.cases.limitation import upcoming_limitations
from cobranza.cases.models import ActionKind, CaseFile, CaseState, DocumentType
from cobranza.cases.worklist import worklist
from cobranza.common.errors import ApplicationError
from cobranza.common.models import AuditEvent
from cobranza.ledger.models import LimitationRestart, PrescribedPeriod
from cobranza.ledger.selectors import limitation_dates
from cobranza.ledger.services import InstallmentTerms, agreement_terms_record, prescribed_periods_mark
from tests.cases.conftest import PDF_BYTES
from tests.factories import DeclarationFactory, make_balance_snapshot

pytestmark = pytest.mark.django_db
AS_OF = date(2024, 6, 30)


@pytest.fixture
def old_debt(world, settings):
    settings.COBRANZA_BUSINESS_DATE = AS_OF
    DeclarationFactory(employer=world.own, period="2019-01", filed_on=date(2019, 2, 5))
    DeclarationFactory(employer=world.own, period="2024-01", filed_on=date(2024, 2, 5))
    return world


def _case(world, state=CaseState.IN_COLLECTION):
    return CaseFile.objects.create(employer=world.own, state=state)


def test_delivered_notice_restarts_every_overdue_period(old_debt, settings):
    """A notice letter recorded on 10/03/2022 (business date then) restarts 2019-01, the only period
    overdue that day: 10/03/2022 + 5 years = 10/03/2027 (2024-01 was not declared yet)."""
    world = old_debt
    settings.COBRANZA_BUSINESS_DATE = date(2022, 3, 10)
    case = _case(world)
    document = services.document_store(
        actor=world.users.gestor1,
        case=case,
        content=PDF_BYTES,
        filename="aviso.pdf",
        doc_type=DocumentType.NOTICE,
        title="Aviso de cobro (10/03/2022)",
        document_date=date(2022, 3, 10),
    )
    services.action_record(
        actor=world.users.gestor1, case=case, kind=ActionKind.LETTER, outcome=None, document=document
    )
    restart = LimitationRestart.objects.get()
    assert (restart.period, restart.restarted_on, restart.cause) == ("2019-01", date(2022, 3, 10), "notice")
    assert restart.reference.endswith("Aviso de cobro (10/03/2022)")
    clock = limitation_dates(employer=world.own, as_of=AS_OF)["2019-01"]
    assert clock.limitation_date == date(2027, 3, 10)
    assert not clock.expired


def test_a_call_does_not_restart(old_debt):
    world = old_debt
    case = _case(world)
    from cobranza.cases.models import ActionOutcome

    services.action_record(
        actor=world.users.gestor1,
        case=case,
        kind=ActionKind.CALL,
        outcome=ActionOutcome.objects.filter(is_contact=True).first(),
    )
    assert not LimitationRestart.objects.exists()


def test_signed_agreement_restarts_its_periods(old_debt):
    """Agreement CP-000001 covering 2019-01, drafted 02/05/2023 and signed 10/05/2023 (before the
    14/02/2024 limit): 2019-01 prescribes on 10/05/2028; 2024-01 (not in it) keeps 14/02/2029."""
    world = old_debt
    agreement_terms_record(
        actor=None,
        employer=world.own,
        number="CP-000001",
        drafted_on=date(2023, 5, 2),
        signed_on=date(2023, 5, 10),
        periods=["2019-01"],
        down_payment_cents=0,
        down_payment_payment_id="",
        installments=[InstallmentTerms(1, date(2023, 6, 10), 10500, 0)],
    )
    clocks = limitation_dates(employer=world.own, as_of=AS_OF)
    assert clocks["2019-01"].limitation_date == date(2028, 5, 10)
    assert clocks["2019-01"].cause_label == "Convenio de pago firmado"
    assert clocks["2019-01"].reference == "Convenio CP-000001"
    assert clocks["2024-01"].limitation_date == date(2029, 2, 14)


def test_closing_as_prescribed_names_the_open_periods_then_a_head_closes(old_debt):
    """2019-01 is marked prescribed (14/02/2024); 2024-01 prescribes 14/02/2029: refused naming it.
    With 2024-01 paid… instead: as of the check both must be prescribed; we test the refusal, then a
    case whose only overdue period is 2019-01 (2024-01 paid in full: $105.00 + 1 % × 4… we avoid the
    surcharge by paying on the due date 14/02/2024: $105.00 exactly)."""
    from tests.factories import PaymentFactory

    world = old_debt
    prescribed_periods_mark(actor=None, as_of=AS_OF)
    case = _case(world)
    with pytest.raises(ApplicationError) as refused:
        services.case_transition(
            actor=world.users.jefe,
            case=case,
            to_state=CaseState.CLOSED,
            reason="Prescrita",
            close_reason="prescribed",
        )
    assert "2024-01 (prescribe el 14/02/2029)" in refused.value.message
    assert "2019-01" not in refused.value.message

    PaymentFactory(
        employer=world.own, payment_id="P-1", paid_on=date(2024, 2, 14), amount="105.00", period="2024-01"
    )
    with pytest.raises(ApplicationError, match="Solo una jefatura"):
        services.case_transition(
            actor=world.users.gestor1,
            case=case,
            to_state=CaseState.CLOSED,
            reason="Prescrita",
            close_reason="prescribed",
        )
    services.case_transition(
        actor=world.users.jefe,
        case=case,
        to_state=CaseState.CLOSED,
        reason="Deuda prescrita",
        close_reason="prescribed",
    )
    case.refresh_from_db()
    assert (case.state, case.close_reason) == (CaseState.CLOSED, "prescribed")
    event = AuditEvent.objects.filter(action="case.transition").latest("pk")
    assert event.after["prescribed_periods"] == ["2019-01"]
    assert event.after["limitation_dates"] == ["2024-02-14"]


def test_expired_but_unmarked_period_is_named_too(old_debt):
    world = old_debt
    case = _case(world)
    with pytest.raises(ApplicationError) as refused:
        services.case_transition(
            actor=world.users.jefe,
            case=case,
            to_state=CaseState.CLOSED,
            reason="x",
            close_reason="prescribed",
        )
    assert "2019-01 (plazo vencido el 14/02/2024, aún sin marcar" in refused.value.message


def test_command_marks_once_and_prints_the_periods(old_debt):
    out = StringIO()
    call_command("limitation", "check", "--as-of", "30/06/2024", stdout=out)
    text = out.getvalue()
    assert "300000001    2019-01  14/02/2024" in text
    assert "1 períodos marcados prescritos en 1 patronos" in text
    again = StringIO()
    call_command("limitation", "check", "--as-of", "2024-06-30", stdout=again)
    assert "0 períodos marcados" in again.getvalue() and "1 ya estaban marcados" in again.getvalue()
    assert PrescribedPeriod.objects.count() == 1


def test_command_bad_date_is_a_spanish_message(old_debt):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Fecha inválida"):
        call_command("limitation", "check", "--as-of", "31/02/2024")


def test_worklist_alert_and_heads_list(old_debt, settings):
    """At 01/10/2028, 2024-01 (limit 14/02/2029) is 136 days away (≤ 180): alert. 2019-01 is
    marked prescribed, so the collectible debt is 2024-01 only."""
    world = old_debt
    today = date(2028, 10, 1)
    settings.COBRANZA_BUSINESS_DATE = today
    prescribed_periods_mark(actor=None, as_of=today)
    make_balance_snapshot(world.own, overdue="500.00", months=56, oldest="2019-01", as_of=today)
    item = next(
        i for i in worklist(user=world.users.gestor1, today=today, reason="todos") if i.employer == world.own
    )
    # The oldest unpaid period in the snapshot is prescribed: the collectible oldest is 2024-01.
    assert item.limitation_alert == "Prescribe el 14/02/2029"

    report = upcoming_limitations(user=world.users.jefe, as_of=today)
    assert [(r.employer.employer_number, r.period, r.limitation_date, r.days_left) for r in report.rows] == [
        ("300000001", "2024-01", date(2029, 2, 14), 136)
    ]
    assert report.rows[0].collector == world.users.gestor1.get_full_name() or "gestor1"
    # The branch head of Santa Ana… the world's other branch head does not exist; a collector is refused.
    assert upcoming_limitations(user=world.users.gestor_sa, as_of=today).rows == []


def test_heads_page_and_excel(client, old_debt, settings):
    world = old_debt
    today = date(2028, 10, 1)
    settings.COBRANZA_BUSINESS_DATE = today
    make_balance_snapshot(world.own, overdue="500.00", months=56, oldest="2019-01", as_of=today)
    client.force_login(world.users.jefe_sucursal)
    page = client.get(reverse("cases:limitation")).content.decode()
    assert "Próximas prescripciones" in page
    assert "01/2024" in page and "14/02/2029" in page and "300000001" in page
    response = client.get(reverse("cases:limitation_xlsx"))
    ws = load_workbook(BytesIO(response.content)).active
    assert ws.cell(row=4, column=1).value == "300000001"
    assert ws.cell(row=4, column=5).value == "01/2024"
    client.force_login(world.users.gestor1)
    assert client.get(reverse("cases:limitation")).status_code == 403
    bad = client.get(reverse("cases:limitation"), {"fecha": "99/99/2024"})
    assert bad.status_code == 403


def test_statement_page_shows_prescribed_apart(client, old_debt):
    world = old_debt
    prescribed_periods_mark(actor=None, as_of=AS_OF)
    client.force_login(world.users.gestor1)
    page = client.get(reverse("employers:detail", args=[world.own.employer_number])).content.decode()
    assert 'data-testid="prescribed"' in page
    assert "Saldo exigible cobrable:" in page
    assert "$110.25" in page  # 2024-01: 105.00 + 5 × 1 % × 105.00
    assert "prescribe 14/02/2029" in page
    case = _case(world)
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="case-limitation"' in detail and "prescrito" in detail
