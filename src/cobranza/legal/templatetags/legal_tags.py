"""Template tags of the judicial referral: the navbar entry and the panel of the case file."""

from __future__ import annotations

from typing import Any

from django import template

from cobranza.legal import selectors, services
from cobranza.legal.models import ReferralState

register = template.Library()

BADGES = {
    ReferralState.REQUESTED: "warning",
    ReferralState.RETURNED: "secondary",
    ReferralState.APPROVED: "primary",
    ReferralState.RETURNED_BY_LEGAL: "secondary",
    ReferralState.ACCEPTED: "info",
    ReferralState.IN_COURT: "dark",
    ReferralState.JUDGMENT: "dark",
    ReferralState.CLOSED: "success",
}


@register.filter
def referral_badge(state: str) -> str:
    return BADGES.get(state, "secondary")


@register.simple_tag(takes_context=True)
def legal_nav(context: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not selectors.can_use_legal_pages(user):
        return {"visible": False}
    counts = selectors.nav_counts(user=user)
    return {"visible": True, **counts, "badge": counts["pending"] + counts["received"] + counts["due"]}


@register.inclusion_tag("legal/_case_panel.html", takes_context=True)
def legal_case_panel(context: Any, case: Any) -> dict[str, Any]:
    """The case's referrals and their progress, and the link to request one."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"visible": False}
    referrals = selectors.case_referrals(user=user, case=case)
    can_request = services.can_request(user) and case.is_active
    if not referrals and not can_request:
        return {"visible": False}
    latest = referrals[0] if referrals else None
    return {
        "visible": True,
        "case": case,
        "referrals": referrals,
        "latest": latest,
        "steps": list(selectors.referral_steps(referral=latest)) if latest else [],
        "can_request": can_request and not any(r.is_open for r in referrals),
    }


@register.filter
def iso_fecha(value: str | None) -> str:
    """A copied ISO date (`2024-08-01`, as the figures keep it) → `01/08/2024`."""
    text = str(value or "")
    if len(text) >= 10 and text[4] == "-" and text[7] == "-":
        return f"{text[8:10]}/{text[5:7]}/{text[:4]}"
    return text
