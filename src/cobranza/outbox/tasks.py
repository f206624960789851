"""The outbox's beat task: send again what could not be sent (see outbox.services)."""

from __future__ import annotations

from celery import shared_task

from cobranza.outbox.services import outbox_drain


@shared_task(name="outbox.drain", ignore_result=True)
def drain() -> str:
    """Every minute (config/celery.py): the pending messages whose last attempt is old enough."""
    return outbox_drain().summary
