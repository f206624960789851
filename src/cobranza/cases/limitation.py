"""The heads' list «Próximas prescripciones» (SPEC §8): the overdue periods of the employers a head
sees that prescribe within the policy's alert window (`limitation_alert_days`, 180 days), with the
employer's collector, the period's overdue amount and its limitation date.

Set-based narrowing first: only employers whose balance snapshot's oldest unpaid period is old
enough to prescribe by the end of the window (`ledger.services.limitation_cutoff_period`) are
computed — one live statement and its limitation clocks each, at most `MAX_EMPLOYERS` (the oldest
debts first; the page says when the list was cut and asks to narrow it by branch).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.models import User
from django.db.models import Prefetch

from cobranza.employers.models import Employer
from cobranza.employers.selectors import current_collector, visible_employers
from cobranza.ledger.selectors import limitation_dates, policy_timeline, statement_for_employer
from cobranza.ledger.services import limitation_cutoff_period
from cobranza.portfolio.models import Assignment

MAX_EMPLOYERS = 300


@dataclass(frozen=True)
class UpcomingLimitation:
    employer: Employer
    collector: str
    branch: str
    period: str
    overdue_cents: int
    limitation_date: date
    days_left: int
    restarted: str  # «Aviso documentado entregado el 10/03/2022», or ""


@dataclass
class UpcomingLimitations:
    as_of: date
    alert_days: int
    window_end: date
    rows: list[UpcomingLimitation] = field(default_factory=list)
    candidates: int = 0
    truncated: bool = False

    @property
    def total_cents(self) -> int:
        return sum(r.overdue_cents for r in self.rows)

    @property
    def employers(self) -> int:
        return len({r.employer.pk for r in self.rows})


def upcoming_limitations(*, user: User, as_of: date, branch_id: int | None = None) -> UpcomingLimitations:
    """What prescribes in (as_of, as_of + alert days], for the employers `user` sees (a branch head:
    its branch; `branch_id` narrows further), soonest first."""
    policy = policy_timeline().at(as_of)
    window_end = as_of + timedelta(days=policy.limitation_alert_days)
    report = UpcomingLimitations(as_of=as_of, alert_days=policy.limitation_alert_days, window_end=window_end)
    cutoff = limitation_cutoff_period(window_end, policy.limitation_years)
    employers = (
        visible_employers(user=user)
        .filter(balance__oldest_unpaid_period__gt="", balance__oldest_unpaid_period__lte=cutoff)
        .select_related("branch", "balance")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(end__isnull=True).select_related("collector"),
            )
        )
        .order_by("balance__oldest_unpaid_period", "employer_number")
    )
    if branch_id is not None:
        employers = employers.filter(branch_id=branch_id)
    report.candidates = employers.count()
    report.truncated = report.candidates > MAX_EMPLOYERS
    for employer in employers[:MAX_EMPLOYERS]:
        statement = statement_for_employer(employer, as_of)
        clocks = limitation_dates(employer=employer, as_of=as_of)
        collector = current_collector(employer)
        for ln in statement.periods:
            clock = clocks.get(ln.period)
            if not (ln.overdue and ln.overdue_cents > 0) or clock is None or not clock.alert:
                continue
            report.rows.append(
                UpcomingLimitation(
                    employer=employer,
                    collector=(collector.get_full_name() or collector.username)
                    if collector
                    else "Sin asignar",
                    branch=employer.branch.name if employer.branch else "—",
                    period=ln.period,
                    overdue_cents=ln.overdue_cents,
                    limitation_date=clock.limitation_date,
                    days_left=clock.days_left,
                    restarted=(
                        f"{clock.cause_label} el {clock.restarted_on:%d/%m/%Y}" if clock.restarted_on else ""
                    ),
                )
            )
    report.rows.sort(key=lambda r: (r.limitation_date, r.employer.employer_number, r.period))
    return report


@dataclass(frozen=True)
class PeriodLimitation:
    period: str
    overdue_cents: int
    limitation_date: date
    restarted: str
    prescribed: bool
    alert: bool
    expired: bool


@dataclass
class CaseLimitation:
    rows: list[PeriodLimitation]
    collectible_cents: int
    prescribed_cents: int


def case_limitation(*, employer: Employer, statement) -> CaseLimitation:  # type: ignore[no-untyped-def]
    """The case file's view of the limitation clock: every overdue period of `statement` with its
    limitation date, last restart and "prescrito" mark (three small queries)."""
    clocks = limitation_dates(employer=employer, as_of=statement.as_of)
    rows = []
    for ln in statement.periods:
        clock = clocks.get(ln.period)
        if not (ln.overdue and ln.overdue_cents > 0) or clock is None:
            continue
        rows.append(
            PeriodLimitation(
                period=ln.period,
                overdue_cents=ln.overdue_cents,
                limitation_date=clock.limitation_date,
                restarted=(
                    f"{clock.cause_label} el {clock.restarted_on:%d/%m/%Y}"
                    + (f" ({clock.reference})" if clock.reference else "")
                    if clock.restarted_on
                    else ""
                ),
                prescribed=clock.prescribed,
                alert=clock.alert,
                expired=clock.expired,
            )
        )
    prescribed = sum(r.overdue_cents for r in rows if r.prescribed)
    return CaseLimitation(
        rows=rows, collectible_cents=statement.totals.overdue_cents - prescribed, prescribed_cents=prescribed
    )
