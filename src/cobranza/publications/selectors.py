"""Reads of the publication list: who may see what, the candidates at a date, the lists, the report.

Candidates (SPEC §4 row "publication", §8): employers whose COLLECTIBLE overdue debt (periods in
claim and prescribed periods left out; what is not yet due never counts) is at least the policy's
``publication_min_debt_cents`` and whose most overdue period is at least
``publication_min_months`` months late, without an agreement in force at the date (a lapsed,
defaulted agreement does not protect: such employers are candidates, marked). An employer whose only
overdue periods are in claim has no collectible debt and is out.

Set-based: the balance snapshots of the date give the figures of everybody in one query; only the
few employers with periods in claim or prescribed (and those whose snapshot is of another date, e.g.
``--as-of`` in the past) get a live statement (``ledger.selectors.collectible_overdue``), as the
worklist does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Q, QuerySet

from cobranza.common import roles
from cobranza.employers.models import Employer
from cobranza.engine.money import cents_to_decimal
from cobranza.publications.models import ListState, PublicationEntry, PublicationList, Reply

AnyUser = User | AnonymousUser


# ------------------------------------------------------------------------------------------- who
def can_read(user: AnyUser) -> bool:
    """The lists and their history: heads, administrators and the legal unit."""
    return roles.has_role(user, roles.Role.ADMIN, roles.Role.LEGAL, *roles.HEADS)


def can_see_candidates(user: AnyUser) -> bool:
    """The candidates and the reports: heads and administrators."""
    return roles.has_role(user, roles.Role.ADMIN, *roles.HEADS)


def can_prepare(user: AnyUser) -> bool:
    """Who prepares, notifies, records replies and approves: the heads (SPEC §1)."""
    return roles.is_head(user)


def _branch_scope(user: AnyUser) -> tuple[bool, int | None]:
    """(sees everything, branch id): a branch head is limited to its branch."""
    if roles.has_role(user, roles.Role.ADMIN, roles.Role.DEPARTMENT_HEAD, roles.Role.LEGAL):
        return True, None
    if roles.has_role(user, roles.Role.BRANCH_HEAD):
        from cobranza.portfolio.selectors import branch_of

        return False, branch_of(user)  # type: ignore[arg-type]
    return False, None


def visible_lists(*, user: AnyUser) -> QuerySet[PublicationList]:
    """The lists the user may open: all (department head, admin, legal), a branch head the lists
    of its branch, nobody else any."""
    qs = PublicationList.objects.select_related("branch", "prepared_by", "approved_by")
    if not can_read(user):
        return qs.none()
    everything, branch_id = _branch_scope(user)
    if everything:
        return qs
    if branch_id is None:
        return qs.none()
    return qs.filter(branch_id=branch_id)


def list_index(*, user: AnyUser) -> QuerySet[PublicationList]:
    return visible_lists(user=user).annotate(
        selected=Count("entries", distinct=True),
        on_list=Count("entries", filter=Q(entries__published=True), distinct=True),
        regularized=Count("entries", filter=Q(entries__regularized_on__isnull=False), distinct=True),
    )


def list_detail(*, user: AnyUser, pk: int) -> PublicationList:
    """Raises PublicationList.DoesNotExist for a list the user may not see (a 404)."""
    return visible_lists(user=user).get(pk=pk)


def list_entries(publication: PublicationList) -> list[PublicationEntry]:
    return list(
        publication.entries.select_related("employer", "employer__branch", "notice", "reply_by").order_by(
            "-overdue", "employer__employer_number"
        )
    )


def published_entries(publication: PublicationList) -> list[PublicationEntry]:
    """The rows of the frozen list, largest debt first (as published)."""
    return list(
        publication.entries.filter(published=True)
        .select_related("employer", "employer__branch")
        .order_by("-published_overdue", "employer__employer_number")
    )


def employer_scope(*, user: AnyUser | None, branch_id: int | None = None) -> QuerySet[Employer]:
    """The employers whose candidacy the user may see (None: the whole institute, for commands)."""
    if user is None:
        qs = Employer.objects.all()
    else:
        from cobranza.employers.selectors import visible_employers

        qs = visible_employers(user=user) if can_see_candidates(user) else Employer.objects.none()
    if branch_id:
        qs = qs.filter(branch_id=branch_id)
    return qs


# ------------------------------------------------------------------------------------ candidates
@dataclass
class Criteria:
    min_months: int
    min_debt_cents: int
    reply_business_days: int
    policy_version: str

    @property
    def min_debt(self) -> Decimal:
        return cents_to_decimal(self.min_debt_cents)

    def as_dict(self) -> dict[str, Any]:
        return {
            "min_months": self.min_months,
            "min_debt_cents": self.min_debt_cents,
            "reply_business_days": self.reply_business_days,
            "policy_version": self.policy_version,
        }


def criteria_at(as_of: date) -> Criteria:
    from cobranza.ledger.selectors import policy_for, policy_version_for

    policy = policy_for(as_of)
    return Criteria(
        min_months=policy.publication_min_months,
        min_debt_cents=policy.publication_min_debt_cents,
        reply_business_days=policy.publication_reply_business_days,
        policy_version=policy_version_for(as_of).version,
    )


@dataclass
class Figures:
    """An employer's collectible overdue debt at a date."""

    overdue_cents: int
    months_in_arrears: int
    overdue_periods: int
    oldest_period: str
    suspended_cents: int = 0

    @property
    def overdue(self) -> Decimal:
        return cents_to_decimal(self.overdue_cents)


@dataclass
class Candidate:
    employer: Employer
    figures: Figures
    lapsed_agreement: str = ""  # number of a lapsed agreement ("convenio incumplido"), if any
    in_claim: bool = False  # some overdue periods are in claim (left out of the figures)
    open_list: PublicationList | None = None  # already on a list being prepared
    notes: list[str] = field(default_factory=list)

    @property
    def overdue(self) -> Decimal:
        return self.figures.overdue

    @property
    def months_in_arrears(self) -> int:
        return self.figures.months_in_arrears


def _meets(figures: Figures, criteria: Criteria) -> bool:
    return (
        figures.overdue_cents > 0
        and figures.overdue_cents >= criteria.min_debt_cents
        and figures.months_in_arrears >= criteria.min_months
    )


def _prescribed(ids: list[int], as_of: date) -> dict[int, set[str]]:
    """Prescribed periods by employer (they leave the collectible debt, SPEC §8)."""
    from cobranza.ledger.selectors import prescribed_periods

    return prescribed_periods(employers=ids, as_of=as_of) if ids else {}


def live_figures(employer: Employer, as_of: date) -> Figures:
    """The collectible overdue debt from the statement at `as_of` (claims and prescribed periods out)."""
    from cobranza.ledger.selectors import collectible_overdue

    c = collectible_overdue(employer=employer, as_of=as_of)
    return Figures(
        overdue_cents=c.overdue_cents,
        months_in_arrears=c.months_in_arrears,
        overdue_periods=c.overdue_periods,
        oldest_period=c.oldest_period,
        suspended_cents=c.suspended_cents,
    )


def agreements_in_force(employer_ids: list[int], as_of: date) -> dict[int, str]:
    """`{employer_id: agreement number}` of the agreements in force (signed and neither lapsed,
    fulfilled nor restructured) at `as_of`. One query."""
    from cobranza.agreements.models import Agreement, AgreementState

    if not employer_ids:
        return {}
    rows = (
        Agreement.objects.filter(employer_id__in=employer_ids, signed_on__lte=as_of)
        .exclude(state__in=[AgreementState.CANCELLED, AgreementState.EXPIRED])
        .filter(Q(lapsed_on__isnull=True) | Q(lapsed_on__gt=as_of))
        .filter(Q(fulfilled_on__isnull=True) | Q(fulfilled_on__gt=as_of))
        .filter(Q(restructured_on__isnull=True) | Q(restructured_on__gt=as_of))
        .order_by("signed_on")
    )
    return {a.employer_id: a.number for a in rows}


def agreements_lapsed(employer_ids: list[int], as_of: date) -> dict[int, str]:
    """`{employer_id: number}` of agreements lapsed by `as_of` (their employers stay candidates)."""
    from cobranza.agreements.models import Agreement

    if not employer_ids:
        return {}
    rows = Agreement.objects.filter(employer_id__in=employer_ids, lapsed_on__lte=as_of).order_by("lapsed_on")
    return {a.employer_id: a.number for a in rows}


def employer_figures(employers: list[Employer], as_of: date) -> dict[int, Figures]:
    """Collectible overdue figures of `employers` at `as_of`: the snapshot when it is of that date
    and the employer has no period in claim or prescribed, else a live statement."""
    from cobranza.ledger.models import BalanceSnapshot
    from cobranza.ledger.selectors import suspended_periods

    ids = [e.pk for e in employers]
    snaps = {s.employer_id: s for s in BalanceSnapshot.objects.filter(employer_id__in=ids)}
    special = set(suspended_periods(employers=ids, as_of=as_of)) | set(_prescribed(ids, as_of))
    out: dict[int, Figures] = {}
    for e in employers:
        s = snaps.get(e.pk)
        if s is not None and s.as_of == as_of and e.pk not in special:
            out[e.pk] = Figures(
                overdue_cents=int(s.overdue_outstanding * 100),
                months_in_arrears=s.months_in_arrears,
                overdue_periods=s.overdue_periods,
                oldest_period=s.oldest_unpaid_period,
            )
        else:
            out[e.pk] = live_figures(e, as_of)
    return out


def candidates(
    *, user: AnyUser | None, as_of: date, branch_id: int | None = None, criteria: Criteria | None = None
) -> list[Candidate]:
    """The candidates at `as_of` among the employers the user may see, largest debt first."""
    from cobranza.ledger.models import BalanceSnapshot
    from cobranza.ledger.selectors import suspended_periods

    criteria = criteria or criteria_at(as_of)
    scope = employer_scope(user=user, branch_id=branch_id)
    snaps = BalanceSnapshot.objects.filter(employer__in=scope)
    min_debt = cents_to_decimal(criteria.min_debt_cents)
    # Snapshots of the date: the SQL filter decides (collectible ≤ snapshot overdue, so nobody is lost).
    fresh = list(
        snaps.filter(
            as_of=as_of,
            overdue_outstanding__gt=0,
            overdue_outstanding__gte=min_debt,
            months_in_arrears__gte=criteria.min_months,
        ).values_list("employer_id", flat=True)
    )
    # Snapshots of another date (or none): a live statement for those that could be candidates —
    # some overdue then, a payment after the date, or a snapshot older than the date.
    stale_q = ~Q(balance__as_of=as_of) & (
        Q(balance__overdue_outstanding__gt=0)
        | Q(balance__last_payment_date__gt=as_of)
        | Q(balance__as_of__lt=as_of)
    )
    stale = list(scope.filter(stale_q).values_list("pk", flat=True))
    stale += list(scope.filter(balance__isnull=True).values_list("pk", flat=True))
    ids = sorted(set(fresh) | set(stale))
    in_force = agreements_in_force(ids, as_of)
    ids = [i for i in ids if i not in in_force]
    employers = list(Employer.objects.filter(pk__in=ids).select_related("branch", "balance"))
    figures = employer_figures(employers, as_of)
    claims = suspended_periods(employers=ids, as_of=as_of)
    lapsed = agreements_lapsed(ids, as_of)
    open_lists = {
        e.employer_id: e.publication
        for e in PublicationEntry.objects.filter(
            employer_id__in=ids, publication__state__in=[ListState.PREPARING, ListState.NOTIFIED]
        ).select_related("publication")
    }
    out = []
    for employer in employers:
        f = figures[employer.pk]
        if not _meets(f, criteria):
            continue
        c = Candidate(
            employer=employer,
            figures=f,
            lapsed_agreement=lapsed.get(employer.pk, ""),
            in_claim=employer.pk in claims,
            open_list=open_lists.get(employer.pk),
        )
        if c.lapsed_agreement:
            c.notes.append(f"Convenio {c.lapsed_agreement} incumplido")
        if c.in_claim:
            c.notes.append("Tiene períodos en reclamo (no se cuentan)")
        out.append(c)
    out.sort(key=lambda c: (-c.figures.overdue_cents, c.employer.employer_number))
    return out


def still_meets(employer: Employer, as_of: date, criteria: Criteria) -> tuple[bool, Figures, str]:
    """Whether one employer still meets the criteria at `as_of` (at freezing), its figures and,
    when it does not, the reason in Spanish."""
    from cobranza.engine.money import fmt_usd

    if employer.pk in agreements_in_force([employer.pk], as_of):
        f = live_figures(employer, as_of)
        return False, f, "Tiene un convenio de pago vigente"
    f = employer_figures([employer], as_of)[employer.pk]
    if f.overdue_cents <= 0:
        if f.suspended_cents:
            return False, f, "Toda su deuda exigible está en reclamo"
        return False, f, "Ya no tiene deuda exigible"
    if f.overdue_cents < criteria.min_debt_cents:
        return False, f, f"Su deuda exigible ({fmt_usd(f.overdue_cents)}) es menor que el mínimo"
    if f.months_in_arrears < criteria.min_months:
        return False, f, f"Tiene {f.months_in_arrears} meses en mora (mínimo {criteria.min_months})"
    return True, f, ""


# --------------------------------------------------------------------------------------- reports
@dataclass
class ReportRow:
    publication: PublicationList
    selected: int
    notified: int
    removed_in_window: int  # paid, signed an agreement or filed a claim inside the reply window
    paid_in_window: int
    agreement_in_window: int
    claim_in_window: int
    no_longer_met: int  # left out at freezing because the criteria no longer held
    published: int
    regularized_after: int  # published and regularized afterwards
    published_amount: Decimal

    @property
    def effect(self) -> int:
        """Employers that regularized after notification (inside the window or after publication)."""
        return self.paid_in_window + self.agreement_in_window + self.regularized_after

    @property
    def effect_rate(self) -> str:
        if not self.notified:
            return "—"
        return f"{100 * self.effect / self.notified:.1f} %"


@dataclass
class PublicationReport:
    rows: list[ReportRow]
    date_from: date
    date_to: date

    @property
    def totals(self) -> dict[str, Any]:
        keys = (
            "selected",
            "notified",
            "removed_in_window",
            "paid_in_window",
            "agreement_in_window",
            "claim_in_window",
            "no_longer_met",
            "published",
            "regularized_after",
        )
        out: dict[str, Any] = {k: sum(getattr(r, k) for r in self.rows) for k in keys}
        out["published_amount"] = sum((r.published_amount for r in self.rows), Decimal("0.00"))
        out["effect"] = sum(r.effect for r in self.rows)
        out["effect_rate"] = f"{100 * out['effect'] / out['notified']:.1f} %" if out["notified"] else "—"
        return out

    def chart(self) -> dict[str, Any]:
        return {
            "labels": [r.publication.title for r in self.rows],
            "notified": [r.notified for r in self.rows],
            "in_window": [r.paid_in_window + r.agreement_in_window for r in self.rows],
            "published": [r.published for r in self.rows],
            "regularized": [r.regularized_after for r in self.rows],
        }


def publication_report(
    *, user: AnyUser, date_from: date | None = None, date_to: date | None = None
) -> PublicationReport:
    """Lists notified in the range (by notification date), oldest first, with their effect."""
    from cobranza.common.dates import business_date

    date_to = date_to or business_date()
    date_from = date_from or (date_to - timedelta(days=3 * 365))
    lists = list(
        visible_lists(user=user)
        .filter(notified_on__gte=date_from, notified_on__lte=date_to)
        .exclude(state=ListState.CANCELLED)
        .order_by("notified_on", "pk")
        .prefetch_related("entries")
    )
    rows = []
    for pub in lists:
        entries = list(pub.entries.all())
        notified = [e for e in entries if e.notified_on]
        published = [e for e in entries if e.published]
        rows.append(
            ReportRow(
                publication=pub,
                selected=len(entries),
                notified=len(notified),
                removed_in_window=sum(1 for e in notified if e.removes),
                paid_in_window=sum(1 for e in notified if e.reply == Reply.PAID),
                agreement_in_window=sum(1 for e in notified if e.reply == Reply.AGREEMENT),
                claim_in_window=sum(1 for e in notified if e.reply == Reply.CLAIM),
                no_longer_met=sum(1 for e in notified if pub.is_frozen and not e.published and not e.removes),
                published=len(published),
                regularized_after=sum(1 for e in published if e.regularized_on),
                published_amount=sum(
                    (e.published_overdue or Decimal("0.00") for e in published), Decimal("0.00")
                ),
            )
        )
    return PublicationReport(rows=rows, date_from=date_from, date_to=date_to)
