"""Judicial referral (remisión a cobro judicial, SPEC §4 and §8): the request from a case file, the
head's four-eyes approval, the debt certificate and the referral package, and the legal unit's work
on it (accepted or returned, then the progress steps of the lawsuit).

States are the explicit table `REFERRAL_TRANSITIONS`, applied only by
`cobranza.legal.services.referral_transition` (ARCHITECTURE.md convention 4). The checklist of
required documents is policy data the administrator edits in the admin (`RequiredDocument`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from cobranza.common.models import TimeStampedModel

MONEY = {"max_digits": 14, "decimal_places": 2}


class ReferralKind(models.TextChoices):
    ORDINARY = "ordinary", "Mora patronal (cobro ordinario)"
    WORKER_SHARE = "worker_share", "Cuota laboral retenida no enterada (Código Penal art. 245)"


class ReferralState(models.TextChoices):
    REQUESTED = "requested", "Solicitada (pendiente de aprobación)"
    RETURNED = "returned", "Devuelta por la jefatura"
    APPROVED = "approved", "Remitida a la unidad jurídica"
    RETURNED_BY_LEGAL = "returned_by_legal", "Devuelta por la unidad jurídica"
    ACCEPTED = "accepted", "Aceptada por la unidad jurídica"
    IN_COURT = "in_court", "Demanda presentada"
    JUDGMENT = "judgment", "Con sentencia"
    CLOSED = "closed", "Cerrada"


R = ReferralState
#: The only moves (from → to). Requested: the head approves or returns it (the collector may then
#: request again: a new referral). Approved: the legal unit accepts or returns it. Accepted: the
#: lawsuit is filed; then hearings, the judgment, payments, and the closing step.
REFERRAL_TRANSITIONS: dict[str, frozenset[str]] = {
    R.REQUESTED: frozenset({R.APPROVED, R.RETURNED}),
    R.RETURNED: frozenset(),
    R.APPROVED: frozenset({R.ACCEPTED, R.RETURNED_BY_LEGAL}),
    R.RETURNED_BY_LEGAL: frozenset(),
    R.ACCEPTED: frozenset({R.IN_COURT, R.CLOSED}),
    R.IN_COURT: frozenset({R.JUDGMENT, R.CLOSED}),
    R.JUDGMENT: frozenset({R.CLOSED}),
    R.CLOSED: frozenset(),
}
#: A referral "in course": the employer cannot have a second one.
OPEN_STATES = frozenset({R.REQUESTED, R.APPROVED, R.ACCEPTED, R.IN_COURT, R.JUDGMENT})
#: What the legal unit sees: everything a head has approved.
LEGAL_STATES = frozenset({R.APPROVED, R.RETURNED_BY_LEGAL, R.ACCEPTED, R.IN_COURT, R.JUDGMENT, R.CLOSED})
#: Approved and not returned: the referrals that count as "referred" in the reports.
REFERRED_STATES = frozenset({R.APPROVED, R.ACCEPTED, R.IN_COURT, R.JUDGMENT, R.CLOSED})


class StepKind(models.TextChoices):
    LAWSUIT_FILED = "lawsuit_filed", "Demanda presentada"
    HEARING = "hearing", "Audiencia"
    JUDGMENT = "judgment", "Sentencia"
    PAYMENT = "payment", "Pago"
    CLOSED = "closed", "Cierre"


#: The referral state each step leads to (None: the state stays).
STEP_STATES: dict[str, str | None] = {
    StepKind.LAWSUIT_FILED: R.IN_COURT,
    StepKind.HEARING: None,
    StepKind.JUDGMENT: R.JUDGMENT,
    StepKind.PAYMENT: None,
    StepKind.CLOSED: R.CLOSED,
}
#: Which steps each state allows.
STEPS_ALLOWED: dict[str, frozenset[str]] = {
    R.ACCEPTED: frozenset({StepKind.LAWSUIT_FILED, StepKind.PAYMENT, StepKind.CLOSED}),
    R.IN_COURT: frozenset({StepKind.HEARING, StepKind.JUDGMENT, StepKind.PAYMENT, StepKind.CLOSED}),
    R.JUDGMENT: frozenset({StepKind.HEARING, StepKind.PAYMENT, StepKind.CLOSED}),
}


class ClosingOutcome(models.TextChoices):
    PAID = "paid", "Pagado"
    AGREEMENT = "agreement", "Convenio judicial o extrajudicial"
    UNCOLLECTIBLE = "uncollectible", "Incobrable"
    WITHDRAWN = "withdrawn", "Desistimiento"
    OTHER = "other", "Otro"


class DocumentApplies(models.TextChoices):
    ALWAYS = "always", "Siempre"
    LAPSED_AGREEMENT = "lapsed_agreement", "Solo si hay un convenio incumplido"
    WORKER_SHARE = "worker_share", "Solo en la remisión por cuota laboral"


class RequiredDocument(models.Model):
    """One line of the checklist of documents a referral needs (policy data, edited in the admin).

    A case document ticks it when its type is one of `doc_types` or its title contains one of
    `keywords` (without caring about accents or capitals). `blocking` items stop the request when
    missing; the others are shown as missing to the head and the legal unit."""

    name = models.CharField("documento", max_length=200, unique=True)
    doc_types = models.JSONField(
        "tipos de documento del expediente que lo cumplen",
        default=list,
        blank=True,
        help_text="Códigos de tipo de documento del expediente: notice, proof_of_delivery, statement, "
        "agreement, resolution, correspondence, other.",
    )
    keywords = models.CharField(
        "palabras del título que lo cumplen",
        max_length=300,
        blank=True,
        help_text="Separadas por comas; basta que el título del documento contenga una.",
    )
    applies = models.CharField(
        "se exige", max_length=20, choices=DocumentApplies.choices, default=DocumentApplies.ALWAYS
    )
    generated = models.BooleanField(
        "lo genera el sistema",
        default=False,
        help_text="El sistema lo emite con la remisión (p. ej. el estado de cuenta): se da por presente.",
    )
    blocking = models.BooleanField(
        "impide la solicitud si falta",
        default=False,
        help_text="Si se marca, no se puede solicitar la remisión sin este documento en el expediente.",
    )
    active = models.BooleanField("vigente", default=True)
    order = models.PositiveSmallIntegerField("orden", default=100)

    class Meta:
        verbose_name = "documento requerido para la remisión"
        verbose_name_plural = "documentos requeridos para la remisión"
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Referral(TimeStampedModel):
    """A judicial referral of one case (one employer). Figures are copied when requested and again
    when the certificate is issued (the certificate's copy is the one that counts)."""

    case = models.ForeignKey(
        "cases.CaseFile", related_name="referrals", on_delete=models.PROTECT, verbose_name="expediente"
    )
    employer = models.ForeignKey(
        "employers.Employer", related_name="referrals", on_delete=models.PROTECT, verbose_name="patrono"
    )
    kind = models.CharField("tipo", max_length=20, choices=ReferralKind.choices)
    state = models.CharField("estado", max_length=20, choices=ReferralState.choices, default=R.REQUESTED)
    route = models.CharField("causal", max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.PROTECT, verbose_name="solicitada por"
    )
    requested_on = models.DateField("fecha de la solicitud")
    request_note = models.TextField("observaciones de la solicitud", blank=True)
    # What the system found when it was requested: notices (dates), periods, figures, checklist.
    criteria = models.JSONField("criterios comprobados", default=dict, blank=True)
    periods = models.JSONField("períodos remitidos", default=list, blank=True)
    amount = models.DecimalField("monto remitido", default=0, **MONEY)
    worker_share_amount = models.DecimalField("cuota laboral no enterada", default=0, **MONEY)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
        verbose_name="decidida por",
    )
    decided_on = models.DateField("fecha de la decisión", null=True, blank=True)
    return_reason = models.TextField("motivo de la devolución", blank=True)
    certificate = models.ForeignKey(
        "documents.IssuedDocument",
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
        verbose_name="certificación de mora",
    )
    package = models.ForeignKey(
        "documents.IssuedDocument",
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
        verbose_name="paquete de remisión",
    )
    legal_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
        verbose_name="recibida por",
    )
    legal_on = models.DateField("fecha de recepción en jurídico", null=True, blank=True)
    legal_return_reason = models.TextField("motivo de la devolución de jurídico", blank=True)
    court = models.CharField("tribunal", max_length=200, blank=True)
    court_case_number = models.CharField("número de expediente judicial", max_length=100, blank=True)
    next_step = models.CharField("próximo paso", max_length=200, blank=True)
    next_step_on = models.DateField("fecha del próximo paso", null=True, blank=True, db_index=True)
    closed_on = models.DateField("fecha de cierre", null=True, blank=True)
    outcome = models.CharField(
        "resultado", max_length=20, choices=ClosingOutcome.choices, blank=True, default=""
    )

    class Meta:
        verbose_name = "remisión a cobro judicial"
        verbose_name_plural = "remisiones a cobro judicial"
        ordering = ["-requested_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["employer"],
                condition=Q(state__in=["requested", "approved", "accepted", "in_court", "judgment"]),
                name="referral_one_open_per_employer",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="referral_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(worker_share_amount__gte=0), name="referral_worker_share_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["state", "next_step_on"])]

    def __str__(self) -> str:
        return f"{self.code} · {self.employer.employer_number}"

    @property
    def code(self) -> str:
        return f"REM-{self.requested_on:%Y}-{self.pk:06d}" if self.pk else "REM-nueva"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_worker_share(self) -> bool:
        return self.kind == ReferralKind.WORKER_SHARE


class ReferralStep(models.Model):
    """A step of the lawsuit the legal unit records (with its date, a note, and optionally a file
    stored in the case's documents)."""

    referral = models.ForeignKey(
        Referral, related_name="steps", on_delete=models.PROTECT, verbose_name="remisión"
    )
    kind = models.CharField("paso", max_length=20, choices=StepKind.choices)
    on = models.DateField("fecha")
    notes = models.TextField("observaciones", blank=True)
    court = models.CharField("tribunal", max_length=200, blank=True)
    court_case_number = models.CharField("número de expediente judicial", max_length=100, blank=True)
    amount = models.DecimalField("monto", null=True, blank=True, **MONEY)
    outcome = models.CharField(
        "resultado", max_length=20, choices=ClosingOutcome.choices, blank=True, default=""
    )
    document = models.ForeignKey(
        "cases.CaseDocument",
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
        verbose_name="documento",
    )
    next_step = models.CharField("próximo paso", max_length=200, blank=True)
    next_step_on = models.DateField("fecha del próximo paso", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.PROTECT, verbose_name="registrado por"
    )
    recorded_at = models.DateTimeField("registrado el", auto_now_add=True)

    class Meta:
        verbose_name = "paso del proceso judicial"
        verbose_name_plural = "pasos del proceso judicial"
        ordering = ["on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0), name="referral_step_amount_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on:%d/%m/%Y}"
