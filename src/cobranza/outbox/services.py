"""Writes of the outbox: enqueue a task after commit, send it, and send again what is pending.

`enqueue(task, description=…, **kwargs)` is the one way the application asks for background work
(it replaces `transaction.on_commit(lambda: task.delay(…))`): the message row is written in the
caller's transaction, and once that commits the message is sent at once with a short broker
timeout (Celery's `broker_connection_timeout`, `task_publish_retry` off: about a second, see
config/settings.py). If the broker cannot be reached — or, in the eager embedded default, the task
itself fails — the row stays pending with the error, the caller goes on normally, and
`outbox_drain` (the beat task every minute, `cobranza outbox drain`) sends it again later.

Delivery is at least once: tasks sent through the outbox must be idempotent (the recompute is an
upsert; filing an agreement's PDF twice would file two copies, which only a crash between the send
and its bookkeeping can cause). Two senders never send the same attempt: each claims the row by
its attempt count first (an UPDATE that only one of them can win).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from kombu.exceptions import OperationalError as KombuOperationalError

from cobranza.outbox.models import OutboxMessage, OutboxState

logger = logging.getLogger(__name__)

#: Errors that mean "the broker cannot be reached": a drain stops at the first one (each costs the
#: connection timeout) instead of trying every pending message against a broker that is down.
BROKER_ERRORS: tuple[type[BaseException], ...] = (
    KombuOperationalError,
    ConnectionError,
    TimeoutError,
    OSError,
)


def enqueue(task: Any, /, *, description: str, **kwargs: Any) -> OutboxMessage:
    """Send `task` (a Celery task or its registered name) with `kwargs` once the current
    transaction commits (at once outside one). `kwargs` must be JSON (ids, ISO dates, counts);
    `description` says in Spanish what the task does, for the people who watch the queue."""
    name = task if isinstance(task, str) else task.name
    try:
        faithful = json.loads(json.dumps(kwargs)) == kwargs
    except (TypeError, ValueError):
        faithful = False
    if not faithful:
        raise ValueError(f"los argumentos de {name} deben ser JSON (ids, fechas ISO, cantidades)")
    message = OutboxMessage(task=name, description=description[:300], kwargs=kwargs)
    message.full_clean()
    message.save()
    pk = message.pk
    transaction.on_commit(lambda: outbox_send(message_id=pk))
    return message


def _task(name: str) -> Any:
    """The registered task `name`. A web process or a command has not necessarily imported the
    apps' `tasks` modules (a worker has): import them once when the name is unknown."""
    if name not in current_app.tasks:
        autodiscover_modules("tasks")
    return current_app.tasks[name]


def _claim(message: OutboxMessage) -> bool:
    """Take this attempt of `message` (one sender wins; the others see 0 rows updated)."""
    now = timezone.now()
    won = OutboxMessage.objects.filter(
        pk=message.pk, state=OutboxState.PENDING, attempts=message.attempts
    ).update(attempts=F("attempts") + 1, last_attempt_at=now)
    if won:
        message.attempts += 1
        message.last_attempt_at = now
    return bool(won)


def outbox_send(*, message_id: int | None = None, message: OutboxMessage | None = None) -> bool:
    """Try once to send a pending message. True when it was sent; False when another sender has it
    or it failed (the row stays pending with the error, nothing is raised: the caller's work is
    already committed). Broker errors are re-raised only by `_send` for the drain to stop."""
    try:
        return _send(message_id=message_id, message=message) == SENT
    except BROKER_ERRORS:
        return False


SENT, FAILED, TAKEN = "sent", "failed", "taken"


def _send(*, message_id: int | None = None, message: OutboxMessage | None = None) -> str:
    """SENT, FAILED (kept pending with the error) or TAKEN (sent or being sent by another)."""
    if message is None:
        message = OutboxMessage.objects.filter(pk=message_id, state=OutboxState.PENDING).first()
        if message is None:
            return TAKEN
    if not _claim(message):
        return TAKEN
    try:
        # No result is kept nor awaited: otherwise the Redis result backend subscribes before the
        # send, with its own 20 retries of a second each (the 19 s of issue 10).
        _task(message.task).apply_async(kwargs=message.kwargs, retry=False, ignore_result=True)
    except Exception as error:  # noqa: BLE001 - recorded on the row; the drain sends it again
        text = f"{type(error).__name__}: {error}"[:2000]
        OutboxMessage.objects.filter(pk=message.pk).update(last_error=text)
        logger.warning(
            "No se pudo enviar la tarea «%s» (intento %d); queda pendiente: %s",
            message.description,
            message.attempts,
            text,
        )
        if isinstance(error, BROKER_ERRORS):
            raise
        return FAILED
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=OutboxState.SENT, sent_at=timezone.now(), last_error=""
    )
    return SENT


@dataclass(frozen=True)
class DrainResult:
    sent: int
    failed: int
    pending: int
    broker_down: bool
    pruned: int = 0

    @property
    def summary(self) -> str:
        """Spanish, for people."""
        text = f"Tareas enviadas: {self.sent:,}; fallidas: {self.failed:,}; pendientes: {self.pending:,}."
        if self.broker_down:
            text += " El intermediario de mensajes (Redis) no responde: se volverá a intentar."
        if self.pruned:
            text += f" Se depuraron {self.pruned:,} tareas enviadas antiguas."
        return text


def outbox_drain(*, retry_after: float | None = None, limit: int = 1000) -> DrainResult:
    """Send again the pending messages whose last attempt is at least `retry_after` seconds old
    (default `OUTBOX_RETRY_AFTER_SECONDS`; messages never attempted go at once), oldest first, at
    most `limit`; stop at the first broker error. Sent messages older than `OUTBOX_KEEP_SENT_DAYS`
    are deleted."""
    wait = settings.OUTBOX_RETRY_AFTER_SECONDS if retry_after is None else retry_after
    cutoff = timezone.now() - timedelta(seconds=wait)
    due = OutboxMessage.objects.filter(state=OutboxState.PENDING).filter(
        Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lte=cutoff)
    )
    sent = failed = 0
    broker_down = False
    for message in due.order_by("pk")[:limit]:
        try:
            outcome = _send(message=message)
        except BROKER_ERRORS:
            failed += 1
            broker_down = True
            break
        sent += outcome == SENT
        failed += outcome == FAILED
    keep = timezone.now() - timedelta(days=settings.OUTBOX_KEEP_SENT_DAYS)
    pruned, _ = OutboxMessage.objects.filter(state=OutboxState.SENT, sent_at__lt=keep).delete()
    pending = OutboxMessage.objects.filter(state=OutboxState.PENDING).count()
    if sent or failed:
        logger.info("Bandeja de salida: %d enviadas, %d fallidas, %d pendientes", sent, failed, pending)
    return DrainResult(sent=sent, failed=failed, pending=pending, broker_down=broker_down, pruned=pruned)
