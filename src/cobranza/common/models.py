"""Base model and the append-only audit trail."""

from django.conf import settings
from django.db import models

from cobranza.common.errors import ApplicationError


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField("creado", auto_now_add=True)
    updated_at = models.DateTimeField("modificado", auto_now=True)

    class Meta:
        abstract = True


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
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise ApplicationError("Los eventos de auditoría no se pueden eliminar.")
