"""Declarations (planillas) and payments: the facts every balance is computed from; the policy
versions that turn them into balances; and the balance snapshots the recompute writes."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from cobranza.common.models import TimeStampedModel
from cobranza.employers.models import Employer, ImportBatch
from cobranza.engine.policy import Policy, PolicyError

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
                condition=Q(salary_base__gte=0)
                & Q(employer_contribution__gte=0)
                & Q(worker_contribution__gte=0),
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


class PolicyVersion(TimeStampedModel):
    """One effective-dated version of the collection policy (SPEC §4).

    `parameters` is the engine's storage form (`Policy.to_dict()`), validated through
    `Policy.from_dict` in `clean()`; `version` and `effective_from` are the columns' values (they win
    over the same keys inside `parameters`). Versions are never edited or deleted once saved: a
    statement names the version that produced it, so a change of policy is a new version.
    """

    version = models.CharField("versión", max_length=40, unique=True)
    effective_from = models.DateField("vigente desde", unique=True)
    parameters = models.JSONField(
        "parámetros",
        default=dict,
        blank=True,
        help_text="Parámetros de la política en JSON; los que falten toman el valor por defecto (SPEC §4).",
    )
    note = models.TextField("nota", blank=True, help_text="Motivo del cambio, acuerdo o fuente.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="creada por",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "versión de la política"
        verbose_name_plural = "versiones de la política"
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"{self.version} (vigente desde {self.effective_from:%d/%m/%Y})"

    def _policy_data(self) -> dict[str, Any]:
        data = dict(self.parameters) if isinstance(self.parameters, dict) else {}
        data["version"] = self.version
        data["effective_from"] = self.effective_from.isoformat() if self.effective_from else None
        return data

    def clean(self) -> None:
        super().clean()
        if not isinstance(self.parameters, dict):
            raise ValidationError({"parameters": "Los parámetros deben ser un objeto JSON ({…})."})
        if not self.version or not self.effective_from:
            return  # the field errors say what is missing
        try:
            policy = Policy.from_dict(self._policy_data())
        except PolicyError as error:
            raise ValidationError({"parameters": str(error)}) from None
        self.parameters = policy.to_dict()  # stored normalized and complete

    def as_policy(self) -> Policy:
        """The engine's policy object (validated)."""
        return Policy.from_dict(self._policy_data())


class BalanceSnapshot(models.Model):
    """An employer's balance as of `as_of`, written by the recompute (`balances_recompute`).

    Derived data: one row per employer, replaced in bulk on every recompute, read by lists,
    portfolios and reports so they need not compute statements. The statement itself is always
    computed live.
    """

    employer = models.OneToOneField(
        Employer, related_name="balance", on_delete=models.CASCADE, verbose_name="patrono"
    )
    as_of = models.DateField("saldo al")
    policy_version = models.ForeignKey(
        PolicyVersion, verbose_name="versión de la política", on_delete=models.PROTECT, related_name="+"
    )
    contribution_outstanding = models.DecimalField("cotización pendiente", **MONEY)
    surcharge_outstanding = models.DecimalField("recargo pendiente", **MONEY)
    fine_outstanding = models.DecimalField("multa pendiente", **MONEY)
    interest_outstanding = models.DecimalField("interés pendiente", **MONEY)
    outstanding = models.DecimalField("saldo pendiente", **MONEY)
    credit = models.DecimalField("saldo a favor", **MONEY)
    overdue_periods = models.PositiveIntegerField("períodos en mora")
    months_in_arrears = models.PositiveIntegerField("meses en mora")
    oldest_unpaid_period = models.CharField("período en mora más antiguo", max_length=7, blank=True)
    last_payment_date = models.DateField("último pago", null=True, blank=True)
    computed_at = models.DateTimeField("calculado el")

    class Meta:
        verbose_name = "saldo calculado"
        verbose_name_plural = "saldos calculados"
        ordering = ["-outstanding"]
        indexes = [
            models.Index(fields=["outstanding"], name="balance_outstanding_idx"),
            models.Index(fields=["months_in_arrears"], name="balance_months_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(contribution_outstanding__gte=0)
                & Q(surcharge_outstanding__gte=0)
                & Q(fine_outstanding__gte=0)
                & Q(interest_outstanding__gte=0)
                & Q(outstanding__gte=0)
                & Q(credit__gte=0),
                name="balance_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employer_id} al {self.as_of:%d/%m/%Y}: {self.outstanding}"
