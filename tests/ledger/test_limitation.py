"""Worked scenarios of the limitation clock per period (SPEC §4 "limitation", §8).

The employer `world.own` declared 2019-01 on time (filed 05/02/2019, $105.00: $75.00 + $30.00
worker share) and 2024-01 (filed 05/02/2024, $105.00), and paid nothing.
Due dates (10th business day of the next month): 2019-01 → 14/02/2019; 2024-01 → 14/02/2024.
Limitation 5 years from the due date: 2019-01 prescribes on 14/02/2024 (add 60 months).
"""

from datetime import date

import pytest

from cobranza.common.errors import ApplicationError
from cobranza.common.models import AuditEvent
from cobranza.ledger.models import LimitationCause, LimitationRestart, PrescribedPeriod
from cobranza.ledger.selectors import (
    collectible_overdue,
    limitation_dates,
    prescribed_periods,
    statement_for_employer,
)
from cobranza.ledger.services import limitation_restart_record, prescribed_periods_mark
from tests.factories import DeclarationFactory

AS_OF = date(2024, 6, 30)


@pytest.fixture
def old_debt(world, default_policy_version):
    DeclarationFactory(employer=world.own, period="2019-01", filed_on=date(2019, 2, 5))
    DeclarationFactory(employer=world.own, period="2024-01", filed_on=date(2024, 2, 5))
    return world


@pytest.mark.django_db
def test_2019_period_unpaid_prescribes_five_years_after_its_due_date(old_debt):
    """2019-01: due 14/02/2019 + 5 years = 14/02/2024 ≤ 30/06/2024 → prescribed, marked by the check.
    2024-01: due 14/02/2024 + 5 years = 14/02/2029, not prescribed.
    Collectible at 30/06/2024: only 2024-01 = 105.00 + 5 months × 1 % × 105.00 = 110.25; the
    2019-01 debt leaves it (prescribed_cents = its overdue figure), the statement still has it."""
    world = old_debt
    info = limitation_dates(employer=world.own, as_of=AS_OF)
    assert info["2019-01"].limitation_date == date(2024, 2, 14)
    assert info["2019-01"].expired and not info["2019-01"].prescribed
    assert info["2024-01"].limitation_date == date(2029, 2, 14)

    result = prescribed_periods_mark(actor=None, as_of=AS_OF)
    assert result.marked == [("300000001", "2019-01", date(2024, 2, 14))]
    assert prescribed_periods(employers=[world.own], as_of=AS_OF) == {world.own.pk: {"2019-01"}}
    assert limitation_dates(employer=world.own, as_of=AS_OF)["2019-01"].prescribed

    statement = statement_for_employer(world.own, AS_OF)
    old = statement.line("2019-01")
    collectible = collectible_overdue(employer=world.own, as_of=AS_OF)
    assert collectible.overdue_cents == 11025
    assert collectible.prescribed_cents == old.overdue_cents > 10500
    assert collectible.prescribed_periods == ("2019-01",)
    assert collectible.oldest_period == "2024-01"
    assert statement.totals.overdue_cents == 11025 + old.overdue_cents  # never deleted

    # Idempotent: a second run marks nothing more.
    again = prescribed_periods_mark(actor=None, as_of=AS_OF)
    assert again.marked == [] and again.already == 1
    assert PrescribedPeriod.objects.count() == 1
    assert AuditEvent.objects.filter(action="ledger.periods_prescribed").count() == 1


@pytest.mark.django_db
def test_notice_delivered_in_2022_restarts_the_clock_until_2027(old_debt):
    """A notice delivered 10/03/2022 (before 14/02/2024) restarts 2019-01: 10/03/2022 + 5 years =
    10/03/2027; it also restarts 2024-01? No: 2024-01 was not overdue on 10/03/2022 (not declared).
    At 30/06/2024 nothing prescribes; at 10/03/2027 2019-01 does."""
    world = old_debt
    rows = limitation_restart_record(
        actor=world.users.gestor1,
        employer=world.own,
        on=date(2022, 3, 10),
        cause=LimitationCause.NOTICE,
        reference="Aviso 12",
    )
    assert [r.period for r in rows] == ["2019-01"]
    info = limitation_dates(employer=world.own, as_of=AS_OF)["2019-01"]
    assert info.limitation_date == date(2027, 3, 10)
    assert info.restarted_on == date(2022, 3, 10)
    assert info.cause_label == "Aviso documentado entregado"
    assert prescribed_periods_mark(actor=None, as_of=AS_OF).marked == []
    later = prescribed_periods_mark(actor=None, as_of=date(2027, 3, 10))
    assert ("300000001", "2019-01", date(2027, 3, 10)) in later.marked
    event = AuditEvent.objects.get(action="ledger.limitation_restarted")
    assert "Aviso documentado entregado el 10/03/2022" in event.reason


@pytest.mark.django_db
def test_restart_after_the_limitation_date_does_not_revive(old_debt):
    """A lawsuit filed 01/03/2024 is after 14/02/2024: 2019-01 stays prescribed (not revived);
    2024-01 (overdue since 14/02/2024) is restarted to 01/03/2029."""
    world = old_debt
    rows = limitation_restart_record(
        actor=None, employer=world.own, on=date(2024, 3, 1), cause="lawsuit", reference="Demanda 1-2024"
    )
    assert [r.period for r in rows] == ["2024-01"]
    info = limitation_dates(employer=world.own, as_of=AS_OF)
    assert info["2019-01"].limitation_date == date(2024, 2, 14)
    assert info["2024-01"].limitation_date == date(2029, 3, 1)
    event = AuditEvent.objects.get(action="ledger.limitation_restarted")
    assert event.after["not_revived"] == ["2019-01"]


@pytest.mark.django_db
def test_late_recorded_restart_annuls_the_mark(old_debt):
    """Marked prescribed on 30/06/2024 (limitation 14/02/2024); a lawsuit filed 01/02/2024 (before
    it) recorded afterwards annuls the mark (kept, revoked) and the new date is 01/02/2029."""
    world = old_debt
    prescribed_periods_mark(actor=None, as_of=AS_OF)
    limitation_restart_record(
        actor=None,
        employer=world.own,
        on=date(2024, 2, 1),
        cause="lawsuit",
        reference="Demanda 9-2024",
        periods=["2019-01"],
    )
    mark = PrescribedPeriod.objects.get()
    assert mark.revoked_on is not None
    assert prescribed_periods(employers=[world.own], as_of=AS_OF) == {}
    assert limitation_dates(employer=world.own, as_of=AS_OF)["2019-01"].limitation_date == date(2029, 2, 1)
    # Same act recorded twice: written once.
    limitation_restart_record(
        actor=None,
        employer=world.own,
        on=date(2024, 2, 1),
        cause="lawsuit",
        reference="Demanda 9-2024",
        periods=["2019-01"],
    )
    assert LimitationRestart.objects.count() == 1


@pytest.mark.django_db
def test_bad_input_is_refused_in_spanish(old_debt):
    world = old_debt
    with pytest.raises(ApplicationError, match="Causa de interrupción"):
        limitation_restart_record(actor=None, employer=world.own, on=AS_OF, cause="x", reference="")
    with pytest.raises(ApplicationError, match="no tiene planilla de los períodos 2018-05"):
        limitation_restart_record(
            actor=None, employer=world.own, on=AS_OF, cause="notice", reference="", periods=["2018-05"]
        )
    with pytest.raises(ApplicationError, match="Período inválido"):
        limitation_restart_record(
            actor=None, employer=world.own, on=AS_OF, cause="notice", reference="", periods=["2018-13"]
        )
