"""Reads about portfolios: whose employers are whose, today."""

from datetime import date

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet

from cobranza.common.dates import business_date
from cobranza.portfolio.models import Assignment, Cover, StaffProfile


def covered_collector_ids(*, user: User, on: date | None = None) -> list[int]:
    """Collectors whose portfolio `user` covers on `on` (today by default), plus the user itself."""
    on = on or business_date()
    absent = Cover.objects.filter(substitute=user, start_date__lte=on, end_date__gte=on).values_list(
        "absent_id", flat=True
    )
    return [user.pk, *absent]


def current_assignments(*, collector_ids: list[int]) -> QuerySet[Assignment]:
    return Assignment.objects.filter(collector_id__in=collector_ids, end__isnull=True)


def portfolio_filter(*, user: User) -> Q:
    """A Q on Employer: the employers assigned now to the user or to a colleague it covers."""
    return Q(assignments__end__isnull=True, assignments__collector_id__in=covered_collector_ids(user=user))


def branch_of(user: User) -> int | None:
    profile = StaffProfile.objects.filter(user=user).only("branch_id").first()
    return profile.branch_id if profile else None
