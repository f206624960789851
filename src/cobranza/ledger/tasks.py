"""Celery tasks of the ledger: the balance recompute spread over workers.

`recompute_all` (nightly, see config/celery.py) opens a snapshot generation, splits the employers
into id ranges of `services.CHUNK_SIZE` — incremental by default: only the employers whose figures
can have changed since the last run (`services.incremental_plan`), as id lists; `full=True` every
employer — and dispatches one `recompute_chunk` per chunk as a chord;
each chunk stages its rows for the generation (invisible to readers); when every chunk is written,
`recompute_finished` publishes the generation in one transaction with the run's one audit event.
A lost chunk means the callback never runs: the previous generation stays in place and the next
run abandons this one. Messages carry ids, dates and counts only. Eager (in-process) in the
embedded default; a worker per core in production.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from datetime import date
from typing import Any

from celery import chord, shared_task
from django.contrib.auth import get_user_model
from django.utils import timezone

from cobranza.common.dates import business_date
from cobranza.employers.models import Employer
from cobranza.ledger import services
from cobranza.ledger.models import PolicyVersion, SnapshotGeneration
from cobranza.ledger.selectors import policy_timeline, policy_version_for
from cobranza.outbox import services as outbox

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
    generation_id: int | None = None,
) -> dict[str, Any]:
    """Recompute the snapshots of employers `first_id`…`last_id` (inclusive) or of `employer_ids`:
    staged for the run `generation_id`, or (without it) the published rows updated in place.

    Idempotent (an upsert), so a chunk redelivered after a worker died is simply done again.
    Returns the chunk's counts (a `ChunkResult` as a dict).
    """
    day = _date(as_of)
    version = (
        PolicyVersion.objects.get(pk=policy_version_id)
        if policy_version_id is not None
        else policy_version_for(day)
    )
    staging: dict[str, Any] = {}
    if generation_id is not None:
        generation = SnapshotGeneration.objects.get(pk=generation_id)
        staging = {"generation_id": generation.pk, "computed_at": generation.started_at}
    if employer_ids is not None:
        result = services.balances_recompute_chunk(
            as_of=day, version=version, employer_ids=employer_ids, **staging
        )
    else:
        if first_id is None or last_id is None:
            raise ValueError("recompute_chunk necesita first_id y last_id, o employer_ids")
        result = services.balances_recompute_chunk(
            as_of=day, version=version, id_range=(first_id, last_id), **staging
        )
    return result.to_dict()


@shared_task(name="ledger.recompute_finished")
def recompute_finished(
    chunk_results: list[dict[str, Any]],
    *,
    as_of: str,
    policy_version: str,
    started: float,
    actor_id: int | None = None,
    generation_id: int | None = None,
    total_employers: int | None = None,
) -> dict[str, Any]:
    """Chord callback: every chunk is staged; publish the generation (one transaction, with the
    run's audit event and the summed counts). `total_employers`: an incremental run's portfolio."""
    chunks = [services.ChunkResult.from_dict(c) for c in chunk_results]
    result = services.RecomputeResult.combine(
        as_of=_date(as_of), policy_version=policy_version, chunks=chunks, seconds=time.time() - started
    )
    if total_employers is not None:
        result = replace(result, incremental=True, total_employers=total_employers)
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id is not None else None
    if generation_id is None:  # a chord sent before generations existed
        services.balances_recompute_record(actor=actor, result=result)
    else:
        services.balances_recompute_publish(actor=actor, generation_id=generation_id, result=result)
        services.snapshot_generations_prune()
    return {"summary": result.summary, "employers": result.employers, "period_rows": result.period_rows}


@shared_task(name="ledger.recompute_all")
def recompute_all(as_of: str | None = None, actor_id: int | None = None, full: bool = False) -> str | None:
    """Recompute the snapshots as of `as_of` (default: the business date): incremental (only the
    employers whose figures can have changed since the last run; every employer when the plan says
    so), or every employer with `full=True`.

    Dispatches the chunks and returns at once with the chord's id (never waits for subtasks).
    """
    day = _date(as_of)
    version = policy_version_for(day)
    services.scan_tables_vacuum()  # the day's imports: index-only, ordered scans again
    plan = None if full else services.incremental_plan(as_of=day, version=version, timeline=policy_timeline())
    chunks: list[dict[str, Any]]
    if plan is None:
        chunks = [
            {"first_id": first, "last_id": last}
            for first, last in services.employer_id_ranges(services.CHUNK_SIZE)
        ]
        if not chunks:
            return None
    else:
        size = services.id_list_size(services.CHUNK_SIZE)
        chunks = [{"employer_ids": plan[i : i + size]} for i in range(0, len(plan), size)]
    generation = services.snapshot_generation_start(as_of=day, version=version, started_at=timezone.now())
    signatures = [
        recompute_chunk.si(
            as_of=day.isoformat(), policy_version_id=version.pk, generation_id=generation.pk, **chunk
        )
        for chunk in chunks
    ]
    callback = recompute_finished.s(
        as_of=day.isoformat(),
        policy_version=version.version,
        started=time.time(),
        actor_id=actor_id,
        generation_id=generation.pk,
        total_employers=None if plan is None else Employer.objects.count(),
    )
    if not signatures:  # nothing can have changed: publish the (empty) run here
        recompute_finished([], **callback.kwargs)
        return None
    return chord(signatures)(callback).id


def schedule_balance_refresh(*, employer_ids: list[int], as_of: date | None = None) -> None:
    """After the current transaction commits, recompute the snapshots of these employers (new
    payments or declarations arrived), so lists and worklists do not wait for the nightly run.

    Through the outbox: the request is stored with the import and sent after commit; if the broker
    cannot be reached (or, eager, the refresh fails) the import is not undone nor misreported — the
    message stays pending and the outbox's beat task sends it again.
    """
    if not employer_ids:
        return
    ids = sorted(set(employer_ids))
    day = (as_of or business_date()).isoformat()
    size = services.id_list_size(services.CHUNK_SIZE)
    for i in range(0, len(ids), size):  # one batch-engine chunk (and one task) per `size` employers
        chunk = ids[i : i + size]
        outbox.enqueue(
            recompute_chunk,
            description=(
                f"Actualizar el saldo de {len(chunk):,} patronos al {date.fromisoformat(day):%d/%m/%Y}"
            ),
            as_of=day,
            employer_ids=chunk,
        )


@shared_task(name="ledger.limitation_check")
def limitation_check(as_of: str | None = None) -> dict[str, Any]:
    """Nightly (Celery beat, after the recompute): mark the periods prescribed by `as_of` (the
    business date by default). Idempotent, so a redelivered message does nothing more."""
    result = services.prescribed_periods_mark(actor=None, as_of=_date(as_of))
    logger.info(result.summary())
    return {"candidates": result.candidates, "marked": len(result.marked), "already": result.already}
