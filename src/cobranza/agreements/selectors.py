"""Reads of payment agreements, always through the acting user's visibility, plus the freezes the
statement honours (``freezes_for``, read from the ledger) and the options the engine offers an employer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Prefetch, Q, QuerySet

from cobranza.agreements.models import (
    OPEN_STATES,
    Agreement,
    AgreementState,
    CallRecord,
    Installment,
    InstallmentStatus,
)
from cobranza.common import roles
from cobranza.employers.models import Employer
from cobranza.employers.selectors import visible_employers
from cobranza.engine.agreements import (
    AgreementOption,
    InstallmentState,
    options_for,
)
from cobranza.engine.calendar import add_months
from cobranza.engine.money import to_cents
from cobranza.ledger.models import Payment
from cobranza.portfolio.models import Assignment

AnyUser = User | AnonymousUser


# ------------------------------------------------------------------------------------ freezes
def freezes_for(employer: Employer | int, as_of: date) -> dict[str, date]:
    """``{period: freeze date}`` the statement of ``employer`` at ``as_of`` applies (SPEC §6): the
    periods of every agreement signed by ``as_of`` and not lapsed by then, frozen at the draft's date
    (when their debt was fixed). Read from the ledger's own records of signed agreements
    (``ledger.AgreementTerms``), which the statement uses; drafts, approved, expired and cancelled
    agreements freeze nothing. When two agreements cover a period, the earlier draft wins."""
    from cobranza.ledger.selectors import agreements_in

    freezes: dict[str, date] = {}
    for terms in agreements_in(employer, as_of):
        if terms.counts_at(as_of):
            for period in terms.periods:
                if period not in freezes or terms.drafted_on < freezes[period]:
                    freezes[period] = terms.drafted_on
    return freezes


# ------------------------------------------------------------------------------------ reads the services use
def covered_lines(employer: Employer, as_of: date, *, exclude: Agreement | None = None):  # type: ignore[no-untyped-def]
    """The statement at ``as_of``, the **overdue** periods (due date before ``as_of``) with something
    outstanding that no open agreement holds yet, and the open agreements holding the others
    (``{period: agreement}``). A period not yet due is paid normally: it never goes into an
    agreement (SPEC §6 "What an agreement covers"). Inside the window of an amnesty whose scope
    includes agreements, the overdue periods are taken without the components it waives."""
    from cobranza.ledger.selectors import policy_timeline, statement_for_employer

    statement = statement_for_employer(employer, as_of)
    waives = policy_timeline().agreement_waives(as_of)
    if waives:  # an amnesty for agreements: the debt is drafted without the waived components
        overdue = [ln.period for ln in statement.periods if ln.due_date < as_of]
        statement = statement_for_employer(employer, as_of, waivers={p: waives for p in overdue})
    held: dict[str, Agreement] = {}
    others = Agreement.objects.filter(employer=employer, state__in=OPEN_STATES)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    for other in others:
        for period in other.periods:
            held.setdefault(period, other)
    lines = [
        ln
        for ln in statement.periods
        if ln.outstanding_cents > 0 and ln.due_date < as_of and ln.period not in held
    ]
    return statement, lines, held


def agreement_payment_filter(agreement: Agreement) -> Q:
    """Payments that may belong to the agreement: no period, or a covered period, or a reference
    naming the agreement (a payment made for a later month's contribution is not an installment)."""
    return Q(period="") | Q(period__in=agreement.periods) | Q(reference__icontains=agreement.number)


def candidate_down_payments(agreement: Agreement, *, until: date | None = None) -> list[Payment]:
    """The employer's payments that could be this agreement's down payment: dated **after** the
    draft's date (a payment of that day or before is already inside the debt), by the end of its
    validity, not used by any agreement, at least the down payment, plausibly for it."""
    qs = Payment.objects.filter(
        employer_id=agreement.employer_id,
        paid_on__gt=agreement.as_of,
        amount__gte=agreement.down_payment,
        agreement_down_payment__isnull=True,
    ).filter(agreement_payment_filter(agreement))
    if agreement.valid_until is not None:
        qs = qs.filter(paid_on__lte=agreement.valid_until)
    if until is not None:
        qs = qs.filter(paid_on__lte=until)
    return list(qs.order_by("paid_on", "payment_id"))


def names_agreement(payment: Payment, agreement: Agreement) -> bool:
    """The payment is for the agreement (SPEC §6 "Follow-up"): its reference names the agreement's
    number or its period is one the agreement covers."""
    return agreement.number.lower() in (payment.reference or "").lower() or (
        bool(payment.period) and payment.period in agreement.periods
    )


def installment_payments(agreement: Agreement, as_of: date) -> list[tuple[date, int]]:
    """``(paid_on, cents)`` of what pays the installments: the employer's payments from the signing
    date up to ``as_of`` that may belong to the agreement (see ``agreement_payment_filter``), other
    than the down payment, plus whatever the down payment's payment brought beyond the down payment
    **only when that payment names the agreement** (``names_agreement``): otherwise that excess is
    an ordinary payment (allocated by SPEC §5), never installments paid in advance."""
    assert agreement.signed_on is not None and agreement.down_payment_payment is not None
    rows = (
        Payment.objects.filter(
            employer_id=agreement.employer_id, paid_on__gte=agreement.signed_on, paid_on__lte=as_of
        )
        .filter(agreement_payment_filter(agreement))
        .exclude(pk=agreement.down_payment_payment_id)
        .exclude(agreement_down_payment__isnull=False)
        .values_list("paid_on", "amount")
    )
    payments = [(paid_on, to_cents(amount)) for paid_on, amount in rows]
    excess = to_cents(agreement.down_payment_payment.amount) - to_cents(agreement.down_payment)
    if excess > 0 and names_agreement(agreement.down_payment_payment, agreement):
        payments.append((agreement.signed_on, excess))
    return payments


def installment_states(agreement: Agreement, as_of: date) -> list[InstallmentState]:
    """Each installment and what has been paid on it at ``as_of`` — read from the employer's
    statement (the agreement's line), so the agreement and the statement tell one story: the same
    payments, the credit carried forward to installments as they fall due, to the cent."""
    from cobranza.ledger.selectors import statement_for_employer

    rows = sorted(agreement.installments.all(), key=lambda i: i.number)
    plan = [InstallmentState(i.number, i.due_date, to_cents(i.amount)) for i in rows]
    if agreement.signed_on is None or as_of < agreement.signed_on:
        return plan
    if agreement.lapsed_on is not None and as_of >= agreement.lapsed_on:
        # from its lapse the statement computes as if there had been no agreement: its installments
        # stay as they stood the day before
        as_of = agreement.lapsed_on - timedelta(days=1)
    statement = statement_for_employer(agreement.employer, as_of)
    line = next((a for a in statement.agreements if a.number == agreement.number), None)
    if line is None:
        return plan
    paid = {item.number: item for item in line.items}
    out = []
    for st in plan:
        item = paid.get(st.number)
        if item is None:
            out.append(st)
            continue
        cents = item.principal_paid_cents + item.interest_paid_cents
        out.append(
            InstallmentState(
                st.number, st.due_date, st.amount_cents, cents, item.paid_off_on if cents else None
            )
        )
    return out


# ------------------------------------------------------------------------------------ permissions
def can_view_agreements(user: AnyUser) -> bool:
    return user.is_authenticated and bool(roles.roles_of(user))


def can_see_call_list(user: AnyUser) -> bool:
    """The list of defaulted agreements and broken promises. A collector sees those of its own
    portfolio: the list, like every read, starts from the user's visibility."""
    return roles.has_role(user, roles.Role.CALL_CENTER, roles.Role.COLLECTOR, roles.Role.ADMIN, *roles.HEADS)


def can_import_calls(user: AnyUser) -> bool:
    """Re-importing the call list with outcomes is the call center's work (and its heads')."""
    return roles.has_role(user, roles.Role.CALL_CENTER, roles.Role.ADMIN, *roles.HEADS)


def sees_own_portfolio_only(user: AnyUser) -> bool:
    """A collector (without a wider role): its lists and reports cover its own portfolio."""
    return roles.has_role(user, roles.Role.COLLECTOR) and not roles.has_role(
        user, roles.Role.CALL_CENTER, roles.Role.ADMIN, *roles.HEADS
    )


def can_see_reports(user: AnyUser) -> bool:
    """The agreement reports: heads over their scope, a collector over its own portfolio."""
    return roles.has_role(user, roles.Role.COLLECTOR, roles.Role.ADMIN, *roles.HEADS)


# ------------------------------------------------------------------------------------ agreements
def visible_agreements(*, user: AnyUser) -> QuerySet[Agreement]:
    return Agreement.objects.filter(employer__in=visible_employers(user=user)).select_related(
        "employer", "employer__branch", "drafted_by", "approved_by", "down_payment_payment"
    )


def agreement_detail(*, user: AnyUser, pk: int) -> Agreement:
    """The agreement with its installments and calls, or Agreement.DoesNotExist when it does not
    exist or its employer is not visible to the user."""
    return (
        visible_agreements(user=user)
        .prefetch_related(
            Prefetch("installments", queryset=Installment.objects.order_by("number")),
            Prefetch("calls", queryset=CallRecord.objects.select_related("recorded_by")),
        )
        .get(pk=pk)
    )


def employer_agreements(*, user: AnyUser, employer: Employer) -> list[Agreement]:
    return list(
        visible_agreements(user=user)
        .filter(employer=employer)
        .prefetch_related(Prefetch("installments", queryset=Installment.objects.order_by("number")))
        .order_by("-created_at", "-id")
    )


def pending_approval(*, user: AnyUser) -> QuerySet[Agreement]:
    """Drafts the user could approve (a head, and not the drafter)."""
    if not roles.is_head(user):
        return Agreement.objects.none()
    return (
        visible_agreements(user=user)
        .filter(state=AgreementState.DRAFT)
        .exclude(drafted_by=user)
        .order_by("created_at")
    )


# ------------------------------------------------------------------------------------ options
@dataclass(frozen=True)
class EmployerOptions:
    """What an employer could agree at ``as_of``: the debt of the periods no open agreement holds,
    the options table, and the agreements holding the other periods."""

    employer: Employer
    as_of: date
    start: date
    statement: Any
    lines: list[Any]
    held: dict[str, Agreement]
    debt_cents: int
    options: list[AgreementOption]
    policy: Any
    #: the outstanding worker share inside ``debt_cents`` (the minimum down payment takes it whole
    #: when the policy's worker-share rule is on)
    worker_share_cents: int = 0

    @property
    def periods(self) -> list[str]:
        return [ln.period for ln in self.lines]

    @property
    def min_down_payment_cents(self) -> int:
        from cobranza.engine.agreements import min_down_payment

        if self.debt_cents <= 0:
            return 0
        return min_down_payment(self.debt_cents, self.policy, worker_share_cents=self.worker_share_cents)

    @property
    def min_down_payment_rule(self) -> str:
        """How the minimum is made up (Spanish), e.g. «20 % de $461.46, redondeado al centavo superior»."""
        from cobranza.engine.agreements import down_payment_rule_text

        return down_payment_rule_text(
            self.debt_cents, self.policy, worker_share_cents=self.worker_share_cents
        )

    @property
    def max_installments(self) -> int:
        from cobranza.engine.agreements import band_max_installments

        return band_max_installments(self.debt_cents, self.policy) if self.debt_cents > 0 else 0

    @property
    def holding_agreements(self) -> list[Agreement]:
        return sorted({a.pk: a for a in self.held.values()}.values(), key=lambda a: a.pk)


def employer_options(*, employer: Employer, as_of: date, start: date | None = None) -> EmployerOptions:
    """Options for an employer the caller already may see (pages and API check visibility first)."""
    statement, lines, held = covered_lines(employer, as_of)
    debt = sum(ln.outstanding_cents for ln in lines)
    worker_share = sum(ln.worker_share_outstanding_cents for ln in lines)
    start = start or add_months(as_of, 1)
    return EmployerOptions(
        employer=employer,
        as_of=as_of,
        start=start,
        statement=statement,
        lines=lines,
        held=held,
        debt_cents=debt,
        options=options_for(debt, statement.policy, start, worker_share_cents=worker_share),
        policy=statement.policy,
        worker_share_cents=worker_share,
    )


# ------------------------------------------------------------------------------------ call center
@dataclass(frozen=True)
class DefaultedRow:
    agreement: Agreement
    overdue_count: int
    overdue_cents: int
    outstanding_cents: int
    oldest_due: date
    days_overdue: int
    collector: Any
    contact: str
    phone: str


def current_collectors(employer_ids: list[int]) -> dict[int, Any]:
    rows = Assignment.objects.filter(employer_id__in=employer_ids, end__isnull=True).select_related(
        "collector"
    )
    return {a.employer_id: a.collector for a in rows}


def defaulted_agreements(*, user: AnyUser, as_of: date) -> list[DefaultedRow]:
    """The call center's list: active or lapsed agreements with at least one overdue installment
    (status recorded by the last check), oldest overdue first."""
    if not can_see_call_list(user):
        return []
    qs = (
        visible_agreements(user=user)
        .filter(state__in=[AgreementState.ACTIVE, AgreementState.LAPSED])
        .filter(installments__status=InstallmentStatus.OVERDUE)
        .distinct()
        .prefetch_related(
            Prefetch("installments", queryset=Installment.objects.order_by("number")),
            "employer__contacts",
        )
    )
    agreements = list(qs)
    collectors = current_collectors([a.employer_id for a in agreements])
    rows = []
    for a in agreements:
        insts = list(a.installments.all())
        overdue = [i for i in insts if i.status == InstallmentStatus.OVERDUE]
        oldest = min(i.due_date for i in overdue)
        contacts = list(a.employer.contacts.all())
        primary = contacts[0] if contacts else None
        rows.append(
            DefaultedRow(
                agreement=a,
                overdue_count=len(overdue),
                overdue_cents=sum(_cents(i.amount - i.paid_amount) for i in overdue),
                outstanding_cents=sum(_cents(i.amount - i.paid_amount) for i in insts),
                oldest_due=oldest,
                days_overdue=max((as_of - oldest).days, 0),
                collector=collectors.get(a.employer_id),
                contact=(primary.name if primary else a.employer.legal_representative) or "",
                phone=(primary.phone if primary and primary.phone else a.employer.phone) or "",
            )
        )
    rows.sort(key=lambda r: (-r.days_overdue, r.agreement.pk))
    return rows


def _cents(amount: Any) -> int:
    return to_cents(amount)


# ------------------------------------------------------------------------------------ reports
def agreements_by_state(*, user: AnyUser, states: list[str]) -> QuerySet[Agreement]:
    return (
        visible_agreements(user=user)
        .filter(state__in=states)
        .prefetch_related(Prefetch("installments", queryset=Installment.objects.order_by("number")))
        .order_by("employer__employer_number", "pk")
    )


@dataclass(frozen=True)
class MonthRow:
    month: str  # YYYY-MM
    installments: int
    due_cents: int
    paid_cents: int

    @property
    def to_collect_cents(self) -> int:
        return self.due_cents - self.paid_cents


def to_collect_by_month(*, user: AnyUser) -> list[MonthRow]:
    """Active agreements: what their installments ask for, month by month (due and still to collect)."""
    rows = (
        Installment.objects.filter(
            agreement__in=visible_agreements(user=user).filter(state=AgreementState.ACTIVE).values("pk")
        )
        .order_by("due_date")
        .values_list("due_date", "amount", "paid_amount")
    )
    months: dict[str, list[int]] = {}
    for due, amount, paid in rows:
        key = f"{due.year:04d}-{due.month:02d}"
        bucket = months.setdefault(key, [0, 0, 0])
        bucket[0] += 1
        bucket[1] += _cents(amount)
        bucket[2] += _cents(paid)
    return [MonthRow(k, v[0], v[1], v[2]) for k, v in sorted(months.items())]


def fulfilled_transactions(*, user: AnyUser) -> list[dict[str, Any]]:
    """Fulfilled agreements and what paid them, month by month (down payment and installments)."""
    out = []
    for a in agreements_by_state(user=user, states=[AgreementState.FULFILLED]):
        payments = sorted(installment_payments(a, a.fulfilled_on or a.signed_on))
        by_month: dict[str, int] = {}
        if a.signed_on is not None:
            key = f"{a.signed_on:%Y-%m}"
            by_month[key] = by_month.get(key, 0) + _cents(a.down_payment)
        for paid_on, cents in payments:
            key = f"{paid_on:%Y-%m}"
            by_month[key] = by_month.get(key, 0) + cents
        out.append(
            {"agreement": a, "by_month": sorted(by_month.items()), "total_cents": sum(by_month.values())}
        )
    return out


def _installments_outstanding_cents(agreement: Agreement) -> int:
    return sum(_cents(i.amount - i.paid_amount) for i in agreement.installments.all())


def _name(user: Any) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def agreements_report(*, user: AnyUser, as_of: date) -> dict[str, Any]:
    """The supervisor's report: lapsed (with phone and collector), fulfilled with their payments per
    month, active with what is left, and what the active agreements ask for month by month."""
    lapsed = list(agreements_by_state(user=user, states=[AgreementState.LAPSED]))
    active = list(agreements_by_state(user=user, states=[AgreementState.ACTIVE]))
    collectors = current_collectors([a.employer_id for a in lapsed])
    return {
        "as_of": as_of,
        "lapsed": [
            {
                "agreement": a,
                "outstanding_cents": _installments_outstanding_cents(a),
                "collector": _name(collectors.get(a.employer_id)),
            }
            for a in lapsed
        ],
        "fulfilled": fulfilled_transactions(user=user),
        "active": [{"agreement": a, "outstanding_cents": _installments_outstanding_cents(a)} for a in active],
        "by_month": to_collect_by_month(user=user),
    }
