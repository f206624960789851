"""Reads of account hygiene, always from the acting user's visibility.

* Heads and administrators: every finding and request of the employers they see (a branch head, its
  branch).
* Collectors: those of their portfolio (to send requests and follow them).
* "Otras áreas" users: the requests of their own area, and the findings of the types their area owns
  (the employers concerned); nothing of another area.
* Everyone else: nothing (the pages answer 403).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum

from cobranza.common import roles
from cobranza.common.dates import business_date
from cobranza.employers.models import Employer
from cobranza.employers.selectors import visible_employers
from cobranza.hygiene.models import (
    Area,
    CleanupRequest,
    Finding,
    FindingStatus,
    FindingType,
    RequestStatus,
    ScanRun,
)
from cobranza.hygiene.services import area_of, rules

WATCHERS = {roles.Role.ADMIN, roles.Role.DEPARTMENT_HEAD, roles.Role.BRANCH_HEAD, roles.Role.COLLECTOR}
REPORT_READERS = {roles.Role.ADMIN, roles.Role.DEPARTMENT_HEAD, roles.Role.BRANCH_HEAD}


def can_use_hygiene(user: Any) -> bool:
    """Who may open the hygiene pages at all."""
    return roles.has_role(user, *WATCHERS) or area_of(user) is not None


def can_read_reports(user: Any) -> bool:
    return roles.has_role(user, *REPORT_READERS)


def is_head(user: Any) -> bool:
    return roles.has_role(user, roles.Role.ADMIN, roles.Role.DEPARTMENT_HEAD, roles.Role.BRANCH_HEAD)


def area_types(area: str) -> list[str]:
    return [kind for kind, rule in rules().items() if rule.area == area]


def visible_findings(*, user: Any) -> QuerySet[Finding]:
    qs = Finding.objects.select_related("employer", "employer__branch")
    area = area_of(user)
    if area is not None:
        return qs.filter(finding_type__in=area_types(area))
    if roles.has_role(user, *WATCHERS):
        return qs.filter(employer__in=visible_employers(user=user))
    return qs.none()


def finding_list(
    *, user: Any, finding_type: str = "", employer_number: str = "", status: str = FindingStatus.OPEN
) -> QuerySet[Finding]:
    qs = visible_findings(user=user)
    if finding_type:
        qs = qs.filter(finding_type=finding_type)
    if employer_number:
        qs = qs.filter(employer__employer_number=employer_number.strip())
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-amount", "employer__employer_number", "key")


def visible_requests(*, user: Any) -> QuerySet[CleanupRequest]:
    qs = CleanupRequest.objects.select_related(
        "employer", "employer__branch", "finding", "created_by", "answered_by", "import_batch"
    )
    area = area_of(user)
    if area is not None:
        return qs.filter(area=area)
    if roles.has_role(user, *WATCHERS):
        return qs.filter(employer__in=visible_employers(user=user))
    return qs.none()


def request_list(
    *, user: Any, status: str = "", area: str = "", overdue: bool = False
) -> QuerySet[CleanupRequest]:
    qs = visible_requests(user=user)
    if status:
        qs = qs.filter(status=status)
    if area:
        qs = qs.filter(area=area)
    if overdue:
        qs = qs.filter(status=RequestStatus.PENDING, due_on__lt=business_date())
    return qs.order_by("due_on", "id")


def request_detail(*, user: Any, pk: int) -> CleanupRequest:
    """The request, or CleanupRequest.DoesNotExist when the user may not see it."""
    return visible_requests(user=user).get(pk=pk)


def overdue_count(*, user: Any) -> int:
    return request_list(user=user, overdue=True).count()


def employer_findings(*, employer: Employer) -> list[Finding]:
    """Open findings of one employer (the caller checked the employer), with their pending request."""
    return list(
        Finding.objects.filter(employer=employer, status=FindingStatus.OPEN)
        .prefetch_related("requests")
        .order_by("finding_type", "key")
    )


def employer_requests(*, employer: Employer) -> list[CleanupRequest]:
    return list(
        CleanupRequest.objects.filter(employer=employer)
        .select_related("finding", "created_by", "answered_by", "import_batch")
        .order_by("-created_on", "-id")[:20]
    )


def last_scan() -> ScanRun | None:
    return ScanRun.objects.order_by("-started_at").first()


# ------------------------------------------------------------------------------ reports
@dataclass(frozen=True)
class TypeRow:
    finding_type: str
    label: str
    open: int
    amount: Decimal
    is_estimate: bool


@dataclass(frozen=True)
class AreaRow:
    area: str
    label: str
    pending: int
    overdue: int
    resolved: int
    rejected: int
    average_days: Decimal | None


@dataclass(frozen=True)
class HygieneReport:
    as_of: date
    by_type: list[TypeRow]
    by_area: list[AreaRow]
    overdue: list[CleanupRequest]
    average_days: Decimal | None

    @property
    def total_open(self) -> int:
        return sum(r.open for r in self.by_type)

    @property
    def max_amount(self) -> Decimal:
        return max((r.amount for r in self.by_type), default=Decimal(0))


def _avg_days(qs: QuerySet[CleanupRequest]) -> Decimal | None:
    """Average calendar days from the request to its answer, one decimal (None without answers)."""
    pairs = list(qs.filter(answered_on__isnull=False).values_list("created_on", "answered_on"))
    if not pairs:
        return None
    total = sum((answered - created).days for created, answered in pairs)
    return (Decimal(total) / len(pairs)).quantize(Decimal("0.1"))


def hygiene_report(*, user: Any) -> HygieneReport:
    """Open findings by type (count, amount), requests by area and state, average resolution time,
    overdue requests: what the user sees."""
    today = business_date()
    findings = visible_findings(user=user).filter(status=FindingStatus.OPEN)
    by_type_rows = {
        r["finding_type"]: r
        for r in findings.values("finding_type").annotate(n=Count("id"), amount=Sum("amount"))
    }
    by_type = [
        TypeRow(
            finding_type=kind,
            label=label,
            open=by_type_rows.get(kind, {}).get("n", 0),
            amount=by_type_rows.get(kind, {}).get("amount") or Decimal(0),
            is_estimate=kind == FindingType.STOPPED_FILER,
        )
        for kind, label in FindingType.choices
    ]
    requests = visible_requests(user=user)
    counts = {
        (r["area"], r["status"]): r["n"] for r in requests.values("area", "status").annotate(n=Count("id"))
    }
    overdue_by_area = {
        r["area"]: r["n"]
        for r in requests.filter(status=RequestStatus.PENDING, due_on__lt=today)
        .values("area")
        .annotate(n=Count("id"))
    }
    by_area = [
        AreaRow(
            area=area,
            label=label,
            pending=counts.get((area, RequestStatus.PENDING), 0),
            overdue=overdue_by_area.get(area, 0),
            resolved=counts.get((area, RequestStatus.RESOLVED), 0),
            rejected=counts.get((area, RequestStatus.REJECTED), 0),
            average_days=_avg_days(requests.filter(area=area)),
        )
        for area, label in Area.choices
    ]
    overdue = list(
        requests.filter(status=RequestStatus.PENDING, due_on__lt=today).order_by("due_on", "id")[:200]
    )
    return HygieneReport(
        as_of=today, by_type=by_type, by_area=by_area, overdue=overdue, average_days=_avg_days(requests)
    )
