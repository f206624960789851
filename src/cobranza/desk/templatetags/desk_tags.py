"""Desk pieces other pages include: the navbar entries and the employer page's section."""

from __future__ import annotations

from typing import Any

from django import template

from cobranza.common.roles import has_role, is_admin, is_head
from cobranza.desk import selectors
from cobranza.desk.services import SOLVENCY_ROLES

register = template.Library()


@register.simple_tag(takes_context=True)
def desk_nav(context: Any) -> dict[str, bool]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "desk": selectors.can_work_desk(user),
        "overdue": is_head(user) or is_admin(user),
    }


@register.simple_tag(takes_context=True)
def employer_desk_section(context: Any, employer: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or employer is None:
        return {"visible": False}
    desk = selectors.can_work_desk(user)
    solvency = has_role(user, *SOLVENCY_ROLES)
    if not (desk or solvency):
        return {"visible": False}
    return {
        "visible": True,
        "desk": desk,
        "solvency": solvency,
        "inquiries": selectors.employer_inquiries(user=user, employer=employer) if desk else [],
        "requests": selectors.employer_solvency_requests(user=user, employer=employer, limit=5),
    }


@register.simple_tag
def age_days(opened_on: Any, today: Any) -> int:
    """Days since an inquiry was received (its age on the work page)."""
    return max(0, (today - opened_on).days)
