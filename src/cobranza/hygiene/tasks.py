"""Celery task of account hygiene: the nightly scan (config/celery.py, 02:30, after the 01:30
recompute, since credit balances and closed employers' debt are read from the snapshots)."""

from __future__ import annotations

from datetime import date
from typing import Any

from celery import shared_task

from cobranza.common.dates import business_date


@shared_task(name="hygiene.scan")
def scan(as_of: str | None = None) -> dict[str, Any]:
    from cobranza.hygiene.services import hygiene_scan

    result = hygiene_scan(actor=None, as_of=date.fromisoformat(as_of) if as_of else business_date())
    return {"summary": result.summary, "found": result.total_found, "new": result.total_new}
