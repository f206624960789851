"""Reads of the employer registry, always through the acting user's visibility."""

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import F, Prefetch, Q, QuerySet

from cobranza.common import roles
from cobranza.common.models import AuditEvent
from cobranza.employers.models import Employer, normalize_search
from cobranza.portfolio.models import Assignment
from cobranza.portfolio.selectors import branch_of, portfolio_filter


def visible_employers(*, user: User | AnonymousUser) -> QuerySet[Employer]:
    """Every employer the user may see (SPEC §1).

    Department heads, administrators and institute-wide units: all. Branch heads: their branch.
    Collectors: their current portfolio and the portfolios they cover. Anyone else: none.
    """
    qs = Employer.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if roles.sees_all_employers(user):
        return qs
    visible = Q(pk__in=[])
    if roles.has_role(user, roles.Role.BRANCH_HEAD):
        branch_id = branch_of(user)
        if branch_id is not None:
            visible |= Q(branch_id=branch_id)
    if roles.has_role(user, roles.Role.COLLECTOR):
        visible |= Q(pk__in=Employer.objects.filter(portfolio_filter(user=user)).values("pk"))
    return qs.filter(visible)


ORDERINGS = {
    "numero": ("employer_number",),
    # Debt means the overdue (exigible) balance; the not-yet-due part only breaks ties (SPEC §5).
    "deuda": (
        F("balance__overdue_outstanding").desc(nulls_last=True),
        F("balance__outstanding").desc(nulls_last=True),
        "employer_number",
    ),
    "mora": (F("balance__months_in_arrears").desc(nulls_last=True), "employer_number"),
}


def employer_list(
    *,
    user: User | AnonymousUser,
    search: str = "",
    branch_id: int | None = None,
    in_arrears: bool = False,
    order: str = "numero",
) -> QuerySet[Employer]:
    """Search by employer number, NIT (with or without dashes) or name, accent- and case-insensitive.

    Each row carries its balance snapshot (`employer.balance`, from the last recompute);
    `in_arrears` keeps the employers with an overdue (exigible) balance; `order` is numero, deuda
    (largest overdue balance first) or mora.
    """
    qs = visible_employers(user=user).select_related("branch", "sector", "balance")
    term = (search or "").strip()
    if term:
        digits = term.replace("-", "")
        by_name = Q(search_text__contains=normalize_search(term))
        if digits.isdigit():
            qs = qs.filter(
                Q(employer_number__startswith=digits)
                | Q(nit__startswith=term)
                | Q(nit=_format_nit(digits))
                | by_name
            )
        else:
            qs = qs.filter(by_name)
    if branch_id:
        qs = qs.filter(branch_id=branch_id)
    if in_arrears:
        qs = qs.filter(balance__overdue_outstanding__gt=0)
    return qs.order_by(*ORDERINGS.get(order, ORDERINGS["numero"]))


def _format_nit(digits: str) -> str:
    if len(digits) == 14:
        return f"{digits[:4]}-{digits[4:10]}-{digits[10:13]}-{digits[13]}"
    return digits


def employer_detail(*, user: User | AnonymousUser, employer_number: str) -> Employer:
    """The employer, or Employer.DoesNotExist when it does not exist or the user may not see it."""
    return (
        visible_employers(user=user)
        .select_related("branch", "sector")
        .prefetch_related(
            "contacts",
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("collector", "assigned_by").order_by(
                    "-start", "-id"
                ),
            ),
        )
        .get(employer_number=employer_number)
    )


def current_collector(employer: Employer) -> User | None:
    for assignment in employer.assignments.all():
        if assignment.end is None:
            return assignment.collector
    return None


def employer_audit_events(
    *, user: User | AnonymousUser, employer: Employer, limit: int = 200
) -> QuerySet[AuditEvent]:
    if not roles.can_read_audit(user):
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(employer_number=employer.employer_number).select_related("actor")[:limit]
