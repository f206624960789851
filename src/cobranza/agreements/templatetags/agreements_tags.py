"""The agreements section of the employer page: its agreements and the options at the page's date.

Used by ``agreements/_employer_section.html``, which the employer page includes; the options reuse
the statement that page already computed (no second statement).
"""

from __future__ import annotations

from typing import Any

from django import template

from cobranza.agreements import selectors, services
from cobranza.agreements.models import OPEN_STATES
from cobranza.engine.agreements import options_for
from cobranza.engine.calendar import add_months

register = template.Library()


@register.simple_tag(takes_context=True)
def employer_agreements_section(context: Any, employer: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if employer is None or user is None or not selectors.can_view_agreements(user):
        return {"visible": False}
    agreements = selectors.employer_agreements(user=user, employer=employer)
    held = {p for a in agreements if a.state in OPEN_STATES for p in a.periods}
    statement = context.get("statement")
    options: list[Any] = []
    debt = 0
    as_of = None
    if statement is not None and getattr(statement, "employer_number", None) == employer.employer_number:
        free = [ln for ln in statement.periods if ln.outstanding_cents > 0 and ln.period not in held]
        debt = sum(ln.outstanding_cents for ln in free)
        worker_share = sum(ln.worker_share_outstanding_cents for ln in free)
        as_of = statement.as_of
        options = options_for(
            debt, statement.policy, add_months(statement.as_of, 1), worker_share_cents=worker_share
        )
    return {
        "visible": True,
        "agreements": agreements,
        "options": options,
        "debt_cents": debt,
        "as_of": as_of,
        "can_draft": services.can_draft(user),
    }


@register.filter
def tasa(value: Any) -> str:
    """A rate as a percentage: ``Decimal("0.0126")`` → ``1.26 %``."""
    from decimal import Decimal

    from cobranza.engine.money import fmt_rate_percent

    if value in (None, ""):
        return ""
    return fmt_rate_percent(Decimal(str(value)))


@register.filter
def plain_cents(value: Any) -> str:
    """Integer cents as a plain amount for forms and links: ``33698`` → ``336.98``."""
    from cobranza.engine.money import fmt_cents

    return fmt_cents(int(value or 0))


@register.filter
def installments_total_cents(simulation: Any) -> int:
    """What the installments of a simulated schedule add up to (without the down payment)."""
    return sum(line.installment_cents for line in simulation.schedule)


@register.simple_tag(takes_context=True)
def agreements_nav(context: Any) -> dict[str, bool]:
    """Which agreement pages the menu offers the current user."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None:
        return {}
    return {"call_list": selectors.can_see_call_list(user), "reports": selectors.can_see_reports(user)}


@register.filter
def fecha_iso(value: Any) -> str:
    """An ISO date string (as stored in JSON) as dd/mm/yyyy."""
    text = str(value or "")
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        return f"{text[8:10]}/{text[5:7]}/{text[:4]}"
    return text
