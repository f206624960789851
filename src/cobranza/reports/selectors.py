"""Reads of the reports app: a collector's own results and a head's goals versus actuals (SPEC §9).

Three measures per collector and month:

* **recovered**: what payments paid on periods overdue on the payment's date, credited to the
  collector who held the employer that day (`cobranza.portfolio.recoveries`);
* **agreements signed**: agreements whose down payment arrived (signed) that month, credited to the
  collector who held the employer on the signing date;
* **contacts made**: the collector's own collection actions whose outcome reached the employer
  (`ActionOutcome.is_contact`).

A branch's actual is the sum of its collectors' (their branch today). Only users with the
collector role are rows: the call center, heads and "no collector" never appear as collectors.
Names, never usernames.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User
from django.db.models import QuerySet

from cobranza.common import roles
from cobranza.common.dates import business_date
from cobranza.common.errors import ApplicationError
from cobranza.employers.models import Branch, Employer
from cobranza.employers.selectors import visible_employers
from cobranza.portfolio.models import Assignment
from cobranza.portfolio.recoveries import assignment_history, holder_on, recoveries
from cobranza.portfolio.selectors import branch_of
from cobranza.reports.models import Goal

MONTH_NAMES = (
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split()
)
MAX_RANGE_YEARS = 5


def person_name(user: User) -> str:
    return user.get_full_name() or user.username


def month_label(month: date, *, short: bool = False) -> str:
    name = MONTH_NAMES[month.month - 1]
    return f"{name[:3]} {month:%y}" if short else f"{name} de {month.year}"


def add_months(month: date, k: int) -> date:
    index = month.year * 12 + month.month - 1 + k
    return date(index // 12, index % 12 + 1, 1)


def month_end(month: date) -> date:
    return add_months(month, 1).replace(day=1) - (date(2000, 1, 2) - date(2000, 1, 1))


def parse_month(text: str | None, *, default: date) -> date:
    """«2026-11» or «11/2026» → 01/11/2026; Spanish error otherwise."""
    value = (text or "").strip()
    if not value:
        return default.replace(day=1)
    try:
        if "/" in value:
            m, y = value.split("/")
        else:
            y, m = value.split("-")
        month = date(int(y), int(m), 1)
    except (ValueError, TypeError):
        raise ApplicationError(f"Mes inválido: «{value}» (use mm/aaaa, por ejemplo 11/2026).") from None
    if not 1954 <= month.year <= 2100:
        raise ApplicationError(f"Mes fuera de rango: «{value}» (entre 1954 y 2100).")
    return month


def check_report_range(date_from: date, date_to: date) -> None:
    """Reports cover at most five years (a longer range would compute every statement for nothing)."""
    if date_to < date_from:
        raise ApplicationError("La fecha final no puede ser anterior a la inicial.")
    if (
        date_to > add_months(date_from.replace(day=1), 12 * MAX_RANGE_YEARS)
        or (date_to - date_from).days > 366 * MAX_RANGE_YEARS
    ):
        raise ApplicationError(
            f"El período del informe no puede pasar de {MAX_RANGE_YEARS} años "
            f"(del {date_from:%d/%m/%Y} al {date_to:%d/%m/%Y}); elija un rango más corto."
        )


@dataclass
class Figures:
    recovered_cents: int = 0
    agreements: int = 0
    contacts: int = 0

    def add(self, other: Figures) -> None:
        self.recovered_cents += other.recovered_cents
        self.agreements += other.agreements
        self.contacts += other.contacts

    @property
    def recovered(self) -> Decimal:
        return Decimal(self.recovered_cents) / 100


def collector_users(*, user: User) -> list[User]:
    """The collectors a head reads about (a branch head: its branch's), by name."""
    qs = User.objects.filter(groups__name=roles.Role.COLLECTOR, is_active=True).select_related(
        "staff_profile__branch"
    )
    if not roles.has_role(user, roles.Role.DEPARTMENT_HEAD, roles.Role.ADMIN):
        qs = qs.filter(staff_profile__branch_id=branch_of(user) or -1)
    return sorted(qs.distinct(), key=lambda u: (person_name(u).casefold(), u.pk))


def actuals(
    *, collector_ids: list[int], employers: QuerySet[Employer], date_from: date, date_to: date
) -> dict[int, dict[date, Figures]]:
    """{collector id: {month: Figures}} for the range, over `employers` (the reader's visibility)."""
    out: dict[int, dict[date, Figures]] = defaultdict(lambda: defaultdict(Figures))
    wanted = set(collector_ids)
    held = Assignment.objects.filter(collector_id__in=collector_ids).values("employer_id")
    scope = employers.filter(pk__in=held)
    for r in recoveries(employers=scope, date_from=date_from, date_to=date_to):
        if r.collector_id in wanted:
            out[r.collector_id][r.paid_on.replace(day=1)].recovered_cents += r.cents

    from cobranza.agreements.models import Agreement

    signed = list(
        Agreement.objects.filter(
            employer__in=scope, signed_on__gte=date_from, signed_on__lte=date_to
        ).values_list("employer_id", "signed_on")
    )
    history = assignment_history(sorted({e for e, _ in signed}), date_from, date_to)
    for employer_id, signed_on in signed:
        holder = holder_on(history.get(employer_id, []), signed_on)
        if holder in wanted:
            out[holder][signed_on.replace(day=1)].agreements += 1

    from django.utils import timezone

    from cobranza.cases.models import CollectionAction

    actions = CollectionAction.objects.filter(
        created_by_id__in=collector_ids,
        outcome__is_contact=True,
        performed_at__date__gte=date_from,
        performed_at__date__lte=date_to,
    ).values_list("created_by_id", "performed_at")
    for collector_id, performed_at in actions:
        out[collector_id][timezone.localtime(performed_at).date().replace(day=1)].contacts += 1
    return out


# ---------------------------------------------------------------------------------- my results
@dataclass
class MeasureRow:
    label: str
    actual: str
    goal: str | None
    percent: int | None  # of the goal; None without a goal


@dataclass
class TrendPoint:
    month: date
    label: str
    recovered_cents: int
    goal_cents: int | None
    agreements: int
    contacts: int


@dataclass
class MyResults:
    name: str
    month: date
    month_label: str
    rows: list[MeasureRow]
    trend: list[TrendPoint]
    total_cents: int = 0


def _percent(actual: int, goal: int) -> int | None:
    return round(100 * actual / goal) if goal else None


def measure_rows(figures: Figures, goal: Goal | None) -> list[MeasureRow]:
    from cobranza.engine.money import fmt_usd

    goal_cents = int(goal.recovered * 100) if goal else 0
    return [
        MeasureRow(
            "Monto recuperado",
            fmt_usd(figures.recovered_cents),
            fmt_usd(goal_cents) if goal else None,
            _percent(figures.recovered_cents, goal_cents) if goal else None,
        ),
        MeasureRow(
            "Convenios firmados",
            str(figures.agreements),
            str(goal.agreements) if goal else None,
            _percent(figures.agreements, goal.agreements) if goal else None,
        ),
        MeasureRow(
            "Contactos logrados",
            str(figures.contacts),
            str(goal.contacts) if goal else None,
            _percent(figures.contacts, goal.contacts) if goal else None,
        ),
    ]


def my_results(*, user: User, month: date | None = None) -> MyResults:
    """A collector's own figures of `month` (this month by default) against its goals, and the
    twelve months up to it."""
    if not roles.has_role(user, roles.Role.COLLECTOR):
        raise ApplicationError("Solo los gestores de cobros tienen resultados propios.")
    month = (month or business_date()).replace(day=1)
    first = add_months(month, -11)
    last = min(month_end(month), max(business_date(), first))
    # Every employer the collector ever held (its credit stays with it after a reassignment).
    employers = Employer.objects.filter(assignments__collector=user).distinct()
    figures = actuals(collector_ids=[user.pk], employers=employers, date_from=first, date_to=last).get(
        user.pk, {}
    )
    goals = {g.month: g for g in Goal.objects.filter(collector=user, month__gte=first, month__lte=month)}
    trend = []
    for k in range(12):
        m = add_months(first, k)
        f = figures.get(m, Figures())
        g = goals.get(m)
        trend.append(
            TrendPoint(
                m,
                month_label(m, short=True),
                f.recovered_cents,
                int(g.recovered * 100) if g else None,
                f.agreements,
                f.contacts,
            )
        )
    current = figures.get(month, Figures())
    return MyResults(
        name=person_name(user),
        month=month,
        month_label=month_label(month),
        rows=measure_rows(current, goals.get(month)),
        trend=trend,
        total_cents=sum(p.recovered_cents for p in trend),
    )


# ---------------------------------------------------------------------------------- dashboard
@dataclass
class GoalRow:
    kind: str  # "collector" | "branch"
    key: str  # form field prefix
    name: str
    branch: str
    actual: Figures
    goal: Goal | None
    obj: object = field(repr=False, default=None)

    @property
    def goal_cents(self) -> int:
        return int(self.goal.recovered * 100) if self.goal else 0

    @property
    def recovered_percent(self) -> int | None:
        return _percent(self.actual.recovered_cents, self.goal_cents) if self.goal else None

    @property
    def agreements_percent(self) -> int | None:
        return _percent(self.actual.agreements, self.goal.agreements) if self.goal else None

    @property
    def contacts_percent(self) -> int | None:
        return _percent(self.actual.contacts, self.goal.contacts) if self.goal else None


@dataclass
class Dashboard:
    month: date
    month_label: str
    collectors: list[GoalRow]
    branches: list[GoalRow]

    @property
    def total(self) -> Figures:
        t = Figures()
        for r in self.collectors:
            t.add(r.actual)
        return t


def goals_dashboard(*, user: User, month: date | None = None) -> Dashboard:
    """Goals versus actuals of `month` for each collector and branch the head reads about."""
    if not roles.is_head(user):
        raise ApplicationError("Solo una jefatura consulta las metas de los gestores.")
    month = (month or business_date()).replace(day=1)
    end = month_end(month)
    collectors = collector_users(user=user)
    figures = actuals(
        collector_ids=[c.pk for c in collectors],
        employers=visible_employers(user=user),
        date_from=month,
        date_to=end,
    )
    goals = list(Goal.objects.filter(month=month).select_related("collector", "branch"))
    by_collector = {g.collector_id: g for g in goals if g.collector_id}
    by_branch = {g.branch_id: g for g in goals if g.branch_id}
    rows = []
    branch_totals: dict[int, Figures] = defaultdict(Figures)
    for c in collectors:
        f = figures.get(c.pk, {}).get(month, Figures())
        profile = getattr(c, "staff_profile", None)
        branch = profile.branch if profile else None
        rows.append(
            GoalRow(
                "collector",
                f"c{c.pk}",
                person_name(c),
                branch.name if branch else "",
                f,
                by_collector.get(c.pk),
                c,
            )
        )
        if branch is not None:
            branch_totals[branch.pk].add(f)
    if roles.has_role(user, roles.Role.DEPARTMENT_HEAD, roles.Role.ADMIN):
        branches = Branch.objects.filter(
            pk__in={c.staff_profile.branch_id for c in collectors if hasattr(c, "staff_profile")}
            | set(by_branch)
        )
    else:
        branches = Branch.objects.filter(pk=branch_of(user) or -1)
    branch_rows = [
        GoalRow(
            "branch", f"b{b.pk}", b.name, b.name, branch_totals.get(b.pk, Figures()), by_branch.get(b.pk), b
        )
        for b in branches.order_by("name")
    ]
    return Dashboard(month, month_label(month), rows, branch_rows)
