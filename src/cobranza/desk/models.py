"""The service desk (SPEC §8): inquiries and claims of employers and workers, their attachments,
and every solvency certificate asked for (issued or refused).

A claim on specific periods suspends their collection until it is resolved: the desk writes that
fact into the ledger (`ledger.services.period_suspension_open/close`), which every collection list
reads (`ledger.selectors.suspended_periods`).
"""

from django.conf import settings
from django.db import models

from cobranza.common.models import TimeStampedModel
from cobranza.employers.models import Employer


class InquiryKind(models.TextChoices):
    INQUIRY = "consulta", "Consulta"
    CLAIM = "reclamo", "Reclamo"


class Channel(models.TextChoices):
    WINDOW = "ventanilla", "Ventanilla"
    PHONE = "telefono", "Teléfono"
    EMAIL = "correo", "Correo electrónico"
    LETTER = "carta", "Carta"


class RequesterType(models.TextChoices):
    EMPLOYER = "patrono", "Patrono"
    WORKER = "trabajador", "Trabajador"


class Subject(models.TextChoices):
    BALANCE = "saldo", "Saldo y estado de cuenta"
    PAYMENT = "pago", "Pago no aplicado o mal aplicado"
    DECLARATION = "planilla", "Planilla o período no adeudado"
    CHARGES = "recargos", "Recargo o multa"
    SOLVENCY = "solvencia", "Constancia de solvencia"
    COVERAGE = "cobertura", "Cobertura de trabajadores (¿está al día mi patrono?)"
    AGREEMENT = "convenio", "Convenio de pago"
    OTHER = "otro", "Otro asunto"


class InquiryStatus(models.TextChoices):
    OPEN = "abierta", "Abierta"
    ANSWERED = "respondida", "Respondida"
    ACCEPTED = "aceptado", "Reclamo aceptado (corrección pendiente)"
    REJECTED = "rechazado", "Reclamo rechazado"
    CLOSED = "cerrada", "Cerrada"


#: The allowed changes of state (ARCHITECTURE convention 4). A consulta is answered; a reclamo is
#: resolved (accepted: the periods stay suspended until the correction is made and the claim is
#: closed; rejected: collection resumes at once). Anything open may be closed (withdrawn).
TRANSITIONS: dict[str, dict[str, set[str]]] = {
    InquiryKind.INQUIRY: {
        InquiryStatus.OPEN: {InquiryStatus.ANSWERED, InquiryStatus.CLOSED},
        InquiryStatus.ANSWERED: {InquiryStatus.CLOSED},
        InquiryStatus.CLOSED: set(),
    },
    InquiryKind.CLAIM: {
        InquiryStatus.OPEN: {InquiryStatus.ACCEPTED, InquiryStatus.REJECTED, InquiryStatus.CLOSED},
        InquiryStatus.ACCEPTED: {InquiryStatus.CLOSED},
        InquiryStatus.REJECTED: {InquiryStatus.CLOSED},
        InquiryStatus.CLOSED: set(),
    },
}

PENDING = (InquiryStatus.OPEN, InquiryStatus.ACCEPTED)


class DeskCounter(models.Model):
    """The last number given per kind and year (locked while a number is taken)."""

    kind = models.CharField("tipo", max_length=10, choices=InquiryKind.choices)
    year = models.PositiveIntegerField("año")
    last = models.PositiveIntegerField("último número", default=0)

    class Meta:
        verbose_name = "numeración de atención"
        verbose_name_plural = "numeraciones de atención"
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="desk_counter_kind_year")]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last}"


class Inquiry(TimeStampedModel):
    """A consulta or a reclamo, from an employer or a worker, with its answer or resolution."""

    number = models.CharField("número", max_length=20, unique=True)
    kind = models.CharField("tipo", max_length=10, choices=InquiryKind.choices)
    channel = models.CharField("canal", max_length=12, choices=Channel.choices)
    requester_type = models.CharField("quién consulta", max_length=12, choices=RequesterType.choices)
    requester_name = models.CharField("nombre de quien consulta", max_length=200)
    requester_document = models.CharField("documento de identidad", max_length=40, blank=True)
    subject = models.CharField("asunto", max_length=12, choices=Subject.choices)
    employer = models.ForeignKey(
        Employer,
        verbose_name="patrono",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inquiries",
    )
    periods = models.JSONField("períodos", default=list, blank=True)
    description = models.TextField("detalle", max_length=5000)
    status = models.CharField(
        "estado", max_length=12, choices=InquiryStatus.choices, default=InquiryStatus.OPEN
    )
    opened_on = models.DateField("recibida el")
    due_on = models.DateField("plazo de respuesta")
    answer = models.TextField("respuesta o resolución", blank=True, max_length=5000)
    answered_on = models.DateField("respondida el", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="respondida por",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_on = models.DateField("cerrada el", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="registrada por",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "consulta o reclamo"
        verbose_name_plural = "consultas y reclamos"
        ordering = ["-opened_on", "-id"]
        indexes = [
            models.Index(fields=["status", "due_on"], name="inquiry_status_due_idx"),
            models.Index(fields=["employer", "status"], name="inquiry_employer_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("opened_on")), name="inquiry_due_after_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} · {self.get_kind_display()}"

    @property
    def is_claim(self) -> bool:
        return self.kind == InquiryKind.CLAIM

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING

    @property
    def periods_display(self) -> str:
        from cobranza.common.templatetags.cobranza import periodo

        return ", ".join(periodo(p) for p in self.periods) or "—"


def attachment_path(instance: "InquiryAttachment", filename: str) -> str:
    return f"atencion/{instance.inquiry.number}/{filename}"


class InquiryAttachment(models.Model):
    inquiry = models.ForeignKey(
        Inquiry, related_name="attachments", on_delete=models.PROTECT, verbose_name="consulta"
    )
    file = models.FileField("archivo", upload_to=attachment_path, max_length=300)
    original_name = models.CharField("nombre original", max_length=255)
    content_type = models.CharField("tipo de contenido", max_length=100)
    size = models.PositiveIntegerField("tamaño (bytes)")
    sha256 = models.CharField("huella SHA-256", max_length=64)
    uploaded_at = models.DateTimeField("subido el", auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="subido por",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "adjunto"
        verbose_name_plural = "adjuntos"
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class SolvencyOutcome(models.TextChoices):
    ISSUED = "emitida", "Emitida"
    REFUSED = "denegada", "Denegada"


class SolvencyRequest(models.Model):
    """Every solvency certificate asked for: issued (with its document) or refused (with why)."""

    employer = models.ForeignKey(
        Employer, verbose_name="patrono", on_delete=models.PROTECT, related_name="solvency_requests"
    )
    requested_on = models.DateField("fecha")
    requested_at = models.DateTimeField("solicitada el", auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="solicitada por",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome = models.CharField("resultado", max_length=10, choices=SolvencyOutcome.choices)
    standing = models.CharField("situación", max_length=40, blank=True)
    reason = models.CharField("motivo", max_length=500, blank=True)
    overdue_periods = models.JSONField("períodos vencidos", default=list, blank=True)
    document = models.OneToOneField(
        "documents.IssuedDocument",
        verbose_name="constancia",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="solvency_request",
    )

    class Meta:
        verbose_name = "solicitud de solvencia"
        verbose_name_plural = "solicitudes de solvencia"
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.employer_id} {self.requested_on:%d/%m/%Y} {self.outcome}"

    @property
    def issued(self) -> bool:
        return self.outcome == SolvencyOutcome.ISSUED
