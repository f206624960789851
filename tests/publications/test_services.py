"""Worked scenarios of the publication list (SPEC §4 row "publication", §8)."""

from datetime import date
from decimal import Decimal

import pytest

from cobranza.common.errors import ApplicationError
from cobranza.documents.models import IssuedDocument
from cobranza.ledger.models import SuspendedPeriod
from cobranza.publications import selectors, services
from cobranza.publications.models import ListState, PublicationEntry, Regularization, Reply
from tests.factories import PaymentFactory
from tests.publications.conftest import APPROVE_ON, DEADLINE, SELECTED_ON, snapshot_at

pytestmark = pytest.mark.django_db


def numbers(rows):
    return [c.employer.employer_number for c in rows]


def make_agreement(employer, *, signed_on, lapsed_on=None, drafted_by):
    """A signed agreement as the agreements app leaves it (state active, or lapsed)."""
    from cobranza.agreements.models import Agreement, AgreementState

    payment = PaymentFactory(employer=employer, paid_on=signed_on, amount=Decimal("100.00"))
    return Agreement.objects.create(
        employer=employer,
        state=AgreementState.LAPSED if lapsed_on else AgreementState.ACTIVE,
        as_of=signed_on,
        periods=["2024-02"],
        debt=Decimal("500.00"),
        down_payment=Decimal("100.00"),
        financed=Decimal("400.00"),
        installments_count=4,
        monthly_rate=Decimal("0.0126"),
        installment_amount=Decimal("103.17"),
        total_interest=Decimal("12.68"),
        total=Decimal("512.68"),
        start=signed_on,
        policy_version="1",
        drafted_by=drafted_by,
        down_payment_payment=payment,
        signed_on=signed_on,
        lapsed_on=lapsed_on,
    )


def test_candidates_at_the_edges(pub):
    """Policy: ≥ 3 months and ≥ $500.00 overdue. own: $500.00 and 3 months → in (both edges
    inclusive); colleague: $499.99 → out by one cent; elsewhere: $1,200.00, 4 months → in for the
    department head, not for the branch head of San Salvador (another branch)."""
    jefe = selectors.candidates(user=pub.users.jefe, as_of=SELECTED_ON)
    assert numbers(jefe) == ["300000003", "300000001"]  # largest debt first
    assert jefe[1].overdue == Decimal("500.00") and jefe[1].months_in_arrears == 3
    branch = selectors.candidates(user=pub.users.jefe_sucursal, as_of=SELECTED_ON)
    assert numbers(branch) == ["300000001"]
    assert selectors.candidates(user=pub.users.gestor1, as_of=SELECTED_ON) == []


def test_two_months_is_not_enough(pub):
    """own with $500.00 but 2 months in arrears: under the 3 months of the policy → out."""
    snapshot_at(pub.world.own, SELECTED_ON, "500.00", 2)
    assert "300000001" not in numbers(selectors.candidates(user=pub.users.jefe, as_of=SELECTED_ON))


def test_agreement_in_force_excludes_and_lapsed_agreement_does_not(pub):
    """An agreement signed 10/06/2024 and in force → own is out; the same agreement lapsed on
    20/06/2024 → own is back, marked «Convenio … incumplido»."""
    agreement = make_agreement(pub.world.own, signed_on=date(2024, 6, 10), drafted_by=pub.users.gestor1)
    assert "300000001" not in numbers(selectors.candidates(user=pub.users.jefe, as_of=SELECTED_ON))
    agreement.lapsed_on = date(2024, 6, 20)
    agreement.state = "lapsed"
    agreement.save()
    rows = {
        c.employer.employer_number: c for c in selectors.candidates(user=pub.users.jefe, as_of=SELECTED_ON)
    }
    assert "incumplido" in rows["300000001"].notes[0]


def test_employer_whose_only_overdue_period_is_in_claim_is_out(pub):
    """own's only overdue period is in claim since 01/06/2024: its collectible overdue debt (live
    statement, the claim left out) is $0.00 → out."""
    SuspendedPeriod.objects.create(
        employer=pub.world.own,
        period="2024-02",
        reference="RC-2024-000001",
        reason="x",
        opened_on=date(2024, 6, 1),
    )
    assert "300000001" not in numbers(selectors.candidates(user=pub.users.jefe, as_of=SELECTED_ON))


def test_deadline_counts_business_days_across_holidays():
    """Notified Friday 20/12/2024: Dec 23, 24 (1-2), 25 is Christmas, 26, 27, 30, 31 (3-6),
    01/01/2025 is New Year, Jan 2, 3, 6, 7 (7-10) → Tuesday 07/01/2025. Notified Friday
    28/06/2024: 1-5 July and 8-12 July → Friday 12/07/2024. Notified on a Saturday (29/06/2024)
    counts from it: Monday 1 July is day 1 → Friday 12/07/2024, a business day."""
    assert services.reply_deadline(date(2024, 12, 20)) == date(2025, 1, 7)
    assert services.reply_deadline(SELECTED_ON) == DEADLINE
    assert services.reply_deadline(date(2024, 6, 29)) == date(2024, 7, 12)


def _prepared_and_notified(pub):
    publication = services.publication_prepare(
        actor=pub.users.jefe_sucursal, employer_numbers=["300000001"], note="Primer semestre"
    )
    services.publication_notify(actor=pub.users.jefe_sucursal, publication=publication)
    publication.refresh_from_db()
    return publication


def test_prepare_refuses_non_candidates_and_names_them(pub):
    """colleague ($499.99) is not a candidate: the list is refused naming it, nothing is created."""
    with pytest.raises(ApplicationError, match="300000002"):
        services.publication_prepare(actor=pub.users.jefe, employer_numbers=["300000001", "300000002"])
    assert not PublicationEntry.objects.exists()


def test_notify_issues_one_registered_letter_per_employer_with_the_deadline(pub):
    publication = _prepared_and_notified(pub)
    entry = publication.entries.get()
    assert publication.state == ListState.NOTIFIED
    assert publication.branch == pub.world.branches.ss  # the branch head's list is its branch's
    assert entry.notified_on == SELECTED_ON and entry.reply_deadline == DEADLINE
    doc = IssuedDocument.objects.get(pk=entry.notice_id)
    assert doc.employer_number == "300000001" and doc.figures["reply_deadline"] == "2024-07-12"
    assert publication.notices_file.read(4) == b"%PDF"


def test_approval_before_the_deadline_is_refused_with_the_date(pub):
    """On the deadline itself (12/07/2024) the window is still open: refused, naming the date."""
    publication = _prepared_and_notified(pub)
    pub.settings.COBRANZA_BUSINESS_DATE = DEADLINE
    with pytest.raises(ApplicationError, match="12/07/2024"):
        services.publication_approve(actor=pub.users.jefe, publication=publication)
    publication.refresh_from_db()
    assert publication.state == ListState.NOTIFIED and publication.number == ""


def test_preparer_cannot_approve(pub):
    publication = _prepared_and_notified(pub)
    pub.settings.COBRANZA_BUSINESS_DATE = APPROVE_ON
    with pytest.raises(ApplicationError, match="otra jefatura"):
        services.publication_approve(actor=pub.users.jefe_sucursal, publication=publication)


def test_frozen_list_leaves_out_agreement_and_claim_and_copies_the_figures(pub):
    """The department head lists own, elsewhere and — after a new snapshot — nobody else. elsewhere
    signs an agreement on 05/07/2024 (inside the window, reply recorded); own does not reply.
    On Monday 15/07/2024 (recompute: own now owes $612.50, 4 months) another department head approves:
    Lista 2024-1 holds own only, with $612.50 and 4 months (figures of the list's date, not the
    $500.00 of the selection); elsewhere is out «Firmó convenio … dentro del plazo»."""
    publication = services.publication_prepare(
        actor=pub.users.jefe, employer_numbers=["300000001", "300000003"]
    )
    services.publication_notify(actor=pub.users.jefe, publication=publication)
    pub.settings.COBRANZA_BUSINESS_DATE = date(2024, 7, 5)
    elsewhere = publication.entries.get(employer=pub.world.elsewhere)
    services.publication_reply_record(
        actor=pub.users.jefe,
        entry=elsewhere,
        reply=Reply.AGREEMENT,
        reply_on=date(2024, 7, 5),
        note="CV firmado",
    )
    pub.settings.COBRANZA_BUSINESS_DATE = APPROVE_ON
    snapshot_at(pub.world.own, APPROVE_ON, "612.50", 4)
    snapshot_at(pub.world.elsewhere, APPROVE_ON, "1200.00", 4)
    from cobranza.common.roles import Role
    from tests.factories import make_user

    jefe2 = make_user("jefe2", Role.DEPARTMENT_HEAD)
    publication = services.publication_approve(actor=jefe2, publication=publication)
    assert publication.state == ListState.FROZEN and publication.number == "2024-1"
    assert publication.frozen_on == APPROVE_ON
    rows = selectors.published_entries(publication)
    assert [r.employer.employer_number for r in rows] == ["300000001"]
    assert rows[0].published_overdue == Decimal("612.50") and rows[0].published_months == 4
    assert rows[0].reply == Reply.NO_REPLY
    elsewhere.refresh_from_db()
    assert not elsewhere.published and "convenio" in elsewhere.excluded_reason


def test_claim_filed_inside_the_window_keeps_the_employer_off(pub):
    publication = _prepared_and_notified(pub)
    entry = publication.entries.get()
    pub.settings.COBRANZA_BUSINESS_DATE = date(2024, 7, 2)
    services.publication_reply_record(
        actor=pub.users.jefe_sucursal, entry=entry, reply=Reply.CLAIM, reply_on=date(2024, 7, 2)
    )
    pub.settings.COBRANZA_BUSINESS_DATE = APPROVE_ON
    snapshot_at(pub.world.own, APPROVE_ON, "500.00", 3)
    with pytest.raises(ApplicationError, match="Ningún patrono"):
        services.publication_approve(actor=pub.users.jefe, publication=publication)


def test_reply_dated_before_the_notice_is_refused(pub):
    publication = _prepared_and_notified(pub)
    with pytest.raises(ApplicationError, match="anterior al aviso"):
        services.publication_reply_record(
            actor=pub.users.jefe_sucursal,
            entry=publication.entries.get(),
            reply=Reply.PAID,
            reply_on=date(2024, 6, 1),
        )


def test_regularized_after_payment(pub):
    """own is published on 15/07/2024. It has no declarations in this scenario beyond the
    snapshot, so its live statement on 20/07/2024 shows no overdue debt after its payment of
    18/07/2024: marked «regularizado» on 18/07/2024 (its last payment), «Pagó su deuda exigible».
    A second check marks nothing more; the list's rows are unchanged."""
    publication = _prepared_and_notified(pub)
    pub.settings.COBRANZA_BUSINESS_DATE = APPROVE_ON
    snapshot_at(pub.world.own, APPROVE_ON, "500.00", 3)
    publication = services.publication_approve(actor=pub.users.jefe, publication=publication)
    PaymentFactory(employer=pub.world.own, paid_on=date(2024, 7, 18), amount=Decimal("500.00"))
    result = services.publication_regularizations_check(actor=None, as_of=date(2024, 7, 20))
    assert (result.checked, result.marked) == (1, 1)
    entry = publication.entries.get()
    assert entry.regularized_on == date(2024, 7, 18) and entry.regularization == Regularization.PAID
    assert entry.published and entry.published_overdue == Decimal("500.00")
    assert services.publication_regularizations_check(actor=None, as_of=date(2024, 7, 21)).marked == 0
