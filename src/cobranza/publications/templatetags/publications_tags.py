"""`{% publication_nav as pub_nav %}`: what the navigation shows of the publication list."""

from types import SimpleNamespace
from typing import Any

from django import template

from cobranza.publications import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def publication_nav(context: Any) -> SimpleNamespace:
    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return SimpleNamespace(visible=False, candidates=False)
    return SimpleNamespace(visible=selectors.can_read(user), candidates=selectors.can_see_candidates(user))
