"""Background work of agreements: the daily follow-up and the signed document for the case file."""

from __future__ import annotations

from datetime import date

from celery import shared_task


@shared_task(name="agreements.check")
def agreements_check_task(as_of: str | None = None) -> str:
    """Daily follow-up (Celery beat): down payments received, installments paid, overdue, lapse."""
    from cobranza.agreements.services import agreements_check

    result = agreements_check(actor=None, as_of=date.fromisoformat(as_of) if as_of else None)
    return result.summary()


@shared_task(name="agreements.store_document")
def store_agreement_document(*, agreement_id: int) -> int | None:
    """Render the signed agreement PDF and file it in the employer's case file (when cases exist)."""
    from cobranza.agreements.documents import agreement_store_document

    document = agreement_store_document(agreement_id=agreement_id)
    return getattr(document, "pk", None)
