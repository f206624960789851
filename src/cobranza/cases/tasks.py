"""Background work of case files."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from celery import shared_task

from cobranza.common.dates import business_date

logger = logging.getLogger(__name__)


@shared_task(name="cases.promises_check")
def promises_check_task(as_of: str | None = None, employer_ids: list[int] | None = None) -> dict[str, int]:
    """Daily (Celery beat), and after every payment import for the employers that paid: mark
    promises to pay kept or broken from the payments received."""
    from cobranza.cases.services import promises_evaluate

    return promises_evaluate(
        as_of=date.fromisoformat(as_of) if as_of else business_date(), employer_ids=employer_ids
    )


def on_payments_imported(sender: Any, *, employer_ids: list[int], **kwargs: Any) -> None:
    """Receiver of `employers.signals.payments_imported` (sent after the import commits): through
    the outbox, so a broker that cannot be reached neither blocks nor misreports the import (the
    message stays pending and is sent again; the nightly check also repairs it)."""
    from cobranza.outbox import services as outbox

    ids = sorted(set(employer_ids))
    outbox.enqueue(
        promises_check_task,
        description=f"Revisar las promesas de pago de {len(ids):,} patronos que pagaron",
        employer_ids=ids,
    )
