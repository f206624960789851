"""Judicial referral: worked scenarios (criteria, certificate figures and words, four eyes, the legal
unit's decisions and steps), computed by hand.

The employer (world.own, gestor1's) owes two periods, each $105.00 of contribution ($75.00 employer
+ $30.00 worker share):
- 2024-01, filed on time, due 14/02/2024; on 01/08/2024 it is 5 months and a fraction late → 6 months
  × 1 % × $105.00 = $6.30 surcharge; no fine. Owed: 105.00 + 6.30 = $111.30.
- 2024-02, filed late (01/04/2024), due 14/03/2024; 4 months and a fraction → 5 × 1 % × 105.00 = $5.25
  surcharge; fine 25 % × 105.00 = $26.25. Owed: 105.00 + 5.25 + 26.25 = $136.50.
Total on 01/08/2024: 111.30 + 136.50 = $247.80 (DOSCIENTOS CUARENTA Y SIETE 80/100 DÓLARES); worker
share withheld: 2 × $30.00 = $60.00 (SESENTA 00/100 DÓLARES).
Notices: 02/05/2024 and 03/06/2024; 01/08/2024 is 91 days after the first (29 + 30 + 31 + 1).
"""

from datetime import date
from decimal import Decimal

import pytest

from cobranza.cases.models import CaseFile, CaseState
from cobranza.common.errors import ApplicationError
from cobranza.common.models import AuditEvent
from cobranza.documents.models import DocumentKind, IssuedDocument
from cobranza.ledger.selectors import statement_for_employer
from cobranza.legal import services
from cobranza.legal.criteria import debt_figures, referral_check
from cobranza.legal.models import Referral, ReferralKind, ReferralState, StepKind
from tests.legal.conftest import on, send_notice

pytestmark = pytest.mark.django_db

DAY = date(2024, 8, 1)


def request(world, settings, kind=ReferralKind.ORDINARY, day=DAY, actor=None):
    on(settings, day)
    return services.referral_request(
        actor=actor or world.users.gestor1, case=world.case, kind=kind, note="mora"
    )


def approve(world, settings, referral, day=DAY):
    on(settings, day)
    return services.referral_approve(actor=world.users.jefe, referral=referral)


def test_a_case_that_meets_the_criteria_gets_a_certificate_equal_to_the_statement(noticed, settings):
    world = noticed
    referral = request(world, settings)
    assert referral.state == ReferralState.REQUESTED
    assert referral.amount == Decimal("247.80")
    assert referral.worker_share_amount == Decimal("60.00")
    assert referral.periods == ["2024-01", "2024-02"]
    assert "2 avisos documentados, 91 días desde el primero" in referral.route

    approve(world, settings, referral)
    referral.refresh_from_db()
    assert referral.state == ReferralState.APPROVED
    assert CaseFile.objects.get(pk=world.case.pk).state == CaseState.REFERRED_TO_LEGAL
    certificate = referral.certificate
    assert certificate.kind == DocumentKind.DEBT_CERTIFICATE and certificate.number.startswith("CM-2024-")
    figures = certificate.figures
    # the certificate's figures equal the statement's overdue figures, period by period, to the cent
    statement = statement_for_employer(world.own, DAY)
    assert figures["totals"]["total"] == statement.totals.overdue_cents == 24780
    for line, ln in zip(figures["lines"], [p for p in statement.periods if p.overdue], strict=True):
        assert line["period"] == ln.period
        assert line["contribution"] == ln.contribution_outstanding_cents
        assert line["worker_share"] == ln.worker_share_outstanding_cents
        assert line["surcharge"] == ln.surcharge_outstanding_cents
        assert line["fine"] == ln.fine_outstanding_cents
        assert line["interest"] == ln.interest_outstanding_cents
        assert line["total"] == ln.outstanding_cents
    assert [(x["surcharge"], x["fine"], x["total"]) for x in figures["lines"]] == [
        (630, 0, 11130),
        (525, 2625, 13650),
    ]
    assert figures["totals"]["worker_share"] == 6000
    assert figures["total_words"] == "DOSCIENTOS CUARENTA Y SIETE 80/100 DÓLARES"
    # the package: registered as issued, a ZIP with the index, certificate, statement, notices, chronology
    package = referral.package
    assert package.kind == DocumentKind.REFERRAL and package.content_type == "application/zip"
    files = [row["file"] for row in package.figures["files"]]
    assert files[0] == "00-indice.txt"
    assert any(f.startswith("01-certificacion/") for f in files)
    assert any(f.startswith("02-estado-de-cuenta/") for f in files)
    assert sum(f.startswith("03-avisos/") for f in files) == 2
    assert "06-cronologia-del-expediente.pdf" in files
    import io
    import zipfile

    from cobranza.documents.services import document_content

    with zipfile.ZipFile(io.BytesIO(document_content(package))) as archive:
        assert set(archive.namelist()) == set(files)
        assert archive.read(files[1 + 0].replace("00-indice.txt", files[1])).startswith(b"%PDF")
        index = archive.read("00-indice.txt").decode()
        assert referral.code in index and "$247.80" in index
    assert AuditEvent.objects.filter(action="legal.referral_requested").count() == 1
    assert AuditEvent.objects.filter(action="legal.referral_transition", after__state="approved").count() == 1


def test_certificate_is_verified_on_the_public_page(noticed, settings, client):
    world = noticed
    referral = approve(world, settings, request(world, settings))
    response = client.get("/verificar/", {"codigo": referral.certificate.verification_code})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Certificación de mora patronal" in page and referral.certificate.number in page


def test_the_worker_share_referral_refers_the_worker_share_only(noticed, settings):
    world = noticed
    referral = request(world, settings, kind=ReferralKind.WORKER_SHARE)
    assert referral.amount == Decimal("60.00")
    approve(world, settings, referral)
    referral.refresh_from_db()
    assert referral.certificate.figures["totals"]["total"] == 6000
    assert referral.certificate.figures["total_words"] == "SESENTA 00/100 DÓLARES"
    assert "cuota laboral" in referral.certificate.title


def test_a_case_that_does_not_meet_them_is_refused_with_every_missing_item(in_arrears, settings):
    """One notice on 02/05/2024; asked on 14/06/2024 = 43 days later (29 + 14); a claim open on 2024-02."""
    from cobranza.cases.services import case_for_employer
    from cobranza.ledger.models import SuspendedPeriod

    world = in_arrears
    on(settings, date(2024, 5, 2))
    world.case = case_for_employer(employer=world.own, actor=world.users.gestor1)
    send_notice(world, world.case, settings, date(2024, 5, 2))
    SuspendedPeriod.objects.create(
        employer=world.own, period="2024-02", opened_on=date(2024, 6, 1), reference="RC-2024-000001"
    )
    on(settings, date(2024, 6, 14))
    with pytest.raises(ApplicationError) as error:
        services.referral_request(actor=world.users.gestor1, case=world.case)
    message = error.value.message
    assert message.startswith(
        f"No se puede remitir el expediente {world.case.code} a cobro judicial al 14/06/2024: "
    )
    assert "falta 1 aviso documentado (hay 1 de 2)" in message
    assert "han pasado 43 de 90 días desde el primer aviso (02/05/2024)" in message
    assert "tiene un reclamo abierto sobre 02/2024 (RC-2024-000001)" in message
    assert not Referral.objects.exists()


def test_no_debt_is_refused(world, settings):
    from cobranza.cases.models import CaseFile

    case = CaseFile.objects.create(employer=world.own, state=CaseState.IN_COLLECTION)
    on(settings, DAY)
    with pytest.raises(ApplicationError, match="no hay deuda exigible"):
        services.referral_request(actor=world.users.gestor1, case=case)


def test_periods_in_claim_are_left_out_of_the_figures(in_arrears, settings):
    from cobranza.ledger.models import SuspendedPeriod

    SuspendedPeriod.objects.create(
        employer=in_arrears.own, period="2024-02", opened_on=date(2024, 6, 1), reference="RC-1"
    )
    figures = debt_figures(employer=in_arrears.own, as_of=DAY)
    assert figures.periods == ["2024-01"] and figures.total_cents == 11130
    assert figures.left_out == {"2024-02": "en reclamo RC-1"}


def test_a_lapsed_agreement_is_the_other_route(noticed, settings, monkeypatch):
    """With a lapsed agreement the notices and days are not needed (SPEC §4)."""
    from cobranza.legal import criteria

    world = noticed
    monkeypatch.setattr(criteria, "_agreements", lambda employer: ([], ["CP-2024-000001"]))
    on(settings, date(2024, 6, 10))  # 39 days after the first notice
    check = referral_check(case=world.case, as_of=date(2024, 6, 10))
    assert check.ok, check.missing
    assert check.route == "convenio de pago incumplido CP-2024-000001"
    assert any(
        item.name == "Convenio incumplido (si aplica)" and not item.present for item in check.checklist
    )


def test_the_manual_move_to_referred_is_refused(noticed):
    from cobranza.cases.services import case_transition

    with pytest.raises(ApplicationError, match="solicite la remisión a cobro judicial"):
        case_transition(
            actor=noticed.users.jefe, case=noticed.case, to_state=CaseState.REFERRED_TO_LEGAL, reason="x"
        )


def test_four_eyes_and_heads_only(noticed, settings):
    world = noticed
    on(settings, DAY)
    own_request = services.referral_request(actor=world.users.jefe, case=world.case)
    with pytest.raises(ApplicationError, match="debe aprobarla otra jefatura"):
        services.referral_approve(actor=world.users.jefe, referral=own_request)
    with pytest.raises(ApplicationError, match="Solo una jefatura"):
        services.referral_approve(actor=world.users.gestor1, referral=own_request)
    with pytest.raises(ApplicationError, match="Solo una jefatura"):
        services.referral_approve(actor=world.users.juridico, referral=own_request)
    # a branch head of another branch does not see the employer
    from cobranza.common.roles import Role
    from tests.factories import make_user

    other = make_user("jefe_sa", Role.BRANCH_HEAD, branch=world.branches.sa)
    with pytest.raises(ApplicationError, match="No tiene acceso"):
        services.referral_approve(actor=other, referral=own_request)
    services.referral_approve(actor=world.users.jefe_sucursal, referral=own_request)
    own_request.refresh_from_db()
    assert own_request.state == ReferralState.APPROVED and own_request.decided_by == world.users.jefe_sucursal


def test_a_second_request_while_one_is_in_course_is_refused(noticed, settings):
    world = noticed
    first = request(world, settings)
    with pytest.raises(ApplicationError, match=f"ya tiene la remisión {first.code} en curso"):
        request(world, settings)


def test_head_returns_with_reason_and_the_collector_may_ask_again(noticed, settings):
    world = noticed
    referral = request(world, settings)
    with pytest.raises(ApplicationError, match="motivo"):
        services.referral_return(actor=world.users.jefe, referral=referral, reason="  ")
    services.referral_return(actor=world.users.jefe, referral=referral, reason="Falta la escritura")
    referral.refresh_from_db()
    assert referral.state == ReferralState.RETURNED and referral.return_reason == "Falta la escritura"
    assert CaseFile.objects.get(pk=world.case.pk).state == CaseState.IN_COLLECTION
    again = request(world, settings)
    assert again.pk != referral.pk


def test_legal_returns_with_reasons_and_the_case_goes_back(noticed, settings):
    world = noticed
    referral = approve(world, settings, request(world, settings))
    with pytest.raises(ApplicationError, match="Solo la unidad jurídica"):
        services.referral_legal_return(actor=world.users.gestor1, referral=referral, reason="x")
    services.referral_legal_return(
        actor=world.users.juridico, referral=referral, reason="La dirección del patrono está incompleta"
    )
    referral.refresh_from_db()
    assert referral.state == ReferralState.RETURNED_BY_LEGAL
    assert referral.legal_return_reason == "La dirección del patrono está incompleta"
    assert CaseFile.objects.get(pk=world.case.pk).state == CaseState.IN_COLLECTION


def test_legal_accepts_and_records_the_lawsuit_which_restarts_limitation(noticed, settings, monkeypatch):
    from cobranza.ledger import services as ledger_services

    world = noticed
    calls = []
    real = getattr(ledger_services, "limitation_restart_record", None)

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs) if real else None

    monkeypatch.setattr(ledger_services, "limitation_restart_record", spy, raising=False)
    referral = approve(world, settings, request(world, settings))
    on(settings, date(2024, 8, 5))
    services.referral_accept(actor=world.users.juridico, referral=referral)
    with pytest.raises(ApplicationError, match="tribunal y el número de expediente"):
        services.referral_step_record(
            actor=world.users.juridico, referral=referral, kind=StepKind.LAWSUIT_FILED, on=date(2024, 8, 5)
        )
    with pytest.raises(ApplicationError, match="no puede ser posterior a hoy"):
        services.referral_step_record(
            actor=world.users.juridico,
            referral=referral,
            kind=StepKind.LAWSUIT_FILED,
            on=date(2024, 8, 6),
            court="Juzgado Primero de lo Civil y Mercantil de San Salvador",
            court_case_number="123-EC-2024",
        )
    step = services.referral_step_record(
        actor=world.users.juridico,
        referral=referral,
        kind=StepKind.LAWSUIT_FILED,
        on=date(2024, 8, 5),
        court="Juzgado Primero de lo Civil y Mercantil de San Salvador",
        court_case_number="123-EC-2024",
        next_step="Audiencia preparatoria",
        next_step_on=date(2024, 9, 10),
        file_content=b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
        file_name="demanda.pdf",
    )
    referral.refresh_from_db()
    assert referral.state == ReferralState.IN_COURT
    assert referral.court_case_number == "123-EC-2024" and referral.next_step_on == date(2024, 9, 10)
    assert step.document is not None and step.document.case_id == world.case.pk
    assert calls == [
        {
            "actor": world.users.juridico,
            "employer": world.own,
            "on": date(2024, 8, 5),
            "cause": "lawsuit",
            "reference": f"{referral.code} · juicio 123-EC-2024",
            "periods": ["2024-01", "2024-02"],
        }
    ]
    from cobranza.ledger.models import LimitationRestart

    restarts = LimitationRestart.objects.filter(employer=world.own, cause="lawsuit").order_by("period")
    assert [(r.period, r.restarted_on) for r in restarts] == [
        ("2024-01", date(2024, 8, 5)),
        ("2024-02", date(2024, 8, 5)),
    ]
    # a judgment, a payment and the closing
    on(settings, date(2024, 10, 1))
    services.referral_step_record(
        actor=world.users.juridico, referral=referral, kind=StepKind.JUDGMENT, on=date(2024, 9, 30)
    )
    with pytest.raises(ApplicationError, match="monto"):
        services.referral_step_record(
            actor=world.users.juridico, referral=referral, kind=StepKind.PAYMENT, on=date(2024, 10, 1)
        )
    with pytest.raises(ApplicationError, match="resultado"):
        services.referral_step_record(
            actor=world.users.juridico, referral=referral, kind=StepKind.CLOSED, on=date(2024, 10, 1)
        )
    services.referral_step_record(
        actor=world.users.juridico,
        referral=referral,
        kind=StepKind.CLOSED,
        on=date(2024, 10, 1),
        outcome="paid",
    )
    referral.refresh_from_db()
    assert (
        referral.state == ReferralState.CLOSED
        and referral.outcome == "paid"
        and referral.next_step_on is None
    )
    with pytest.raises(ApplicationError, match="no admite pasos"):
        services.referral_step_record(
            actor=world.users.juridico, referral=referral, kind=StepKind.HEARING, on=date(2024, 10, 1)
        )


def test_steps_wait_for_acceptance(noticed, settings):
    world = noticed
    referral = approve(world, settings, request(world, settings))
    with pytest.raises(ApplicationError, match="hasta que la unidad jurídica la acepte"):
        services.referral_step_record(
            actor=world.users.juridico, referral=referral, kind=StepKind.HEARING, on=DAY
        )


def test_issued_documents_are_registered(noticed, settings):
    world = noticed
    approve(world, settings, request(world, settings))
    kinds = sorted(IssuedDocument.objects.filter(employer=world.own).values_list("kind", flat=True))
    # 2 notices, the certificate, the statement of the package, the package
    assert kinds == sorted(["notice", "notice", "debt_certificate", "statement", "referral"])
