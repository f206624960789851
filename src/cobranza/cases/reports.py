"""The head's results report: each collector's portfolio with its overdue (exigible) and current
(not yet due) balances shown apart, cases per collector and state, actions per collector and outcome,
promises kept and broken, and amounts recovered per collector and month (SPEC §9: what payments paid
on periods overdue on the payment's date, credited to the collector who held the employer that day;
`cobranza.portfolio.recoveries`). Collectors by name; nobody else is a row. Ranges of at most five
years. Everything through the head's visibility."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User
from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum

from cobranza.cases.models import CaseFile, CaseState, CollectionAction, PaymentPromise, PromiseStatus
from cobranza.common.errors import ApplicationError
from cobranza.common.roles import Role
from cobranza.employers.selectors import visible_employers
from cobranza.portfolio.models import Assignment

UNASSIGNED = "Sin gestor asignado"


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
    unassigned_cases: int = 0  # cases of employers without a collector (not a collector row)

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


MAX_RANGE_YEARS = 5


def check_report_range(date_from: date, date_to: date) -> None:
    """A results report covers at most five years (SPEC §9; a range from 01/01/1900 took 79 s)."""
    if date_to < date_from:
        raise ApplicationError("La fecha final no puede ser anterior a la inicial.")
    limit = date(date_from.year + MAX_RANGE_YEARS, date_from.month, 1)
    if date_to >= limit:
        raise ApplicationError(
            f"El período del informe no puede pasar de {MAX_RANGE_YEARS} años "
            f"(del {date_from:%d/%m/%Y} al {date_to:%d/%m/%Y}); elija un rango más corto."
        )


def _name(user_id: int | None, names: dict[int, str]) -> str | None:
    """A collector's name (never its username); None for anyone who is not a collector."""
    return names.get(user_id) if user_id is not None else None


def collector_names(user_ids: set[int] | None = None) -> dict[int, str]:
    """{user id: full name} of the users with the collector role (the only rows of the report)."""
    qs = User.objects.filter(groups__name=Role.COLLECTOR)
    if user_ids is not None:
        qs = qs.filter(pk__in=user_ids)
    return {
        pk: (f"{first} {last}".strip() or username)
        for pk, first, last, username in qs.values_list("pk", "first_name", "last_name", "username")
    }


def results_report(
    *, user: User, date_from: date, date_to: date, branch_id: int | None = None
) -> ResultsReport:
    """The head's report. Rows are collectors, by name: the call center's and the heads' actions,
    cases without a collector and payments no collector held are left out of the per-collector
    tables. Recovered per SPEC §9 (`portfolio.recoveries`): what payments paid on periods overdue
    on their date, credited to the collector who held the employer that day."""
    from cobranza.portfolio.recoveries import recoveries

    check_report_range(date_from, date_to)
    employers = visible_employers(user=user)
    if branch_id:
        employers = employers.filter(branch_id=branch_id)
    names = collector_names()
    current_collector = Subquery(
        Assignment.objects.filter(employer=OuterRef("employer"), end__isnull=True).values("collector_id")[:1]
    )
    cases = list(
        CaseFile.objects.filter(employer__in=employers, opened_at__date__lte=date_to)
        .annotate(collector_pk=current_collector)
        .values("state", "collector_pk")
    )
    report = ResultsReport(
        date_from=date_from,
        date_to=date_to,
        collectors=[],
        states=list(CaseState.choices),
        months=_months(date_from, date_to),
    )
    shown: set[str] = set()
    for c in cases:
        name = _name(c["collector_pk"], names)
        if name is None:
            report.unassigned_cases += 1
            continue
        shown.add(name)
        report.cases.setdefault(name, defaultdict(int))[c["state"]] += 1

    actions = (
        CollectionAction.objects.filter(
            case__employer__in=employers,
            performed_at__date__gte=date_from,
            performed_at__date__lte=date_to,
            created_by_id__in=list(names),
        )
        .values("created_by_id", "outcome__name")
        .annotate(n=Count("id"))
    )
    outcomes: set[str] = set()
    for row in actions:
        name = names[row["created_by_id"]]
        outcome = row["outcome__name"] or "Carta generada"
        shown.add(name)
        outcomes.add(outcome)
        report.actions.setdefault(name, defaultdict(int))[outcome] += row["n"]
    report.outcomes = sorted(outcomes)

    promises = (
        PaymentPromise.objects.filter(
            case__employer__in=employers,
            made_on__gte=date_from,
            made_on__lte=date_to,
            action__created_by_id__in=list(names),
        )
        .values("action__created_by_id", "status")
        .annotate(n=Count("id"))
    )
    for row in promises:
        name = names[row["action__created_by_id"]]
        shown.add(name)
        report.promises.setdefault(name, defaultdict(int))[row["status"]] += row["n"]

    for r in recoveries(employers=employers, date_from=date_from, date_to=date_to):
        name = _name(r.collector_id, names)
        if name is None:
            continue
        shown.add(name)
        month = f"{r.paid_on:%Y-%m}"
        report.recovered.setdefault(name, defaultdict(lambda: Decimal("0")))[month] += Decimal(r.cents) / 100
    report.portfolio, report.balances_as_of = _portfolio(employers, names)
    shown.update(r.collector for r in report.portfolio)
    report.collectors = sorted(shown, key=str.casefold)
    return report


def _portfolio(employers, names: dict[int, str]) -> tuple[list[PortfolioRow], date | None]:  # type: ignore[no-untyped-def]
    """Each current collector's employers with a balance, from the snapshots (one query): the overdue
    (exigible) and the current (not yet due) balances apart, "in arrears" meaning overdue only."""
    from cobranza.ledger.models import BalanceSnapshot

    collector = Subquery(
        Assignment.objects.filter(employer=OuterRef("employer"), end__isnull=True).values("collector_id")[:1]
    )
    rows = list(
        BalanceSnapshot.objects.filter(employer__in=employers)
        .filter(Q(overdue_outstanding__gt=0) | Q(current_outstanding__gt=0))
        .annotate(collector_pk=collector)
        .values("collector_pk")
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
            names.get(r["collector_pk"]) or UNASSIGNED,
            r["n"],
            r["in_arrears"],
            r["overdue"] or Decimal("0"),
            r["current"] or Decimal("0"),
        )
        for r in rows
    ]
    # Employers without a collector are one line after the collectors, never a collector row.
    portfolio.sort(key=lambda r: (r.collector == UNASSIGNED, r.collector.casefold()))
    as_of = max((r["as_of"] for r in rows if r["as_of"] is not None), default=None)
    return portfolio, as_of


PROMISE_LABELS = dict(PromiseStatus.choices)
