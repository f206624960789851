"""Background work of case files."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from cobranza.common.dates import business_date


@shared_task(name="cases.promises_check")
def promises_check_task(as_of: str | None = None) -> dict[str, int]:
    """Daily (Celery beat): mark promises to pay kept or broken from the payments received."""
    from cobranza.cases.services import promises_evaluate

    return promises_evaluate(as_of=date.fromisoformat(as_of) if as_of else business_date())
