"""Template tags of account hygiene: the navbar entries and the panel of the case file."""

from __future__ import annotations

from typing import Any

from django import template

from cobranza.hygiene import selectors, services
from cobranza.hygiene.forms import CleanupRequestForm

register = template.Library()


@register.simple_tag(takes_context=True)
def hygiene_nav(context: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not selectors.can_use_hygiene(user):
        return {"visible": False}
    head = selectors.is_head(user)
    return {
        "visible": True,
        "area": services.area_of(user),
        "reports": selectors.can_read_reports(user),
        "overdue": selectors.overdue_count(user=user) if head else 0,
        "head": head,
    }


@register.inclusion_tag("hygiene/_case_panel.html", takes_context=True)
def hygiene_case_panel(context: Any, case: Any) -> dict[str, Any]:
    """Open findings and clean-up requests of the case's employer, and the form to send one."""
    request = context.get("request")
    user = getattr(request, "user", None)
    employer = case.employer
    if user is None or not selectors.can_use_hygiene(user):
        return {"visible": False}
    findings = selectors.employer_findings(employer=employer)
    return {
        "visible": True,
        "employer": employer,
        "findings": findings,
        "requests": selectors.employer_requests(employer=employer),
        "can_request": services.can_request(user) and case.is_active,
        "form": CleanupRequestForm(employer=employer),
        "next": request.get_full_path() if request else "",
        "csrf_token": context.get("csrf_token"),
    }
