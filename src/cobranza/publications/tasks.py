"""Celery task of the publication list: the nightly check of regularized employers (after the
recompute, so the figures are today's)."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from cobranza.common.dates import business_date


@shared_task(name="publications.regularizations")
def regularizations(as_of: str | None = None) -> str:
    from cobranza.publications.services import publication_regularizations_check

    result = publication_regularizations_check(
        actor=None, as_of=date.fromisoformat(as_of) if as_of else business_date()
    )
    return result.summary
