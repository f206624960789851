"""The collector's worklist: what to work today, ranked by a transparent priority score.

Rows are the employers of the collector's portfolio (and of the colleagues it covers) that have an
active case or a debt in arrears in the balance snapshot. "Debt" here is the overdue (exigible) balance
only: what is not yet due neither puts an employer on the list nor adds points (SPEC §5); the row
shows the current (not yet due) balance beside it. The score adds five visible parts; each row shows
them, and the page explains the rules (SPEC §7: debt, age, payment history, promises, limitation).
A page costs a fixed number of queries whatever the portfolio size (see the tests).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.db.models import Count, Max, Q
from django.utils import timezone

from cobranza.cases.models import CaseFile, CaseState, PromiseStatus, ReviewStatus
from cobranza.cases.services.actions import promise_grace_days
from cobranza.common.dates import business_date
from cobranza.common.errors import ApplicationError
from cobranza.employers.models import Employer, normalize_search
from cobranza.engine.calendar import due_date
from cobranza.portfolio.selectors import portfolio_filter

# The rules of the score, shown on the page as they are applied.
DEBT_STEP = Decimal("500")  # one point per $500 owed…
DEBT_MAX = 30  # …up to 30
MONTH_POINTS, MONTHS_MAX = 2, 24  # two points per month in arrears, up to 24
BROKEN_POINTS, BROKEN_MAX = 10, 20  # ten per broken promise, up to 20
CONTACT_DAYS_STEP, CONTACT_MAX = 3, 15  # one point per 3 days without contact, up to 15
LIMITATION_NEAR, LIMITATION_SOON = 25, 10  # inside the policy's alert window / inside a year

SCORE_RULES = (
    (
        "Deuda exigible",
        f"1 punto por cada ${DEBT_STEP:,.0f} de deuda vencida (exigible), máximo {DEBT_MAX}; "
        "lo corriente (aún no vencido) no suma.",
    ),
    (
        "Meses en mora",
        f"{MONTH_POINTS} puntos por mes de atraso del período más atrasado, máximo {MONTHS_MAX}.",
    ),
    ("Promesas incumplidas", f"{BROKEN_POINTS} puntos por promesa incumplida, máximo {BROKEN_MAX}."),
    (
        "Días sin contacto",
        f"1 punto por cada {CONTACT_DAYS_STEP} días sin contacto efectivo, máximo {CONTACT_MAX}; sin contacto nunca: {CONTACT_MAX}.",
    ),
    (
        "Prescripción",
        f"{LIMITATION_NEAR} puntos si el período más antiguo prescribe dentro del plazo de alerta de la política; {LIMITATION_SOON} si prescribe dentro de un año.",
    ),
)

REASONS = {
    "overdue": "Gestión vencida",
    "today": "Gestión para hoy",
    "broken": "Promesa incumplida",
    "new": "Expediente nuevo",
    "no_case": "En mora sin expediente",
    "returned": "Devuelta por la jefatura",
}
FILTERS = {"pendientes": "Pendientes de hoy", **REASONS, "todos": "Toda la cartera"}


@dataclass(frozen=True)
class ScorePart:
    label: str
    value: str
    points: int
    note: str = ""  # shown under the value, adds nothing (e.g. the current balance beside the overdue)


@dataclass
class WorkItem:
    employer: Employer
    case: CaseFile | None
    overdue: Decimal | None  # saldo exigible; None: not computed yet
    current: Decimal | None  # saldo corriente (no vencido)
    months_in_arrears: int
    limitation_on: date | None
    broken_promises: int
    returned_actions: int
    days_without_contact: int | None
    parts: list[ScorePart] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    limitation_alert: str = ""  # «prescribe el dd/mm/aaaa» inside the policy's alert window

    @property
    def score(self) -> int:
        return sum(p.points for p in self.parts)

    @property
    def reason_labels(self) -> list[str]:
        return [REASONS[r] for r in self.reasons]


def _snapshot(employer: Employer):  # type: ignore[no-untyped-def]
    try:
        return employer.balance
    except Employer.balance.RelatedObjectDoesNotExist:  # type: ignore[attr-defined]
        return None


def worklist(
    *, user: User, today: date | None = None, search: str = "", reason: str = "pendientes"
) -> list[WorkItem]:
    """The collector's work items, highest score first (ties: employer number)."""
    from cobranza.engine.money import cents_to_decimal
    from cobranza.ledger.models import LimitationRestart
    from cobranza.ledger.selectors import (
        collectible_overdue,
        limitation_clock,
        policy_for,
        prescribed_periods,
        suspended_periods,
    )

    today = today or business_date()
    try:
        policy = policy_for(today)
    except ApplicationError:
        policy = None
    employers = (
        Employer.objects.filter(portfolio_filter(user=user)).select_related("branch", "balance").distinct()
    )
    term = (search or "").strip()
    if term:
        employers = employers.filter(
            Q(employer_number__startswith=term) | Q(search_text__contains=normalize_search(term))
        )
    employers = list(employers)
    cases = {
        c.employer_id: c
        for c in CaseFile.objects.filter(employer__in=[e.pk for e in employers])
        .exclude(state=CaseState.CLOSED)
        .annotate(
            broken=Count("promises", filter=Q(promises__status=PromiseStatus.BROKEN), distinct=True),
            returned=Count("actions", filter=Q(actions__review_status=ReviewStatus.RETURNED), distinct=True),
            action_count=Count("actions", distinct=True),
            last_broken_on=Max("promises__promised_on", filter=Q(promises__status=PromiseStatus.BROKEN)),
            last_action_at=Max("actions__performed_at"),
        )
    }
    # Periods in claim (SPEC §8) are not collected: they add nothing to the score, and an employer
    # all of whose overdue debt is in claim leaves the list (one query; a live statement only for
    # the few employers with a claim open).
    suspended = suspended_periods(employers=[e.pk for e in employers], as_of=today)
    # Prescribed periods (SPEC §8) leave the collectible debt the same way (one query).
    prescribed = prescribed_periods(employers=[e.pk for e in employers], as_of=today)
    restarts: dict[tuple[int, str], list[date]] = {}
    for employer_id, period, day in LimitationRestart.objects.filter(
        employer__in=[e.pk for e in employers], restarted_on__lte=today
    ).values_list("employer_id", "period", "restarted_on"):
        restarts.setdefault((employer_id, period), []).append(day)
    items = []
    for employer in employers:
        case = cases.get(employer.pk)
        snapshot = _snapshot(employer)
        # Before the first balance recompute, the debt in arrears computed when the case opened.
        overdue = snapshot.overdue_outstanding if snapshot else (case.opening_debt if case else None)
        current = snapshot.current_outstanding if snapshot else None
        months = snapshot.months_in_arrears if snapshot else 0
        oldest = snapshot.oldest_unpaid_period if snapshot else ""
        if employer.pk in suspended or employer.pk in prescribed:
            collectible = collectible_overdue(
                employer=employer,
                as_of=today,
                suspended=suspended.get(employer.pk, set()),
                prescribed=prescribed.get(employer.pk, set()),
            )
            if (
                collectible.suspended_cents or collectible.prescribed_cents
            ) and not collectible.overdue_cents:
                continue
            overdue = cents_to_decimal(collectible.overdue_cents)
            months, oldest = collectible.months_in_arrears, collectible.oldest_period
        if case is None and not (overdue and overdue > 0):
            continue
        limitation_on = None
        if oldest and policy is not None:
            # From the due date or the last restart (notice delivered, agreement, lawsuit).
            limitation_on, _ = limitation_clock(
                due=due_date(oldest, policy),
                restarts=restarts.get((employer.pk, oldest), []),
                years=policy.limitation_years,
                as_of=today,
            )
        if case is not None and case.last_contact_at is not None:
            # max: with a business date in the past, a contact stamped in real time is "today".
            days = max(0, (today - timezone.localtime(case.last_contact_at).date()).days)
        else:
            days = None
        item = WorkItem(
            employer=employer,
            case=case,
            overdue=overdue,
            current=current,
            months_in_arrears=months,
            limitation_on=limitation_on,
            broken_promises=case.broken if case else 0,
            returned_actions=case.returned if case else 0,
            days_without_contact=days,
        )
        alert_days = policy.limitation_alert_days if policy else 180
        item.parts = _score_parts(item, today, alert_days)
        if limitation_on is not None and 0 < (limitation_on - today).days <= alert_days:
            item.limitation_alert = f"Prescribe el {limitation_on:%d/%m/%Y}"
        item.reasons = _reasons(item, today)
        items.append(item)
    if reason in REASONS:
        items = [i for i in items if reason in i.reasons]
    elif reason != "todos":
        items = [i for i in items if i.reasons]
    items.sort(key=lambda i: (-i.score, i.employer.employer_number))
    return items


def _score_parts(item: WorkItem, today: date, alert_days: int) -> list[ScorePart]:
    from cobranza.common.templatetags.cobranza import format_money

    debt_points = min(DEBT_MAX, int((item.overdue or 0) // DEBT_STEP))
    months_points = min(MONTHS_MAX, MONTH_POINTS * item.months_in_arrears)
    broken_points = min(BROKEN_MAX, BROKEN_POINTS * item.broken_promises)
    if item.days_without_contact is None:
        contact_points, contact_text = CONTACT_MAX, "nunca"
    else:
        contact_points = min(CONTACT_MAX, item.days_without_contact // CONTACT_DAYS_STEP)
        contact_text = f"{item.days_without_contact} días"
    limitation_points, limitation_text = 0, "—"
    if item.limitation_on is not None:
        left = (item.limitation_on - today).days
        limitation_text = f"{item.limitation_on:%d/%m/%Y}"
        if 0 <= left <= alert_days:
            limitation_points = LIMITATION_NEAR
        elif 0 <= left <= 365:
            limitation_points = LIMITATION_SOON
        elif left < 0:
            limitation_text += " (vencida)"
    return [
        ScorePart(
            "Deuda exigible",
            format_money(item.overdue) if item.overdue is not None else "sin calcular",
            debt_points,
            note=f"corriente {format_money(item.current)}" if item.current else "",
        ),
        ScorePart("Meses en mora", str(item.months_in_arrears), months_points),
        ScorePart("Promesas incumplidas", str(item.broken_promises), broken_points),
        ScorePart("Días sin contacto", contact_text, contact_points),
        ScorePart("Prescripción", limitation_text, limitation_points),
    ]


def _reasons(item: WorkItem, today: date) -> list[str]:
    reasons = []
    case = item.case
    if case is None:
        return ["no_case"]
    if case.next_action_on is not None:
        if case.next_action_on < today:
            reasons.append("overdue")
        elif case.next_action_on == today:
            reasons.append("today")
    if case.last_broken_on is not None:
        # A broken promise not followed up: no action since the promise's window ended.
        window_end = case.last_broken_on + timedelta(days=promise_grace_days())
        if case.last_action_at is None or timezone.localtime(case.last_action_at).date() <= window_end:
            reasons.append("broken")
    if case.state == CaseState.OPEN and not case.action_count:
        reasons.append("new")
    if item.returned_actions:
        reasons.append("returned")
    return reasons
