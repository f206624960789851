"""The head's results report: each collector's portfolio with its overdue (exigible) and current
(not yet due) balances shown apart, cases per collector and state, actions per collector and outcome,
promises kept and broken, and amounts recovered per collector and month (payments made after the
case opened). Everything through the head's visibility; a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User
from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from cobranza.cases.models import CaseFile, CaseState, CollectionAction, PaymentPromise, PromiseStatus
from cobranza.employers.selectors import visible_employers
from cobranza.portfolio.models import Assignment

UNASSIGNED = "(sin gestor)"


@dataclass(frozen=True)
class PortfolioRow:
    """A collector's portfolio from the balance snapshots: employers with a balance, those in
    arrears (something overdue), the overdue (exigible) and the current (not yet due) balance."""

    collector: str
    employers: int
    in_arrears: int
    overdue: Decimal
    current: Decimal


@dataclass
class ResultsReport:
    date_from: date
    date_to: date
    collectors: list[str]
    states: list[tuple[str, str]]
    cases: dict[str, dict[str, int]] = field(default_factory=dict)  # collector -> state -> n
    outcomes: list[str] = field(default_factory=list)
    actions: dict[str, dict[str, int]] = field(default_factory=dict)  # collector -> outcome -> n
    promises: dict[str, dict[str, int]] = field(default_factory=dict)  # collector -> status -> n
    months: list[str] = field(default_factory=list)
    recovered: dict[str, dict[str, Decimal]] = field(default_factory=dict)  # collector -> YYYY-MM -> $
    portfolio: list[PortfolioRow] = field(default_factory=list)
    balances_as_of: date | None = None  # the latest snapshot date behind `portfolio`

    def case_rows(self) -> list[tuple[str, list[int], int]]:
        return [
            (
                c,
                [self.cases.get(c, {}).get(s, 0) for s, _ in self.states],
                sum(self.cases.get(c, {}).values()),
            )
            for c in self.collectors
        ]

    def action_rows(self) -> list[tuple[str, list[int], int]]:
        return [
            (
                c,
                [self.actions.get(c, {}).get(o, 0) for o in self.outcomes],
                sum(self.actions.get(c, {}).values()),
            )
            for c in self.collectors
        ]

    def promise_rows(self) -> list[tuple[str, int, int, int, str]]:
        rows = []
        for c in self.collectors:
            p = self.promises.get(c, {})
            kept, broken, pending = p.get("kept", 0), p.get("broken", 0), p.get("pending", 0)
            decided = kept + broken
            rate = f"{100 * kept / decided:.0f} %" if decided else "—"
            rows.append((c, kept, broken, pending, rate))
        return rows

    def recovered_rows(self) -> list[tuple[str, list[Decimal], Decimal]]:
        return [
            (
                c,
                [self.recovered.get(c, {}).get(m, Decimal("0")) for m in self.months],
                sum(self.recovered.get(c, {}).values(), Decimal("0")),
            )
            for c in self.collectors
        ]

    @property
    def total_recovered(self) -> Decimal:
        return sum((sum(v.values(), Decimal("0")) for v in self.recovered.values()), Decimal("0"))

    @property
    def portfolio_total(self) -> PortfolioRow:
        rows = self.portfolio
        return PortfolioRow(
            "Total",
            sum(r.employers for r in rows),
            sum(r.in_arrears for r in rows),
            sum((r.overdue for r in rows), Decimal("0")),
            sum((r.current for r in rows), Decimal("0")),
        )


def _months(date_from: date, date_to: date) -> list[str]:
    months, y, m = [], date_from.year, date_from.month
    while (y, m) <= (date_to.year, date_to.month):
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def results_report(
    *, user: User, date_from: date, date_to: date, branch_id: int | None = None
) -> ResultsReport:
    from cobranza.ledger.models import Payment

    employers = visible_employers(user=user)
    if branch_id:
        employers = employers.filter(branch_id=branch_id)
    current_collector = Subquery(
        Assignment.objects.filter(employer=OuterRef("employer"), end__isnull=True).values(
            "collector__username"
        )[:1]
    )
    cases = list(
        CaseFile.objects.filter(employer__in=employers, opened_at__date__lte=date_to)
        .annotate(collector_name=current_collector)
        .values("pk", "employer_id", "state", "opened_at", "closed_at", "collector_name")
    )
    report = ResultsReport(
        date_from=date_from,
        date_to=date_to,
        collectors=[],
        states=list(CaseState.choices),
        months=_months(date_from, date_to),
    )
    names: set[str] = set()
    for c in cases:
        name = c["collector_name"] or UNASSIGNED
        names.add(name)
        report.cases.setdefault(name, defaultdict(int))[c["state"]] += 1

    actions = (
        CollectionAction.objects.filter(
            case__employer__in=employers, performed_at__date__gte=date_from, performed_at__date__lte=date_to
        )
        .values("created_by__username", "outcome__name")
        .annotate(n=Count("id"))
    )
    outcomes: set[str] = set()
    for row in actions:
        name = row["created_by__username"] or "sistema"
        outcome = row["outcome__name"] or "Carta generada"
        names.add(name)
        outcomes.add(outcome)
        report.actions.setdefault(name, defaultdict(int))[outcome] += row["n"]
    report.outcomes = sorted(outcomes)

    promises = (
        PaymentPromise.objects.filter(
            case__employer__in=employers, made_on__gte=date_from, made_on__lte=date_to
        )
        .values("action__created_by__username", "status")
        .annotate(n=Count("id"))
    )
    for row in promises:
        name = row["action__created_by__username"] or "sistema"
        names.add(name)
        report.promises.setdefault(name, defaultdict(int))[row["status"]] += row["n"]

    # Payments after the case opened (and before it closed), credited to the case's current collector.
    windows: dict[int, list[tuple[date, date | None, str]]] = defaultdict(list)
    for c in cases:
        windows[c["employer_id"]].append(
            (
                timezone.localtime(c["opened_at"]).date(),
                timezone.localtime(c["closed_at"]).date() if c["closed_at"] else None,
                c["collector_name"] or UNASSIGNED,
            )
        )
    payments = Payment.objects.filter(
        employer_id__in=list(windows), paid_on__gte=date_from, paid_on__lte=date_to
    ).values_list("employer_id", "paid_on", "amount")
    for employer_id, paid_on, amount in payments.iterator(chunk_size=2000):
        for opened, closed, name in windows[employer_id]:
            if opened <= paid_on and (closed is None or paid_on <= closed):
                month = f"{paid_on:%Y-%m}"
                report.recovered.setdefault(name, defaultdict(lambda: Decimal("0")))[month] += amount
                break
    report.collectors = sorted(names, key=lambda n: (n == UNASSIGNED, n))
    report.portfolio, report.balances_as_of = _portfolio(employers)
    return report


def _portfolio(employers) -> tuple[list[PortfolioRow], date | None]:  # type: ignore[no-untyped-def]
    """Each current collector's employers with a balance, from the snapshots (one query): the overdue
    (exigible) and the current (not yet due) balances apart, "in arrears" meaning overdue only."""
    from cobranza.ledger.models import BalanceSnapshot

    collector = Subquery(
        Assignment.objects.filter(employer=OuterRef("employer"), end__isnull=True).values(
            "collector__username"
        )[:1]
    )
    rows = list(
        BalanceSnapshot.objects.filter(employer__in=employers)
        .filter(Q(overdue_outstanding__gt=0) | Q(current_outstanding__gt=0))
        .annotate(collector_name=collector)
        .values("collector_name")
        .annotate(
            n=Count("pk"),
            in_arrears=Count("pk", filter=Q(overdue_outstanding__gt=0)),
            overdue=Sum("overdue_outstanding"),
            current=Sum("current_outstanding"),
            as_of=Max("as_of"),
        )
    )
    portfolio = [
        PortfolioRow(
            r["collector_name"] or UNASSIGNED,
            r["n"],
            r["in_arrears"],
            r["overdue"] or Decimal("0"),
            r["current"] or Decimal("0"),
        )
        for r in rows
    ]
    portfolio.sort(key=lambda r: (r.collector == UNASSIGNED, r.collector))
    as_of = max((r["as_of"] for r in rows if r["as_of"] is not None), default=None)
    return portfolio, as_of


PROMISE_LABELS = dict(PromiseStatus.choices)
