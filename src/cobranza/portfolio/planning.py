"""Planning a distribution of unassigned employers in arrears among the collectors of their branch,
balancing both the debt and the number of employers each collector already carries.

"Debt" is the overdue (exigible) balance of the snapshots: an employer whose whole balance is not yet
due is not in arrears and weighs nothing on a collector's load (SPEC §5 "overdue vs current", §7)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import User
from django.db.models import Count, Q, Sum

from cobranza.common.roles import Role
from cobranza.employers.models import Employer
from cobranza.portfolio.models import Assignment


@dataclass
class Load:
    collector: User
    employers: int = 0
    debt: Decimal = Decimal("0")  # overdue (exigible) balance of the employers carried now
    new_employers: int = 0
    new_debt: Decimal = Decimal("0")

    @property
    def total_employers(self) -> int:
        return self.employers + self.new_employers

    @property
    def total_debt(self) -> Decimal:
        return self.debt + self.new_debt


@dataclass
class BranchPlan:
    branch_name: str
    loads: list[Load] = field(default_factory=list)
    pairs: list[tuple[Employer, User, Decimal]] = field(default_factory=list)
    without_collectors: int = 0


def collectors_in_scope(*, branch_ids: list[int] | None) -> list[User]:
    """Active collectors, of the given branches (all when None), by username."""
    qs = User.objects.filter(is_active=True, groups__name=Role.COLLECTOR).select_related("staff_profile")
    if branch_ids is not None:
        qs = qs.filter(staff_profile__branch_id__in=branch_ids)
    return list(qs.order_by("username").distinct())


@dataclass(frozen=True)
class CurrentLoad:
    """What a collector carries now: employers, and their overdue (exigible) and current (not yet
    due) balances from the snapshots. Only `overdue` is workload; `current` is shown beside it."""

    employers: int = 0
    overdue: Decimal = Decimal("0")
    current: Decimal = Decimal("0")


def current_loads(collectors: list[User]) -> dict[int, CurrentLoad]:
    """What each collector carries now, by collector id (one query)."""
    with_balance = Q(employer__balance__isnull=False)
    rows = (
        Assignment.objects.filter(end__isnull=True, collector__in=collectors)
        .values("collector_id")
        .annotate(
            n=Count("id"),
            overdue=Sum("employer__balance__overdue_outstanding", filter=with_balance),
            current=Sum("employer__balance__current_outstanding", filter=with_balance),
        )
    )
    return {
        r["collector_id"]: CurrentLoad(r["n"], r["overdue"] or Decimal("0"), r["current"] or Decimal("0"))
        for r in rows
    }


def plan_distribution(
    unassigned: list[tuple[Employer, Decimal]], collectors: list[User]
) -> dict[int, BranchPlan]:
    """Greedy: largest debt first, each to the branch collector whose share of the branch's debt plus
    share of its employers (after taking this one) is the smallest. Deterministic (ties: username).
    `unassigned` pairs each employer with its overdue (exigible) debt; the loads count overdue only."""
    loads_now = current_loads(collectors)
    by_branch: dict[int, list[Load]] = defaultdict(list)
    for c in collectors:
        now = loads_now.get(c.pk, CurrentLoad())
        by_branch[c.staff_profile.branch_id].append(Load(c, now.employers, now.overdue))
    plans: dict[int, BranchPlan] = {}
    for employer, debt in sorted(unassigned, key=lambda x: (-x[1], x[0].employer_number)):
        plan = plans.setdefault(
            employer.branch_id, BranchPlan(employer.branch.name, by_branch.get(employer.branch_id, []))
        )
        if not plan.loads:
            plan.without_collectors += 1
            continue
        best = min(plan.loads, key=lambda ld, debt=debt, loads=plan.loads: _weight(ld, debt, loads))
        best.new_employers += 1
        best.new_debt += debt
        plan.pairs.append((employer, best.collector, debt))
    return plans


def _weight(load: Load, debt: Decimal, loads: list[Load]) -> tuple[Decimal, str]:
    """Share of the branch's debt plus share of its employers `load` would carry after taking one
    more employer owing `debt` (ties: username)."""
    total_debt = sum((ld.total_debt for ld in loads), Decimal("0")) + debt
    total_n = sum(ld.total_employers for ld in loads) + 1
    share_debt = (load.total_debt + debt) / total_debt if total_debt else Decimal("0")
    share_n = Decimal(load.total_employers + 1) / total_n
    return (share_debt + share_n, load.collector.username)
