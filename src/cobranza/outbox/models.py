"""The outbox: every background task the application asks for, stored before it is sent.

A service that needs work done after its transaction (file a signed agreement's PDF, refresh the
balances an import changed) calls `outbox.services.enqueue`: the message is written in the
service's own transaction — so it exists exactly when the change it follows exists — and sent to
the broker once that transaction commits. A broker that cannot be reached leaves the message
pending (the user's request answers normally); the beat task `outbox.drain`, every minute, and the
command `cobranza outbox drain` send it again until it goes.
"""

from __future__ import annotations

from django.db import models


class OutboxState(models.TextChoices):
    PENDING = "pending", "Pendiente de enviar"
    SENT = "sent", "Enviada"


class OutboxMessage(models.Model):
    """One task to send to the workers: its registered name and keyword arguments (ids, dates and
    counts only, JSON), with the history of the attempts to send it."""

    task = models.CharField("tarea", max_length=200)
    description = models.CharField("descripción", max_length=300)
    kwargs = models.JSONField("argumentos", default=dict, blank=True)
    state = models.CharField(
        "estado", max_length=10, choices=OutboxState.choices, default=OutboxState.PENDING
    )
    created_at = models.DateTimeField("creada el", auto_now_add=True)
    attempts = models.PositiveIntegerField("intentos de envío", default=0)
    last_attempt_at = models.DateTimeField("último intento", null=True, blank=True)
    sent_at = models.DateTimeField("enviada el", null=True, blank=True)
    last_error = models.TextField("último error", blank=True)

    class Meta:
        verbose_name = "tarea en segundo plano"
        verbose_name_plural = "tareas en segundo plano"
        ordering = ["-pk"]
        indexes = [models.Index(fields=["state", "last_attempt_at"], name="outbox_pending_idx")]

    def __str__(self) -> str:
        return f"{self.description} ({self.get_state_display().lower()})"
