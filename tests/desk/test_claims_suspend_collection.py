"""Worked scenario: a claim on two periods takes them out of collection and brings them back when
rejected (SPEC §8 "service desk"); the statement marks them «en reclamo» and their surcharge runs."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from cobranza.cases.worklist import worklist
from cobranza.common.errors import ApplicationError
from cobranza.desk import services
from cobranza.desk.models import InquiryStatus
from cobranza.ledger.selectors import collectible_overdue, statement_for_employer, suspended_periods
from tests.factories import make_balance_snapshot


def _claim(world, periods=("2024-01", "2024-02")):
    return services.inquiry_register(
        actor=world.users.atencion,
        kind="reclamo",
        channel="ventanilla",
        requester_type="patrono",
        requester_name="María Pérez (contadora)",
        requester_document="01234567-8",
        subject="planilla",
        description="Los trabajadores de enero y febrero ya estaban dados de baja.",
        employer=world.own,
        periods=list(periods),
    )


def _own_item(world):
    items = worklist(user=world.users.gestor1, today=date(2024, 6, 30), reason="todos")
    return next((i for i in items if i.employer == world.own), None)


@pytest.mark.django_db
def test_claim_on_two_periods_leaves_them_out_of_the_worklist_until_rejected(three_periods):
    """Before: overdue 327.60 (110.25 + 109.20 + 108.15), 5 months in arrears (2024-01).
    Claim on 2024-01 and 2024-02: collectible 108.15 (2024-03 only), 3 months in arrears.
    Rejected: back to 327.60 and 5 months."""
    world = three_periods
    make_balance_snapshot(world.own, overdue="327.60", months=5, oldest="2024-01", as_of=date(2024, 6, 30))
    before = _own_item(world)
    assert before.overdue == Decimal("327.60")
    assert before.months_in_arrears == 5

    claim = _claim(world)
    assert claim.number.startswith("RC-2024-")
    assert suspended_periods(employers=[world.own], as_of=date(2024, 6, 30)) == {
        world.own.pk: {"2024-01", "2024-02"}
    }
    during = _own_item(world)
    assert during.overdue == Decimal("108.15")
    assert during.months_in_arrears == 3
    assert {p.label: p.points for p in during.parts}["Meses en mora"] == 6

    # The statement still charges the surcharge of the periods in claim.
    statement = statement_for_employer(world.own, date(2024, 6, 30))
    assert statement.line("2024-01").surcharge_cents == 525
    assert collectible_overdue(employer=world.own, as_of=date(2024, 6, 30)).suspended_cents == 11025 + 10920

    services.inquiry_transition(
        actor=world.users.atencion,
        inquiry=claim,
        to=InquiryStatus.REJECTED,
        note="Las planillas son correctas.",
    )
    assert suspended_periods(employers=[world.own], as_of=date(2024, 6, 30)) == {}
    after = _own_item(world)
    assert after.overdue == Decimal("327.60")
    assert after.months_in_arrears == 5


@pytest.mark.django_db
def test_employer_all_of_whose_overdue_is_in_claim_leaves_the_worklist(three_periods):
    world = three_periods
    make_balance_snapshot(world.own, overdue="327.60", months=5, oldest="2024-01", as_of=date(2024, 6, 30))
    claim = _claim(world, periods=("2024-01", "2024-02", "2024-03"))
    assert _own_item(world) is None
    # Accepted: still suspended until the correction is made and the claim closed.
    services.inquiry_transition(
        actor=world.users.atencion, inquiry=claim, to=InquiryStatus.ACCEPTED, note="Procede."
    )
    assert _own_item(world) is None
    services.inquiry_transition(actor=world.users.atencion, inquiry=claim, to=InquiryStatus.CLOSED, note="")
    assert _own_item(world).overdue == Decimal("327.60")


@pytest.mark.django_db
def test_statement_marks_periods_in_claim(client, three_periods):
    world = three_periods
    claim = _claim(world)
    client.force_login(world.users.atencion)
    page = client.get(reverse("employers:detail", args=[world.own.employer_number])).content.decode()
    assert page.count(f"en reclamo {claim.number}") == 2


@pytest.mark.django_db
def test_claim_without_periods_or_employer_is_refused_naming_the_field(client, three_periods):
    world = three_periods
    with pytest.raises(ApplicationError, match="Períodos"):
        _claim(world, periods=())
    with pytest.raises(ApplicationError, match="Patrono"):
        services.inquiry_register(
            actor=world.users.atencion,
            kind="reclamo",
            channel="carta",
            requester_type="patrono",
            requester_name="X",
            subject="pago",
            description="x",
            employer=None,
            periods=["2024-01"],
        )
    client.force_login(world.users.atencion)
    response = client.post(
        reverse("desk:create"),
        {
            "kind": "reclamo",
            "channel": "ventanilla",
            "requester_type": "patrono",
            "requester_name": "Ana",
            "subject": "pago",
            "description": "Pago no aplicado",
            "employer_number": "",
            "periods": "",
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Un reclamo debe indicar el patrono" in text
    assert "Un reclamo debe indicar los períodos" in text
    response = client.post(
        reverse("desk:create"),
        {
            "kind": "reclamo",
            "channel": "ventanilla",
            "requester_type": "patrono",
            "requester_name": "Ana",
            "subject": "pago",
            "description": "x",
            "employer_number": world.own.employer_number,
            "periods": "2024-13",
        },
    )
    assert response.status_code == 400
    assert "«2024-13» no es un período válido" in response.content.decode()
    assert not suspended_periods(employers=[world.own], as_of=date(2024, 6, 30))


@pytest.mark.django_db
def test_claim_on_undeclared_period_changes_nothing(three_periods):
    world = three_periods
    with pytest.raises(ApplicationError, match="no tiene planilla de los períodos 2024-05"):
        _claim(world, periods=("2024-01", "2024-05"))
    from cobranza.desk.models import Inquiry

    assert not Inquiry.objects.exists()


@pytest.mark.django_db
def test_inquiry_transitions_are_checked(three_periods):
    world = three_periods
    inquiry = services.inquiry_register(
        actor=world.users.atencion,
        kind="consulta",
        channel="telefono",
        requester_type="patrono",
        requester_name="Juan",
        subject="saldo",
        description="¿Cuánto debo?",
        employer=world.own,
    )
    assert inquiry.due_on > inquiry.opened_on
    with pytest.raises(ApplicationError, match="no puede pasar"):
        services.inquiry_transition(
            actor=world.users.atencion, inquiry=inquiry, to=InquiryStatus.ACCEPTED, note="x"
        )
    with pytest.raises(ApplicationError, match="Respuesta"):
        services.inquiry_transition(
            actor=world.users.atencion, inquiry=inquiry, to=InquiryStatus.ANSWERED, note=" "
        )
    answered = services.inquiry_transition(
        actor=world.users.atencion, inquiry=inquiry, to=InquiryStatus.ANSWERED, note="Debe $327.60."
    )
    assert answered.answered_on == date(2024, 6, 30)
    with pytest.raises(ApplicationError, match="Su rol"):
        services.inquiry_transition(
            actor=world.users.gestor1, inquiry=inquiry, to=InquiryStatus.CLOSED, note=""
        )
