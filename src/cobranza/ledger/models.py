"""Declarations (planillas) and payments: the facts every balance is computed from."""

from django.db import models
from django.db.models import Q

from cobranza.common.models import TimeStampedModel
from cobranza.employers.models import Employer, ImportBatch

MONEY = {"max_digits": 14, "decimal_places": 2}


class DeclarationOrigin(models.TextChoices):
    EMPLOYER = "employer", "Presentada por el patrono"
    DE_OFICIO = "de_oficio", "De oficio"


class Declaration(TimeStampedModel):
    employer = models.ForeignKey(Employer, related_name="declarations", on_delete=models.PROTECT)
    period = models.CharField("periodo", max_length=7)
    workers = models.PositiveIntegerField("trabajadores")
    salary_base = models.DecimalField("salario afecto", **MONEY)
    employer_contribution = models.DecimalField("cotización patronal", **MONEY)
    worker_contribution = models.DecimalField("cotización laboral", **MONEY)
    filed_on = models.DateField("fecha de presentación", null=True, blank=True)
    origin = models.CharField("origen", max_length=10, choices=DeclarationOrigin.choices)
    import_batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.PROTECT)

    AUDITED_FIELDS = (
        "workers",
        "salary_base",
        "employer_contribution",
        "worker_contribution",
        "filed_on",
        "origin",
    )

    class Meta:
        verbose_name = "planilla"
        verbose_name_plural = "planillas"
        ordering = ["employer", "period"]
        constraints = [
            models.UniqueConstraint(fields=["employer", "period"], name="declaration_one_per_period"),
            models.CheckConstraint(
                condition=Q(salary_base__gte=0) & Q(employer_contribution__gte=0) & Q(worker_contribution__gte=0),
                name="declaration_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employer.employer_number} {self.period}"

    @property
    def contribution(self):  # type: ignore[no-untyped-def]
        return self.employer_contribution + self.worker_contribution


class Payment(TimeStampedModel):
    payment_id = models.CharField("id de pago", max_length=64, unique=True)
    employer = models.ForeignKey(Employer, related_name="payments", on_delete=models.PROTECT)
    paid_on = models.DateField("fecha de pago")
    amount = models.DecimalField("monto", **MONEY)
    period = models.CharField("periodo", max_length=7, blank=True)
    channel = models.CharField("canal", max_length=40, blank=True)
    reference = models.CharField("referencia", max_length=100, blank=True)
    import_batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        verbose_name = "pago"
        verbose_name_plural = "pagos"
        ordering = ["employer", "paid_on", "payment_id"]
        indexes = [models.Index(fields=["employer", "paid_on"])]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")]

    def __str__(self) -> str:
        return self.payment_id
