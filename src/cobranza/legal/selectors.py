"""Reads of the judicial referral, always from the acting user's visibility (convention 2).

Who sees which referrals:
- administrators and department heads: all; a branch head: those of its branch's employers;
- the legal unit: every referral a head has approved (not the requests still with the heads,
  nor other units' work);
- a collector: the referrals of the employers of its portfolio (on the case file and their page);
- nobody else.
The work pages (`legal:index`, reports) are for the legal unit and the heads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet, Sum

from cobranza.common import roles
from cobranza.common.dates import business_date
from cobranza.common.roles import Role
from cobranza.employers.selectors import visible_employers
from cobranza.legal.models import (
    LEGAL_STATES,
    REFERRED_STATES,
    Referral,
    ReferralState,
    ReferralStep,
)

AnyUser = User | AnonymousUser


def can_use_legal_pages(user: AnyUser) -> bool:
    return roles.has_role(user, Role.LEGAL, Role.DEPARTMENT_HEAD, Role.BRANCH_HEAD, Role.ADMIN)


def visible_referrals(*, user: AnyUser) -> QuerySet[Referral]:
    qs = Referral.objects.select_related("employer", "case", "requested_by", "decided_by", "legal_by")
    if not user.is_authenticated:
        return qs.none()
    if roles.has_role(user, Role.ADMIN, Role.DEPARTMENT_HEAD):
        return qs
    condition = Q(pk__in=[])
    if roles.has_role(user, Role.LEGAL):
        condition |= Q(state__in=LEGAL_STATES)
    if roles.has_role(user, Role.BRANCH_HEAD, Role.COLLECTOR):
        condition |= Q(employer__in=visible_employers(user=user))
    return qs.filter(condition)


def referral_detail(*, user: AnyUser, pk: int) -> Referral:
    """The referral, or Referral.DoesNotExist when the user may not see it."""
    return visible_referrals(user=user).get(pk=pk)


def referral_steps(*, referral: Referral) -> QuerySet[ReferralStep]:
    return referral.steps.select_related("recorded_by", "document").order_by("on", "id")


def case_referrals(*, user: AnyUser, case: Any) -> list[Referral]:
    return list(visible_referrals(user=user).filter(case=case).order_by("-requested_on", "-id"))


def pending_approval(*, user: AnyUser) -> QuerySet[Referral]:
    if not roles.has_role(user, Role.ADMIN, Role.DEPARTMENT_HEAD, Role.BRANCH_HEAD):
        return Referral.objects.none()
    return visible_referrals(user=user).filter(state=ReferralState.REQUESTED).order_by("requested_on", "id")


def received(*, user: AnyUser) -> QuerySet[Referral]:
    """Approved and waiting for the legal unit to accept or return them."""
    return visible_referrals(user=user).filter(state=ReferralState.APPROVED).order_by("decided_on", "id")


def in_progress(*, user: AnyUser) -> list[Referral]:
    """The legal unit's worklist: referrals it works, the next step's date first (none: last)."""
    rows = list(
        visible_referrals(user=user).filter(
            state__in=[ReferralState.ACCEPTED, ReferralState.IN_COURT, ReferralState.JUDGMENT]
        )
    )
    return sorted(rows, key=lambda r: (r.next_step_on is None, r.next_step_on or date.max, r.pk))


def finished(*, user: AnyUser, limit: int = 50) -> QuerySet[Referral]:
    return (
        visible_referrals(user=user)
        .filter(state__in=[ReferralState.CLOSED, ReferralState.RETURNED, ReferralState.RETURNED_BY_LEGAL])
        .order_by("-updated_at", "-id")[:limit]
    )


def nav_counts(*, user: AnyUser) -> dict[str, int]:
    today = business_date()
    visible = visible_referrals(user=user)
    return {
        "pending": pending_approval(user=user).count(),
        "received": visible.filter(state=ReferralState.APPROVED).count()
        if roles.has_role(user, Role.LEGAL)
        else 0,
        "due": visible.filter(
            state__in=[ReferralState.ACCEPTED, ReferralState.IN_COURT, ReferralState.JUDGMENT],
            next_step_on__lte=today,
        ).count()
        if roles.has_role(user, Role.LEGAL)
        else 0,
    }


# ------------------------------------------------------------------------------------------ reports
@dataclass
class MonthRow:
    month: str  # YYYY-MM
    by_state: dict[str, int] = field(default_factory=dict)
    requested: int = 0
    referred: int = 0
    referred_amount: Decimal = Decimal("0.00")
    recovered: Decimal = Decimal("0.00")

    @property
    def label(self) -> str:
        return f"{self.month[5:]}/{self.month[:4]}"


@dataclass
class ReferralReport:
    date_from: date
    date_to: date
    months: list[MonthRow]
    states: list[tuple[str, str]]
    rows: list[Referral]

    @property
    def total_requested(self) -> int:
        return sum(m.requested for m in self.months)

    @property
    def total_referred(self) -> int:
        return sum(m.referred for m in self.months)

    @property
    def total_referred_amount(self) -> Decimal:
        return sum((m.referred_amount for m in self.months), Decimal("0.00"))

    @property
    def total_recovered(self) -> Decimal:
        return sum((m.recovered for m in self.months), Decimal("0.00"))

    def state_total(self, state: str) -> int:
        return sum(m.by_state.get(state, 0) for m in self.months)


def recovered_after(referral: Referral, *, until: date) -> Decimal:
    """What the employer paid from the day after the referral was approved to `until` (or to the
    referral's closing): the payments the referral brought, whatever period they went to."""
    from cobranza.ledger.models import Payment

    if referral.decided_on is None or referral.state not in REFERRED_STATES:
        return Decimal("0.00")
    end = min(until, referral.closed_on) if referral.closed_on else until
    total = Payment.objects.filter(
        employer_id=referral.employer_id, paid_on__gt=referral.decided_on, paid_on__lte=end
    ).aggregate(s=Sum("amount"))["s"]
    return (total or Decimal("0")).quantize(Decimal("0.01"))


def referral_report(*, user: AnyUser, date_from: date, date_to: date) -> ReferralReport:
    """Referrals requested per month (by their state today), referred (approved) per month with
    their amount, and what was paid after each referral (credited to the month it was referred)."""
    rows = list(
        visible_referrals(user=user)
        .filter(requested_on__gte=date_from, requested_on__lte=date_to)
        .order_by("requested_on", "id")
    )
    months: dict[str, MonthRow] = {}
    index = date_from.year * 12 + date_from.month - 1
    end = date_to.year * 12 + date_to.month - 1
    while index <= end:
        key = f"{index // 12:04d}-{index % 12 + 1:02d}"
        months[key] = MonthRow(month=key)
        index += 1
    for r in rows:
        m = months[f"{r.requested_on:%Y-%m}"]
        m.requested += 1
        m.by_state[r.state] = m.by_state.get(r.state, 0) + 1
        if r.state in REFERRED_STATES and r.decided_on is not None:
            referred = months.get(f"{r.decided_on:%Y-%m}", m)
            referred.referred += 1
            referred.referred_amount += r.amount
            referred.recovered += recovered_after(r, until=date_to)
    return ReferralReport(
        date_from=date_from,
        date_to=date_to,
        months=list(months.values()),
        states=list(ReferralState.choices),
        rows=rows,
    )
