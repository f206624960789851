"""`cobranza outbox status` and `cobranza outbox drain [--retry-after S]`: the background-task queue.

`status` shows how many tasks wait to be sent, the oldest and the last error; `drain` sends the
pending ones now (the beat task does it every minute) — e.g. after Redis comes back.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cobranza.outbox.models import OutboxMessage, OutboxState
from cobranza.outbox.services import outbox_drain


class Command(BaseCommand):
    help = "Tareas en segundo plano pendientes de enviar: ver su estado (status) o enviarlas ya (drain)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["status", "drain"], help="status: estado; drain: enviar ya")
        parser.add_argument(
            "--retry-after",
            dest="retry_after",
            type=float,
            default=0.0,
            help="solo las que llevan al menos estos segundos desde su último intento (0: todas)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "drain":
            if options["retry_after"] < 0:
                raise CommandError("--retry-after debe ser 0 o mayor.")
            result = outbox_drain(retry_after=options["retry_after"])
            self.stdout.write(result.summary)
            if result.broker_down:
                raise CommandError("No se pudo conectar con el intermediario de mensajes (Redis).")
            return
        pending = OutboxMessage.objects.filter(state=OutboxState.PENDING)
        count = pending.count()
        if not count:
            self.stdout.write("No hay tareas pendientes de enviar.")
            return
        oldest = pending.order_by("created_at").first()
        assert oldest is not None
        local = timezone.localtime(oldest.created_at)
        self.stdout.write(
            f"{count:,} tareas pendientes de enviar; la más antigua, «{oldest.description}», "
            f"del {local:%d/%m/%Y %H:%M}, con {oldest.attempts} intentos."
        )
        last = pending.exclude(last_error="").order_by("-last_attempt_at").first()
        if last is not None:
            self.stdout.write(f"Último error: {last.last_error}")
