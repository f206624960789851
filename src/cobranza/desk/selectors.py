"""Reads of the service desk, from the user's visibility (ARCHITECTURE convention 2)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from cobranza.common.dates import business_date
from cobranza.common.roles import has_role, is_head, sees_all_employers
from cobranza.desk.models import (
    PENDING,
    Channel,
    Inquiry,
    InquiryKind,
    InquiryStatus,
    SolvencyOutcome,
    SolvencyRequest,
    Subject,
)
from cobranza.desk.services import DESK_ROLES
from cobranza.employers.models import Employer
from cobranza.employers.selectors import visible_employers


def can_work_desk(user: User | AnonymousUser) -> bool:
    return has_role(user, *DESK_ROLES)


def visible_inquiries(*, user: User | AnonymousUser) -> QuerySet[Inquiry]:
    """The inquiries and claims the user may read: the desk roles, about the employers they see
    (and those about no employer, for the institute-wide desk and department heads)."""
    if not can_work_desk(user):
        return Inquiry.objects.none()
    scope = Q(employer__in=visible_employers(user=user))
    if sees_all_employers(user):
        scope |= Q(employer__isnull=True)
    return Inquiry.objects.filter(scope).select_related("employer", "created_by", "answered_by")


def inquiry_detail(*, user: User | AnonymousUser, number: str) -> Inquiry:
    return visible_inquiries(user=user).prefetch_related("attachments").get(number=number)


@dataclass(frozen=True)
class DeskWork:
    today: date
    pending: list[Inquiry]  # every open item, oldest first
    due_today: list[Inquiry]
    overdue: list[Inquiry]

    @property
    def claims_open(self) -> int:
        return sum(1 for i in self.pending if i.kind == InquiryKind.CLAIM)


def desk_work(
    *, user: User | AnonymousUser, today: date | None = None, kind: str = "", search: str = ""
) -> DeskWork:
    """The desk's work page: open inquiries and claims by age (oldest first), those due today and
    those past their deadline."""
    today = today or business_date()
    qs = visible_inquiries(user=user).filter(status__in=PENDING)
    if kind in InquiryKind.values:
        qs = qs.filter(kind=kind)
    term = (search or "").strip()
    if term:
        qs = qs.filter(
            Q(number__icontains=term)
            | Q(employer__employer_number__startswith=term)
            | Q(requester_name__icontains=term)
            | Q(employer__legal_name__icontains=term)
        )
    pending = list(qs.order_by("opened_on", "id")[:500])
    return DeskWork(
        today=today,
        pending=pending,
        due_today=[i for i in pending if i.due_on == today],
        overdue=[i for i in pending if i.due_on < today],
    )


def overdue_items(*, user: User | AnonymousUser, today: date | None = None) -> list[Inquiry]:
    """Heads' list: inquiries and claims still pending past their deadline, oldest deadline first."""
    if not (is_head(user) or has_role(user, "administrador")):
        return []
    today = today or business_date()
    return list(
        visible_inquiries(user=user)
        .filter(status__in=PENDING, due_on__lt=today)
        .order_by("due_on", "id")[:500]
    )


def employer_inquiries(*, user: User | AnonymousUser, employer: Employer, limit: int = 20) -> list[Inquiry]:
    return list(visible_inquiries(user=user).filter(employer=employer).order_by("-opened_on", "-id")[:limit])


def employer_solvency_requests(
    *, user: User | AnonymousUser, employer: Employer, limit: int = 10
) -> list[SolvencyRequest]:
    if not visible_employers(user=user).filter(pk=employer.pk).exists():
        return []
    return list(
        SolvencyRequest.objects.filter(employer=employer).select_related("document", "requested_by")[:limit]
    )


def find_employers(*, user: User | AnonymousUser, term: str, limit: int = 20) -> list[Employer]:
    """Employers by number (exact start) or name, for the worker's question."""
    from cobranza.employers.models import normalize_search

    term = (term or "").strip()[:100]
    if not term:
        return []
    qs = visible_employers(user=user).select_related("branch")
    if term.isdigit():
        qs = qs.filter(employer_number__startswith=term)
    else:
        qs = qs.filter(search_text__contains=normalize_search(term))
    return list(qs.order_by("employer_number")[:limit])


# ------------------------------------------------------------------------------ reports
OUTCOME_LABELS = {
    InquiryStatus.OPEN: "Pendiente",
    InquiryStatus.ANSWERED: "Respondida",
    InquiryStatus.ACCEPTED: "Reclamo aceptado",
    InquiryStatus.REJECTED: "Reclamo rechazado",
    InquiryStatus.CLOSED: "Cerrada",
}


@dataclass(frozen=True)
class MonthRow:
    month: str  # YYYY-MM
    inquiries: int
    claims: int
    answered: int
    average_days: float | None
    certificates_issued: int
    certificates_refused: int


def desk_report(*, user: User | AnonymousUser, start: date, end: date) -> dict:
    """Inquiries and claims per month, channel, subject and outcome; average days to answer;
    certificates issued and refused — over the employers the user sees, opened in start…end."""
    inquiries = list(
        visible_inquiries(user=user)
        .filter(opened_on__gte=start, opened_on__lte=end)
        .values_list("opened_on", "kind", "channel", "subject", "status", "answered_on", "closed_on")
    )
    solvency = list(
        SolvencyRequest.objects.filter(
            employer__in=visible_employers(user=user), requested_on__gte=start, requested_on__lte=end
        ).values_list("requested_on", "outcome")
    )
    months: dict[str, dict] = defaultdict(
        lambda: {"inq": 0, "claims": 0, "answered": 0, "days": [], "ok": 0, "no": 0}
    )
    by_channel: Counter[str] = Counter()
    by_subject: Counter[str] = Counter()
    by_outcome: Counter[str] = Counter()
    all_days: list[int] = []
    for opened, kind, channel, subject, status, answered_on, _closed_on in inquiries:
        m = months[f"{opened:%Y-%m}"]
        m["claims" if kind == InquiryKind.CLAIM else "inq"] += 1
        by_channel[channel] += 1
        by_subject[subject] += 1
        by_outcome[status] += 1
        if answered_on is not None:
            m["answered"] += 1
            m["days"].append((answered_on - opened).days)
            all_days.append((answered_on - opened).days)
    for requested_on, outcome in solvency:
        m = months[f"{requested_on:%Y-%m}"]
        m["ok" if outcome == SolvencyOutcome.ISSUED else "no"] += 1
    rows = [
        MonthRow(
            month=key,
            inquiries=v["inq"],
            claims=v["claims"],
            answered=v["answered"],
            average_days=round(sum(v["days"]) / len(v["days"]), 1) if v["days"] else None,
            certificates_issued=v["ok"],
            certificates_refused=v["no"],
        )
        for key, v in sorted(months.items())
    ]
    channels, subjects = dict(Channel.choices), dict(Subject.choices)
    return {
        "start": start,
        "end": end,
        "months": rows,
        "by_channel": [(channels[k], n) for k, n in by_channel.most_common()],
        "by_subject": [(subjects[k], n) for k, n in by_subject.most_common()],
        "by_outcome": [(OUTCOME_LABELS[k], n) for k, n in by_outcome.most_common()],
        "total": len(inquiries),
        "average_days": round(sum(all_days) / len(all_days), 1) if all_days else None,
        "certificates_issued": sum(1 for _, o in solvency if o == SolvencyOutcome.ISSUED),
        "certificates_refused": sum(1 for _, o in solvency if o == SolvencyOutcome.REFUSED),
    }
