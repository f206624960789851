"""Worked scenarios of the scan and the clean-up requests on the database (portfolio of conftest.py,
as of 30/06/2024)."""

from datetime import date
from decimal import Decimal

import pytest

from cobranza.cases.selectors import case_chronology
from cobranza.cases.services import case_for_employer
from cobranza.common.errors import ApplicationError
from cobranza.common.models import AuditEvent
from cobranza.hygiene import services
from cobranza.hygiene.models import CleanupRequest, Finding, FindingStatus, RequestStatus
from cobranza.ledger.models import BalanceSnapshot
from tests.factories import DeclarationFactory
from tests.hygiene.conftest import AS_OF

pytestmark = pytest.mark.django_db


def by_type(kind):
    return list(Finding.objects.filter(finding_type=kind).select_related("employer").order_by("key"))


def test_scan_finds_every_type(hyg):
    """Expected (by hand, see conftest):

    * rate mismatch E1 2024-03: declared $70.00 + $30.00 = $100.00 vs 7.5 % and 3 % of $1,000.00 =
      $105.00 → $5.00;
    * stopped filer E2: 2024-03, 2024-04, 2024-05 missing × $105.00 (its last payroll) = $315.00, an
      estimate;
    * undeclared payment E2: P-E2-ABR $105.00 for 2024-04;
    * duplicate E3: P-E3-A and P-E3-B, $105.00 on 10/06/2024 → excess $105.00;
    * outside its life E3: P-E3-OLD $50.00 for 2019-10 (registered 15/01/2020);
    * closed with debt E4: $250.00; stale credit E5: $80.00 (no payment in 6 months).
    """
    result = services.hygiene_scan(actor=None, as_of=AS_OF)
    assert result.total_found == 7 and result.total_new == 7
    (rate,) = by_type("rate_mismatch")
    assert (rate.employer, rate.periods, rate.amount, rate.base_amount, rate.declared_amount) == (
        hyg.e1,
        ["2024-03"],
        Decimal("5.00"),
        Decimal("105.00"),
        Decimal("100.00"),
    )
    (stopped,) = by_type("stopped_filer")
    assert stopped.employer == hyg.e2 and stopped.periods == ["2024-03", "2024-04", "2024-05"]
    assert stopped.amount == Decimal("315.00") and stopped.is_estimate
    assert stopped.periods_text == "03/2024 a 05/2024 (3 meses)"
    (undeclared,) = by_type("undeclared_payment")
    assert (undeclared.payment_ids, undeclared.amount) == (["P-E2-ABR"], Decimal("105.00"))
    (dup,) = by_type("duplicate_payment")
    assert (dup.employer, dup.payment_ids, dup.amount) == (hyg.e3, ["P-E3-A", "P-E3-B"], Decimal("105.00"))
    (outside,) = by_type("out_of_life_payment")
    assert (outside.payment_ids, outside.periods, outside.amount) == (
        ["P-E3-OLD"],
        ["2019-10"],
        Decimal("50.00"),
    )
    (closed,) = by_type("closed_with_debt")
    assert (closed.employer, closed.amount) == (hyg.e4, Decimal("250.00"))
    (credit,) = by_type("stale_credit")
    assert (credit.employer, credit.amount) == (hyg.e5, Decimal("80.00"))
    # The estimate is never debt: the stopped filer's balance is not touched by the scan.
    assert not BalanceSnapshot.objects.filter(employer=hyg.e2).exists()


def test_rescan_never_duplicates(hyg):
    services.hygiene_scan(actor=None, as_of=AS_OF)
    again = services.hygiene_scan(actor=None, as_of=AS_OF)
    assert again.total_found == 7 and again.total_new == 0 and again.gone == 0
    assert Finding.objects.count() == 7
    assert CleanupRequest.objects.count() == 4  # automatic requests are not sent twice


def test_finding_no_longer_present_is_marked_gone_not_deleted(hyg):
    """E2 files 2024-04: the payment P-E2-ABR now has its payroll (gone), and the gap splits into
    2024-03 (same key, 1 × $105.00) and 2024-05 (a new key)."""
    services.hygiene_scan(actor=None, as_of=AS_OF)
    DeclarationFactory(employer=hyg.e2, period="2024-04", filed_on=date(2024, 6, 20))
    result = services.hygiene_scan(actor=None, as_of=AS_OF)
    (undeclared,) = by_type("undeclared_payment")
    assert undeclared.status == FindingStatus.GONE and undeclared.gone_on == AS_OF
    stopped = {f.periods[0]: f for f in by_type("stopped_filer")}
    assert stopped["2024-03"].periods == ["2024-03"] and stopped["2024-03"].amount == Decimal("105.00")
    assert stopped["2024-05"].status == FindingStatus.OPEN and result.new == {"stopped_filer": 1}


def test_automatic_requests_go_to_the_owning_area_with_business_day_deadlines(hyg):
    """Created on 30/06/2024 (a Sunday). 5 business days → Fri 05/07/2024; 10 → Fri 12/07/2024;
    20 → Fri 26/07/2024 (no holiday in July in El Salvador)."""
    services.hygiene_scan(actor=None, as_of=AS_OF)
    got = {
        r.finding.finding_type: (r.area, r.due_on, r.status, r.created_by)
        for r in CleanupRequest.objects.select_related("finding")
    }
    assert got == {
        "undeclared_payment": ("contabilidad", date(2024, 7, 12), "pending", None),
        "out_of_life_payment": ("afiliacion", date(2024, 7, 12), "pending", None),
        "duplicate_payment": ("contabilidad", date(2024, 7, 5), "pending", None),
        "stopped_filer": ("inspeccion", date(2024, 7, 26), "pending", None),
    }
    assert AuditEvent.objects.filter(action="hygiene.request_created").count() == 4


def test_collector_request_resolved_recomputes_and_shows_in_chronology(
    hyg, django_capture_on_commit_callbacks
):
    """gestor1 sends E1's rate mismatch to afiliación (10 business days: 12/07/2024); afiliación
    resolves it: E1's balance snapshot is recomputed (as of 30/06/2024) and the case chronology shows
    both steps. A re-scan finds nothing new and the finding stays resolved."""
    services.hygiene_scan(actor=None, as_of=AS_OF)
    case = case_for_employer(employer=hyg.e1, actor=hyg.world.users.gestor1, create=True)
    (rate,) = by_type("rate_mismatch")
    req = services.cleanup_request_create(
        actor=hyg.world.users.gestor1, employer=hyg.e1, finding=rate, note="La planilla de marzo no cuadra."
    )
    assert (req.area, req.due_on, req.status) == ("afiliacion", date(2024, 7, 12), RequestStatus.PENDING)
    with pytest.raises(ApplicationError, match="ya tiene una solicitud pendiente"):
        services.cleanup_request_create(
            actor=hyg.world.users.gestor1, employer=hyg.e1, finding=rate, note="otra"
        )
    with pytest.raises(ApplicationError, match="Solo el área de Afiliación"):
        services.cleanup_request_resolve(actor=hyg.areas.contabilidad, request=req, answer="no es mío")
    assert not BalanceSnapshot.objects.filter(employer=hyg.e1).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.cleanup_request_resolve(
            actor=hyg.areas.afiliacion, request=req, answer="Planilla corregida."
        )
    req.refresh_from_db()
    assert req.status == RequestStatus.RESOLVED and req.answered_on == AS_OF
    snap = BalanceSnapshot.objects.get(employer=hyg.e1)
    assert snap.as_of == AS_OF
    rate.refresh_from_db()
    assert rate.status == FindingStatus.RESOLVED
    titles = [item.title for item in case_chronology(case=case)]
    assert "Solicitud de depuración enviada" in titles and "Solicitud de depuración resuelta" in titles
    details = " ".join(item.detail for item in case_chronology(case=case))
    assert "Planilla corregida." in details and "Afiliación" in details
    again = services.hygiene_scan(actor=None, as_of=AS_OF)
    assert again.total_new == 0 and again.reopened == 0
    rate.refresh_from_db()
    assert rate.status == FindingStatus.RESOLVED
    with pytest.raises(ApplicationError, match="está resuelta"):
        services.cleanup_request_reject(actor=hyg.areas.afiliacion, request=req, reason="tarde")


def test_rejected_request_keeps_the_finding_open(hyg):
    services.hygiene_scan(actor=None, as_of=AS_OF)
    req = CleanupRequest.objects.get(finding__finding_type="stopped_filer")
    with pytest.raises(ApplicationError, match="motivo"):
        services.cleanup_request_reject(actor=hyg.areas.inspeccion, request=req, reason="  ")
    services.cleanup_request_reject(
        actor=hyg.areas.inspeccion, request=req, reason="El patrono cerró en marzo."
    )
    req.refresh_from_db()
    assert req.status == RequestStatus.REJECTED and req.answer == "El patrono cerró en marzo."
    assert req.finding.status == FindingStatus.OPEN


def test_request_without_finding_needs_area_and_note(hyg):
    gestor = hyg.world.users.gestor1
    with pytest.raises(ApplicationError, match="área"):
        services.cleanup_request_create(actor=gestor, employer=hyg.e1, note="algo")
    with pytest.raises(ApplicationError, match="nota"):
        services.cleanup_request_create(actor=gestor, employer=hyg.e1, area="inspeccion", note=" ")
    req = services.cleanup_request_create(
        actor=gestor, employer=hyg.e1, area="inspeccion", note="Visitar la empresa."
    )
    assert req.finding is None and req.area == "inspeccion"
    with pytest.raises(ApplicationError, match="Solo los gestores"):
        services.cleanup_request_create(
            actor=hyg.areas.inspeccion, employer=hyg.e1, area="inspeccion", note="x"
        )


def test_last_closed_period_follows_the_due_date(hyg):
    """2024-05 is due on the 10th business day of June 2024: Fri 14/06/2024. On 13/06 the last closed
    period is still 2024-04; on 14/06 it is 2024-05."""
    from cobranza.ledger.selectors import policy_timeline

    timeline = policy_timeline()
    assert services.last_closed_period(date(2024, 6, 13), timeline) == "2024-04"
    assert services.last_closed_period(date(2024, 6, 14), timeline) == "2024-05"
