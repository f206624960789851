"""Base model and the append-only audit trail.

Append-only at three depths: the model refuses ``save()`` of an existing event and ``delete()``;
the queryset refuses ``update()`` and ``delete()``; and the database itself refuses any ``UPDATE``
or ``DELETE`` of a row (triggers on PostgreSQL and SQLite, see ``cobranza.common.audit_triggers``).

``actor`` is PROTECTed: a user who has events cannot be deleted (deactivate it instead), so no
event ever has its actor rewritten to NULL by a cascade (which would be an UPDATE). ``actor_name``
is the actor's name when the event happened, so renaming a user does not rewrite history.
"""

from django.conf import settings
from django.db import models

from cobranza.common.errors import ApplicationError


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField("creado", auto_now_add=True)
    updated_at = models.DateTimeField("modificado", auto_now=True)

    class Meta:
        abstract = True


def actor_display_name(user: object) -> str:
    """How an event names its actor, frozen when it is written: the full name, else the username."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    full = f"{getattr(user, 'first_name', '')} {getattr(user, 'last_name', '')}".strip()
    return (full or getattr(user, "username", ""))[:300]


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):  # type: ignore[no-untyped-def]
        raise ApplicationError("Los eventos de auditoría no se pueden modificar.")

    def delete(self):  # type: ignore[no-untyped-def]
        raise ApplicationError("Los eventos de auditoría no se pueden eliminar.")


class AuditEvent(models.Model):
    """Who changed what, when, before and after, and why. Never edited, never deleted."""

    at = models.DateTimeField("fecha y hora", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="usuario",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField("nombre del usuario", max_length=300, blank=True, default="")
    action = models.CharField("acción", max_length=60)
    object_type = models.CharField("tipo de objeto", max_length=60)
    object_id = models.CharField("identificador", max_length=64)
    employer_number = models.CharField("número patronal", max_length=20, blank=True, db_index=True)
    before = models.JSONField("antes", null=True, blank=True)
    after = models.JSONField("después", null=True, blank=True)
    reason = models.CharField("motivo", max_length=500, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "evento de auditoría"
        verbose_name_plural = "eventos de auditoría"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise ApplicationError("Los eventos de auditoría no se pueden modificar.")
        if self.actor_id is not None and not self.actor_name:
            self.actor_name = actor_display_name(self.actor)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise ApplicationError("Los eventos de auditoría no se pueden eliminar.")
