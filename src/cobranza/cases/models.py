"""Case files (expedientes), their documents, collection actions (gestiones), promises to pay,
the outcomes list the administrator maintains, and the letter templates.

States follow SPEC §7; the allowed moves are the explicit table `CASE_TRANSITIONS` below, applied
only by `cobranza.cases.services.case_transition`.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cobranza.common.dates import business_date
from cobranza.common.models import TimeStampedModel
from cobranza.employers.models import Employer

MONEY = {"max_digits": 14, "decimal_places": 2}


class CaseState(models.TextChoices):
    OPEN = "open", "Abierto"
    IN_COLLECTION = "in_collection", "En gestión de cobro"
    AGREEMENT = "agreement", "En convenio de pago"
    FULFILLED = "fulfilled", "Convenio cumplido"
    LAPSED = "lapsed", "Convenio incumplido"
    REFERRED_TO_LEGAL = "referred_to_legal", "Remitido a cobro judicial"
    CLOSED = "closed", "Cerrado"


class CloseReason(models.TextChoices):
    PAID = "paid", "Pagado"
    PRESCRIBED = "prescribed", "Prescrito"
    UNCOLLECTIBLE = "uncollectible", "Incobrable"


S = CaseState
# The only allowed moves (SPEC §7). Read as "from → the states it may go to":
# - open: collection starts with the first action; an employer may sign an agreement straight away
#   (it walks in before any action); a case opened by mistake or already paid is closed.
# - in_collection: agreement signed; referred to legal without agreement (SPEC §4: ≥ 2 notices and
#   90 days without agreement); closed when paid, prescribed or uncollectible.
# - agreement: fulfilled (every installment paid) or lapsed (installments overdue, SPEC §6).
# - fulfilled: closed (paid).
# - lapsed: a new agreement is re-negotiated, referred to legal, or closed.
# - referred_to_legal: closed once legal finishes (paid, prescribed or uncollectible); back to
#   in_collection when the legal unit returns the referral.
# - closed: final; new debt opens a new case.
CASE_TRANSITIONS: dict[str, frozenset[str]] = {
    S.OPEN: frozenset({S.IN_COLLECTION, S.AGREEMENT, S.CLOSED}),
    S.IN_COLLECTION: frozenset({S.AGREEMENT, S.REFERRED_TO_LEGAL, S.CLOSED}),
    S.AGREEMENT: frozenset({S.FULFILLED, S.LAPSED}),
    S.FULFILLED: frozenset({S.CLOSED}),
    S.LAPSED: frozenset({S.AGREEMENT, S.REFERRED_TO_LEGAL, S.CLOSED}),
    S.REFERRED_TO_LEGAL: frozenset({S.IN_COLLECTION, S.CLOSED}),
    S.CLOSED: frozenset(),
}
# The states that follow the employer's payment agreement (SPEC §6): set only by the agreement's own
# transitions (down payment received → agreement, every installment paid → fulfilled, lapse →
# lapsed; `case_follow_agreement`), never by hand, so a case never says "Convenio cumplido" with
# installments unpaid or "En convenio de pago" without an agreement.
AGREEMENT_STATES: frozenset[str] = frozenset({S.AGREEMENT, S.FULFILLED, S.LAPSED})
# The referral's moves (issue 11): into "Remitido a cobro judicial" only when a head approves a
# judicial referral, and back to "En gestión de cobro" only when the legal unit returns it
# (`case_follow_referral`, called by `cobranza.legal.services`), never by hand.
REFERRAL_MOVES: frozenset[tuple[str, str]] = frozenset(
    {
        (S.IN_COLLECTION, S.REFERRED_TO_LEGAL),
        (S.LAPSED, S.REFERRED_TO_LEGAL),
        (S.REFERRED_TO_LEGAL, S.IN_COLLECTION),
    }
)
# What a person decides (`case_transition`): start collection, close. A case in "agreement" has no
# manual move: it follows its agreement; the referral's moves follow the referral.
MANUAL_TRANSITIONS: dict[str, frozenset[str]] = {
    state: frozenset(t for t in targets - AGREEMENT_STATES if (state, t) not in REFERRAL_MOVES)
    for state, targets in CASE_TRANSITIONS.items()
}
ACTIVE_STATES = frozenset(s for s in CaseState.values if s != CaseState.CLOSED)


class CaseFile(TimeStampedModel):
    """The collection case of one employer. At most one case per employer is not closed."""

    employer = models.ForeignKey(
        Employer, related_name="cases", on_delete=models.PROTECT, verbose_name="patrono"
    )
    state = models.CharField("estado", max_length=20, choices=CaseState.choices, default=CaseState.OPEN)
    close_reason = models.CharField(
        "motivo de cierre", max_length=20, choices=CloseReason.choices, blank=True, default=""
    )
    opened_at = models.DateTimeField("abierto el", default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
        verbose_name="abierto por",
    )
    closed_at = models.DateTimeField("cerrado el", null=True, blank=True)
    state_changed_at = models.DateTimeField("último cambio de estado", default=timezone.now)
    # The collector when the case was opened (the current one is the employer's open assignment).
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
        verbose_name="gestor al abrir",
    )
    opening_debt = models.DecimalField("deuda al abrir", null=True, blank=True, **MONEY)
    # Kept up to date by the action services, so the worklist costs a fixed number of queries.
    last_contact_at = models.DateTimeField("último contacto", null=True, blank=True)
    next_action_on = models.DateField("próxima gestión", null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = "expediente"
        verbose_name_plural = "expedientes"
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["employer"], condition=~Q(state="closed"), name="case_one_active_per_employer"
            ),
            models.CheckConstraint(
                condition=(Q(state="closed") & ~Q(close_reason=""))
                | (~Q(state="closed") & Q(close_reason="")),
                name="case_close_reason_iff_closed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.employer.employer_number}"

    @property
    def code(self) -> str:
        return f"EXP-{self.opened_at:%Y}-{self.pk:06d}" if self.pk else "EXP-nuevo"

    @property
    def is_active(self) -> bool:
        return self.state != CaseState.CLOSED

    def allowed_transitions(self) -> list[tuple[str, str]]:
        labels = dict(CaseState.choices)
        return [(s, labels[s]) for s in CaseState.values if s in CASE_TRANSITIONS[self.state]]

    def manual_transitions(self) -> list[tuple[str, str]]:
        """The moves a person may choose from this state (the agreement's states are left out)."""
        labels = dict(CaseState.choices)
        return [(s, labels[s]) for s in CaseState.values if s in MANUAL_TRANSITIONS[self.state]]


class DocumentType(models.TextChoices):
    NOTICE = "notice", "Aviso de cobro"
    PROOF_OF_DELIVERY = "proof_of_delivery", "Constancia de entrega"
    STATEMENT = "statement", "Estado de cuenta"
    AGREEMENT = "agreement", "Convenio de pago"
    RESOLUTION = "resolution", "Resolución"
    CORRESPONDENCE = "correspondence", "Correspondencia"
    OTHER = "other", "Otro"


def case_document_path(instance: CaseDocument, filename: str) -> str:
    # The stored name never comes from the user: only the sniffed extension does.
    return f"expedientes/{instance.case.employer.employer_number}/{instance.case_id}/{filename}"


class CaseDocument(models.Model):
    """A file of the case: stored in the default storage (MEDIA_ROOT), never in the database."""

    case = models.ForeignKey(
        CaseFile, related_name="documents", on_delete=models.PROTECT, verbose_name="expediente"
    )
    doc_type = models.CharField("tipo de documento", max_length=30, choices=DocumentType.choices)
    title = models.CharField("título", max_length=200)
    document_date = models.DateField("fecha del documento", default=business_date)
    file = models.FileField("archivo", upload_to=case_document_path, max_length=300)
    original_name = models.CharField("nombre original", max_length=255)
    content_type = models.CharField("tipo de contenido", max_length=100)
    size = models.PositiveIntegerField("tamaño (bytes)")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_at = models.DateTimeField("subido el", auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
        verbose_name="subido por",
    )

    class Meta:
        verbose_name = "documento del expediente"
        verbose_name_plural = "documentos del expediente"
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.title


class ActionOutcome(models.Model):
    """The outcomes a collector can choose (maintained by the administrator)."""

    name = models.CharField("resultado", max_length=120, unique=True)
    is_contact = models.BooleanField(
        "hubo contacto", default=True, help_text="Cuenta como contacto efectivo con el patrono."
    )
    active = models.BooleanField("activo", default=True)
    order = models.PositiveSmallIntegerField("orden", default=100)

    class Meta:
        verbose_name = "resultado de gestión"
        verbose_name_plural = "resultados de gestión"
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class ActionKind(models.TextChoices):
    CALL = "call", "Llamada"
    LETTER = "letter", "Carta"
    EMAIL = "email", "Correo electrónico"
    VISIT = "visit", "Visita"
    MEETING = "meeting", "Reunión"


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "Pendiente de revisión"
    REVIEWED = "reviewed", "Revisada"
    RETURNED = "returned", "Devuelta al gestor"


class DeliveryStatus(models.TextChoices):
    SENT = "sent", "Enviado"
    FAILED = "failed", "No enviado"


class CollectionAction(models.Model):
    """One collection action (gestión de cobro) on a case."""

    case = models.ForeignKey(
        CaseFile, related_name="actions", on_delete=models.PROTECT, verbose_name="expediente"
    )
    kind = models.CharField("tipo", max_length=10, choices=ActionKind.choices)
    performed_at = models.DateTimeField("fecha", default=timezone.now)
    contact_person = models.CharField("persona contactada", max_length=200, blank=True)
    outcome = models.ForeignKey(
        ActionOutcome, null=True, blank=True, on_delete=models.PROTECT, verbose_name="resultado"
    )
    # The employer's contact reached (optional; `contact_person` keeps the name as typed or as it was).
    contact = models.ForeignKey(
        "employers.Contact",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="contacto",
    )
    notes = models.TextField("notas", blank=True)
    next_action_on = models.DateField("próxima gestión", null=True, blank=True)
    # E-mailed letters: where it went and what the mail server answered.
    email_to = models.EmailField("enviado a", blank=True)
    delivery_status = models.CharField(
        "entrega", max_length=10, choices=DeliveryStatus.choices, blank=True, default=""
    )
    delivery_detail = models.CharField("detalle de la entrega", max_length=500, blank=True)
    document = models.ForeignKey(
        "CaseDocument",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="documento",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
        verbose_name="registrada por",
    )
    created_at = models.DateTimeField("registrada el", auto_now_add=True)
    review_status = models.CharField(
        "revisión", max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    review_comment = models.TextField("comentario de la jefatura", blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
        verbose_name="revisada por",
    )
    reviewed_at = models.DateTimeField("revisada el", null=True, blank=True)

    class Meta:
        verbose_name = "gestión de cobro"
        verbose_name_plural = "gestiones de cobro"
        ordering = ["-performed_at", "-id"]
        indexes = [models.Index(fields=["review_status", "performed_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.performed_at:%d/%m/%Y}"


class PromiseStatus(models.TextChoices):
    PENDING = "pending", "Pendiente"
    KEPT = "kept", "Cumplida"
    BROKEN = "broken", "Incumplida"


class PaymentPromise(models.Model):
    """A promise to pay made during an action. Kept or broken is decided from the payments
    (`cobranza.cases.services.promises_evaluate`), never by hand."""

    action = models.OneToOneField(CollectionAction, related_name="promise", on_delete=models.PROTECT)
    case = models.ForeignKey(CaseFile, related_name="promises", on_delete=models.PROTECT)
    amount = models.DecimalField("monto prometido", **MONEY)
    promised_on = models.DateField("fecha prometida")
    made_on = models.DateField("fecha de la promesa")
    status = models.CharField(
        "estado", max_length=10, choices=PromiseStatus.choices, default=PromiseStatus.PENDING
    )
    paid_amount = models.DecimalField("pagado en el plazo", default=0, **MONEY)
    evaluated_on = models.DateField("evaluada al", null=True, blank=True)
    # The periods in arrears (overdue) when the promise was made ("YYYY-MM"): only payments applied
    # to them keep it (SPEC §7). Empty for promises made before this was recorded: their periods
    # are taken from the statement as of the day they were made.
    overdue_periods = models.JSONField("períodos en mora al prometer", default=list, blank=True)
    # The payments (and the amount of each) that counted for it: one payment is not counted twice.
    counted_payments = models.JSONField("pagos que la cumplen", default=list, blank=True)

    class Meta:
        verbose_name = "promesa de pago"
        verbose_name_plural = "promesas de pago"
        ordering = ["promised_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="promise_amount_positive"),
            models.CheckConstraint(
                condition=Q(promised_on__gte=models.F("made_on")), name="promise_not_before_made"
            ),
        ]

    def __str__(self) -> str:
        return f"Promesa {self.amount} al {self.promised_on:%d/%m/%Y}"


class LetterType(models.TextChoices):
    FIRST_NOTICE = "first_notice", "Primer aviso de cobro"
    SECOND_NOTICE = "second_notice", "Segundo aviso de cobro"
    FINAL_NOTICE = "final_notice", "Aviso final previo a cobro judicial"


# Spanish stems of the generated letters' file names (aviso-primero-<número patronal>-<fecha>.pdf).
LETTER_FILE_STEMS: dict[str, str] = {
    LetterType.FIRST_NOTICE: "aviso-primero",
    LetterType.SECOND_NOTICE: "aviso-segundo",
    LetterType.FINAL_NOTICE: "aviso-final",
}


# Placeholders a letter body may use: {name} → what it is replaced with.
LETTER_PLACEHOLDERS: dict[str, str] = {
    "razon_social": "razón social del patrono",
    "nombre_comercial": "nombre comercial",
    "numero_patronal": "número patronal",
    "nit": "NIT",
    "direccion": "dirección del patrono",
    "representante_legal": "representante legal",
    "fecha": "fecha de emisión, en letras (29 de noviembre de 2026)",
    "fecha_corte": "fecha de corte del estado de cuenta, en letras",
    "saldo_total": "total adeudado ($1,234.56)",
    "periodos_en_mora": "número de períodos en mora",
    "periodo_mas_antiguo": "período en mora más antiguo (mm/aaaa)",
    "plazo_dias": "días hábiles para responder",
    "gestor": "nombre del gestor",
    "expediente": "código del expediente",
}
PLACEHOLDER_RE = re.compile(r"\{([a-z_]+)\}")


def validate_placeholders(text: str) -> None:
    unknown = sorted({name for name in PLACEHOLDER_RE.findall(text or "") if name not in LETTER_PLACEHOLDERS})
    if unknown:
        raise ValidationError(
            "Marcadores desconocidos: %(names)s. Disponibles: %(known)s.",
            params={
                "names": ", ".join("{" + n + "}" for n in unknown),
                "known": ", ".join("{" + n + "}" for n in LETTER_PLACEHOLDERS),
            },
        )


class LetterTemplate(models.Model):
    """The text of a notice; the administrator edits it. Placeholders like {razon_social}."""

    letter_type = models.CharField("tipo de carta", max_length=20, choices=LetterType.choices, unique=True)
    subject = models.CharField("asunto", max_length=200)
    body = models.TextField(
        "texto",
        validators=[validate_placeholders],
        help_text="Párrafos separados por una línea en blanco. Marcadores: "
        + ", ".join("{" + n + "}" for n in LETTER_PLACEHOLDERS),
    )
    reply_days = models.PositiveSmallIntegerField("días hábiles para responder", default=10)
    updated_at = models.DateTimeField("modificada", auto_now=True)

    class Meta:
        verbose_name = "plantilla de carta"
        verbose_name_plural = "plantillas de cartas"
        ordering = ["letter_type"]

    def __str__(self) -> str:
        return self.get_letter_type_display()


class LetterBatch(models.Model):
    """Letters generated for many employers; processed in chunks so the page shows the progress."""

    letter_type = models.CharField("tipo de carta", max_length=20, choices=LetterType.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.PROTECT, verbose_name="solicitado por"
    )
    created_at = models.DateTimeField("solicitado el", auto_now_add=True)
    employer_ids = models.JSONField("patronos", default=list)
    # Left out when the batch was made: [{employer_number, reason}] (agreement in force, claim open).
    skipped = models.JSONField("omitidos", default=list, blank=True)
    processed = models.PositiveIntegerField("procesados", default=0)
    results = models.JSONField(
        "resultados", default=list, blank=True
    )  # [{employer_number, ok, message, document_id}]
    finished_at = models.DateTimeField("terminado el", null=True, blank=True)

    class Meta:
        verbose_name = "lote de cartas"
        verbose_name_plural = "lotes de cartas"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_letter_type_display()} × {len(self.employer_ids)}"

    @property
    def total(self) -> int:
        return len(self.employer_ids)

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.processed / self.total)

    def skipped_by_reason(self) -> list[tuple[str, int]]:
        """How many were left out for each reason, for the batch's page."""
        counts: dict[str, int] = {}
        for row in self.skipped or []:
            counts[row.get("reason", "")] = counts.get(row.get("reason", ""), 0) + 1
        return sorted(counts.items())
