"""Publication of resisting employers (SPEC §4 row "publication", §8 "Publication list").

A head prepares a `PublicationList` from the candidates at a date (`selectors.candidates`), sends a
prior-notification letter to each selected employer (`PublicationEntry.notice`, registered in the
documents register) with a reply deadline counted in business days, records each reply, and once
every reply window has elapsed another head approves: the list is then FROZEN and NUMBERED
(«Lista 2026-2») with the figures as of its date copied into its rows. Afterwards an employer that
pays or signs an agreement is marked "regularizado" (with the date) on the list; the list itself
never changes. State changes only through ``services.publication_transition``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from cobranza.common.models import TimeStampedModel
from cobranza.employers.models import Branch, Employer

MONEY = {"max_digits": 14, "decimal_places": 2}


class ListState(models.TextChoices):
    PREPARING = "preparing", "En preparación"
    NOTIFIED = "notified", "Avisos enviados"
    FROZEN = "frozen", "Aprobada y congelada"
    CANCELLED = "cancelled", "Anulada"


#: The only state changes there are; frozen and cancelled are final.
TRANSITIONS: dict[str, frozenset[str]] = {
    ListState.PREPARING: frozenset({ListState.NOTIFIED, ListState.CANCELLED}),
    ListState.NOTIFIED: frozenset({ListState.FROZEN, ListState.CANCELLED}),
    ListState.FROZEN: frozenset(),
    ListState.CANCELLED: frozenset(),
}

STATE_BADGE = {
    ListState.PREPARING: "secondary",
    ListState.NOTIFIED: "info",
    ListState.FROZEN: "success",
    ListState.CANCELLED: "dark",
}


class Reply(models.TextChoices):
    PENDING = "pending", "Sin respuesta registrada"
    PAID = "paid", "Pagó"
    AGREEMENT = "agreement", "Firmó convenio de pago"
    CLAIM = "claim", "Presentó reclamo"
    NO_REPLY = "no_reply", "No respondió"


#: Replies that take the employer off the list when it is frozen.
REPLIES_THAT_REMOVE = (Reply.PAID, Reply.AGREEMENT, Reply.CLAIM)


class Regularization(models.TextChoices):
    PAID = "paid", "Pagó su deuda exigible"
    AGREEMENT = "agreement", "Firmó convenio de pago"


class PublicationList(TimeStampedModel):
    """One list of resisting employers: prepared, notified, then frozen (numbered) or cancelled."""

    number = models.CharField(
        "número", max_length=20, blank=True, help_text="Se asigna al aprobar: «2026-2» (año y orden)."
    )
    state = models.CharField("estado", max_length=20, choices=ListState.choices, default=ListState.PREPARING)
    as_of = models.DateField("candidatos al")
    branch = models.ForeignKey(
        Branch,
        verbose_name="sucursal",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Vacía: todo el instituto (jefe de departamento).",
    )
    criteria = models.JSONField("criterios aplicados", default=dict)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="preparada por", on_delete=models.PROTECT, related_name="+"
    )
    notified_on = models.DateField("avisos del", null=True, blank=True)
    reply_deadline = models.DateField("plazo de respuesta hasta", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="aprobada por",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField("aprobada el", null=True, blank=True)
    frozen_on = models.DateField("fecha de la lista", null=True, blank=True)
    cancelled_reason = models.CharField("motivo de anulación", max_length=300, blank=True)
    notices_file = models.FileField("avisos (lote)", upload_to="publications/", blank=True)
    note = models.CharField("nota", max_length=300, blank=True)

    class Meta:
        verbose_name = "lista de publicación"
        verbose_name_plural = "listas de publicación"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["number"], condition=~Q(number=""), name="publication_list_number_unique"
            ),
            models.CheckConstraint(
                condition=~Q(state="frozen") | (~Q(number="") & Q(frozen_on__isnull=False)),
                name="publication_frozen_is_numbered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        if self.number:
            return f"Lista {self.number}"
        return f"Lista en preparación del {self.as_of:%d/%m/%Y}"

    @property
    def badge(self) -> str:
        return STATE_BADGE.get(self.state, "secondary")

    @property
    def is_frozen(self) -> bool:
        return self.state == ListState.FROZEN


class PublicationEntry(models.Model):
    """One employer selected for a list: its figures at selection, the notice and its deadline,
    the reply, whether it went to the frozen list (and why not) and, later, its regularization."""

    publication = models.ForeignKey(
        PublicationList, verbose_name="lista", on_delete=models.CASCADE, related_name="entries"
    )
    employer = models.ForeignKey(
        Employer, verbose_name="patrono", on_delete=models.PROTECT, related_name="publication_entries"
    )
    # figures when selected (candidates at the list's `as_of`)
    overdue = models.DecimalField("deuda exigible al seleccionar", **MONEY)
    months_in_arrears = models.PositiveIntegerField("meses en mora al seleccionar")
    overdue_periods = models.PositiveIntegerField("períodos en mora al seleccionar", default=0)
    oldest_period = models.CharField("período más antiguo", max_length=7, blank=True)
    # the prior notification
    notice = models.ForeignKey(
        "documents.IssuedDocument",
        verbose_name="aviso previo",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    notified_on = models.DateField("notificado el", null=True, blank=True)
    reply_deadline = models.DateField("plazo de respuesta", null=True, blank=True)
    # the reply
    reply = models.CharField("respuesta", max_length=20, choices=Reply.choices, default=Reply.PENDING)
    reply_on = models.DateField("fecha de la respuesta", null=True, blank=True)
    reply_note = models.CharField("nota de la respuesta", max_length=500, blank=True)
    reply_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="registrada por",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # at freezing: on the list with the figures of the list's date, or left out with the reason
    published = models.BooleanField("publicado", default=False)
    published_overdue = models.DecimalField("deuda exigible publicada", null=True, blank=True, **MONEY)
    published_months = models.PositiveIntegerField("meses en mora publicados", null=True, blank=True)
    excluded_reason = models.CharField("motivo de exclusión", max_length=300, blank=True)
    # after freezing
    regularized_on = models.DateField("regularizado el", null=True, blank=True)
    regularization = models.CharField(
        "regularización", max_length=20, choices=Regularization.choices, blank=True
    )

    class Meta:
        verbose_name = "patrono de la lista"
        verbose_name_plural = "patronos de la lista"
        ordering = ["publication", "-overdue", "employer__employer_number"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "employer"], name="publication_employer_once"),
            models.CheckConstraint(condition=Q(overdue__gte=0), name="publication_overdue_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.employer_id} en {self.publication_id}"

    @property
    def removes(self) -> bool:
        return self.reply in REPLIES_THAT_REMOVE
