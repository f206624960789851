"""Reading the audit trail for screens: who may read which events (always through these).

Heads and administrators read the trail (``roles.can_read_audit``). Administrators and department
heads read every event; a branch head reads the events of its branch's employers. Pages show the
events through ``cobranza.common.audit_display`` (Spanish sentences), never their raw dicts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.utils import timezone

from cobranza.common import roles
from cobranza.common.models import AuditEvent


def _sees_every_event(user: Any) -> bool:
    return roles.has_role(user, roles.Role.ADMIN, roles.Role.DEPARTMENT_HEAD)


def readable_events(*, user: Any) -> QuerySet[AuditEvent]:
    """Every audit event the user may read (none for who may not read the trail)."""
    if not roles.can_read_audit(user):
        return AuditEvent.objects.none()
    qs = AuditEvent.objects.all()
    if _sees_every_event(user):
        return qs
    # Employers are the layer above; imported here so that common's models stay import-free of them.
    from cobranza.employers.selectors import visible_employers

    return qs.filter(employer_number__in=visible_employers(user=user).values("employer_number")).exclude(
        employer_number=""
    )


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None
    actor_id: int | None = None
    employer_number: str = ""


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_list(*, user: Any, filters: AuditFilters) -> QuerySet[AuditEvent]:
    """The audit list page: newest first, filtered by type, dates (inclusive) and user."""
    qs = readable_events(user=user)
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.date_from:
        qs = qs.filter(at__gte=_start_of(filters.date_from))
    if filters.date_to:
        qs = qs.filter(at__lt=_start_of(filters.date_to + timedelta(days=1)))
    if filters.actor_id:
        qs = qs.filter(actor_id=filters.actor_id)
    if filters.employer_number:
        qs = qs.filter(employer_number=filters.employer_number)
    return qs.order_by("-at", "-id")


def audit_actors(*, user: Any) -> list[tuple[int, str]]:
    """The users who appear as actors in the events the user may read, by name (filter choices)."""
    ids = readable_events(user=user).exclude(actor=None).values("actor_id").distinct()
    users = User.objects.filter(pk__in=ids).order_by("first_name", "last_name", "username")
    return [(u.pk, f"{u.first_name} {u.last_name}".strip() or u.username) for u in users]


def object_events(*, user: Any, refs: Iterable[tuple[str, Any]], limit: int = 200) -> QuerySet[AuditEvent]:
    """The events of some objects (``(object_type, object_id)`` pairs) that the user may read."""
    condition = Q(pk__in=[])
    by_type: dict[str, set[str]] = {}
    for object_type, object_id in refs:
        by_type.setdefault(object_type, set()).add(str(object_id))
    for object_type, ids in by_type.items():
        condition |= Q(object_type=object_type, object_id__in=ids)
    return readable_events(user=user).filter(condition).order_by("-at", "-id")[:limit]


def employer_events(*, user: Any, employer_number: str, limit: int = 50) -> QuerySet[AuditEvent]:
    return readable_events(user=user).filter(employer_number=employer_number).order_by("-at", "-id")[:limit]
