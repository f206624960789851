"""Celery tasks of the ledger: the balance recompute spread over workers.

`recompute_all` (nightly, see config/celery.py) splits the employers into id ranges of
`services.CHUNK_SIZE` and dispatches one `recompute_chunk` per range as a chord; when every chunk is
written, `recompute_finished` records the run's one audit event. Messages carry ids, dates and
counts only. Eager (in-process) in the embedded default; a worker per core in production.
"""

from __future__ import annotations

import logging
import time
from datetime import date
from typing import Any

from celery import chord, shared_task
from django.contrib.auth import get_user_model
from django.db import transaction

from cobranza.common.dates import business_date
from cobranza.ledger import services
from cobranza.ledger.models import PolicyVersion
from cobranza.ledger.selectors import policy_version_for

logger = logging.getLogger(__name__)


def _date(value: str | None) -> date:
    return date.fromisoformat(value) if value else business_date()


@shared_task(name="ledger.recompute_chunk", acks_late=True)
def recompute_chunk(
    *,
    as_of: str,
    policy_version_id: int | None = None,
    first_id: int | None = None,
    last_id: int | None = None,
    employer_ids: list[int] | None = None,
) -> dict[str, Any]:
    """Recompute the snapshots of employers `first_id`…`last_id` (inclusive) or of `employer_ids`.

    Idempotent (an upsert), so a chunk redelivered after a worker died is simply done again.
    Returns the chunk's counts (a `ChunkResult` as a dict).
    """
    day = _date(as_of)
    version = (
        PolicyVersion.objects.get(pk=policy_version_id)
        if policy_version_id is not None
        else policy_version_for(day)
    )
    if employer_ids is not None:
        result = services.balances_recompute_chunk(as_of=day, version=version, employer_ids=employer_ids)
    else:
        if first_id is None or last_id is None:
            raise ValueError("recompute_chunk necesita first_id y last_id, o employer_ids")
        result = services.balances_recompute_chunk(as_of=day, version=version, id_range=(first_id, last_id))
    return result.to_dict()


@shared_task(name="ledger.recompute_finished")
def recompute_finished(
    chunk_results: list[dict[str, Any]],
    *,
    as_of: str,
    policy_version: str,
    started: float,
    actor_id: int | None = None,
) -> dict[str, Any]:
    """Chord callback: the run's audit event with the summed counts."""
    chunks = [services.ChunkResult.from_dict(c) for c in chunk_results]
    result = services.RecomputeResult.combine(
        as_of=_date(as_of), policy_version=policy_version, chunks=chunks, seconds=time.time() - started
    )
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id is not None else None
    services.balances_recompute_record(actor=actor, result=result)
    return {"summary": result.summary, "employers": result.employers, "period_rows": result.period_rows}


@shared_task(name="ledger.recompute_all")
def recompute_all(as_of: str | None = None, actor_id: int | None = None) -> str | None:
    """Recompute every employer's snapshot as of `as_of` (default: the business date).

    Dispatches the chunks and returns at once with the chord's id (never waits for subtasks).
    """
    day = _date(as_of)
    version = policy_version_for(day)
    signatures = [
        recompute_chunk.si(
            as_of=day.isoformat(), policy_version_id=version.pk, first_id=ids[0], last_id=ids[-1]
        )
        for ids in services.employer_id_chunks(services.CHUNK_SIZE)
    ]
    if not signatures:
        return None
    callback = recompute_finished.s(
        as_of=day.isoformat(), policy_version=version.version, started=time.time(), actor_id=actor_id
    )
    return chord(signatures)(callback).id


def schedule_balance_refresh(*, employer_ids: list[int], as_of: date | None = None) -> None:
    """After the current transaction commits, recompute the snapshots of these employers (new
    payments or declarations arrived), so lists and worklists do not wait for the nightly run.

    A failure here must not undo or misreport the import that triggered it (in the eager default the
    task runs in-process): it is logged, and the nightly recompute repairs the snapshot.
    """
    if not employer_ids:
        return
    ids = sorted(set(employer_ids))
    day = (as_of or business_date()).isoformat()

    def dispatch() -> None:
        try:
            recompute_chunk.delay(as_of=day, employer_ids=ids)
        except Exception:  # noqa: BLE001 - see docstring
            logger.exception("No se pudo actualizar el saldo de %d patronos después de importar", len(ids))

    transaction.on_commit(dispatch)
