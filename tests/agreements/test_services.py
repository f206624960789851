"""Agreement services: drafting from the engine's schedule, four eyes, down payment, follow-up,
and every refusal (Spanish message, nothing saved)."""

from datetime import date
from decimal import Decimal

import pytest

from cobranza.agreements import services
from cobranza.agreements.models import Agreement, AgreementState, Installment
from cobranza.agreements.selectors import freezes_for
from cobranza.common.errors import ApplicationError
from cobranza.common.models import AuditEvent
from tests.agreements.helpers import AS_OF, active_e2, business_day, draft_e2, pay

pytestmark = pytest.mark.django_db


def assert_refused(fn, *fragments):
    agreements, installments, events = (
        Agreement.objects.count(),
        Installment.objects.count(),
        AuditEvent.objects.count(),
    )
    states = dict(Agreement.objects.values_list("pk", "state"))
    with pytest.raises(ApplicationError) as info:
        fn()
    for fragment in fragments:
        assert fragment in info.value.message, info.value.message
    assert (Agreement.objects.count(), Installment.objects.count(), AuditEvent.objects.count()) == (
        agreements,
        installments,
        events,
    ), "a refused operation saved something"
    assert dict(Agreement.objects.values_list("pk", "state")) == states
    return info.value.message


# ------------------------------------------------------------------------------------ draft
def test_draft_stores_the_worked_example_schedule(agr):
    agreement = draft_e2(agr, installments=3, down="336.98")
    assert agreement.state == AgreementState.DRAFT
    assert agreement.number == f"CP-{agreement.pk:06d}"
    assert (agreement.debt, agreement.down_payment, agreement.financed) == (
        Decimal("1434.90"),
        Decimal("336.98"),
        Decimal("1097.92"),
    )
    assert agreement.monthly_rate == Decimal("0.0126")
    assert (agreement.installment_amount, agreement.total_interest, agreement.total) == (
        Decimal("375.23"),
        Decimal("27.78"),
        Decimal("1462.68"),
    )
    assert agreement.periods == ["2024-01", "2024-02", "2024-03"]
    assert sum(Decimal(p["outstanding"]) for p in agreement.periods_detail) == agreement.debt
    rows = list(
        agreement.installments.order_by("number").values_list(
            "due_date", "amount", "interest", "principal", "balance"
        )
    )
    assert rows == [
        (date(2024, 7, 30), Decimal("375.23"), Decimal("13.83"), Decimal("361.40"), Decimal("736.52")),
        (date(2024, 8, 30), Decimal("375.23"), Decimal("9.28"), Decimal("365.95"), Decimal("370.57")),
        (date(2024, 9, 30), Decimal("375.24"), Decimal("4.67"), Decimal("370.57"), Decimal("0.00")),
    ]
    event = AuditEvent.objects.get(action="agreement.draft")
    assert event.actor == agr.users.gestor1 and event.employer_number == "100000002"
    assert "amortización francesa" in event.reason


def test_draft_refuses_an_option_outside_policy(agr):
    assert_refused(lambda: draft_e2(agr, down="100.00"), "La prima mínima es $286.98", "$1,434.90")
    assert_refused(lambda: draft_e2(agr, installments=24), "plazo máximo", "12 cuotas")
    assert_refused(lambda: draft_e2(agr, down="1434.90"), "pago de contado")
    assert_refused(lambda: draft_e2(agr, down="12.345"), "Prima inválida")


def test_draft_refuses_a_zero_installment(agr):
    """The engine's level installment on a few cents can exhaust the balance early, leaving a last
    installment of $0.00: such a schedule is refused rather than stored."""
    # 100000004 owes $89.99 at 30/06/2024; a down payment of $89.90 leaves 9 cents for 6 installments.
    with business_day(AS_OF):
        assert_refused(
            lambda: services.agreement_draft(
                actor=agr.users.gestor1, employer=agr.e4, down_payment="89.90", installments=6
            ),
            "demasiado pequeño",
            "cuota 6",
        )


def test_draft_refuses_a_second_agreement_over_the_same_periods(agr):
    first = draft_e2(agr)
    message = assert_refused(
        lambda: draft_e2(agr, installments=3, down="336.98"), first.number, "mismos períodos"
    )
    assert "borrador" in message
    services.agreement_approve(actor=agr.users.jefe, agreement=first)
    assert_refused(lambda: draft_e2(agr), first.number, "aprobado")
    services.agreement_cancel(actor=agr.users.gestor1, agreement=first, reason="el patrono desistió")
    assert draft_e2(agr).state == AgreementState.DRAFT  # a cancelled one holds nothing


def test_draft_refuses_active_agreement_periods_too(agr):
    active = active_e2(agr)
    assert_refused(lambda: draft_e2(agr), active.number, "vigente")


def test_draft_refusals_for_people_and_dates(agr, settings):
    assert_refused(lambda: draft_e2(agr, actor=agr.users.gestor2), "cartera")
    settings.COBRANZA_BUSINESS_DATE = AS_OF
    assert_refused(lambda: draft_e2(agr, actor=agr.users.callcenter), "Solo un gestor")
    assert_refused(
        lambda: services.agreement_draft(
            actor=agr.users.gestor1,
            employer=agr.e2,
            down_payment="286.98",
            installments=6,
            as_of=date(2099, 1, 1),
        ),
        "futura",
    )
    assert_refused(
        lambda: services.agreement_draft(
            actor=agr.users.gestor1,
            employer=agr.e2,
            down_payment="286.98",
            installments=6,
            start=date(2024, 6, 1),
        ),
        "debe vencer después",
    )
    assert_refused(
        lambda: services.agreement_draft(
            actor=agr.users.gestor1, employer=agr.world.own, down_payment="1", installments=3
        ),
        "no tiene deuda",
    )


# ------------------------------------------------------------------------------------ four eyes
def test_only_a_head_other_than_the_drafter_approves(agr):
    mine = draft_e2(agr, actor=agr.users.jefe)
    assert_refused(
        lambda: services.agreement_approve(actor=agr.users.jefe, agreement=mine),
        "Quien elaboró el convenio no puede aprobarlo",
    )
    assert_refused(
        lambda: services.agreement_approve(actor=agr.users.gestor1, agreement=mine), "Solo una jefatura"
    )
    assert_refused(
        lambda: services.agreement_approve(actor=agr.users.callcenter, agreement=mine), "Solo una jefatura"
    )
    approved = services.agreement_approve(actor=agr.users.jefe_sucursal, agreement=mine)
    assert approved.state == AgreementState.APPROVED
    assert approved.approved_by == agr.users.jefe_sucursal and approved.approved_at is not None
    event = AuditEvent.objects.get(action="agreement.approved")
    assert event.before["state"] == "draft" and event.after["state"] == "approved"
    assert_refused(
        lambda: services.agreement_approve(actor=agr.users.jefe_sucursal, agreement=mine),
        "Solo se aprueba un borrador",
    )


def test_branch_head_of_another_branch_cannot_approve(agr, world):
    from cobranza.common.roles import Role
    from tests.factories import make_user

    other_head = make_user("jefe_sa", Role.BRANCH_HEAD, branch=world.branches.sa)
    agreement = draft_e2(agr)
    assert_refused(lambda: services.agreement_approve(actor=other_head, agreement=agreement), "sucursal")


# ------------------------------------------------------------------------------------ down payment
def test_down_payment_activates_and_freezes(agr):
    agreement = draft_e2(agr)
    services.agreement_approve(actor=agr.users.jefe, agreement=agreement)
    assert freezes_for(agr.e2, date(2024, 8, 1)) == {}
    payment = pay(agr.e2, "DP", date(2024, 7, 5), "300.00")
    agreement = services.agreement_register_down_payment(
        actor=agr.users.gestor1, agreement=agreement, payment=payment
    )
    assert agreement.state == AgreementState.ACTIVE
    assert agreement.signed_on == date(2024, 7, 5) and agreement.down_payment_payment == payment
    # frozen at the draft's date (30/06/2024), when the debt was fixed, from the signing on
    assert freezes_for(agr.e2, date(2024, 8, 1)) == {
        p: date(2024, 6, 30) for p in ("2024-01", "2024-02", "2024-03")
    }
    assert freezes_for(agr.e2, date(2024, 7, 4)) == {}  # not signed yet at that date


def test_down_payment_refusals(agr, world):
    agreement = draft_e2(agr)
    early = pay(agr.e2, "DP-0", date(2024, 7, 1), "286.98")
    assert_refused(
        lambda: services.agreement_register_down_payment(
            actor=agr.users.gestor1, agreement=agreement, payment=early
        ),
        "aprobado",
    )
    services.agreement_approve(actor=agr.users.jefe, agreement=agreement)
    short = pay(agr.e2, "DP-1", date(2024, 7, 2), "286.97")
    assert_refused(
        lambda: services.agreement_register_down_payment(
            actor=agr.users.gestor1, agreement=agreement, payment=short
        ),
        "no alcanza la prima de $286.98",
    )
    foreign = pay(agr.e4, "DP-2", date(2024, 7, 2), "500.00")
    assert_refused(
        lambda: services.agreement_register_down_payment(
            actor=agr.users.gestor1, agreement=agreement, payment=foreign
        ),
        "es del patrono 100000004",
    )
    before = pay(agr.e2, "DP-3", date(2024, 6, 1), "500.00")
    assert_refused(
        lambda: services.agreement_register_down_payment(
            actor=agr.users.gestor1, agreement=agreement, payment=before
        ),
        "anterior a la fecha del convenio",
        "ya está descontado",
    )
    # Validity: 10 business days from Sunday 30/06/2024 → Friday 12/07/2024 (no holidays between).
    assert agreement.valid_until == date(2024, 7, 12)
    late = pay(agr.e2, "DP-4", date(2024, 7, 15), "500.00")
    assert_refused(
        lambda: services.agreement_register_down_payment(
            actor=agr.users.gestor1, agreement=agreement, payment=late
        ),
        "12/07/2024",
        "último día para pagar la prima",
    )
    for_july = pay(agr.e2, "DP-5", date(2024, 7, 3), "500.00", period="2024-07")
    assert_refused(
        lambda: services.agreement_register_down_payment(
            actor=agr.users.gestor1, agreement=agreement, payment=for_july
        ),
        "período 2024-07",
        "no cubre",
    )
    services.agreement_register_down_payment(actor=agr.users.gestor1, agreement=agreement, payment=early)
    # The same payment cannot be the down payment of another agreement.
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.ACTIVE


def test_a_used_payment_is_refused_for_another_agreement(agr):
    first = active_e2(agr)
    # A second approved agreement of 100000002, created directly (the draft service refuses it:
    # its periods are held), must not take the first one's down payment.
    twin = Agreement.objects.get(pk=first.pk)
    twin.pk = None
    twin.state = AgreementState.APPROVED
    twin.down_payment_payment = None
    twin.signed_on = None
    twin.save()
    assert_refused(
        lambda: services.agreement_register_down_payment(
            actor=agr.users.gestor1, agreement=twin, payment=first.down_payment_payment
        ),
        "ya es la prima del convenio",
        first.number,
    )


def test_cancel_rules(agr):
    agreement = draft_e2(agr)
    assert_refused(
        lambda: services.agreement_cancel(actor=agr.users.gestor1, agreement=agreement, reason=" "), "motivo"
    )
    assert_refused(
        lambda: services.agreement_cancel(actor=agr.users.callcenter, agreement=agreement, reason="x"),
        "Solo quien elaboró",
    )
    cancelled = services.agreement_cancel(actor=agr.users.jefe, agreement=agreement, reason="datos erróneos")
    assert cancelled.state == AgreementState.CANCELLED and cancelled.cancelled_reason == "datos erróneos"
    assert_refused(
        lambda: services.agreement_transition(
            actor=agr.users.jefe, agreement=cancelled, to_state=AgreementState.ACTIVE
        ),
        "anulado",
        "no puede pasar a vigente",
    )


# ------------------------------------------------------------------------------------ check
def test_check_pays_installments_oldest_first_and_marks_overdue(agr):
    agreement = active_e2(agr, paid_on=date(2024, 7, 5))
    pay(agr.e2, "C1", date(2024, 7, 29), "199.85", reference=agreement.number)
    pay(agr.e2, "C2", date(2024, 8, 30), "100.00", period="2024-02")
    # a later month's contribution, paid after installment 2 fell due: not an installment (what it
    # leaves over is credit, applied only when something else falls due)
    pay(agr.e2, "OTHER", date(2024, 9, 5), "999.00", period="2024-07")
    result = services.agreements_check(actor=None, as_of=date(2024, 9, 10))
    assert result.checked == 1 and result.overdue == [agreement.number] and not result.lapsed
    rows = {i.number: i for i in agreement.installments.all()}
    assert (rows[1].status, rows[1].paid_amount, rows[1].paid_off_on) == (
        "paid",
        Decimal("199.85"),
        date(2024, 7, 29),
    )
    assert (rows[2].status, rows[2].paid_amount) == ("overdue", Decimal("100.00"))
    assert rows[3].status == "pending" and rows[3].paid_amount == 0
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.ACTIVE and agreement.checked_on == date(2024, 9, 10)


def test_check_partial_before_due_date(agr):
    agreement = active_e2(agr)
    pay(agr.e2, "C1", date(2024, 7, 20), "50.00", reference=agreement.number)
    services.agreements_check(actor=None, as_of=date(2024, 7, 25))
    assert agreement.installments.get(number=1).status == "partial"


def test_check_refuses_future_and_dates_before_signing(agr):
    agreement = active_e2(agr, paid_on=date(2024, 7, 5))
    message = assert_refused(
        lambda: services.agreements_check(actor=None, as_of=date(2024, 7, 1)), agreement.number
    )
    assert "anterior a la firma" in message and "05/07/2024" in message
    assert_refused(lambda: services.agreements_check(actor=None, as_of=date(2099, 1, 1)), "futura")
    assert_refused(
        lambda: services.agreements_check(actor=agr.users.gestor1, as_of=date(2024, 8, 1)),
        "Solo una jefatura",
    )


def test_check_signs_an_approved_agreement_when_its_down_payment_arrives(agr):
    agreement = draft_e2(agr)
    services.agreement_approve(actor=agr.users.jefe, agreement=agreement)
    pay(agr.e2, "SMALL", date(2024, 7, 3), "50.00")
    pay(agr.e2, "FOR-JULY", date(2024, 7, 4), "500.00", period="2024-07")  # not for the covered periods
    pay(agr.e2, "DP", date(2024, 7, 8), "286.98", reference="prima")
    result = services.agreements_check(actor=None, as_of=date(2024, 7, 10))
    agreement.refresh_from_db()
    assert result.signed == [agreement.number]
    assert agreement.state == AgreementState.ACTIVE and agreement.down_payment_payment.payment_id == "DP"
    assert agreement.signed_on == date(2024, 7, 8)


def test_fulfilled_when_every_installment_is_paid(agr):
    agreement = active_e2(agr, installments=3, down="336.98")
    pay(agr.e2, "C1", date(2024, 7, 30), "375.23")
    pay(agr.e2, "C2", date(2024, 8, 20), "750.47", reference=agreement.number)
    result = services.agreements_check(actor=agr.users.jefe, as_of=date(2024, 9, 1))
    agreement.refresh_from_db()
    assert result.fulfilled == [agreement.number]
    assert agreement.state == AgreementState.FULFILLED and agreement.fulfilled_on == date(2024, 8, 20)
    assert set(agreement.installments.values_list("status", flat=True)) == {"paid"}
    # A fulfilled agreement keeps its periods frozen at the draft's date (debt fixed then).
    assert set(freezes_for(agr.e2, date(2025, 1, 1)).values()) == {date(2024, 6, 30)}
    event = AuditEvent.objects.get(action="agreement.fulfilled")
    assert event.before["state"] == "active" and event.after["state"] == "fulfilled"


def test_excess_of_the_down_payment_naming_the_agreement_goes_to_the_first_installment(agr):
    agreement = draft_e2(agr)
    services.agreement_approve(actor=agr.users.jefe, agreement=agreement)
    payment = pay(agr.e2, "DP", date(2024, 7, 5), "386.98", reference=f"prima {agreement.number}")
    services.agreement_register_down_payment(actor=agr.users.gestor1, agreement=agreement, payment=payment)
    services.agreements_check(actor=None, as_of=date(2024, 7, 6))
    assert agreement.installments.get(number=1).paid_amount == Decimal("100.00")


def test_excess_of_a_down_payment_not_naming_the_agreement_is_an_ordinary_payment(agr):
    """$386.98 paid on 05/07/2024 with no reference: $286.98 is the down payment; the other $100.00
    is an ordinary payment (SPEC §5), not installment 1 paid in advance: installment 1 ($199.85,
    due 30/07/2024) is still wholly unpaid."""
    agreement = draft_e2(agr)
    services.agreement_approve(actor=agr.users.jefe, agreement=agreement)
    payment = pay(agr.e2, "DP", date(2024, 7, 5), "386.98")
    services.agreement_register_down_payment(actor=agr.users.gestor1, agreement=agreement, payment=payment)
    services.agreements_check(actor=None, as_of=date(2024, 7, 6))
    first = agreement.installments.get(number=1)
    assert (first.amount, first.paid_amount, first.status) == (Decimal("199.85"), Decimal("0.00"), "pending")
