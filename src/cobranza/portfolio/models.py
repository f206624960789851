"""Who works which employers: staff profiles (branch), assignments with history, temporary cover."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from cobranza.common.dates import business_date
from cobranza.employers.models import Branch, Employer


class StaffProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, related_name="staff_profile", on_delete=models.CASCADE
    )
    branch = models.ForeignKey(
        Branch, verbose_name="sucursal", null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = "perfil de personal"
        verbose_name_plural = "perfiles de personal"

    def __str__(self) -> str:
        return f"{self.user.username} ({self.branch or 'sin sucursal'})"


class Assignment(models.Model):
    """An employer assigned to a collector from `start` until `end` (open while `end` is empty).

    Never edited except to close it: reassigning closes the current row and opens a new one,
    so the rows are the assignment history. `start`/`end` are the real timestamps of the change;
    `start_on`/`end_on` are the business dates (`common.dates.business_date`) between which the
    collector held the employer: from `start_on` inclusive to `end_on` exclusive, the history the
    results report uses to credit a payment to the collector who held the employer on its date
    (SPEC §9).
    """

    employer = models.ForeignKey(Employer, related_name="assignments", on_delete=models.PROTECT)
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="assignments", on_delete=models.PROTECT, verbose_name="gestor"
    )
    start = models.DateTimeField("desde", auto_now_add=True)
    end = models.DateTimeField("hasta", null=True, blank=True)
    start_on = models.DateField("a cargo desde", default=business_date)
    end_on = models.DateField("a cargo hasta", null=True, blank=True)
    reason = models.CharField("motivo", max_length=300)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
        verbose_name="asignado por",
    )

    class Meta:
        verbose_name = "asignación"
        verbose_name_plural = "asignaciones"
        ordering = ["-start", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["employer"], condition=Q(end__isnull=True), name="assignment_one_open_per_employer"
            )
        ]
        indexes = [models.Index(fields=["collector", "end"])]

    def __str__(self) -> str:
        return f"{self.employer.employer_number} → {self.collector.username}"


class Cover(models.Model):
    """A collector covers an absent colleague's portfolio over a date range (inclusive)."""

    absent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        related_name="covered_by",
        on_delete=models.PROTECT,
        verbose_name="gestor ausente",
    )
    substitute = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        related_name="covers",
        on_delete=models.PROTECT,
        verbose_name="gestor suplente",
    )
    start_date = models.DateField("desde")
    end_date = models.DateField("hasta")
    reason = models.CharField("motivo", max_length=300)

    class Meta:
        verbose_name = "suplencia"
        verbose_name_plural = "suplencias"
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="cover_dates_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.substitute.username} cubre a {self.absent.username}"
