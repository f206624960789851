"""Payment agreements (convenios de pago) and their installments (SPEC §6).

An agreement is drafted by a collector from one of the engine's options (the debt of the periods
it covers at a calculation date, a down payment and a term), approved by a head (four eyes),
becomes active when its down payment is received (the payment's date is the signing date: the
covered periods' surcharge and fine stop there), and ends fulfilled or lapsed. Drafts and approved
agreements may be cancelled. The states and the allowed moves are in ``TRANSITIONS``; only
``agreements.services.agreement_transition`` changes a state.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from cobranza.common.models import TimeStampedModel
from cobranza.employers.models import Employer
from cobranza.ledger.models import Payment

MONEY = {"max_digits": 14, "decimal_places": 2}


class AgreementState(models.TextChoices):
    DRAFT = "draft", "Borrador"
    APPROVED = "approved", "Aprobado"
    ACTIVE = "active", "Vigente"
    FULFILLED = "fulfilled", "Cumplido"
    LAPSED = "lapsed", "Incumplido"
    CANCELLED = "cancelled", "Anulado"
    EXPIRED = "expired", "Vencido"
    RESTRUCTURED = "restructured", "Reestructurado"


#: The only state changes there are. Fulfilled, cancelled, expired and restructured are final; an
#: active or lapsed agreement may be restructured by a head (SPEC §6 "Renegotiation"). A draft or
#: approved agreement whose down payment did not arrive within its validity expires (SPEC §4, §6).
TRANSITIONS: dict[str, frozenset[str]] = {
    AgreementState.DRAFT: frozenset(
        {AgreementState.APPROVED, AgreementState.CANCELLED, AgreementState.EXPIRED}
    ),
    AgreementState.APPROVED: frozenset(
        {AgreementState.ACTIVE, AgreementState.CANCELLED, AgreementState.EXPIRED}
    ),
    AgreementState.ACTIVE: frozenset(
        {AgreementState.FULFILLED, AgreementState.LAPSED, AgreementState.RESTRUCTURED}
    ),
    AgreementState.FULFILLED: frozenset(),
    AgreementState.LAPSED: frozenset({AgreementState.RESTRUCTURED}),
    AgreementState.RESTRUCTURED: frozenset(),
    AgreementState.CANCELLED: frozenset(),
    AgreementState.EXPIRED: frozenset(),
}

#: States in which an agreement holds its periods (no second agreement over them).
OPEN_STATES = (AgreementState.DRAFT, AgreementState.APPROVED, AgreementState.ACTIVE)

STATE_BADGE = {
    AgreementState.DRAFT: "secondary",
    AgreementState.APPROVED: "info",
    AgreementState.ACTIVE: "primary",
    AgreementState.FULFILLED: "success",
    AgreementState.LAPSED: "danger",
    AgreementState.CANCELLED: "dark",
    AgreementState.EXPIRED: "warning",
    AgreementState.RESTRUCTURED: "secondary",
}


class Agreement(TimeStampedModel):
    employer = models.ForeignKey(
        Employer, related_name="agreements", on_delete=models.PROTECT, verbose_name="patrono"
    )
    state = models.CharField(
        "estado", max_length=16, choices=AgreementState.choices, default=AgreementState.DRAFT
    )
    # What was agreed, as computed at drafting (the engine's schedule is stored in Installment rows).
    as_of = models.DateField("fecha de cálculo de la deuda")
    periods = models.JSONField("períodos cubiertos", default=list)
    periods_detail = models.JSONField("detalle de la deuda por período", default=list)
    debt = models.DecimalField("deuda convenida", **MONEY)
    down_payment = models.DecimalField("prima", **MONEY)
    financed = models.DecimalField("monto financiado", **MONEY)
    installments_count = models.PositiveSmallIntegerField("número de cuotas")
    monthly_rate = models.DecimalField("interés mensual", max_digits=7, decimal_places=6)
    installment_amount = models.DecimalField("cuota", **MONEY)
    total_interest = models.DecimalField("intereses totales", **MONEY)
    total = models.DecimalField("total a pagar", **MONEY)
    start = models.DateField("vencimiento de la primera cuota")
    policy_version = models.CharField("versión de la política", max_length=40)
    # Who and when.
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.PROTECT, verbose_name="elaborado por"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        related_name="+",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name="aprobado por",
    )
    approved_at = models.DateTimeField("aprobado el", null=True, blank=True)
    down_payment_payment = models.OneToOneField(
        Payment,
        related_name="agreement_down_payment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name="pago de la prima",
    )
    valid_until = models.DateField(
        "prima a más tardar el",
        null=True,
        blank=True,
        help_text="Último día hábil en que la prima puede pagarse; después el borrador vence.",
    )
    expired_on = models.DateField("vencido el", null=True, blank=True)
    signed_on = models.DateField("fecha de firma (congelamiento)", null=True, blank=True)
    checked_on = models.DateField("última revisión de cuotas", null=True, blank=True)
    lapsed_on = models.DateField("incumplido desde", null=True, blank=True)
    fulfilled_on = models.DateField("cumplido el", null=True, blank=True)
    cancelled_reason = models.CharField("motivo de anulación", max_length=300, blank=True)
    restructured_on = models.DateField("reestructurado el", null=True, blank=True)
    restructured_from = models.OneToOneField(
        "self",
        related_name="restructured_into",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name="reestructura el convenio",
    )

    class Meta:
        verbose_name = "convenio de pago"
        verbose_name_plural = "convenios de pago"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["employer", "state"]), models.Index(fields=["state"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(debt__gt=0)
                & Q(down_payment__gte=0)
                & Q(financed__gt=0)
                & Q(installments_count__gte=1)
                & Q(monthly_rate__gte=0),
                name="agreement_amounts_valid",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["active", "fulfilled", "lapsed"])
                | (Q(signed_on__isnull=False) & Q(down_payment_payment__isnull=False)),
                name="agreement_signed_has_down_payment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} · {self.employer.employer_number}"

    @property
    def number(self) -> str:
        """What people call it: ``CP-000042``."""
        return f"CP-{self.pk:06d}" if self.pk else "CP-(nuevo)"

    @property
    def badge(self) -> str:
        return STATE_BADGE.get(self.state, "secondary")

    @property
    def holds_freeze(self) -> bool:
        return self.state in (AgreementState.ACTIVE, AgreementState.FULFILLED) or (
            self.state == AgreementState.RESTRUCTURED
            and self.lapsed_on is None
            and self.signed_on is not None
        )


class InstallmentStatus(models.TextChoices):
    PENDING = "pending", "Pendiente"
    PARTIAL = "partial", "Pago parcial"
    PAID = "paid", "Pagada"
    OVERDUE = "overdue", "Vencida"


INSTALLMENT_BADGE = {
    InstallmentStatus.PENDING: "secondary",
    InstallmentStatus.PARTIAL: "warning",
    InstallmentStatus.PAID: "success",
    InstallmentStatus.OVERDUE: "danger",
}


class Installment(models.Model):
    """One line of the French schedule, and what has been paid on it (updated by the check)."""

    agreement = models.ForeignKey(Agreement, related_name="installments", on_delete=models.CASCADE)
    number = models.PositiveSmallIntegerField("cuota")
    due_date = models.DateField("vencimiento")
    amount = models.DecimalField("monto", **MONEY)
    interest = models.DecimalField("interés", **MONEY)
    principal = models.DecimalField("capital", **MONEY)
    balance = models.DecimalField("saldo después de la cuota", **MONEY)
    paid_amount = models.DecimalField("pagado", default=0, **MONEY)
    paid_off_on = models.DateField("pagada el", null=True, blank=True)
    status = models.CharField(
        "estado", max_length=10, choices=InstallmentStatus.choices, default=InstallmentStatus.PENDING
    )

    class Meta:
        verbose_name = "cuota"
        verbose_name_plural = "cuotas"
        ordering = ["agreement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="installment_unique_number"),
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(paid_amount__gte=0) & Q(paid_amount__lte=models.F("amount")),
                name="installment_amounts_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.number} cuota {self.number}"

    @property
    def outstanding(self):  # type: ignore[no-untyped-def]
        return self.amount - self.paid_amount

    @property
    def badge(self) -> str:
        return INSTALLMENT_BADGE.get(self.status, "secondary")


class CallOutcome(models.TextChoices):
    PROMISED = "promesa", "Promesa de pago"
    NO_ANSWER = "no_contesta", "No contesta"
    WRONG_NUMBER = "numero_equivocado", "Número equivocado"
    REFUSED = "se_niega", "Se niega a pagar"
    ALREADY_PAID = "ya_pago", "Dice que ya pagó"
    CALL_BACK = "volver_a_llamar", "Volver a llamar"
    OTHER = "otro", "Otro"


class CallRecord(models.Model):
    """A call-center call about a defaulted agreement (typed or re-imported from the Excel list)."""

    agreement = models.ForeignKey(
        Agreement, related_name="calls", on_delete=models.PROTECT, verbose_name="convenio"
    )
    called_on = models.DateField("fecha de la llamada")
    outcome = models.CharField("resultado", max_length=20, choices=CallOutcome.choices)
    promised_amount = models.DecimalField("monto prometido", null=True, blank=True, **MONEY)
    promised_on = models.DateField("fecha prometida", null=True, blank=True)
    notes = models.CharField("observaciones", max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.PROTECT, verbose_name="registrado por"
    )
    recorded_at = models.DateTimeField("registrado el", auto_now_add=True)

    class Meta:
        verbose_name = "llamada"
        verbose_name_plural = "llamadas"
        ordering = ["-called_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "called_on", "outcome", "notes"], name="call_record_not_repeated"
            ),
            models.CheckConstraint(
                condition=Q(promised_amount__isnull=True) | Q(promised_amount__gt=0),
                name="call_promise_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.number} {self.called_on:%d/%m/%Y} {self.get_outcome_display()}"
