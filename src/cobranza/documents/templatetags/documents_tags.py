from django import template

from cobranza.documents.selectors import employer_documents

register = template.Library()


@register.inclusion_tag("documents/_employer_section.html", takes_context=True)
def issued_documents(context, employer):  # type: ignore[no-untyped-def]
    """The employer page's list of documents issued (for a user who sees the employer)."""
    return {"documents": employer_documents(user=context["request"].user, employer=employer)}
