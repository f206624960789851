"""Account hygiene (SPEC §8): findings of the scan, the policy table that routes each finding type to
an area, the clean-up requests the areas work, the area each "otras áreas" user belongs to, and the
record of every scan.

Findings are derived data with a **stable key** (``engine.hygiene``): a re-scan updates a finding,
never repeats it; a finding the scan no longer sees is marked "ya no se detecta" (never deleted), one
whose request was resolved stays resolved unless its figures change. Requests are worked by the
area that owns the finding's type (``HygieneRule``); their state changes only through
``services.cleanup_request_transition``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from cobranza.common.models import TimeStampedModel
from cobranza.employers.models import Employer, ImportBatch
from cobranza.engine import hygiene as engine

MONEY = {"max_digits": 14, "decimal_places": 2}


class Area(models.TextChoices):
    AFILIACION = "afiliacion", "Afiliación"
    CONTABILIDAD = "contabilidad", "Contabilidad"
    INSPECCION = "inspeccion", "Inspección"


class FindingType(models.TextChoices):
    RATE_MISMATCH = engine.RATE_MISMATCH, "Cotización distinta de tasa × salario afecto"
    UNDECLARED_PAYMENT = engine.UNDECLARED_PAYMENT, "Pago de un período sin planilla"
    OUT_OF_LIFE_PAYMENT = engine.OUT_OF_LIFE_PAYMENT, "Pago de un período fuera de la vida del patrono"
    DUPLICATE_PAYMENT = engine.DUPLICATE_PAYMENT, "Pago probablemente duplicado"
    STALE_CREDIT = engine.STALE_CREDIT, "Saldo a favor antiguo"
    STOPPED_FILER = engine.STOPPED_FILER, "Dejó de presentar planillas (estimado)"
    CLOSED_WITH_DEBT = engine.CLOSED_WITH_DEBT, "Patrono cerrado con deuda"


class FindingStatus(models.TextChoices):
    OPEN = "open", "Abierto"
    RESOLVED = "resolved", "Resuelto"
    GONE = "gone", "Ya no se detecta"


class HygieneRule(TimeStampedModel):
    """The policy table (data, editable in the admin): which area owns a finding type, the deadline
    of its requests in business days, whether the scan sends new findings to the area by itself, and
    (credit balances) how many months old a credit must be to be a finding."""

    finding_type = models.CharField(
        "tipo de hallazgo", max_length=30, choices=FindingType.choices, unique=True
    )
    area = models.CharField("área responsable", max_length=20, choices=Area.choices)
    deadline_business_days = models.PositiveSmallIntegerField("plazo (días hábiles)", default=10)
    auto_request = models.BooleanField(
        "solicitud automática",
        default=False,
        help_text="Al detectarse un hallazgo nuevo de este tipo se envía la solicitud al área sin esperar al gestor.",
    )
    min_age_months = models.PositiveSmallIntegerField(
        "antigüedad mínima (meses)",
        default=0,
        help_text="Solo para saldos a favor: meses sin que los pagos recientes expliquen el saldo.",
    )

    class Meta:
        verbose_name = "regla de depuración"
        verbose_name_plural = "reglas de depuración"
        ordering = ["finding_type"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline_business_days__gte=1), name="hygiene_rule_deadline_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_finding_type_display()} → {self.get_area_display()}"


class AreaMember(models.Model):
    """The area (afiliación, contabilidad, inspección) of a user of the role "otras áreas"."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="usuario",
        on_delete=models.CASCADE,
        related_name="hygiene_area",
    )
    area = models.CharField("área", max_length=20, choices=Area.choices)

    class Meta:
        verbose_name = "integrante de área"
        verbose_name_plural = "integrantes de áreas"
        ordering = ["area", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_area_display()}"


class ScanRun(models.Model):
    """One run of the scan: its date, when, who, the counts by type, how long it took."""

    as_of = models.DateField("fecha de corte")
    started_at = models.DateTimeField("iniciado", auto_now_add=True)
    seconds = models.DecimalField("segundos", max_digits=10, decimal_places=2, default=0)
    employers = models.PositiveIntegerField("patronos revisados", default=0)
    counts = models.JSONField("conteos", default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "revisión de depuración"
        verbose_name_plural = "revisiones de depuración"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Revisión al {self.as_of:%d/%m/%Y}"


class Finding(TimeStampedModel):
    key = models.CharField("clave", max_length=120, unique=True)
    finding_type = models.CharField("tipo", max_length=30, choices=FindingType.choices, db_index=True)
    employer = models.ForeignKey(
        Employer, verbose_name="patrono", related_name="findings", on_delete=models.PROTECT
    )
    status = models.CharField(
        "estado", max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    periods = models.JSONField("períodos", default=list, blank=True)
    payment_ids = models.JSONField("pagos", default=list, blank=True)
    amount = models.DecimalField("importe", **MONEY)
    base_amount = models.DecimalField("importe de referencia", null=True, blank=True, **MONEY)
    declared_amount = models.DecimalField("importe declarado", null=True, blank=True, **MONEY)
    first_seen_on = models.DateField("detectado el")
    last_seen_on = models.DateField("visto por última vez el")
    gone_on = models.DateField("dejó de detectarse el", null=True, blank=True)
    resolved_on = models.DateField("resuelto el", null=True, blank=True)
    last_scan = models.ForeignKey(
        ScanRun,
        verbose_name="última revisión",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "hallazgo"
        verbose_name_plural = "hallazgos"
        ordering = ["employer", "finding_type", "key"]
        indexes = [models.Index(fields=["finding_type", "status"], name="finding_type_status_idx")]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="finding_amount_not_negative")]

    def __str__(self) -> str:
        return f"{self.get_finding_type_display()} · {self.employer.employer_number}"

    @property
    def is_estimate(self) -> bool:
        return self.finding_type == FindingType.STOPPED_FILER

    @property
    def periods_text(self) -> str:
        """The periods as users read them: "06/2026 a 10/2026 (5 meses)", "03/2024"."""
        items = [f"{p[5:7]}/{p[:4]}" for p in self.periods or []]
        if not items:
            return ""
        if len(items) == 1:
            return items[0]
        return f"{items[0]} a {items[-1]} ({len(items)} meses)"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Pendiente"
    RESOLVED = "resolved", "Resuelta"
    REJECTED = "rejected", "Rechazada"


class Resolution(models.TextChoices):
    NOTE = "note", "Resuelta con nota"
    IMPORT = "import", "Resuelta con importación corregida"


#: The one table of allowed state changes (ARCHITECTURE convention 4).
TRANSITIONS: dict[str, frozenset[str]] = {
    RequestStatus.PENDING: frozenset({RequestStatus.RESOLVED, RequestStatus.REJECTED}),
    RequestStatus.RESOLVED: frozenset(),
    RequestStatus.REJECTED: frozenset(),
}


class CleanupRequest(TimeStampedModel):
    """A clean-up request (solicitud de depuración) to an area, about one employer (and usually one
    finding). Created by the scan (automatic types) or by a collector from the case file."""

    employer = models.ForeignKey(
        Employer, verbose_name="patrono", related_name="cleanup_requests", on_delete=models.PROTECT
    )
    finding = models.ForeignKey(
        Finding,
        verbose_name="hallazgo",
        related_name="requests",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    area = models.CharField("área", max_length=20, choices=Area.choices, db_index=True)
    status = models.CharField(
        "estado", max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING, db_index=True
    )
    note = models.TextField("nota del solicitante", blank=True)
    created_on = models.DateField("fecha de la solicitud")
    due_on = models.DateField("vence el")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="solicitada por",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolution = models.CharField(
        "forma de resolución", max_length=10, choices=Resolution.choices, blank=True
    )
    answer = models.TextField("respuesta", blank=True)
    import_batch = models.ForeignKey(
        ImportBatch,
        verbose_name="importación corregida",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_on = models.DateField("respondida el", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="respondida por",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "solicitud de depuración"
        verbose_name_plural = "solicitudes de depuración"
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("created_on")), name="cleanup_due_after_created"
            ),
            models.UniqueConstraint(
                fields=["finding"],
                condition=Q(status="pending"),
                name="cleanup_one_pending_per_finding",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        return f"SD-{self.pk:06d}" if self.pk else "SD-nueva"
