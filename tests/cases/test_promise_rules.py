"""Promises per SPEC §7 (issue 14), worked by hand.

Policy of the tests (migration 0003): due date = 10th business day of the next month, surcharge 1%
per month or fraction late, contribution paid first. world.own declares 2024-01 and 2024-02 of
$105.00 each (employer 75.00 + worker 30.00), filed on time, so no fine:
- 2024-01 is due 14/02/2024 (Feb 2024: 1, 2, 5-9, 12-14 → the 10th business day is the 14th);
- 2024-02 is due 14/03/2024 (Mar 2024: 1, 4-8, 11-14).
On 01/03/2024 only 2024-01 is overdue: $105.00 + surcharge 105.00 × 1 month × 1% = $1.05 → $106.05.
Grace after the promised date: 3 days.
"""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from cobranza.cases import services
from cobranza.cases.models import ActionOutcome, CaseFile, PaymentPromise, PromiseStatus
from cobranza.common.errors import ApplicationError
from tests.factories import DeclarationFactory, PaymentFactory

pytestmark = pytest.mark.django_db

REACHED = "Contactado, promete pagar"


def at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=10))


@pytest.fixture
def own(world, settings):
    DeclarationFactory(employer=world.own, period="2024-01", filed_on=date(2024, 2, 1))
    DeclarationFactory(employer=world.own, period="2024-02", filed_on=date(2024, 3, 1))
    settings.COBRANZA_BUSINESS_DATE = date(2024, 3, 1)
    return world


def promise(world, settings, *, made: date, promised: date, amount: str) -> PaymentPromise:
    settings.COBRANZA_BUSINESS_DATE = made
    case = CaseFile.objects.filter(employer=world.own).exclude(state="closed").first()
    case = case or services.case_for_employer(employer=world.own, actor=world.users.gestor1)
    action = services.action_record(
        actor=world.users.gestor1,
        case=case,
        kind="call",
        outcome=ActionOutcome.objects.get(name=REACHED),
        performed_at=at(made),
        promise_amount=Decimal(amount),
        promise_date=promised,
    )
    return action.promise


def test_broken_by_a_current_month_payment_kept_by_an_arrears_payment(own, settings):
    """Promise A, made 01/03/2024: $100.00 by 08/03 (window to 11/03 with the grace). Its periods:
    2024-01 only. Payment P1 on 05/03, $105.00 for period 2024-02 (the month being declared, not yet
    due): the statement applies it whole to 2024-02's contribution, $0.00 to 2024-01 → A broken on
    12/03 (arrears unchanged: still $106.05).

    Promise B, made 12/03: $100.00 by 20/03; its periods: 2024-01 only (2024-02 was paid by P1
    before its due date). Payment P2 on 15/03, $106.05 without period: oldest begun period first →
    2024-01 contribution 105.00, then 1.05 of its surcharge (2 months or fraction late at 15/03:
    2.10), all 106.05 to arrears →
    B kept with $100.00 counted (what it needs). A stays broken: P2 is after A's window."""
    world = own
    a = promise(world, settings, made=date(2024, 3, 1), promised=date(2024, 3, 8), amount="100.00")
    assert a.overdue_periods == ["2024-01"]
    PaymentFactory(
        employer=world.own,
        payment_id="P1",
        paid_on=date(2024, 3, 5),
        amount=Decimal("105.00"),
        period="2024-02",
    )
    services.promises_evaluate(as_of=date(2024, 3, 12))
    a.refresh_from_db()
    assert a.status == PromiseStatus.BROKEN and a.paid_amount == Decimal("0.00")

    b = promise(world, settings, made=date(2024, 3, 12), promised=date(2024, 3, 20), amount="100.00")
    assert b.overdue_periods == ["2024-01"]
    PaymentFactory(employer=world.own, payment_id="P2", paid_on=date(2024, 3, 15), amount=Decimal("106.05"))
    changed = services.promises_evaluate(as_of=date(2024, 3, 24))
    a.refresh_from_db()
    b.refresh_from_db()
    assert changed["kept"] == 1
    assert b.status == PromiseStatus.KEPT and b.paid_amount == Decimal("100.00")
    assert b.counted_payments == [{"payment_id": "P2", "amount": "100.00"}]
    assert a.status == PromiseStatus.BROKEN


def test_two_overlapping_promises_and_one_payment(own, settings):
    """Both made 01/03/2024 on 2024-01 ($106.05 overdue): A $60.00 by 08/03, B $60.00 by 10/03.
    One payment P on 05/03 of $100.00 without period → 2024-01 contribution $100.00.
    A (earlier date) counts $60.00 of it → kept; B can use only the $40.00 left → $40.00 < $60.00,
    and its window ends 13/03 → broken on 20/03 with $40.00 counted. Not both kept by one payment."""
    world = own
    a = promise(world, settings, made=date(2024, 3, 1), promised=date(2024, 3, 8), amount="60.00")
    b = promise(world, settings, made=date(2024, 3, 1), promised=date(2024, 3, 10), amount="60.00")
    PaymentFactory(employer=world.own, payment_id="P", paid_on=date(2024, 3, 5), amount=Decimal("100.00"))
    services.promises_evaluate(as_of=date(2024, 3, 20))
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, a.paid_amount) == (PromiseStatus.KEPT, Decimal("60.00"))
    assert (b.status, b.paid_amount) == (PromiseStatus.BROKEN, Decimal("40.00"))


def test_a_payment_covering_both_keeps_both(own, settings):
    """A $60.00 by 08/03 and B $40.00 by 10/03, both made 01/03/2024; one payment of $106.05 on
    05/03 (all of 2024-01: contribution 105.00 + surcharge 1.05). A counts $60.00; $46.05 is left and
    B needs $40.00 → both kept: a payment keeps every promise it covers in full, none twice."""
    world = own
    a = promise(world, settings, made=date(2024, 3, 1), promised=date(2024, 3, 8), amount="60.00")
    b = promise(world, settings, made=date(2024, 3, 1), promised=date(2024, 3, 10), amount="40.00")
    PaymentFactory(employer=world.own, payment_id="P", paid_on=date(2024, 3, 5), amount=Decimal("106.05"))
    services.promises_evaluate(as_of=date(2024, 3, 20))
    a.refresh_from_db()
    b.refresh_from_db()
    # $60.00 to A, $40.00 of the $46.05 left to B: both covered in full.
    assert a.status == b.status == PromiseStatus.KEPT
    assert b.paid_amount == Decimal("40.00")


def test_no_promise_without_contact(own, settings):
    world = own
    case = services.case_for_employer(employer=world.own, actor=world.users.gestor1)
    with pytest.raises(ApplicationError, match="solo cuando se habló con el patrono"):
        services.action_record(
            actor=world.users.gestor1,
            case=case,
            kind="call",
            outcome=ActionOutcome.objects.get(name="No contesta"),
            promise_amount=Decimal("50.00"),
            promise_date=date(2024, 3, 8),
        )
    assert not PaymentPromise.objects.exists()


def test_promises_are_rechecked_after_a_payment_import(
    own, settings, tmp_path, django_capture_on_commit_callbacks
):
    """A broken promise (A: $100.00 by 08/03) turns kept when an import brings a payment dated
    06/03 of $106.05 to arrears: the import re-checks the promises of the employers that paid."""
    from cobranza.employers.imports import run_import

    world = own
    a = promise(world, settings, made=date(2024, 3, 1), promised=date(2024, 3, 8), amount="100.00")
    settings.COBRANZA_BUSINESS_DATE = date(2024, 3, 20)
    services.promises_evaluate(as_of=date(2024, 3, 20))
    a.refresh_from_db()
    assert a.status == PromiseStatus.BROKEN
    source = tmp_path / "pagos.csv"
    source.write_text(
        f"payment_id,employer_number,paid_on,amount\nIMP-1,{world.own.employer_number},2024-03-06,106.05\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        run_import(kind="payments", source=str(source), today=date(2024, 3, 20))
    a.refresh_from_db()
    assert a.status == PromiseStatus.KEPT and a.paid_amount == Decimal("100.00")
